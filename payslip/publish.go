package payslip

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// PublishResult is what publishing did.
type PublishResult struct {
	Month       string
	VisibleFrom *time.Time // nil: visible at once
	Mailed      int        // employees told now
}

var errMonthNotImported = apperr.New(apperr.NotFound, "payslip.error.month_not_imported")

// Publish makes month visible to its employees, from visibleFrom (a date
// YYYY-MM-DD, the start of that day in Malaysia; "" for at once), and
// tells each employee with an active profile granted ePayslip, once per
// import of the month, by mail through the outbox. The month's state
// changes in one transaction with its audit record; the mail then goes in
// batches of Options.MailBatch employees, one transaction each, every
// batch recording whom it told so that nobody is told twice — publishing
// again (to change the date, or after an interruption) tells only those
// not told yet. It returns how many employees were told.
func (s *Service) Publish(ctx context.Context, by store.Actor, month, visibleFrom string) (*PublishResult, error) {
	m, err := ParseMonth(month)
	if err != nil {
		return nil, apperr.Fields(forms.Field("month", err))
	}
	res := &PublishResult{Month: m}
	if visibleFrom != "" {
		t, err := ParseDay(visibleFrom)
		if err != nil {
			return nil, apperr.Fields(forms.Field("visible_from", err))
		}
		t = t.UTC()
		res.VisibleFrom = &t
	}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		var state string
		err := tx.IDB().NewRaw("SELECT state FROM payroll_months WHERE month = ?", m).Scan(ctx, &state)
		if errors.Is(err, sql.ErrNoRows) {
			return errMonthNotImported
		}
		if err != nil {
			return err
		}
		if state == StateImporting {
			return apperr.New(apperr.Conflict, "payslip.error.month_importing", "Months", m)
		}
		if _, err := tx.IDB().NewRaw(`UPDATE payroll_months SET state = ?, visible_from = ?, published_at = ?, published_by = ?
			WHERE month = ?`, StatePublished, res.VisibleFrom, s.now(), by.Login, m).Exec(ctx); err != nil {
			return err
		}
		detail := map[string]any{"visible_from": ""}
		if res.VisibleFrom != nil {
			detail["visible_from"] = malaysia.Day(*res.VisibleFrom)
		}
		if state == StatePublished {
			detail["again"] = true
		}
		return tx.Audit(ctx, by, "payroll.month.publish", "payroll_month", m, detail)
	})
	s.forget()
	if err != nil {
		return nil, wrap("publish "+m, err)
	}
	if res.Mailed, err = s.notify(ctx, m); err != nil {
		return res, wrap("publish "+m, err)
	}
	return res, nil
}

// notify tells the employees of a published month who were not told of
// its current import yet, in batches, and returns how many it told. An
// employee told of an earlier import of the month gets the mail saying
// the slip was replaced.
func (s *Service) notify(ctx context.Context, month string) (int, error) {
	return store.InBatches(s.opts.MailBatch, func() (int, error) { return s.notifyBatch(ctx, month) })
}

// recipient is an employee to tell, as the outbox needs them.
type recipient struct {
	store.Recipient
	Told bool `bun:"told"` // of an earlier import of the month
}

func (s *Service) notifyBatch(ctx context.Context, month string) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		idb := tx.IDB()
		var m struct {
			State       string     `bun:"state"`
			ImportID    int64      `bun:"import_id"`
			VisibleFrom *time.Time `bun:"visible_from"`
		}
		if err := idb.NewRaw("SELECT state, import_id, visible_from FROM payroll_months WHERE month = ?", month).Scan(ctx, &m); err != nil {
			return err
		}
		if m.State != StatePublished {
			return nil
		}
		// Claim the batch: the notice rows this statement inserts are the
		// employees this transaction tells; one told already (by another
		// publisher meanwhile) conflicts and is not returned.
		var ics []string
		if err := idb.NewRaw(`INSERT INTO payslip_notices (month, ic_number, import_id, at)
			SELECT p.month, p.ic_number, p.import_id, ? FROM payslips p JOIN users u ON u.login = p.ic_number
			WHERE p.month = ? AND u.status = ?
				AND EXISTS (SELECT 1 FROM user_modules um WHERE um.user_id = u.id AND um.module = ?)
				AND NOT EXISTS (SELECT 1 FROM payslip_notices n WHERE n.month = p.month AND n.ic_number = p.ic_number AND n.import_id = p.import_id)
			ORDER BY p.ic_number LIMIT ?
			ON CONFLICT DO NOTHING RETURNING ic_number`,
			s.now(), month, store.StatusActive, forms.ModulePayslip, s.opts.MailBatch).Scan(ctx, &ics); err != nil {
			return err
		}
		if len(ics) == 0 {
			return nil
		}
		var people []recipient
		if err := idb.NewRaw(`SELECT u.id, u.login, u.email, u.name, u.lang,
				EXISTS (SELECT 1 FROM payslip_notices o WHERE o.month = ? AND o.ic_number = u.login AND o.import_id <> ?) AS told
			FROM users u WHERE u.login IN (?)`, month, m.ImportID, bun.In(ics)).Scan(ctx, &people); err != nil {
			return err
		}
		var from *time.Time
		if m.VisibleFrom != nil && m.VisibleFrom.After(s.now()) {
			from = m.VisibleFrom
		}
		mails := make([]store.Mail, len(people))
		for i, p := range people {
			kind := mailReady
			if p.Told {
				kind = mailReplaced
			}
			mails[i] = store.Mail{Kind: kind, To: p.User(),
				Content: readyMail{Month: month, From: from, Rule: s.opts.PDFPassword, URL: s.links.Payslip(month)}}
		}
		n = len(ics)
		return tx.Enqueue(ctx, mails...)
	})
	return n, err
}
