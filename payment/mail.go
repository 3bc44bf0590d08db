package payment

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
)

// The mail eMaklum sends: to an employee when a payment to them was
// credited, failed at the bank or was cancelled. Their words are the
// catalogue's mail.<kind>.subject and mail.<kind>.body.
var (
	mailCredited  = notify.Register("payment_credited", sampleMoveMail)
	mailFailed    = notify.Register("payment_failed", sampleMoveMail)
	mailCancelled = notify.Register("payment_cancelled", sampleMoveMail)
)

// moveMailKind is the mail of each status that is told.
var moveMailKind = map[Status]notify.Kind{Credited: mailCredited, Failed: mailFailed, Cancelled: mailCancelled}

// moveMail tells a payee where their payment now stands: the voucher, the
// invoice or claim it pays, the status and its date, and the voucher's
// page. Never the amount: a mail may be read by others than its addressee.
type moveMail struct {
	Voucher string `json:"voucher"`
	Invoice string `json:"invoice"`
	Status  Status `json:"status"`
	Date    string `json:"date"` // YYYY-MM-DD
	URL     string `json:"url"`
}

var sampleMoveMail = moveMail{Voucher: "V2026000102", Invoice: "TNT-2026-10-0031", Status: Credited, Date: "2026-11-13",
	URL: "https://ispeks.example/emaklum/vouchers/V2026000102"}

func (m moveMail) Args(lang string) []any {
	return []any{"Voucher", m.Voucher, "Invoice", m.Invoice, "Status", m.Status.Label(lang), "Date", ShowDate(m.Date)}
}

func (m moveMail) Link(*secret.Keyring) string { return m.URL }

func (m moveMail) Details(lang string) notify.Details {
	return notify.Details{Heading: i18n.T(lang, "mail.payment_details"), Rows: []notify.Detail{
		{Label: i18n.T(lang, "payment.field.voucher_no"), Value: m.Voucher},
		{Label: i18n.T(lang, "payment.field.invoice_no"), Value: m.Invoice},
		{Label: i18n.T(lang, "payment.field.status"), Value: m.Status.Label(lang)},
		{Label: i18n.T(lang, "payment.field.status_date"), Value: ShowDate(m.Date)},
	}}
}

// moved is a voucher of an import that an employee hears of.
type moved struct {
	UserID     int64  `bun:"user_id"`
	Email      string `bun:"email"`
	Name       string `bun:"name"`
	Lang       string `bun:"lang"`
	VoucherNo  string `bun:"voucher_no"`
	InvoiceNo  string `bun:"invoice_no"`
	Status     Status `bun:"status"`
	StatusDate string `bun:"status_date"`
}

// queueMoveMail queues, in the import's transaction, a mail to each active
// employee granted eMaklum whose own payment (payee id = their MyKad) this
// import moved to credited, failed or cancelled, unless they turned such
// mail off. A voucher moved twice in one file is told once, where it
// ended. The query walks the employees to their payments by the payee
// index, not the import's million rows (CROSS JOIN keeps SQLite to that
// order; PostgreSQL plans it alike).
func (s *Service) queueMoveMail(ctx context.Context, tx store.Conn, importID int64) (int, error) {
	var list []moved
	if err := tx.IDB().NewRaw(`SELECT u.id AS user_id, u.email, u.name, u.lang, p.voucher_no, p.invoice_no, p.status, p.status_date
		FROM users u
		JOIN user_modules m ON m.user_id = u.id AND m.module = ?
		CROSS JOIN payments p
		LEFT JOIN payment_settings ps ON ps.user_id = u.id
		WHERE p.payee_id = u.login AND u.status = ? AND p.last_import_id = ? AND p.status IN (?)
			AND (ps.mail_on_move IS NULL OR ps.mail_on_move = ?)
		ORDER BY u.id, p.voucher_no`,
		forms.ModuleMaklum, store.StatusActive, importID, bun.In([]Status{Credited, Failed, Cancelled}), true).Scan(ctx, &list); err != nil {
		return 0, fmt.Errorf("payment mail: %w", err)
	}
	batch := make([]store.Mail, 0, min(len(list), s.opt.MailBatch))
	for i := range list {
		m := &list[i]
		to := &store.User{ID: m.UserID, Email: m.Email, Name: m.Name, Lang: m.Lang}
		batch = append(batch, store.Mail{Kind: moveMailKind[m.Status], To: to, Content: moveMail{
			Voucher: m.VoucherNo, Invoice: m.InvoiceNo, Status: m.Status, Date: m.StatusDate, URL: s.links.Voucher(m.VoucherNo)}})
		if len(batch) == s.opt.MailBatch || i == len(list)-1 {
			if err := tx.Enqueue(ctx, batch...); err != nil {
				return 0, fmt.Errorf("payment mail: %w", err)
			}
			batch = batch[:0]
		}
	}
	return len(list), nil
}
