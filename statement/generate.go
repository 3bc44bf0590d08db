package statement

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

// GenerateResult is what a generation (or publication) did.
type GenerateResult struct {
	Year       int
	Months     []string // the published pay months it read
	Statements int      // employees with a statement of the year now
	New        int      // statements made for the first time
	Changed    int      // statements whose content changed: their version grew
	Removed    int      // statements of employees no longer in the year's slips
	// Unmapped are the item codes paid in the year that have no line in
	// the mapping: their amounts are on no line, and the year cannot be
	// published while there are any.
	Unmapped  []PaidCode
	Published bool // the year is published (now or before)
	Mailed    int  // employees told now
}

// PaidCode is an item code paid in a year, as a generation found it: how many
// employees were paid it and the total (operators' figures, no person's),
// and its line then ("" when it had none).
type PaidCode struct {
	Code      string `bun:"item_code"`
	Kind      string `bun:"kind"`
	Name      string `bun:"name"`
	Line      Line   `bun:"ec_line"`
	Employees int    `bun:"employees"`
	AmountSen int64  `bun:"amount_sen"`
}

// UnmappedError refuses to publish (or regenerate a published) year while
// item codes paid in it have no line in the mapping; it lists them.
// Nothing was written. It unwraps to a Conflict application error whose
// message names the codes.
type UnmappedError struct {
	Year  int
	Codes []PaidCode
}

func (e *UnmappedError) Error() string { return e.err().Message(i18n.EN) }

func (e *UnmappedError) Unwrap() error { return e.err() }

func (e *UnmappedError) err() *apperr.Error {
	list := make([]string, len(e.Codes))
	for i, c := range e.Codes {
		list[i] = c.Code + " (" + c.Name + ")"
	}
	return apperr.New(apperr.Conflict, "statement.error.unmapped", "Year", e.Year, "Codes", strings.Join(list, ", "))
}

var (
	errNoEmployerNo = apperr.New(apperr.Invalid, "statement.error.no_employer_no")
	errYearNotEnded = apperr.New(apperr.Conflict, "statement.error.year_not_ended")
)

// Generate makes (or remakes) the statement of every employee with
// published pay slips in year, in one transaction, set-based: the year's
// published items are summed per employee and item code, joined to the
// mapping and summed per EC line, and the statements are updated where
// anything changed (their version grows), inserted for new employees and
// removed for employees no longer paid in the year. Item codes with no
// line are listed in the result; a published year is not regenerated
// while there are any (an *UnmappedError, nothing written). Regenerating a
// published year tells each employee whose statement changed, once per
// version, by mail.
func (s *Service) Generate(ctx context.Context, by store.Actor, year string) (*GenerateResult, error) {
	return s.generate(ctx, by, year, false)
}

// Publish regenerates year (as Generate) and publishes it, then tells
// every employee with an active profile granted eEC, once per version of
// their statement, by mail through the outbox in batches. It is refused,
// with nothing written, before the year has ended (in Malaysia), while a
// month of the year is imported but not published, and while an item code
// paid in the year has no line in the mapping (an *UnmappedError listing
// them). Publishing again mails only those not yet told.
func (s *Service) Publish(ctx context.Context, by store.Actor, year string) (*GenerateResult, error) {
	return s.generate(ctx, by, year, true)
}

// lockGenerate is the PostgreSQL advisory lock that puts generations in a line.
const lockGenerate = 0x6953504b /* "iSPK" */ <<16 | 11

func (s *Service) generate(ctx context.Context, by store.Actor, yearText string, publish bool) (*GenerateResult, error) {
	y, err := ParseYear(yearText)
	if err != nil {
		return nil, apperr.Fields(forms.Field("year", err))
	}
	op := fmt.Sprintf("generate Borang EC %d", y)
	if publish {
		op = fmt.Sprintf("publish Borang EC %d", y)
	}
	if s.opts.EmployerNo == "" {
		return nil, errNoEmployerNo
	}
	now := s.now()
	if publish && now.In(malaysia.KL).Year() <= y {
		return nil, errYearNotEnded
	}
	if s.db.Dialect == store.SQLite {
		s.generating.Lock()
		defer s.generating.Unlock()
	}
	// The year's pay is summed first, then applied (store.Staged): on
	// SQLite the summing runs beside the one writer, which other writes
	// wait for, and only the apply holds it. What the summing read is
	// checked again under the writer (Service.changed).
	var res *GenerateResult
	var staged stagedYear
	err = s.db.Staged(ctx, func(b store.Bulk) error {
		res = &GenerateResult{Year: y}
		idb := b.IDB()
		if b.DB().Dialect == store.Postgres {
			if _, err := idb.NewRaw("SELECT pg_advisory_xact_lock(?)", lockGenerate).Exec(ctx); err != nil {
				return err
			}
			// Summing a year of items wants memory, not temporary files.
			if _, err := idb.NewRaw("SET LOCAL work_mem = '256MB'").Exec(ctx); err != nil {
				return err
			}
		}
		var err error
		if staged, err = s.readYear(ctx, idb, y, publish); err != nil {
			return err
		}
		res.Published = staged.wasPublished || publish
		res.Months = staged.months
		if err := s.stage(ctx, b, y, staged.months); err != nil {
			return err
		}
		if err := idb.NewRaw(`SELECT c.item_code, c.kind, c.name, '' AS ec_line, c.employees, c.amount_sen FROM `+stageCodes+` c
			WHERE c.ec_line IS NULL ORDER BY c.item_code`).Scan(ctx, &res.Unmapped); err != nil {
			return err
		}
		if res.Published && len(res.Unmapped) > 0 {
			return &UnmappedError{Year: y, Codes: res.Unmapped}
		}
		if s.staged != nil {
			s.staged()
		}
		return nil
	}, func(b store.Bulk) error {
		idb := b.IDB()
		if err := s.changed(ctx, idb, y, publish, staged); err != nil {
			return err
		}
		if err := s.apply(ctx, b.Conn, y, now, res); err != nil {
			return err
		}
		if err := s.recordYear(ctx, idb, y, staged.months, staged.sources, res.Statements, by, now, publish && !staged.wasPublished); err != nil {
			return err
		}
		if err := b.Audit(ctx, by, "ec.year.generate", "ec_year", strconv.Itoa(y), map[string]any{"months": staged.months,
			"statements": res.Statements, "new": res.New, "changed": res.Changed, "removed": res.Removed,
			"unmapped": len(res.Unmapped)}); err != nil {
			return err
		}
		if publish {
			detail := map[string]any{"statements": res.Statements}
			if staged.wasPublished {
				detail["again"] = true
			}
			if err := b.Audit(ctx, by, "ec.year.publish", "ec_year", strconv.Itoa(y), detail); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrStale) {
		return nil, errChanged
	}
	if err != nil {
		return nil, wrap(op, err)
	}
	if res.Published {
		if res.Mailed, err = s.notify(ctx, y); err != nil {
			return res, wrap(op+": tell the employees", err)
		}
	}
	return res, nil
}

// stagedYear is what a generation's staging read of the year: whether it
// was published, and its published months and their imports.
type stagedYear struct {
	wasPublished bool
	months       []string
	sources      string
}

// readYear reads the year's state and its published months (months).
func (s *Service) readYear(ctx context.Context, idb bun.IDB, y int, publish bool) (stagedYear, error) {
	var state []string
	if err := idb.NewRaw("SELECT state FROM statement_years WHERE year = ?", y).Scan(ctx, &state); err != nil {
		return stagedYear{}, err
	}
	sy := stagedYear{wasPublished: len(state) > 0 && state[0] == StatePublished}
	var err error
	sy.months, sy.sources, err = s.months(ctx, idb, y, sy.wasPublished || publish)
	return sy, err
}

// errChanged answers a generation whose inputs kept changing while it
// summed them (store.Staged's tries).
var errChanged = apperr.New(apperr.Conflict, "statement.error.changed")

// changed returns store.ErrStale when what the staging read (staged, and
// the mapping it copied) is no longer so: a month published, corrected or
// withdrawn, a line of the mapping changed, or the year published,
// meanwhile. On SQLite the staging read beside the writer; under it now,
// nothing changes until the statements are written.
func (s *Service) changed(ctx context.Context, idb bun.IDB, y int, publish bool, staged stagedYear) error {
	now, err := s.readYear(ctx, idb, y, publish)
	if err != nil {
		return err
	}
	var differ int
	if err := idb.NewRaw(`SELECT (SELECT COUNT(*) FROM (SELECT item_code, ec_line FROM statement_mapping
			EXCEPT SELECT item_code, ec_line FROM `+stageMapping+`) a)
		+ (SELECT COUNT(*) FROM (SELECT item_code, ec_line FROM `+stageMapping+`
			EXCEPT SELECT item_code, ec_line FROM statement_mapping) b)`).Scan(ctx, &differ); err != nil {
		return err
	}
	if differ > 0 || now.wasPublished != staged.wasPublished || now.sources != staged.sources {
		return store.ErrStale
	}
	return nil
}

// months returns the year's published pay months and their imports
// ("2025-01:7,…"). A year to publish may have no month imported and left
// unpublished: its statements would lack that month's pay.
func (s *Service) months(ctx context.Context, idb bun.IDB, y int, publishing bool) ([]string, string, error) {
	var rows []struct {
		Month    string `bun:"month"`
		State    string `bun:"state"`
		ImportID int64  `bun:"import_id"`
	}
	first, last := fmt.Sprintf("%04d-01", y), fmt.Sprintf("%04d-12", y)
	if err := idb.NewRaw("SELECT month, state, import_id FROM payroll_months WHERE month >= ? AND month <= ? ORDER BY month",
		first, last).Scan(ctx, &rows); err != nil {
		return nil, "", err
	}
	var months, sources, waiting []string
	for _, r := range rows {
		if r.State != payslip.StatePublished {
			waiting = append(waiting, r.Month)
			continue
		}
		months = append(months, r.Month)
		sources = append(sources, r.Month+":"+strconv.FormatInt(r.ImportID, 10))
	}
	if len(months) == 0 {
		return nil, "", apperr.New(apperr.NotFound, "statement.error.no_slips", "Year", y)
	}
	if publishing && len(waiting) > 0 {
		return nil, "", apperr.New(apperr.Conflict, "statement.error.months_waiting", "Year", y, "Months", strings.Join(waiting, ", "))
	}
	return months, strings.Join(sources, ","), nil
}

// Staging tables, made and dropped inside the generation's transaction.
// Their keys matter on SQLite, which has no hash join: without them the
// removal of statements no longer in the year (NOT EXISTS in ec_new) read
// ec_new once per statement.
const (
	stageMapping = "ec_mapping" // the mapping as the staging read it
	stagePay     = "ec_pay"     // one row per employee and item code: the year's sum
	stageCodes   = "ec_codes"   // one row per item code paid: statement_codes to be
	stageNew     = "ec_new"     // one row per employee: the statement as it is now
)

// contentColumns are the statements' columns a generation writes; a
// difference in any of them is a new version.
var contentColumns = func() []string {
	cols := []string{"employer_no", "salary_no", "name", "ptj_code", "position", "grade", "tax_no", "epf_no", "start_month", "end_month"}
	for _, l := range Lines {
		cols = append(cols, l.column())
	}
	return cols
}()

// stage copies the mapping as it reads it (ec_mapping), sums the year's
// published pay items per employee and item code (ec_pay), lists the item
// codes paid with their line (ec_codes), and builds every employee's
// statement as it is now (ec_new): the details of their last slip of the
// year, the first and last month they were paid in when those are not the
// first and last of the year's published months, and each line's sum.
func (s *Service) stage(ctx context.Context, b store.Bulk, y int, months []string) error {
	in := bun.In(months)
	amounts := make([]string, len(Lines))
	sums := make([]string, len(Lines))
	picks := make([]string, len(Lines))
	for i, l := range Lines {
		amounts[i] = l.column() + " BIGINT NOT NULL"
		sums[i] = fmt.Sprintf("SUM(CASE WHEN m.ec_line = '%s' THEN e.amount_sen ELSE 0 END) AS %s", l, l.column())
		picks[i] = "COALESCE(l." + l.column() + ", 0)"
	}
	// Each table is made, then filled from what the ones before hold;
	// ec_codes is made from its query.
	tables := []struct {
		name, def string
		fill      string
		args      []any
	}{
		{stageMapping, "(item_code VARCHAR(10) NOT NULL PRIMARY KEY, ec_line VARCHAR(4) NOT NULL)",
			`INSERT INTO ` + stageMapping + ` (item_code, ec_line) SELECT item_code, ec_line FROM statement_mapping`, nil},
		{stagePay, `(ic_number VARCHAR(12) NOT NULL, item_code VARCHAR(10) NOT NULL,
			kind VARCHAR(10) NOT NULL, name VARCHAR(100) NOT NULL, amount_sen BIGINT NOT NULL, PRIMARY KEY (ic_number, item_code))`,
			`INSERT INTO ` + stagePay + ` (ic_number, item_code, kind, name, amount_sen)
			SELECT p.ic_number, i.item_code, MIN(i.kind), MIN(i.name), SUM(i.amount_sen)
			FROM payslips p JOIN payslip_items i ON i.import_id = p.import_id AND i.slip_no = p.slip_no
			WHERE p.month IN (?) GROUP BY p.ic_number, i.item_code`, []any{in}},
		{stageCodes, `AS SELECT e.item_code, MIN(e.kind) AS kind, MIN(e.name) AS name, MIN(m.ec_line) AS ec_line,
			COUNT(*) AS employees, SUM(e.amount_sen) AS amount_sen
			FROM ` + stagePay + ` e LEFT JOIN ` + stageMapping + ` m ON m.item_code = e.item_code GROUP BY e.item_code`, "", nil},
		{stageNew, `(ic_number VARCHAR(12) NOT NULL PRIMARY KEY, employer_no VARCHAR(11) NOT NULL,
			salary_no VARCHAR(8) NOT NULL, name VARCHAR(150) NOT NULL, ptj_code VARCHAR(10) NOT NULL, position VARCHAR(100) NOT NULL,
			grade VARCHAR(10) NOT NULL, tax_no VARCHAR(13) NOT NULL, epf_no VARCHAR(12) NOT NULL, start_month VARCHAR(7),
			end_month VARCHAR(7), ` + strings.Join(amounts, ", ") + `)`,
			`INSERT INTO ` + stageNew + ` (ic_number, ` + strings.Join(contentColumns, ", ") + `)
			SELECT f.ic_number, ?, p.salary_no, p.name, p.ptj_code, p.position, p.grade, p.tax_no, p.epf_no,
				CASE WHEN f.first_paid > ? THEN f.first_paid END, CASE WHEN f.last_paid < ? THEN f.last_paid END,
				` + strings.Join(picks, ", ") + `
			FROM (SELECT ic_number, MAX(month) AS last_month,
					MIN(CASE WHEN gross_sen > 0 THEN month END) AS first_paid, MAX(CASE WHEN gross_sen > 0 THEN month END) AS last_paid
				FROM payslips WHERE month IN (?) GROUP BY ic_number) f
			JOIN payslips p ON p.ic_number = f.ic_number AND p.month = f.last_month
			LEFT JOIN (SELECT e.ic_number, ` + strings.Join(sums, ", ") + `
				FROM ` + stagePay + ` e JOIN ` + stageMapping + ` m ON m.item_code = e.item_code GROUP BY e.ic_number) l
				ON l.ic_number = f.ic_number`, []any{s.opts.EmployerNo, months[0], months[len(months)-1], in}},
	}
	for _, t := range tables {
		if err := b.CreateStaging(ctx, t.name, t.def); err != nil {
			return fmt.Errorf("stage: %w", err)
		}
		if t.fill == "" {
			continue
		}
		if _, err := b.IDB().NewRaw(t.fill, t.args...).Exec(ctx); err != nil {
			return fmt.Errorf("stage %s: %w", t.name, err)
		}
	}
	return nil
}

// apply records the item codes paid (statement_codes) and brings the
// year's statements to ec_new: a statement whose content
// differs is updated and its version grows, a new employee's is inserted
// at version 1, and one whose employee is no longer in the year's slips is
// removed with its notices (were it to come back, its employee is told
// afresh).
func (s *Service) apply(ctx context.Context, tx store.Conn, y int, now time.Time, res *GenerateResult) error {
	idb := tx.IDB()
	if _, err := idb.NewRaw("DELETE FROM statement_codes WHERE year = ?", y).Exec(ctx); err != nil {
		return fmt.Errorf("item codes: %w", err)
	}
	if _, err := idb.NewRaw(`INSERT INTO statement_codes (year, item_code, kind, name, ec_line, employees, amount_sen)
		SELECT ?, item_code, kind, name, ec_line, employees, amount_sen FROM `+stageCodes, y).Exec(ctx); err != nil {
		return fmt.Errorf("item codes: %w", err)
	}
	set := make([]string, len(contentColumns))
	differs := make([]string, len(contentColumns))
	for i, c := range contentColumns {
		set[i] = c + " = n." + c
		differs[i] = "s." + c + " IS DISTINCT FROM n." + c
	}
	r, err := idb.NewRaw(`UPDATE statements AS s SET `+strings.Join(set, ", ")+`, version = s.version + 1, changed_at = ?
		FROM `+stageNew+` AS n WHERE s.year = ? AND s.ic_number = n.ic_number AND (`+strings.Join(differs, " OR ")+`)`, now, y).Exec(ctx)
	if err != nil {
		return fmt.Errorf("update statements: %w", err)
	}
	res.Changed = affected(r)
	cols := strings.Join(contentColumns, ", ")
	r, err = idb.NewRaw(`INSERT INTO statements (year, ic_number, version, `+cols+`, changed_at)
		SELECT ?, n.ic_number, 1, n.`+strings.Join(contentColumns, ", n.")+`, ?
		FROM `+stageNew+` n WHERE NOT EXISTS (SELECT 1 FROM statements s WHERE s.ic_number = n.ic_number AND s.year = ?)`, y, now, y).Exec(ctx)
	if err != nil {
		return fmt.Errorf("insert statements: %w", err)
	}
	res.New = affected(r)
	gone := ` WHERE year = ? AND NOT EXISTS (SELECT 1 FROM ` + stageNew + ` n WHERE n.ic_number = %s.ic_number)`
	if _, err := idb.NewRaw(`DELETE FROM statement_notices`+fmt.Sprintf(gone, "statement_notices"), y).Exec(ctx); err != nil {
		return fmt.Errorf("remove notices: %w", err)
	}
	if r, err = idb.NewRaw(`DELETE FROM statements`+fmt.Sprintf(gone, "statements"), y).Exec(ctx); err != nil {
		return fmt.Errorf("remove statements: %w", err)
	}
	res.Removed = affected(r)
	return idb.NewRaw("SELECT COUNT(*) FROM "+stageNew).Scan(ctx, &res.Statements)
}

func affected(r sql.Result) int {
	n, _ := r.RowsAffected()
	return int(n)
}

// recordYear writes the year's row: what it read, when and by whom it was
// generated, and, when it is published now, by whom.
func (s *Service) recordYear(ctx context.Context, idb bun.IDB, y int, months []string, sources string, n int, by store.Actor, now time.Time, publishNow bool) error {
	r, err := idb.NewRaw(`UPDATE statement_years SET months = ?, sources = ?, statements = ?, generated_at = ?, generated_by = ?
		WHERE year = ?`, strings.Join(months, ","), sources, n, now, by.Login, y).Exec(ctx)
	if err != nil {
		return err
	}
	if affected(r) == 0 {
		if _, err := idb.NewRaw(`INSERT INTO statement_years (year, state, months, sources, statements, generated_at, generated_by)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, y, StateGenerated, strings.Join(months, ","), sources, n, now, by.Login).Exec(ctx); err != nil {
			return err
		}
	}
	if publishNow {
		if _, err := idb.NewRaw("UPDATE statement_years SET state = ?, published_at = ?, published_by = ? WHERE year = ?",
			StatePublished, now, by.Login, y).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
