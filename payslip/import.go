package payslip

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
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

	stored      []storedWarning // Warnings as payroll_imports keeps them
	itemsStaged bool            // the items wait in their staging table (SQLite)
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

// stagedItemColumns are the columns of the staging table of pay items, in
// the order the scan writes them: payslip_items' without the import's id,
// which on SQLite only the apply's first write makes.
var stagedItemColumns = itemColumns[1:]

// runColumns are the columns of the staging table of runs, in the order
// Load writes them.
var runColumns = []string{"month", "ic_number", "salary_no", "name", "ptj_code", "position", "grade", "bank_code",
	"account_no", "tax_no", "epf_no", "slip_no", "first_line", "first_run", "gross_sen", "deductions_sen", "employer_sen"}

// The staging tables of an import (store.Bulk.CreateStaging): the pay
// items as read, the runs as read, and the slips made from the runs.
const (
	stagedItems = "payroll_items_staged"
	stagedRuns  = "payroll_runs"
	stagedSlips = "payroll_slips"
)

// Import reads a payroll file (see Columns) from r and stores its slips,
// or nothing at all: a file with any bad line answers a *BadFile listing
// every bad line; a month that already holds slips answers a Conflict
// unless replace is set, and a month another import is still saving
// answers a Conflict. r is read once, as a stream, and never held in
// memory. The import is a store.Job:
//   - its staging reads the file: while the lines are checked, their pay
//     items are copied into payslip_items on PostgreSQL (COPY … FROM
//     STDIN, under the import's id, which the staging reserves: staging
//     and apply are one transaction there) and into a staging table on
//     SQLite (a prepared INSERT), and each run of lines of one employee
//     and month becomes one row of employee details and sums in a spooled
//     file, copied into a staging table at the end; one
//     set-based INSERT … SELECT then makes the slips from the runs (a slip
//     whose lines are not together in the file has several runs, summed
//     there), and the warnings are found;
//   - its apply records the import, marks its months as being saved
//     (StateImporting: nobody publishes them meanwhile), and writes the
//     slips and their items. On SQLite, where the staging runs beside the
//     one writer, that apply goes in parts of Options.PartSlips slips, so
//     that the portal's other writes wait for a part and not the whole
//     file — except a file that replaces a published month, applied whole
//     so that its employees never see the month half replaced;
//   - its end sets the months' counts and states and audits the import.
//
// An apply that stopped between two parts (its process died) is finished
// by FinishImports — the next import calls it, and the server every
// minute; Import itself returns the result so far with an error wrapping
// store.ErrUnfinished. name is the file's name, for the audit record.
// Replacing a published month keeps it published (from the same date) and
// tells its employees that the slip was replaced.
func (s *Service) Import(ctx context.Context, by store.Actor, name string, r io.Reader, replace bool) (*ImportResult, error) {
	res, err := s.importFile(ctx, by, name, r, replace)
	s.forget()
	if errors.Is(err, store.ErrUnfinished) {
		return res, fmt.Errorf("import payroll: %w", err)
	}
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
	// An import that a process left half saved is finished first: its
	// months may be this file's. One that cannot be finished now (another
	// process is saving it, or its staging file is gone) is left: its
	// months refuse this file if they are this file's, under the writer,
	// and serve logs why each minute.
	_, _ = s.finishImports(ctx)
	res := &ImportResult{FileName: name}
	job := s.applyJob(ctx, res)
	job.Stage = func(b store.Bulk) error { return s.stage(ctx, b, r, known, res) }
	job.Begin = func(b store.Bulk) (int64, error) {
		parts, err := s.begin(ctx, b, by, res, replace)
		job.Name = importJob(res.ID)
		return parts, err
	}
	err = s.db.RunJob(ctx, &job)
	var bad *BadFile
	switch {
	case err == nil:
		return res, nil
	case errors.Is(err, store.ErrUnfinished):
		return res, err
	case errors.As(err, &bad) || apperr.CodeOf(err) != apperr.Internal:
		return nil, err
	}
	return nil, fmt.Errorf("import payroll %s: %w", name, err)
}

// stage reads the file into the staging tables (see Import), and on
// PostgreSQL its items into their table under the id it reserves, and
// fills in res: its counts, months, sum and warnings (and that id). A bad
// file ends here: nothing lands.
func (s *Service) stage(ctx context.Context, b store.Bulk, r io.Reader, known map[string]bool, res *ImportResult) error {
	idb := b.IDB()
	if b.DB().Dialect == store.Postgres {
		// One import at a time: a second waits here rather than racing
		// the first on the same months. (On SQLite the apply's beginning,
		// under the one writer, sees the months another import holds.)
		if _, err := idb.NewRaw("SELECT pg_advisory_xact_lock(?)", importLock).Exec(ctx); err != nil {
			return err
		}
		// Grouping a large file's runs wants memory, not temporary files.
		if _, err := idb.NewRaw("SET LOCAL work_mem = '256MB'").Exec(ctx); err != nil {
			return err
		}
	}
	spool, err := os.CreateTemp("", "ispeks-payroll-runs-*")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	runs := csv.NewWriter(bufio.NewWriterSize(spool, 256<<10))
	// On PostgreSQL the import's id is reserved now and the items go
	// straight to their table, in the one transaction that lands the
	// import: a staging table of every line and a second insert ran at a
	// quarter of a plain COPY's rate. On SQLite they are staged, for the
	// parts to write beside their slips.
	if res.ID, err = b.ReserveID(ctx, "payroll_imports"); err != nil {
		return err
	}
	items, columns := "payslip_items", itemColumns
	if res.itemsStaged = res.ID == 0; res.itemsStaged {
		items, columns = stagedItems, stagedItemColumns
		if err := b.CreateStaging(ctx, stagedItems, `(slip_no INTEGER NOT NULL, line_no INTEGER NOT NULL,
			item_code VARCHAR(10) NOT NULL, kind VARCHAR(10) NOT NULL, name VARCHAR(100) NOT NULL, amount_sen BIGINT NOT NULL)`); err != nil {
			return err
		}
	}
	row := make([]any, len(columns))
	item := row[len(columns)-len(stagedItemColumns):]
	if !res.itemsStaged {
		row[0] = res.ID
	}
	sum := sha256.New()
	sc := &Scanner{Known: func(c string) bool { return known[c] }, Now: s.now()}
	var cur run
	flush := func() error {
		if cur.first == 0 {
			return nil
		}
		l := &cur.Line
		return runs.Write([]string{l.Month, l.IC, l.SalaryNo, l.Name, l.PTJ, l.Position, l.Grade, l.Bank, l.Account, l.TaxNo, l.EPFNo,
			strconv.Itoa(cur.Slip), strconv.Itoa(cur.first), strconv.FormatBool(cur.first == cur.SlipStart), strconv.FormatInt(cur.gross, 10), strconv.FormatInt(cur.deductions, 10), strconv.FormatInt(cur.employer, 10)})
	}
	_, err = b.Load(ctx, items, columns, func(w store.RowWriter) error {
		return sc.Scan(io.TeeReader(r, sum), func(l *Line) error {
			if l.Month != cur.Month || l.IC != cur.IC {
				if err := flush(); err != nil {
					return err
				}
				cur = run{Line: *l, first: l.No}
			}
			cur.add(l)
			item[0], item[1], item[2], item[3], item[4], item[5] = l.Slip, l.No, l.ItemCode, string(l.Kind), l.ItemName, l.AmountSen
			return w.Row(row...)
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
	if err := s.stageSlips(ctx, b, spool); err != nil {
		return err
	}
	if res.itemsStaged {
		// A part takes its slips' items by their number.
		if err := b.IndexStaging(ctx, stagedItems+"_slip", stagedItems, "slip_no"); err != nil {
			return err
		}
	}
	return s.warn(ctx, idb, res)
}

// importLock is the PostgreSQL advisory lock that puts imports in a line.
const importLock = 0x6953504b /* "iSPK" */ <<16 | 10

// stageSlips copies the spooled runs into a staging table and makes one
// slip per employee and month from them with one set-based statement, in
// the order of their numbers (the parts of the apply follow it). The file
// has been checked: an employee's columns are the same on every line of a
// month, so the first run's are the slip's.
func (s *Service) stageSlips(ctx context.Context, b store.Bulk, spool *os.File) error {
	if err := b.CreateStaging(ctx, stagedRuns, `(
		month VARCHAR(7) NOT NULL, ic_number VARCHAR(12) NOT NULL, salary_no VARCHAR(8) NOT NULL, name VARCHAR(150) NOT NULL,
		ptj_code VARCHAR(10) NOT NULL, position VARCHAR(100) NOT NULL, grade VARCHAR(10) NOT NULL, bank_code VARCHAR(10) NOT NULL,
		account_no VARCHAR(20) NOT NULL, tax_no VARCHAR(13) NOT NULL, epf_no VARCHAR(12) NOT NULL,
		slip_no INTEGER NOT NULL, first_line INTEGER NOT NULL, first_run INTEGER NOT NULL, gross_sen BIGINT NOT NULL, deductions_sen BIGINT NOT NULL, employer_sen BIGINT NOT NULL)`); err != nil {
		return err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := b.Load(ctx, stagedRuns, runColumns, func(w store.RowWriter) error {
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
	return b.CreateStaging(ctx, stagedSlips, `AS SELECT f.month, f.ic_number, f.salary_no, f.name, f.ptj_code, f.position, f.grade, f.bank_code,
			f.account_no, f.tax_no, f.epf_no,
			f.gross_sen + COALESCE(x.gross_sen, 0) AS gross_sen, f.deductions_sen + COALESCE(x.deductions_sen, 0) AS deductions_sen,
			f.gross_sen + COALESCE(x.gross_sen, 0) - f.deductions_sen - COALESCE(x.deductions_sen, 0) AS net_sen,
			f.employer_sen + COALESCE(x.employer_sen, 0) AS employer_sen, f.first_line, f.slip_no
		FROM `+stagedRuns+` f LEFT JOIN (
			SELECT month, ic_number, SUM(gross_sen) AS gross_sen, SUM(deductions_sen) AS deductions_sen, SUM(employer_sen) AS employer_sen
			FROM `+stagedRuns+` WHERE first_run = 0 GROUP BY month, ic_number) x ON x.month = f.month AND x.ic_number = f.ic_number
		WHERE f.first_run = 1 ORDER BY f.slip_no`)
}

// warn finds what should be looked at in the staged slips: deductions
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
		{"payslip.warning.deductions", `SELECT first_line, month, ic_number, name, '' AS profile FROM ` + stagedSlips + ` p
			WHERE deductions_sen * 10 > gross_sen * 6`},
		{"payslip.warning.no_profile", `SELECT first_line, month, ic_number, name, '' AS profile FROM ` + stagedSlips + ` p
			WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.login = p.ic_number)`},
		{"payslip.warning.name_differs", `SELECT p.first_line, p.month, p.ic_number, p.name, u.name AS profile FROM ` + stagedSlips + ` p
			JOIN users u ON u.login = p.ic_number WHERE UPPER(u.name) <> UPPER(p.name)`},
	}
	var stored []storedWarning
	for _, k := range kinds {
		var n int
		if err := idb.NewRaw("SELECT COUNT(*) FROM ("+k.query+") w").Scan(ctx, &n); err != nil {
			return err
		}
		if n == 0 {
			continue
		}
		var rows []row
		if err := idb.NewRaw(k.query+" ORDER BY first_line LIMIT ?", MaxWarnings).Scan(ctx, &rows); err != nil {
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
	res.stored = stored
	return nil
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
