package payslip

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/store"
)

// Month states.
const (
	// StateImporting is a month whose import is being saved (sedang
	// disimpan), in parts: its slips so far are there, and it is neither
	// published nor imported again until the import ends.
	StateImporting = "importing"
	StateImported  = "imported"
	StatePublished = "published"
)

// PartSlips is how many slips a part of an import's apply writes, with
// their items, by default (Options.PartSlips).
const PartSlips = 2000

// importJobs starts the names of the imports' jobs among the jobs applying
// (store.RunJob).
const importJobs = "payroll-import-"

func importJob(id int64) string { return store.JobName(importJobs, id) }

// begin starts the apply of the staged import res under the writer: it
// checks the file's months (a month held before is replaced only when
// asked, and never while another import saves it), records the import,
// removes the slips it replaces and marks its months as being saved. It
// returns how many slips each part writes: 0, whole, for a file that
// replaces a published month.
func (s *Service) begin(ctx context.Context, b store.Bulk, by store.Actor, res *ImportResult, replace bool) (int64, error) {
	idb := b.IDB()
	var existing []struct {
		Month string `bun:"month"`
		State string `bun:"state"`
	}
	if err := idb.NewRaw("SELECT month, state FROM payroll_months WHERE month IN (?) ORDER BY month", bun.In(res.Months)).Scan(ctx, &existing); err != nil {
		return 0, err
	}
	var saving, published []string
	for _, e := range existing {
		res.Replaced = append(res.Replaced, e.Month)
		switch e.State {
		case StateImporting:
			saving = append(saving, e.Month)
		case StatePublished:
			published = append(published, e.Month)
		}
	}
	if len(saving) > 0 {
		return 0, apperr.New(apperr.Conflict, "payslip.error.month_importing", "Months", strings.Join(saving, ", "))
	}
	if len(existing) > 0 && !replace {
		return 0, apperr.New(apperr.Conflict, "payslip.error.month_exists", "Months", strings.Join(res.Replaced, ", "))
	}
	warnings := "[]"
	if len(res.stored) > 0 {
		j, err := json.Marshal(res.stored)
		if err != nil {
			return 0, err
		}
		warnings = string(j)
	}
	// The id the staging reserved (PostgreSQL), or a new one (NULL).
	var id *int64
	if res.ID != 0 {
		id = &res.ID
	}
	if err := idb.NewRaw(`INSERT INTO payroll_imports (id, file_name, sha256, lines, employees, slips, months, replaced, warnings, warning_count, by_id, by_login, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, id, clip(res.FileName, 255), res.SHA256, res.Lines, res.Employees, res.Slips,
		strings.Join(res.Months, ","), strings.Join(res.Replaced, ","), warnings, res.WarningCount, by.RecordedID(), by.Login, s.now()).Scan(ctx, &res.ID); err != nil {
		return 0, err
	}
	if len(existing) > 0 {
		if _, err := idb.NewRaw(`DELETE FROM payslip_items WHERE (import_id, slip_no) IN
			(SELECT import_id, slip_no FROM payslips WHERE month IN (?))`, bun.In(res.Replaced)).Exec(ctx); err != nil {
			return 0, err
		}
		if _, err := idb.NewRaw("DELETE FROM payslips WHERE month IN (?)", bun.In(res.Replaced)).Exec(ctx); err != nil {
			return 0, err
		}
	}
	// A published month keeps its state and date; the others are being
	// saved until the end.
	for _, m := range res.Months {
		if _, err := idb.NewRaw(`INSERT INTO payroll_months (month, state, import_id, employees) VALUES (?, ?, ?, 0)
			ON CONFLICT (month) DO UPDATE SET import_id = EXCLUDED.import_id,
				state = CASE WHEN payroll_months.state = ? THEN payroll_months.state ELSE EXCLUDED.state END`,
			m, StateImporting, res.ID, StatePublished).Exec(ctx); err != nil {
			return 0, err
		}
	}
	if len(published) > 0 {
		return 0, nil
	}
	return int64(s.opts.PartSlips), nil
}

// applyJob is the apply of import res's staged file: each part writes its
// slips and their items, and the end finishes the import (endImport).
// Import adds the staging and the beginning; FinishImports resumes the
// parts of one stopped midway. A slip lands with its items, in one part.
func (s *Service) applyJob(ctx context.Context, res *ImportResult) store.Job {
	return store.Job{
		Table: stagedSlips,
		Part: func(b store.Bulk, p store.Part) error {
			idb := b.IDB()
			if _, err := idb.NewRaw(`INSERT INTO payslips (month, ic_number, salary_no, name, ptj_code, position, grade, bank_code,
					account_no, tax_no, epf_no, gross_sen, deductions_sen, net_sen, employer_sen, first_line, import_id, slip_no)
				SELECT month, ic_number, salary_no, name, ptj_code, position, grade, bank_code,
					account_no, tax_no, epf_no, gross_sen, deductions_sen, net_sen, employer_sen, first_line, ?, slip_no
				FROM `+stagedSlips+` s WHERE `+p.Rows("s"), res.ID).Exec(ctx); err != nil {
				return fmt.Errorf("insert slips: %w", err)
			}
			if !res.itemsStaged { // in place since the staging
				return s.endPart()
			}
			// The whole file's items in one pass; a part's, by its slips.
			from := stagedItems + " i"
			if !p.Whole() {
				from = stagedSlips + " s JOIN " + stagedItems + " i ON i.slip_no = s.slip_no WHERE " + p.Rows("s")
			}
			if _, err := idb.NewRaw(`INSERT INTO payslip_items (`+strings.Join(itemColumns, ", ")+`)
				SELECT ?, i.`+strings.Join(stagedItemColumns, ", i.")+` FROM `+from, res.ID).Exec(ctx); err != nil {
				return fmt.Errorf("insert pay items: %w", err)
			}
			return s.endPart()
		},
		End: func(b store.Bulk) error { return s.endImport(ctx, b.Conn, res.ID) },
	}
}

// endImport ends import id, in its last part's transaction: its months get
// their counts, and those being saved become imported; the import and
// each published month it replaced are audited. It reads what it needs
// from the import's row, so that it ends an import resumed by another
// process as well.
func (s *Service) endImport(ctx context.Context, tx store.Conn, id int64) error {
	idb := tx.IDB()
	var imp struct {
		FileName     string `bun:"file_name"`
		SHA256       string `bun:"sha256"`
		Lines        int    `bun:"lines"`
		Employees    int    `bun:"employees"`
		Months       string `bun:"months"`
		Replaced     string `bun:"replaced"`
		WarningCount int    `bun:"warning_count"`
		ByID         *int64 `bun:"by_id"`
		ByLogin      string `bun:"by_login"`
	}
	if err := idb.NewRaw(`SELECT file_name, sha256, lines, employees, months, replaced, warning_count, by_id, by_login
		FROM payroll_imports WHERE id = ?`, id).Scan(ctx, &imp); err != nil {
		return fmt.Errorf("import %d: %w", id, err)
	}
	months, replaced := splitMonths(imp.Months), splitMonths(imp.Replaced)
	var published []string
	for _, m := range months {
		var n int
		if err := idb.NewRaw("SELECT COUNT(*) FROM payslips WHERE month = ?", m).Scan(ctx, &n); err != nil {
			return err
		}
		var state string
		if err := idb.NewRaw(`UPDATE payroll_months SET employees = ?, state = CASE WHEN state = ? THEN ? ELSE state END
			WHERE month = ? RETURNING state`, n, StateImporting, StateImported, m).Scan(ctx, &state); err != nil {
			return fmt.Errorf("month %s: %w", m, err)
		}
		if state == StatePublished {
			published = append(published, m)
		}
	}
	by := store.RecordedActor(imp.ByID, imp.ByLogin)
	if err := tx.Audit(ctx, by, "payroll.import", "payroll_import", fmt.Sprint(id), map[string]any{
		"file": imp.FileName, "sha256": imp.SHA256, "lines": imp.Lines, "employees": imp.Employees,
		"months": months, "replaced": replaced, "warnings": imp.WarningCount,
	}); err != nil {
		return err
	}
	for _, m := range published {
		if err := tx.Audit(ctx, by, "payroll.month.replace_published", "payroll_month", m, map[string]any{"import": id}); err != nil {
			return err
		}
	}
	return nil
}

// endPart ends a part of an import's apply: a test's hook, if set.
func (s *Service) endPart() error {
	if s.partDone != nil {
		return s.partDone()
	}
	return nil
}

// AbandonImport ends import id, stopped midway and not to be finished (its
// staging file is gone; FinishImports fails on it each minute): what its
// parts saved is removed, with the months it was saving — a month it was
// replacing lost its slips at the import's beginning, so each of them is
// to be imported again — and its row; the abandonment is audited. It is
// refused while another process saves the import, and for an import not
// being saved.
func (s *Service) AbandonImport(ctx context.Context, by store.Actor, id int64) ([]string, error) {
	var months []string
	err := s.db.AbandonJob(ctx, importJob(id), func(b store.Bulk) (bool, error) {
		idb := b.IDB()
		for _, t := range []struct{ table, key string }{
			{"payslip_items", "import_id, slip_no, line_no"},
			{"payslips", "id"},
		} {
			if _, all, err := b.DeleteShare(ctx, t.table, t.key, "import_id = ?", id); err != nil || !all {
				return false, err
			}
		}
		if err := idb.NewRaw("SELECT month FROM payroll_months WHERE import_id = ? AND state = ? ORDER BY month",
			id, StateImporting).Scan(ctx, &months); err != nil {
			return false, err
		}
		for _, q := range []string{
			"DELETE FROM payroll_months WHERE import_id = ? AND state = '" + StateImporting + "'",
			"DELETE FROM payroll_imports WHERE id = ?",
		} {
			if _, err := idb.NewRaw(q, id).Exec(ctx); err != nil {
				return false, err
			}
		}
		return true, b.Audit(ctx, by, "payroll.import_abandon", "payroll_import", fmt.Sprint(id), map[string]any{"months": months})
	})
	s.forget()
	if err != nil {
		return nil, store.AbandonRefusal(err, "abandon payroll import", id)
	}
	return months, nil
}

// ImportStopped reports whether import id's saving stopped midway with no
// process saving it (store.DB.JobStopped): the server resumes it, or, if
// it cannot, an operator abandons it (AbandonImport).
func (s *Service) ImportStopped(ctx context.Context, id int64) (bool, error) {
	return s.db.JobStopped(ctx, importJob(id))
}

// splitMonths reads a comma-separated list of months as payroll_imports
// keeps it.
func splitMonths(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// FinishImports finishes the imports whose apply stopped between two parts
// (SQLite) when their process died or a part failed, each from the part
// after its last that landed, and returns their ids. One another process
// is saving is left to it (store.ErrJobBusy, after the others).
func (s *Service) FinishImports(ctx context.Context) ([]int64, error) {
	done, err := s.finishImports(ctx)
	if len(done) > 0 {
		s.forget()
	}
	return done, err
}

func (s *Service) finishImports(ctx context.Context) ([]int64, error) {
	return s.db.ResumeJobs(ctx, importJobs, func(id int64) (store.Job, error) {
		j := s.applyJob(ctx, &ImportResult{ID: id, itemsStaged: true})
		j.Name = importJob(id)
		return j, nil
	})
}
