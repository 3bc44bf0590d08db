package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// The public status check, as the national eMaklum offers it: anyone may
// ask where a payment stands by giving the payee id and an invoice number
// or payment reference of it. The answer is only the status, its date and
// the payment mode of the payments that match both, never an amount and
// never a list by payee id alone; "no such payee" and "no such invoice"
// answer alike (no item). Checks are limited per client address and per
// payee id within a window (the counts are rows of a table, so that the
// limits hold across the portal's instances), and each check is audited.

// CheckItem is what the public check shows of one matching payment.
type CheckItem struct {
	Status     Status `bun:"status" json:"status"`
	StatusDate string `bun:"status_date" json:"status_date"`
	Mode       Mode   `bun:"payment_mode" json:"payment_mode"`
}

// ErrCheckThrottled answers a client address or a payee id that has
// checked too often; it says nothing of whether anything matched.
var ErrCheckThrottled = apperr.New(apperr.TooManyRequests, "payment.check.throttled")

// checkActor is the audit log's actor for the public check: nobody logged in.
var checkActor = store.Actor{Login: "public"}

// maxCheckItems bounds an answer: one invoice is seldom paid in more parts.
const maxCheckItems = 20

// Throttle kinds of payment_status_checks.
const (
	checkByAddress = "ip"
	checkByPayee   = "payee"
)

// Check answers the public status check from client address ip.
func (s *Service) Check(ctx context.Context, ip, payeeID, reference string) ([]CheckItem, error) {
	var bad []apperr.FieldError
	payee, err := ParsePayeeID(payeeID)
	if err != nil {
		bad = append(bad, forms.Field("payee_id", err))
	}
	ref, err := ParseReference(ColRef, reference, maxInvoice, true)
	if err != nil || ref == "" {
		bad = append(bad, apperr.Field("reference", "payment.check.reference_needed"))
	}
	if len(bad) > 0 {
		return nil, apperr.Fields(bad...)
	}
	// The payee id is kept as a hash: the throttle needs to tell payees
	// apart, not to know them.
	sum := sha256.Sum256([]byte(payee))
	payeeKey := hex.EncodeToString(sum[:])
	now := s.now()
	since := now.Add(-s.opt.CheckWindow)
	items := []CheckItem{}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		idb := tx.IDB()
		if _, err := idb.NewRaw("DELETE FROM payment_status_checks WHERE at <= ?", since).Exec(ctx); err != nil {
			return err
		}
		for _, k := range []struct {
			kind, subject string
			max           int
		}{{checkByAddress, ip, s.opt.CheckPerAddress}, {checkByPayee, payeeKey, s.opt.CheckPerPayee}} {
			var n int
			if err := idb.NewRaw("SELECT count(*) FROM payment_status_checks WHERE kind = ? AND subject = ? AND at > ?",
				k.kind, k.subject, since).Scan(ctx, &n); err != nil {
				return err
			}
			if n >= k.max {
				return ErrCheckThrottled
			}
		}
		if _, err := idb.NewRaw("INSERT INTO payment_status_checks (kind, subject, at) VALUES (?, ?, ?), (?, ?, ?)",
			checkByAddress, ip, now, checkByPayee, payeeKey, now).Exec(ctx); err != nil {
			return err
		}
		if err := idb.NewRaw(`SELECT status, status_date, payment_mode FROM payments
			WHERE payee_id = ? AND (invoice_no = ? OR payment_ref = ?)
			ORDER BY status_date DESC, voucher_no DESC LIMIT ?`, payee, ref, ref, maxCheckItems).Scan(ctx, &items); err != nil {
			return err
		}
		return tx.Audit(ctx, checkActor, "payment.status_check", "payee", malaysia.MaskText(payee), map[string]any{
			"ip": ip, "reference": ref, "found": len(items),
		})
	})
	if err != nil {
		if err == ErrCheckThrottled {
			return nil, err
		}
		return nil, fmt.Errorf("payment status check: %w", err)
	}
	return items, nil
}
