package statement

import (
	"context"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// notify tells the employees of a published year who were not told of the
// current version of their statement, in batches of Options.MailBatch (one
// transaction each, claiming its employees in statement_notices first, so
// that nobody is told twice of one version whoever publishes at once), and
// returns how many it told. An employee told of an earlier version gets
// the mail saying the statement changed.
func (s *Service) notify(ctx context.Context, year int) (int, error) {
	return store.InBatches(s.opts.MailBatch, func() (int, error) { return s.notifyBatch(ctx, year) })
}

// recipient is an employee to tell, as the outbox needs them.
type recipient struct {
	store.Recipient
	Version int  `bun:"version"`
	Told    bool `bun:"told"` // of an earlier version
}

func (s *Service) notifyBatch(ctx context.Context, year int) (int, error) {
	n := 0
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		idb := tx.IDB()
		var state []string
		if err := idb.NewRaw("SELECT state FROM statement_years WHERE year = ?", year).Scan(ctx, &state); err != nil {
			return err
		}
		if len(state) == 0 || state[0] != StatePublished {
			return nil
		}
		var ics []string
		if err := idb.NewRaw(`INSERT INTO statement_notices (year, ic_number, version, at)
			SELECT s.year, s.ic_number, s.version, ? FROM statements s JOIN users u ON u.login = s.ic_number
			WHERE s.year = ? AND u.status = ?
				AND EXISTS (SELECT 1 FROM user_modules um WHERE um.user_id = u.id AND um.module = ?)
				AND NOT EXISTS (SELECT 1 FROM statement_notices t WHERE t.year = s.year AND t.ic_number = s.ic_number AND t.version = s.version)
			ORDER BY s.ic_number LIMIT ?
			ON CONFLICT DO NOTHING RETURNING ic_number`,
			s.now(), year, store.StatusActive, forms.ModuleEC, s.opts.MailBatch).Scan(ctx, &ics); err != nil {
			return err
		}
		if len(ics) == 0 {
			return nil
		}
		var people []recipient
		if err := idb.NewRaw(`SELECT u.id, u.login, u.email, u.name, u.lang, s.version,
				EXISTS (SELECT 1 FROM statement_notices t WHERE t.year = s.year AND t.ic_number = s.ic_number AND t.version < s.version) AS told
			FROM users u JOIN statements s ON s.ic_number = u.login AND s.year = ? WHERE u.login IN (?)`, year, bun.In(ics)).Scan(ctx, &people); err != nil {
			return err
		}
		mails := make([]store.Mail, len(people))
		for i, p := range people {
			kind := mailReady
			if p.Told {
				kind = mailChanged
			}
			mails[i] = store.Mail{Kind: kind, To: p.User(),
				Content: readyMail{Year: year, Version: p.Version, Rule: s.opts.PDFPassword, URL: s.links.Statement(year)}}
		}
		n = len(ics)
		return tx.Enqueue(ctx, mails...)
	})
	return n, err
}
