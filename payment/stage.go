package payment

// The import's work inside its transaction: the file streamed into a
// staging table, the rules of a voucher's history checked over the whole of
// it at once, and a good file written to the vouchers, their history and
// the payees' names.

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// stageColumns are the columns of the staging table, in the order load
// writes them.
var stageColumns = []string{"line", "voucher_no", "ptj_code", "payee_id", "payee_name", "invoice_no", "amount_sen",
	"status", "status_date", "payment_mode", "payment_ref", "bank_account"}

// load reads the file into the staging table, parsing each line on its
// own; the problems of the lines go to bad.
func (s *Service) load(ctx context.Context, tx store.Bulk, in *bufio.Reader, prog *progress, bad *problems) error {
	if err := tx.CreateStaging(ctx, "payment_stage", "(line BIGINT NOT NULL, voucher_no VARCHAR(20) NOT NULL, ptj_code VARCHAR(10) NOT NULL, "+
		"payee_id VARCHAR(20) NOT NULL, payee_name VARCHAR(150) NOT NULL, invoice_no VARCHAR(40) NOT NULL, amount_sen BIGINT NOT NULL, "+
		"status VARCHAR(16) NOT NULL, status_date VARCHAR(10) NOT NULL, payment_mode VARCHAR(12) NOT NULL, "+
		"payment_ref VARCHAR(40) NOT NULL, bank_account VARCHAR(20) NOT NULL)"); err != nil {
		return err
	}
	// A spreadsheet saving as "CSV UTF-8" starts the file with a byte-order mark.
	if b, err := in.Peek(3); err == nil && string(b) == "\uFEFF" {
		_, _ = in.Discard(3)
	}
	cr := csv.NewReader(in)
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1 // ParseLine names a wrong count

	hdr, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		bad.add(1, ColLine, i18n.Of("payment.import.empty"))
		return nil
	case err != nil && !isCSVError(err):
		return fmt.Errorf("read the file: %w", err)
	case err != nil || !headerIs(hdr):
		bad.add(1, ColLine, i18n.Of("payment.import.header", "Want", strings.Join(Header, ",")))
		return nil // the columns cannot be trusted: no line is read
	}

	today := malaysia.Day(s.now())
	var lines int64
	_, err = tx.Load(ctx, "payment_stage", stageColumns, func(w store.RowWriter) error {
		for {
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				var pe *csv.ParseError
				if !errors.As(err, &pe) {
					return fmt.Errorf("read the file: %w", err)
				}
				lines++
				bad.add(int64(pe.StartLine), ColLine, i18n.Of("payment.line.csv"))
				continue
			}
			lines++
			prog.lines.Store(lines)
			n, _ := cr.FieldPos(0)
			l, p := ParseLine(rec, today)
			for _, x := range p {
				bad.add(int64(n), x.Field, x.Text)
			}
			if len(p) > 0 {
				continue
			}
			if err := w.Row(int64(n), l.Voucher, l.PTJ, l.PayeeID, l.PayeeName, l.Invoice, l.AmountSen,
				string(l.Status), l.Date, string(l.Mode), l.Ref, l.Account); err != nil {
				return fmt.Errorf("stage line %d: %w", n, err)
			}
		}
	})
	prog.lines.Store(lines)
	if err != nil {
		return fmt.Errorf("stage the file: %w", err)
	}
	if lines == 0 {
		bad.add(2, ColLine, i18n.Of("payment.import.no_lines"))
	}
	return nil
}

func isCSVError(err error) bool {
	var pe *csv.ParseError
	return errors.As(err, &pe)
}

// headerIs reports whether rec is the header line (in any case, spaces
// around names allowed).
func headerIs(rec []string) bool {
	if len(rec) != len(Header) {
		return false
	}
	for i, h := range Header {
		if !strings.EqualFold(strings.TrimSpace(rec[i]), h) {
			return false
		}
	}
	return true
}

// checkedSQL builds payment_checked from the staging table: each line beside
// the voucher as it stood before the line, and what the line does.
//
// A line whose status and date are already in the voucher's history is
// known: the file replays history the portal has (an extract sent twice, or
// one that carries a voucher's whole life each time), and it changes
// nothing. Its payee and amount are still checked against the voucher.
//
// Any other line is judged against the line before it in the file among
// the voucher's new lines (the window is partitioned by known), or, for the
// first one, against the voucher in the database. It moves the voucher (1)
// unless it repeats where the voucher stands (0: the same status on the
// same date).
//
// Per voucher: whether any line moves it, whether it existed, its last
// moving line (whose values the voucher takes) and its last line (which
// counts the vouchers of the file).
const checkedSQL = `
SELECT c.*,
    MAX(c.moves) OVER v AS voucher_moves,
    CASE WHEN c.line = MAX(c.line) OVER v THEN 1 ELSE 0 END AS tail,
    CASE WHEN c.moves = 1 AND c.line = MAX(CASE WHEN c.moves = 1 THEN c.line END) OVER v THEN 1 ELSE 0 END AS is_last
FROM (
    SELECT q.*,
        CASE WHEN q.known = 1 THEN 0
             WHEN q.prev_status IS NULL THEN 1
             WHEN q.status = q.prev_status AND q.status_date = q.prev_date THEN 0
             ELSE 1 END AS moves,
        CASE WHEN q.prev_payee IS NOT NULL AND q.payee_id <> q.prev_payee THEN 1 ELSE 0 END AS bad_payee,
        CASE WHEN q.prev_amount IS NOT NULL AND q.amount_sen <> q.prev_amount THEN 1 ELSE 0 END AS bad_amount,
        CASE WHEN q.known = 0 AND q.prev_date IS NOT NULL AND q.status_date < q.prev_date THEN 1 ELSE 0 END AS bad_date,
        CASE WHEN q.known = 0 AND q.prev_status IS NOT NULL AND NOT (q.status = q.prev_status AND q.status_date = q.prev_date)
             AND q.prev_status || '>' || q.status NOT IN (?) THEN 1 ELSE 0 END AS bad_move
    FROM (
        SELECT s.line, s.voucher_no, s.ptj_code, s.payee_id, s.payee_name, s.invoice_no, s.amount_sen, s.status,
            s.status_date, s.payment_mode, s.payment_ref, s.bank_account, s.known,
            CASE WHEN s.known = 1 OR s.nth = 1 THEN p.status ELSE s.lag_status END AS prev_status,
            CASE WHEN s.known = 1 OR s.nth = 1 THEN p.status_date ELSE s.lag_date END AS prev_date,
            CASE WHEN s.known = 1 OR s.nth = 1 THEN p.amount_sen ELSE s.lag_amount END AS prev_amount,
            CASE WHEN s.known = 1 OR s.nth = 1 THEN p.payee_id ELSE s.lag_payee END AS prev_payee,
            CASE WHEN p.voucher_no IS NULL THEN 0 ELSE 1 END AS existed
        FROM (
            SELECT k.*, ROW_NUMBER() OVER w AS nth,
                LAG(k.status) OVER w AS lag_status, LAG(k.status_date) OVER w AS lag_date,
                LAG(k.amount_sen) OVER w AS lag_amount, LAG(k.payee_id) OVER w AS lag_payee
            FROM (
                SELECT st.*, CASE WHEN EXISTS (SELECT 1 FROM payment_events e WHERE e.voucher_no = st.voucher_no
                    AND e.status = st.status AND e.status_date = st.status_date) THEN 1 ELSE 0 END AS known
                FROM payment_stage st
            ) k
            WINDOW w AS (PARTITION BY k.voucher_no, k.known ORDER BY k.line)
        ) s
        LEFT JOIN payments p ON p.voucher_no = s.voucher_no
    ) q
) c
WINDOW v AS (PARTITION BY c.voucher_no)`

// badLine is a line the history rules refuse, with what it was checked
// against.
type badLine struct {
	Line       int64  `bun:"line"`
	Status     Status `bun:"status"`
	StatusDate string `bun:"status_date"`
	AmountSen  int64  `bun:"amount_sen"`
	PrevStatus Status `bun:"prev_status"`
	PrevDate   string `bun:"prev_date"`
	PrevAmount int64  `bun:"prev_amount"`
	BadPayee   int    `bun:"bad_payee"`
	BadAmount  int    `bun:"bad_amount"`
	BadDate    int    `bun:"bad_date"`
	BadMove    int    `bun:"bad_move"`
}

// check applies the rules of a voucher's history to every staged line at
// once; the lines that break one go to bad.
func (s *Service) check(ctx context.Context, tx store.Bulk, bad *problems) error {
	idb := tx.IDB()
	if s.db.Dialect == store.Postgres {
		// A sort of a million lines fits in memory; the temporary tables
		// are not seen by autovacuum, so the planner is told their size.
		// JIT compiling would cost more than these statements save.
		for _, q := range []string{"SET LOCAL work_mem = '256MB'", "SET LOCAL jit = off", "ANALYZE payment_stage",
			// One import at a time moves vouchers: what this one checks
			// against stays true until it commits. Readers are not held.
			"LOCK TABLE payments IN SHARE ROW EXCLUSIVE MODE"} {
			if _, err := idb.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("check the file: %w", err)
			}
		}
	}
	if err := tx.CreateStaging(ctx, "payment_checked", "AS "+checkedSQL, bun.In(allowedMoves())); err != nil {
		return fmt.Errorf("check the file: %w", err)
	}
	const anyBad = "bad_payee + bad_amount + bad_date + bad_move > 0"
	var rows []badLine
	room := MaxLineErrors - len(bad.list)
	if err := idb.NewRaw(`SELECT line, status, status_date, amount_sen, prev_status, prev_date, prev_amount,
			bad_payee, bad_amount, bad_date, bad_move
		FROM payment_checked WHERE `+anyBad+` ORDER BY line LIMIT ?`, room+1).Scan(ctx, &rows); err != nil {
		return fmt.Errorf("check the file: %w", err)
	}
	var more int64
	if len(rows) > room {
		if err := idb.NewRaw("SELECT COALESCE(SUM(bad_payee + bad_amount + bad_date + bad_move), 0) FROM payment_checked").Scan(ctx, &more); err != nil {
			return fmt.Errorf("check the file: %w", err)
		}
	}
	before := bad.count
	for _, r := range rows {
		if r.BadPayee == 1 {
			bad.add(r.Line, ColPayee, i18n.Of("payment.line.payee_changed"))
		}
		if r.BadAmount == 1 {
			bad.add(r.Line, ColAmount, i18n.Of("payment.line.amount_changed",
				"Amount", malaysia.FormatSen(r.AmountSen), "Was", malaysia.FormatSen(r.PrevAmount)))
		}
		if r.BadDate == 1 {
			bad.add(r.Line, ColDate, i18n.Of("payment.line.date_back", "Date", r.StatusDate, "Last", r.PrevDate))
		}
		if r.BadMove == 1 {
			bad.add(r.Line, ColStatus, i18n.Of("payment.line.move", "From", string(r.PrevStatus), "To", string(r.Status)))
		}
	}
	if more > 0 {
		bad.count = before + more
	}
	return nil
}

// countChecked counts what a checked file does into imp: its vouchers, those
// it creates and moves, and the history rows it adds.
func countChecked(ctx context.Context, idb bun.IDB, imp *Import) error {
	var n struct {
		Vouchers int64 `bun:"vouchers"`
		Created  int64 `bun:"created"`
		Updated  int64 `bun:"updated"`
		Events   int64 `bun:"events"`
	}
	if err := idb.NewRaw(`SELECT COALESCE(SUM(tail), 0) AS vouchers,
			COALESCE(SUM(CASE WHEN tail = 1 AND existed = 0 THEN 1 ELSE 0 END), 0) AS created,
			COALESCE(SUM(CASE WHEN tail = 1 AND existed = 1 AND voucher_moves = 1 THEN 1 ELSE 0 END), 0) AS updated,
			COALESCE(SUM(moves), 0) AS events
		FROM payment_checked`).Scan(ctx, &n); err != nil {
		return fmt.Errorf("import counts: %w", err)
	}
	imp.Vouchers, imp.Created, imp.Updated, imp.Events = n.Vouchers, n.Created, n.Updated, n.Events
	return nil
}

// importJobs starts the names of the imports' jobs among the jobs applying
// (store.RunJob); importJob names import id's.
const importJobs = "payment-import-"

func importJob(id int64) string { return store.JobName(importJobs, id) }

// applyJob is the apply of import imp's checked file (payment_checked):
// each part writes its lines' payees, vouchers and history; the end queues
// the mail and records and audits the import. RunImport adds the staging
// and the beginning; FinishImports resumes the parts of one stopped midway.
// Every part leaves each voucher whole: a voucher's row is written from its
// last moving line, in whichever part that line falls.
func (s *Service) applyJob(ctx context.Context, imp *Import) store.Job {
	return store.Job{
		Name:  importJob(imp.ID),
		Table: "payment_checked",
		Part: func(b store.Bulk, p store.Part) error {
			return s.applyPart(ctx, b, imp, p)
		},
		End: func(b store.Bulk) error { return s.endImport(ctx, b.Conn, imp) },
		// Its staging sorts a million vouchers, and its parts touch
		// random leaves of three indexes.
		PageCacheMB: 64,
	}
}

// applyPart writes part p of the checked file: the payees' names, the
// vouchers at their last moving line, the history.
func (s *Service) applyPart(ctx context.Context, b store.Bulk, imp *Import, p store.Part) error {
	idb := b.IDB()
	now := s.now()
	in := p.Rows("c")
	// payment_checked was written in voucher order (its window's sort): read
	// in that order, the rows reach the primary keys' pages one after another.
	type step struct {
		what string
		sql  string
		args []any
	}
	steps := []step{
		{"payees", `INSERT INTO payment_payees (payee_id, payee_name, first_import_id)
			SELECT DISTINCT payee_id, payee_name, ? FROM payment_checked c WHERE c.moves = 1 AND ` + in + `
			ON CONFLICT DO NOTHING`, []any{imp.ID}},
		// A plain insert for the vouchers new to the portal and an update
		// for the others: cheaper than an upsert row by row.
		{"new vouchers", `INSERT INTO payments (voucher_no, ptj_code, payee_id, payee_name, invoice_no, amount_sen, status, status_date,
				payment_mode, payment_ref, bank_account, first_import_id, last_import_id, updated_at)
			SELECT voucher_no, ptj_code, payee_id, payee_name, invoice_no, amount_sen, status, status_date,
				payment_mode, payment_ref, bank_account, ?, ?, ?
			FROM payment_checked c WHERE c.is_last = 1 AND c.existed = 0 AND ` + in, []any{imp.ID, imp.ID, now}},
		{"moved vouchers", `UPDATE payments SET ptj_code = c.ptj_code, payee_name = c.payee_name,
				invoice_no = c.invoice_no, status = c.status, status_date = c.status_date,
				payment_mode = c.payment_mode, payment_ref = c.payment_ref, bank_account = c.bank_account,
				last_import_id = ?, updated_at = ?
			FROM payment_checked c WHERE c.is_last = 1 AND c.existed = 1 AND payments.voucher_no = c.voucher_no AND ` + in,
			[]any{imp.ID, now}},
		{"history", `INSERT INTO payment_events (voucher_no, import_id, line, status, status_date, payment_mode, payment_ref)
			SELECT voucher_no, ?, line, status, status_date, payment_mode, payment_ref FROM payment_checked c
			WHERE c.moves = 1 AND ` + in, []any{imp.ID}},
	}
	if !p.Whole() {
		// A part lands on its own: the vouchers it moves are kept as they
		// stood, before they move, for AbandonImport.
		prior := step{"earlier vouchers", `INSERT INTO payment_prior (import_id, voucher_no, ` + priorColumns + `)
			SELECT ?, p.voucher_no, ` + columnsOf("p", priorColumns) + ` FROM payments p
			JOIN payment_checked c ON c.voucher_no = p.voucher_no WHERE c.is_last = 1 AND c.existed = 1 AND ` + in,
			[]any{imp.ID}}
		at := slices.IndexFunc(steps, func(st step) bool { return st.what == "moved vouchers" })
		steps = slices.Insert(steps, at, prior)
	}
	for _, st := range steps {
		if _, err := idb.NewRaw(st.sql, st.args...).Exec(ctx); err != nil {
			return fmt.Errorf("import %s: %w", st.what, err)
		}
	}
	if s.partDone != nil {
		return s.partDone(p)
	}
	return nil
}

// loadsBulk reports whether the checked file more than doubles the
// vouchers (a first load above all): it is then written without the
// search indexes (store.Job.Unindexed), which are built afterwards,
// sorted, many times faster than a million index entries written one by
// one. On PostgreSQL readers of the vouchers wait for it meanwhile; on
// SQLite, where it lands a part at a time like any file and each index is
// built in a transaction of its own, they read the vouchers without their
// indexes, slowly, until the last is built. Smaller files keep the indexes
// as they go. The staging decides, beside the writer: only an import
// changes the vouchers' count, and another one landing meanwhile refuses
// the file.
func (s *Service) loadsBulk(ctx context.Context, idb bun.IDB) (bool, error) {
	var fresh, held int64
	if err := idb.NewRaw("SELECT COALESCE(SUM(is_last), 0) FROM payment_checked WHERE existed = 0").Scan(ctx, &fresh); err != nil {
		return false, fmt.Errorf("import vouchers: %w", err)
	}
	if err := idb.NewRaw("SELECT count(*) FROM payments").Scan(ctx, &held); err != nil {
		return false, fmt.Errorf("import vouchers: %w", err)
	}
	return fresh > max(held, s.opt.BulkLoad), nil
}

// priorColumns are the columns of a voucher that an import may change
// (its payee and amount never do): what payment_prior keeps of the
// vouchers a part moves, and what AbandonImport puts back.
const priorColumns = "ptj_code, payee_name, invoice_no, status, status_date, payment_mode, payment_ref, bank_account, last_import_id, updated_at"

// columnsOf is the list of columns cols ("a, b") of table alias t ("t.a,
// t.b").
func columnsOf(t, cols string) string {
	list := strings.Split(cols, ", ")
	for i, c := range list {
		list[i] = t + "." + c
	}
	return strings.Join(list, ", ")
}

// endImport ends import imp's apply: the mail, the import's record, its
// audit; the vouchers its parts kept as they stood go.
func (s *Service) endImport(ctx context.Context, tx store.Conn, imp *Import) error {
	if _, err := tx.IDB().NewRaw("DELETE FROM payment_prior WHERE import_id = ?", imp.ID).Exec(ctx); err != nil {
		return fmt.Errorf("import earlier vouchers: %w", err)
	}
	mails, err := s.queueMoveMail(ctx, tx, imp.ID)
	if err != nil {
		return err
	}
	imp.Mails = mails
	imp.State = ImportDone
	finished := s.now()
	imp.FinishedAt = &finished
	if _, err := tx.IDB().NewUpdate().Model(imp).Column("state", "finished_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("import record: %w", err)
	}
	by := store.RecordedActor(imp.UserID, imp.ActorLogin)
	return tx.Audit(ctx, by, "payment.import", "payment_import", strconv.FormatInt(imp.ID, 10), map[string]any{
		"file": imp.FileName, "sha256": imp.SHA256, "lines": imp.Lines, "vouchers": imp.Vouchers,
		"created": imp.Created, "updated": imp.Updated, "events": imp.Events, "mails": mails,
	})
}

// FinishImports finishes the imports whose apply stopped between two parts
// (SQLite) when their process died or a part failed, each from the part
// after its last that landed, and returns their ids. One another process
// is applying is left to it (store.ErrJobBusy, after the others).
func (s *Service) FinishImports(ctx context.Context) ([]int64, error) {
	if s.db.Dialect == store.SQLite {
		s.importing.Lock()
		defer s.importing.Unlock()
	}
	return s.finishImports(ctx)
}

// Abandoned is what AbandonImport undid: the vouchers the import brought,
// removed, and those it moved, put back as they stood before it — by this
// abandonment: one stopped midway and run again counts (and audits) what
// the second run undid.
type Abandoned struct {
	Removed, Restored int64
}

// AbandonImport ends import id, stopped midway and not to be finished (its
// staging file is gone; FinishImports fails on it each minute): the
// vouchers it brought and the history it wrote are removed, the vouchers
// it moved are put back as they stood before it (payment_prior), and its
// record goes, with the payees' names it brought (a search by one found
// the payee's payments); the abandonment is audited. No mail had gone (an
// import's mail goes with its last part). It is refused while another
// process saves the import, and for an import not being saved.
func (s *Service) AbandonImport(ctx context.Context, by store.Actor, id int64) (Abandoned, error) {
	if s.db.Dialect == store.SQLite {
		s.importing.Lock()
		defer s.importing.Unlock()
	}
	var a Abandoned
	set := strings.Split(priorColumns, ", ")
	for i, c := range set {
		set[i] = c + " = p." + c
	}
	share := store.Share()
	err := s.db.AbandonJob(ctx, importJob(id), func(b store.Bulk) (bool, error) {
		idb := b.IDB()
		// An import's new vouchers are the only ones it is the first of:
		// none has moved since (a later file is refused while it saves).
		n, all, err := b.DeleteShare(ctx, "payments", "voucher_no", "first_import_id = ?", id)
		if a.Removed += n; err != nil || !all {
			return false, err
		}
		// The vouchers it moved, put back a share at a time, in their
		// order in payment_prior's key.
		shared := "SELECT * FROM payment_prior WHERE import_id = ? ORDER BY voucher_no LIMIT ?"
		restored, err := abandonExec(ctx, idb, "UPDATE payments SET "+strings.Join(set, ", ")+
			" FROM ("+shared+") p WHERE payments.voucher_no = p.voucher_no", id, share)
		if err != nil {
			return false, err
		}
		a.Restored += restored
		kept, err := abandonExec(ctx, idb, "DELETE FROM payment_prior WHERE (import_id, voucher_no) IN (SELECT import_id, voucher_no FROM ("+shared+") p)", id, share)
		if err != nil || kept == int64(share) { // a share done, maybe more left
			return false, err
		}
		if _, all, err := b.DeleteShare(ctx, "payment_events", "voucher_no, import_id, line", "import_id = ?", id); err != nil || !all {
			return false, err
		}
		// The payees' names it brought, which no voucher carries now: on
		// SQLite first their rows of the names' search table, found by
		// reading it whole (its payee ids are not indexed; a name matched
		// as a phrase reads every posting of its trigrams), then the names.
		if s.db.Dialect == store.SQLite {
			n, err := abandonExec(ctx, idb, `DELETE FROM payment_payees_search WHERE rowid IN (
				SELECT s.rowid FROM payment_payees_search s CROSS JOIN payment_payees p
				ON p.payee_id = s.payee_id AND p.payee_name = s.payee_name WHERE p.first_import_id = ? LIMIT ?)`, id, share)
			if err != nil || n == int64(share) {
				return false, err
			}
		}
		if _, all, err := b.DeleteShare(ctx, "payment_payees", "payee_id, payee_name", "first_import_id = ?", id); err != nil || !all {
			return false, err
		}
		imp := &Import{ID: id}
		if err := idb.NewSelect().Model(imp).WherePK().Scan(ctx); err != nil {
			return false, err
		}
		if _, err := idb.NewRaw("DELETE FROM payment_imports WHERE id = ?", id).Exec(ctx); err != nil {
			return false, fmt.Errorf("abandon import: %w", err)
		}
		return true, b.Audit(ctx, by, "payment.import_abandon", "payment_import", strconv.FormatInt(id, 10), map[string]any{
			"file": imp.FileName, "removed": a.Removed, "restored": a.Restored,
		})
	})
	return a, store.AbandonRefusal(err, "abandon payment import", id)
}

// abandonExec runs q, a step of AbandonImport, with args on idb and
// returns how many rows it changed.
func abandonExec(ctx context.Context, idb bun.IDB, q string, args ...any) (int64, error) {
	res, err := idb.NewRaw(q, args...).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("abandon import: %w", err)
	}
	return res.RowsAffected()
}

func (s *Service) finishImports(ctx context.Context) ([]int64, error) {
	return s.db.ResumeJobs(ctx, importJobs, func(id int64) (store.Job, error) {
		imp := &Import{ID: id}
		if err := s.db.IDB().NewSelect().Model(imp).WherePK().Scan(ctx); err != nil {
			return store.Job{}, err
		}
		return s.applyJob(ctx, imp), nil
	})
}
