package statement

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

// What the operators see: the years, what each generation read, the item
// codes paid and their lines, totals per PTJ (the treasury: treasury
// approvers and sysadmins) and which employees have a statement (auditors
// too) — never one person's figures.

// YearInfo is one year of statements as the operators see it.
type YearInfo struct {
	Year        int        `bun:"year"`
	State       string     `bun:"state"`
	Months      string     `bun:"months"`  // the published months read, comma-separated
	Sources     string     `bun:"sources"` // and their imports
	Statements  int        `bun:"statements"`
	GeneratedAt time.Time  `bun:"generated_at"`
	GeneratedBy string     `bun:"generated_by"`
	PublishedAt *time.Time `bun:"published_at"`
	PublishedBy string     `bun:"published_by"`
	// Stale: the year's published pay months or their imports are no
	// longer those the last generation read (a payroll correction, a month
	// published since): the statements wait for a regeneration.
	Stale bool `bun:"-"`
}

// Published reports whether the year's statements are published.
func (y YearInfo) Published() bool { return y.State == StatePublished }

// MonthList is the months read, as a list.
func (y YearInfo) MonthList() []string { return strings.Split(y.Months, ",") }

const yearColumns = "year, state, months, sources, statements, generated_at, generated_by, published_at, published_by"

// YearsInfo returns the generated years, newest first, each marked stale when
// its payroll changed since.
func (s *Service) YearsInfo(ctx context.Context) ([]YearInfo, error) {
	var list []YearInfo
	if err := s.db.ReadIDB().NewRaw("SELECT "+yearColumns+" FROM statement_years ORDER BY year DESC").Scan(ctx, &list); err != nil {
		return nil, fmt.Errorf("list EC years: %w", err)
	}
	now, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Stale = list[i].Sources != now[list[i].Year]
	}
	return list, nil
}

var errYearNotGenerated = apperr.New(apperr.NotFound, "statement.error.year_not_generated")

// YearInfo returns one generated year, or a NotFound error.
func (s *Service) YearInfo(ctx context.Context, year string) (*YearInfo, error) {
	y, err := ParseYear(year)
	if err != nil {
		return nil, errYearNotGenerated
	}
	var list []YearInfo
	if err := s.db.ReadIDB().NewRaw("SELECT "+yearColumns+" FROM statement_years WHERE year = ?", y).Scan(ctx, &list); err != nil {
		return nil, fmt.Errorf("read EC year: %w", err)
	}
	if len(list) == 0 {
		return nil, errYearNotGenerated
	}
	now, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	list[0].Stale = list[0].Sources != now[y]
	return &list[0], nil
}

// PayrollYears returns the years with published pay months, newest first:
// the years a statement can be generated for.
func (s *Service) PayrollYears(ctx context.Context) ([]int, error) {
	now, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	var out []int
	for y := range now {
		out = append(out, y)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(out)))
	return out, nil
}

// sources returns, for each year with published pay months, its months
// and their imports as a generation records them.
func (s *Service) sources(ctx context.Context) (map[int]string, error) {
	var rows []struct {
		Month    string `bun:"month"`
		ImportID int64  `bun:"import_id"`
	}
	if err := s.db.ReadIDB().NewRaw("SELECT month, import_id FROM payroll_months WHERE state = ? ORDER BY month",
		payslip.StatePublished).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read pay months: %w", err)
	}
	out := map[int]string{}
	for _, r := range rows {
		y, _ := strconv.Atoi(r.Month[:4]) // payroll months are YYYY-MM
		src := fmt.Sprintf("%s:%d", r.Month, r.ImportID)
		if out[y] != "" {
			src = out[y] + "," + src
		}
		out[y] = src
	}
	return out, nil
}

// CodeRow is an item code paid in a year: its line at the last generation
// and now (Now "" when it has none).
type CodeRow struct {
	PaidCode
	Now Line `bun:"now"`
}

// Codes returns the item codes paid in a generated year, by code.
func (s *Service) Codes(ctx context.Context, year int) ([]CodeRow, error) {
	var list []CodeRow
	if err := s.db.ReadIDB().NewRaw(`SELECT c.item_code, c.kind, c.name, COALESCE(c.ec_line, '') AS ec_line, c.employees, c.amount_sen,
			COALESCE(m.ec_line, '') AS now
		FROM statement_codes c LEFT JOIN statement_mapping m ON m.item_code = c.item_code
		WHERE c.year = ? ORDER BY c.item_code`, year).Scan(ctx, &list); err != nil {
		return nil, fmt.Errorf("read EC codes: %w", err)
	}
	return list, nil
}

// PTJTotal is the sum of one PTJ's statements of a year, per section.
type PTJTotal struct {
	PTJCode    string `bun:"ptj_code"`
	PTJName    string `bun:"ptj_name"`
	Statements int    `bun:"statements"`
	Sections   map[string]int64
}

var errTotalsForbidden = apperr.New(apperr.Forbidden, "statement.error.totals_forbidden")

// MayTotal reports whether u may read the totals per PTJ: the treasury
// (treasury approvers and sysadmins). Auditors see only that statements
// exist.
func MayTotal(u *store.User) bool {
	return u != nil && u.Active() && (u.HasRole(forms.RoleTreasuryApprover) || u.HasRole(forms.RoleSysadmin))
}

// PTJTotals returns a year's totals per PTJ, by code, each section summed;
// for the treasury only (MayTotal).
func (s *Service) PTJTotals(ctx context.Context, viewer *store.User, year int) ([]PTJTotal, error) {
	if !MayTotal(viewer) {
		return nil, errTotalsForbidden
	}
	sums := make([]string, len(Sections))
	for i, sec := range Sections {
		var cols []string
		for _, l := range LinesOf(sec) {
			cols = append(cols, "s."+l.column())
		}
		sums[i] = "SUM(" + strings.Join(cols, " + ") + ") AS " + strings.ToLower(sec)
	}
	var rows []struct {
		PTJCode    string `bun:"ptj_code"`
		PTJName    string `bun:"ptj_name"`
		Statements int    `bun:"statements"`
		B          int64  `bun:"b"`
		C          int64  `bun:"c"`
		D          int64  `bun:"d"`
		E          int64  `bun:"e"`
		F          int64  `bun:"f"`
	}
	if err := s.db.ReadIDB().NewRaw(`SELECT s.ptj_code, COALESCE(MIN(t.name), '') AS ptj_name, COUNT(*) AS statements, `+
		strings.Join(sums, ", ")+` FROM statements s LEFT JOIN ptj t ON t.code = s.ptj_code
		WHERE s.year = ? GROUP BY s.ptj_code ORDER BY s.ptj_code`, year).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("EC totals per PTJ: %w", err)
	}
	out := make([]PTJTotal, len(rows))
	for i, r := range rows {
		out[i] = PTJTotal{PTJCode: r.PTJCode, PTJName: r.PTJName, Statements: r.Statements,
			Sections: map[string]int64{"B": r.B, "C": r.C, "D": r.D, "E": r.E, "F": r.F}}
	}
	return out, nil
}

// Entry says that an employee has a statement of a year: who, which
// version, never how much.
type Entry struct {
	IC       string    `bun:"ic_number"`
	Name     string    `bun:"name"`
	SalaryNo string    `bun:"salary_no"`
	PTJCode  string    `bun:"ptj_code"`
	Version  int       `bun:"version"`
	Changed  time.Time `bun:"changed_at"`
}

// MaskedIC is the MyKad as lists show it.
func (e Entry) MaskedIC() string { return malaysia.MyKad(e.IC).Masked() }

// Filter narrows the operators' list of a year's statements.
type Filter struct {
	Q   string // a MyKad (12 digits), a salary number or part of a name
	PTJ string
}

// Find lists the statements of year matching f, by name, one page at a
// time: that they exist, for answering "my Borang EC is missing".
func (s *Service) Find(ctx context.Context, year int, f Filter, page store.Page) ([]Entry, store.Total, error) {
	where, args := []string{"year = ?"}, []any{year}
	if f.PTJ != "" {
		where, args = append(where, "ptj_code = ?"), append(args, f.PTJ)
	}
	if cond, a := payslip.PersonFilter(f.Q); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	cond := strings.Join(where, " AND ")
	var n int64
	if err := s.db.ReadIDB().NewRaw("SELECT COUNT(*) FROM (SELECT 1 FROM statements WHERE "+cond+" LIMIT ?) t",
		append(args, store.CountLimit+1)...).Scan(ctx, &n); err != nil {
		return nil, store.Total{}, fmt.Errorf("find statements: %w", err)
	}
	var list []Entry
	if err := s.db.ReadIDB().NewRaw("SELECT ic_number, name, salary_no, ptj_code, version, changed_at FROM statements WHERE "+cond+
		" ORDER BY name, ic_number LIMIT ? OFFSET ?", append(args, page.Limit(), page.Offset())...).Scan(ctx, &list); err != nil {
		return nil, store.Total{}, fmt.Errorf("find statements: %w", err)
	}
	return list, store.CountedTotal(n), nil
}
