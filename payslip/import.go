package payslip

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// ImportResult is what an import did.
type ImportResult struct {
	ID        int64
	FileName  string
	SHA256    string
	Lines     int
	Employees int
	Slips     int
	Months    []string
	Replaced  []string // months that held slips before and were replaced
	Warnings  []Warning
	// WarningCount counts every warning; Warnings lists MaxWarnings of each kind.
	WarningCount int
	// Mailed is how many employees of replaced published months were told.
	Mailed int
}

// Warning is something to look at that does not stop an import.
type Warning struct {
	Line int
	Text i18n.Text
}

// storedWarning is a Warning as payroll_imports.warnings keeps it.
type storedWarning struct {
	Line int    `json:"line"`
	Key  string `json:"key"`
	Args []any  `json:"args,omitempty"`
}

// MaxWarnings is how many warnings of each kind an import lists.
const MaxWarnings = 1000

// BadFile is the answer to a file with bad lines: nothing was imported.
// It unwraps to an Invalid application error for callers that only need
// the message.
type BadFile struct {
	Errors []LineError // the first MaxErrors
	Count  int         // every bad line reason
}

func (e *BadFile) Error() string {
	return fmt.Sprintf("payroll file: %d errors, the first on line %d: %s", e.Count, e.Errors[0].Line, e.Errors[0].Message(i18n.EN))
}

func (e *BadFile) Unwrap() error {
	return apperr.New(apperr.Invalid, "payslip.error.bad_file", "Count", e.Count)
}

// itemColumns are the columns of payslip_items, in the order Load writes them.
var itemColumns = []string{"import_id", "slip_no", "line_no", "item_code", "kind", "name", "amount_sen"}

// runColumns are the columns of the staging table of runs, in the order
// Load writes them.
var runColumns = []string{"month", "ic_number", "salary_no", "name", "ptj_code", "position", "grade", "bank_code",
	"account_no", "tax_no", "epf_no", "slip_no", "first_line", "first_run", "gross_sen", "deductions_sen", "employer_sen"}

const stagingTable = "payroll_staging"

// Import reads a payroll file (see Columns) from r and stores its slips in
// one transaction, or nothing at all: a file with any bad line answers a
// *BadFile listing every bad line; a month that already holds slips
// answers a Conflict unless replace is set. r is read once, as a stream,
// and never held in memory:
//   - while the lines are checked, their pay items are copied into
//     payslip_items (COPY … FROM STDIN on PostgreSQL, a prepared INSERT on
//     SQLite), and each run of lines of one employee and month becomes one
//     row of employee details and sums in a spooled file;
//   - the runs are then copied into a staging table, and the slips made
//     from it by one set-based INSERT … SELECT (a slip whose lines are not
//     together in the file has several runs, summed there).
//
// name is the file's name, for the audit record. Replacing a published
// month keeps it published (from the same date) and tells its employees
// that the slip was replaced.
func (s *Service) Import(ctx context.Context, by store.Actor, name string, r io.Reader, replace bool) (*ImportResult, error) {
	res, err := s.importFile(ctx, by, name, r, replace)
	s.forget()
	if err != nil {
		return nil, wrap("import payroll", err)
	}
	for _, m := range res.Replaced {
		n, err := s.notify(ctx, m)
		if err != nil {
			return res, wrap("import payroll: tell the employees of "+m, err)
		}
		res.Mailed += n
	}
	return res, nil
}

// run is consecutive lines of one employee's month: their details, first
// line and sums.
type run struct {
	Line
	first                       int
	gross, deductions, employer int64
}

func (r *run) add(l *Line) {
	switch l.Kind {
	case Earning:
		r.gross += l.AmountSen
	case Deduction:
		r.deductions += l.AmountSen
	case Employer:
		r.employer += l.AmountSen
	}
}

func (s *Service) importFile(ctx context.Context, by store.Actor, name string, r io.Reader, replace bool) (*ImportResult, error) {
	known, err := s.ptjCodes(ctx)
	if err != nil {
		return nil, err
	}
	spool, err := os.CreateTemp("", "ispeks-payroll-runs-*")
	if err != nil {
		return nil, fmt.Errorf("import payroll: spool: %w", err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	runs := csv.NewWriter(bufio.NewWriterSize(spool, 256<<10))

	sum := sha256.New()
	sc := &Scanner{Known: func(c string) bool { return known[c] }, Now: s.now()}
	res := &ImportResult{FileName: name}
	err = s.db.BulkTx(ctx, func(b store.Bulk) error {
		idb := b.IDB()
		if b.DB().Dialect == store.Postgres {
			// One import at a time: a second waits here rather than
			// racing the first on the same months.
			if _, err := idb.NewRaw("SELECT pg_advisory_xact_lock(?)", importLock).Exec(ctx); err != nil {
				return err
			}
			// Grouping a large file's runs wants memory, not temporary files.
			if _, err := idb.NewRaw("SET LOCAL work_mem = '256MB'").Exec(ctx); err != nil {
				return err
			}
		}
		now := s.now()
		var actorID *int64
		if by.UserID != 0 {
			actorID = &by.UserID
		}
		// The import's row first, so that its items can name it; its
		// counts are filled in at the end.
		if err := idb.NewRaw(`INSERT INTO payroll_imports (file_name, sha256, lines, employees, slips, months, by_id, by_login, at)
			VALUES (?, '', 0, 0, 0, '', ?, ?, ?) RETURNING id`, clip(name, 255), actorID, by.Login, now).Scan(ctx, &res.ID); err != nil {
			return err
		}
		var cur run
		flush := func() error {
			if cur.first == 0 {
				return nil
			}
			l := &cur.Line
			return runs.Write([]string{l.Month, l.IC, l.SalaryNo, l.Name, l.PTJ, l.Position, l.Grade, l.Bank, l.Account, l.TaxNo, l.EPFNo,
				strconv.Itoa(cur.Slip), strconv.Itoa(cur.first), strconv.FormatBool(cur.first == cur.SlipStart), strconv.FormatInt(cur.gross, 10), strconv.FormatInt(cur.deductions, 10), strconv.FormatInt(cur.employer, 10)})
		}
		_, err := b.Load(ctx, "payslip_items", itemColumns, func(w store.RowWriter) error {
			return sc.Scan(io.TeeReader(r, sum), func(l *Line) error {
				if l.Month != cur.Month || l.IC != cur.IC {
					if err := flush(); err != nil {
						return err
					}
					cur = run{Line: *l, first: l.No}
				}
				cur.add(l)
				return w.Row(res.ID, l.Slip, l.No, l.ItemCode, string(l.Kind), l.ItemName, l.AmountSen)
			})
		})
		if err != nil {
			return err
		}
		if sc.ErrorCount > 0 {
			return &BadFile{Errors: sc.Errors, Count: sc.ErrorCount}
		}
		if err := flush(); err != nil {
			return err
		}
		runs.Flush()
		if err := runs.Error(); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		res.SHA256 = hex.EncodeToString(sum.Sum(nil))
		res.Lines, res.Employees, res.Slips = sc.Lines, sc.Employees, sc.Slips
		for m := range sc.Months {
			res.Months = append(res.Months, m)
		}
		sort.Strings(res.Months)

		var existing []struct {
			Month string `bun:"month"`
			State string `bun:"state"`
		}
		if err := idb.NewRaw("SELECT month, state FROM payroll_months WHERE month IN (?) ORDER BY month", bun.In(res.Months)).Scan(ctx, &existing); err != nil {
			return err
		}
		var published []string
		for _, e := range existing {
			res.Replaced = append(res.Replaced, e.Month)
			if e.State == StatePublished {
				published = append(published, e.Month)
			}
		}
		if len(existing) > 0 && !replace {
			return apperr.New(apperr.Conflict, "payslip.error.month_exists", "Months", strings.Join(res.Replaced, ", "))
		}
		if len(existing) > 0 {
			if _, err := idb.NewRaw(`DELETE FROM payslip_items WHERE (import_id, slip_no) IN
				(SELECT import_id, slip_no FROM payslips WHERE month IN (?))`, bun.In(res.Replaced)).Exec(ctx); err != nil {
				return err
			}
			if _, err := idb.NewRaw("DELETE FROM payslips WHERE month IN (?)", bun.In(res.Replaced)).Exec(ctx); err != nil {
				return err
			}
		}
		if err := s.insertSlips(ctx, b, spool, res.ID); err != nil {
			return err
		}
		if _, err := idb.NewRaw(`UPDATE payroll_imports SET sha256 = ?, lines = ?, employees = ?, slips = ?, months = ?, replaced = ?
			WHERE id = ?`, res.SHA256, res.Lines, res.Employees, res.Slips, strings.Join(res.Months, ","),
			strings.Join(res.Replaced, ","), res.ID).Exec(ctx); err != nil {
			return err
		}
		if err := s.upsertMonths(ctx, idb, res.ID, res.Months); err != nil {
			return err
		}
		if err := s.warn(ctx, idb, res); err != nil {
			return err
		}
		if err := b.Audit(ctx, by, "payroll.import", "payroll_import", fmt.Sprint(res.ID), map[string]any{
			"file": name, "sha256": res.SHA256, "lines": res.Lines, "employees": res.Employees,
			"months": res.Months, "replaced": res.Replaced, "warnings": res.WarningCount,
		}); err != nil {
			return err
		}
		for _, m := range published {
			if err := b.Audit(ctx, by, "payroll.month.replace_published", "payroll_month", m, map[string]any{"import": res.ID}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		var bad *BadFile
		if errors.As(err, &bad) || apperr.CodeOf(err) != apperr.Internal {
			return nil, err
		}
		return nil, fmt.Errorf("import payroll %s: %w", name, err)
	}
	return res, nil
}

// importLock is the PostgreSQL advisory lock that puts imports in a line.
const importLock = 0x6953504b /* "iSPK" */ <<16 | 10

// insertSlips copies the spooled runs into a temporary staging table (no
// index, no log on PostgreSQL, gone with the transaction) and makes one
// slip per employee and month from it with one set-based statement. The
// file has been checked: an employee's columns are the same on every line
// of a month, so the first run's are the slip's.
func (s *Service) insertSlips(ctx context.Context, b store.Bulk, spool *os.File, importID int64) error {
	idb := b.IDB()
	onCommit := ""
	if b.DB().Dialect == store.Postgres {
		onCommit = " ON COMMIT DROP"
	}
	if _, err := idb.NewRaw(`CREATE TEMP TABLE ` + stagingTable + ` (
		month VARCHAR(7) NOT NULL, ic_number VARCHAR(12) NOT NULL, salary_no VARCHAR(8) NOT NULL, name VARCHAR(150) NOT NULL,
		ptj_code VARCHAR(10) NOT NULL, position VARCHAR(100) NOT NULL, grade VARCHAR(10) NOT NULL, bank_code VARCHAR(10) NOT NULL,
		account_no VARCHAR(20) NOT NULL, tax_no VARCHAR(13) NOT NULL, epf_no VARCHAR(12) NOT NULL,
		slip_no INTEGER NOT NULL, first_line INTEGER NOT NULL, first_run INTEGER NOT NULL, gross_sen BIGINT NOT NULL, deductions_sen BIGINT NOT NULL, employer_sen BIGINT NOT NULL)` + onCommit).Exec(ctx); err != nil {
		return fmt.Errorf("staging table: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := b.Load(ctx, stagingTable, runColumns, func(w store.RowWriter) error {
		rd := csv.NewReader(bufio.NewReaderSize(spool, 256<<10))
		rd.ReuseRecord = true
		rd.FieldsPerRecord = len(runColumns)
		row := make([]any, len(runColumns))
		for {
			rec, err := rd.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("spool: %w", err)
			}
			for i := range rec[:11] {
				row[i] = strings.Clone(rec[i])
			}
			for i := 11; i < len(rec); i++ {
				if rec[i] == "true" || rec[i] == "false" { // first_run
					row[i] = 0
					if rec[i] == "true" {
						row[i] = 1
					}
					continue
				}
				n, err := strconv.ParseInt(rec[i], 10, 64)
				if err != nil {
					return fmt.Errorf("spool: %w", err)
				}
				row[i] = n
			}
			if err := w.Row(row...); err != nil {
				return err
			}
		}
	})
	if err != nil {
		return err
	}
	// The first run of a slip carries its details; the sums of its other
	// runs (lines of the slip elsewhere in the file, rare) are added to it.
	_, err = idb.NewRaw(`INSERT INTO payslips (month, ic_number, salary_no, name, ptj_code, position, grade, bank_code,
			account_no, tax_no, epf_no, gross_sen, deductions_sen, net_sen, employer_sen, first_line, import_id, slip_no)
		SELECT f.month, f.ic_number, f.salary_no, f.name, f.ptj_code, f.position, f.grade, f.bank_code,
			f.account_no, f.tax_no, f.epf_no,
			f.gross_sen + COALESCE(x.gross_sen, 0), f.deductions_sen + COALESCE(x.deductions_sen, 0),
			f.gross_sen + COALESCE(x.gross_sen, 0) - f.deductions_sen - COALESCE(x.deductions_sen, 0),
			f.employer_sen + COALESCE(x.employer_sen, 0), f.first_line, ?, f.slip_no
		FROM `+stagingTable+` f LEFT JOIN (
			SELECT month, ic_number, SUM(gross_sen) AS gross_sen, SUM(deductions_sen) AS deductions_sen, SUM(employer_sen) AS employer_sen
			FROM `+stagingTable+` WHERE first_run = 0 GROUP BY month, ic_number) x ON x.month = f.month AND x.ic_number = f.ic_number
		WHERE f.first_run = 1`, importID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("insert slips: %w", err)
	}
	if _, err := idb.NewRaw("DROP TABLE " + stagingTable).Exec(ctx); err != nil {
		return err
	}
	return nil
}

// Month states.
const (
	StateImported  = "imported"
	StatePublished = "published"
)

// upsertMonths records the months of an import: new months as imported,
// replaced months keep their state and publication.
func (s *Service) upsertMonths(ctx context.Context, idb bun.IDB, importID int64, months []string) error {
	for _, m := range months {
		var n int
		if err := idb.NewRaw("SELECT COUNT(*) FROM payslips WHERE month = ?", m).Scan(ctx, &n); err != nil {
			return err
		}
		res, err := idb.NewRaw("UPDATE payroll_months SET import_id = ?, employees = ? WHERE month = ?", importID, n, m).Exec(ctx)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 1 {
			continue
		}
		if _, err := idb.NewRaw("INSERT INTO payroll_months (month, state, import_id, employees) VALUES (?, ?, ?, ?)",
			m, StateImported, importID, n).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// warn finds what should be looked at in the imported slips: deductions
// above 60% of gross earnings (JPA: net pay stays at least 40%), MyKad
// numbers with no profile yet (their slips wait for them), and names that
// differ from the profile's. The texts name the line and the person, never
// an amount: the operators who read them may not see pay.
func (s *Service) warn(ctx context.Context, idb bun.IDB, res *ImportResult) error {
	type row struct {
		Line    int    `bun:"first_line"`
		Month   string `bun:"month"`
		IC      string `bun:"ic_number"`
		Name    string `bun:"name"`
		Profile string `bun:"profile"`
	}
	kinds := []struct {
		key   string
		query string
	}{
		{"payslip.warning.deductions", `SELECT first_line, month, ic_number, name, '' AS profile FROM payslips p
			WHERE p.month IN (?) AND p.import_id = ? AND deductions_sen * 10 > gross_sen * 6`},
		{"payslip.warning.no_profile", `SELECT first_line, month, ic_number, name, '' AS profile FROM payslips p
			WHERE p.month IN (?) AND p.import_id = ? AND NOT EXISTS (SELECT 1 FROM users u WHERE u.login = p.ic_number)`},
		{"payslip.warning.name_differs", `SELECT p.first_line, p.month, p.ic_number, p.name, u.name AS profile FROM payslips p
			JOIN users u ON u.login = p.ic_number WHERE p.month IN (?) AND p.import_id = ? AND UPPER(u.name) <> UPPER(p.name)`},
	}
	// The months' index finds the import's slips among every month's.
	months := bun.In(res.Months)
	var stored []storedWarning
	for _, k := range kinds {
		var n int
		if err := idb.NewRaw("SELECT COUNT(*) FROM ("+k.query+") w", months, res.ID).Scan(ctx, &n); err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		var rows []row
		if err := idb.NewRaw(k.query+" ORDER BY first_line LIMIT ?", months, res.ID, MaxWarnings).Scan(ctx, &rows); err != nil {
			return err
		}
		for _, r := range rows {
			if k.key == "payslip.warning.name_differs" && sameName(r.Name, r.Profile) {
				n--
				continue
			}
			args := []any{"Month", r.Month, "IC", malaysia.MyKad(r.IC).Masked(), "Name", r.Name, "Profile", r.Profile}
			stored = append(stored, storedWarning{Line: r.Line, Key: k.key, Args: args})
		}
		res.WarningCount += n
	}
	sort.SliceStable(stored, func(i, j int) bool { return stored[i].Line < stored[j].Line })
	for _, w := range stored {
		res.Warnings = append(res.Warnings, Warning{Line: w.Line, Text: i18n.Of(w.Key, w.Args...)})
	}
	if len(stored) == 0 {
		return nil
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	_, err = idb.NewRaw("UPDATE payroll_imports SET warnings = ? WHERE id = ?", string(b), res.ID).Exec(ctx)
	return err
}

// sameName compares names as people read them: case and spacing aside.
func sameName(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// ptjCodes returns every PTJ code.
func (s *Service) ptjCodes(ctx context.Context) (map[string]bool, error) {
	var codes []string
	if err := s.db.ReadIDB().NewRaw("SELECT code FROM ptj").Scan(ctx, &codes); err != nil {
		return nil, fmt.Errorf("read PTJ codes: %w", err)
	}
	out := make(map[string]bool, len(codes))
	for _, c := range codes {
		out[c] = true
	}
	return out, nil
}

// clip cuts s to at most n bytes on a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
