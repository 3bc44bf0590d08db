package statement

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

// Statement is one employee's Borang EC of a year.
type Statement struct {
	ID         int64
	Year       int
	Version    int
	EmployerNo string
	// Employee is section A as the year's last pay slip has it (no bank
	// account: the form has none). IC is the viewer's own MyKad, shown
	// masked.
	Employee payslip.Employee
	// StartMonth and EndMonth (YYYY-MM) are the first and last month the
	// employee was paid in, when the year's payroll has months before or
	// after them; "" otherwise.
	StartMonth, EndMonth string
	// ChangedAt is when this version was made.
	ChangedAt time.Time
	amounts   map[Line]int64
}

// Serial is the statement's serial number (No. Siri): EC-<year>-<id>, the
// same through every version.
func (st *Statement) Serial() string { return fmt.Sprintf("EC-%d-%07d", st.Year, st.ID) }

// Amount is line l's figure in sen.
func (st *Statement) Amount(l Line) int64 { return st.amounts[l] }

// Total is the sum of a section's lines (B to F), in sen: for B the gross
// employment income, for D the deductions, for E the contributions.
func (st *Statement) Total(section string) int64 {
	var t int64
	for _, l := range LinesOf(section) {
		t += st.amounts[l]
	}
	return t
}

// StartDate is the first day of StartMonth ("" when employed from the
// year's first month): the portal knows the months paid, not the day.
func (st *Statement) StartDate() string {
	if st.StartMonth == "" {
		return ""
	}
	t, _ := time.ParseInLocation("2006-01", st.StartMonth, malaysia.KL)
	return malaysia.Date(t)
}

// EndDate is the last day of EndMonth ("" when employed to the year's
// last month).
func (st *Statement) EndDate() string {
	if st.EndMonth == "" {
		return ""
	}
	t, _ := time.ParseInLocation("2006-01", st.EndMonth, malaysia.KL)
	return malaysia.Date(t.AddDate(0, 1, -1))
}

// Summary is one year of an employee's list.
type Summary struct {
	Year          int
	Version       int
	EmploymentSen int64 // section B
	PCBSen        int64 // D1
}

// statementColumns are what a statement is read with.
var statementColumns = func() string {
	cols := []string{"s.id", "s.year", "s.version", "s.employer_no", "s.ic_number", "s.salary_no", "s.name", "s.ptj_code",
		"COALESCE(t.name, '') AS ptj_name", "s.position", "s.grade", "s.tax_no", "s.epf_no",
		"COALESCE(s.start_month, '') AS start_month", "COALESCE(s.end_month, '') AS end_month", "s.changed_at"}
	for _, l := range Lines {
		cols = append(cols, "s."+l.column())
	}
	return strings.Join(cols, ", ")
}()

// row is a statement as read, before its figures are put in a map.
type row struct {
	ID         int64     `bun:"id"`
	Year       int       `bun:"year"`
	Version    int       `bun:"version"`
	EmployerNo string    `bun:"employer_no"`
	StartMonth string    `bun:"start_month"`
	EndMonth   string    `bun:"end_month"`
	ChangedAt  time.Time `bun:"changed_at"`
	payslip.Employee
	B1a int64 `bun:"b1a_sen"`
	B1b int64 `bun:"b1b_sen"`
	B1c int64 `bun:"b1c_sen"`
	B1d int64 `bun:"b1d_sen"`
	B1f int64 `bun:"b1f_sen"`
	B2  int64 `bun:"b2_sen"`
	B3  int64 `bun:"b3_sen"`
	B4  int64 `bun:"b4_sen"`
	B6  int64 `bun:"b6_sen"`
	C1  int64 `bun:"c1_sen"`
	D1  int64 `bun:"d1_sen"`
	D2  int64 `bun:"d2_sen"`
	D3  int64 `bun:"d3_sen"`
	E1  int64 `bun:"e1_sen"`
	E2  int64 `bun:"e2_sen"`
	F   int64 `bun:"f_sen"`
}

func (r *row) statement() *Statement {
	return &Statement{ID: r.ID, Year: r.Year, Version: r.Version, EmployerNo: r.EmployerNo, Employee: r.Employee,
		StartMonth: r.StartMonth, EndMonth: r.EndMonth, ChangedAt: r.ChangedAt, amounts: map[Line]int64{
			B1a: r.B1a, B1b: r.B1b, B1c: r.B1c, B1d: r.B1d, B1f: r.B1f, B2: r.B2, B3: r.B3, B4: r.B4, B6: r.B6,
			C1: r.C1, D1: r.D1, D2: r.D2, D3: r.D3, E1: r.E1, E2: r.E2, F: r.F}}
}

// Years returns the viewer's statements of published years, newest
// first, with the figures the list shows. Audited: the list shows pay.
func (s *Service) Years(ctx context.Context, viewer *store.User) ([]Summary, error) {
	if err := employee(viewer); err != nil {
		return nil, err
	}
	var rows []row
	if err := s.db.ReadIDB().NewRaw(`SELECT `+statementColumns+` FROM statements s
		JOIN statement_years y ON y.year = s.year AND y.state = ?
		LEFT JOIN ptj t ON t.code = s.ptj_code
		WHERE s.ic_number = ? ORDER BY s.year DESC`, StatePublished, viewer.Login).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("list statements: %w", err)
	}
	out := make([]Summary, len(rows))
	for i := range rows {
		st := rows[i].statement()
		out[i] = Summary{Year: st.Year, Version: st.Version, EmploymentSen: st.Total("B"), PCBSen: st.Amount(D1)}
	}
	if err := s.audit(ctx, viewer, "ec.list", "", map[string]any{"years": len(out)}); err != nil {
		return nil, err
	}
	return out, nil
}

// Statement returns the viewer's statement of year and audits the viewing.
// A year not published, or with no statement of the viewer's, is
// ErrNotFound.
func (s *Service) Statement(ctx context.Context, viewer *store.User, year string) (*Statement, error) {
	st, err := s.statement(ctx, viewer, year)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, viewer, "ec.view", st.Serial(), map[string]any{"year": st.Year, "version": st.Version}); err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Service) statement(ctx context.Context, viewer *store.User, year string) (*Statement, error) {
	if err := employee(viewer); err != nil {
		return nil, err
	}
	y, err := ParseYear(year)
	if err != nil {
		return nil, ErrNotFound
	}
	var rows []row
	if err := s.db.ReadIDB().NewRaw(`SELECT `+statementColumns+` FROM statements s
		JOIN statement_years y ON y.year = s.year AND y.state = ?
		LEFT JOIN ptj t ON t.code = s.ptj_code
		WHERE s.ic_number = ? AND s.year = ?`, StatePublished, viewer.Login, y).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read statement: %w", err)
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	return rows[0].statement(), nil
}

// audit records that viewer saw (action) their own statement, and returns
// once the record has committed.
func (s *Service) audit(ctx context.Context, viewer *store.User, action, objectID string, detail any) error {
	return s.audits.Record(ctx, actorOf(viewer), action, "statement", objectID, detail)
}
