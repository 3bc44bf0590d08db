package payslip

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// Summary is one month of an employee's list: the totals kept on the slip.
type Summary struct {
	Month         string
	GrossSen      int64
	DeductionsSen int64
	NetSen        int64
}

// Totals are a slip's sums, or the year's up to a month.
type Totals struct {
	GrossSen      int64 `bun:"gross_sen"`
	DeductionsSen int64 `bun:"deductions_sen"`
	NetSen        int64 `bun:"net_sen"`
	EmployerSen   int64 `bun:"employer_sen"`
}

// Employee is who a slip is about, as the payroll gave it. IC is the full
// MyKad: the viewer's own, shown masked.
type Employee struct {
	Name     string `bun:"name"`
	IC       string `bun:"ic_number"`
	SalaryNo string `bun:"salary_no"`
	PTJCode  string `bun:"ptj_code"`
	PTJName  string `bun:"ptj_name"`
	Position string `bun:"position"`
	Grade    string `bun:"grade"`
	Bank     string `bun:"bank_code"`
	Account  string `bun:"account_no"`
	TaxNo    string `bun:"tax_no"`
	EPFNo    string `bun:"epf_no"`
}

// MaskedIC is the MyKad as pages show it: 900101-**-***9.
func (e Employee) MaskedIC() string { return malaysia.MyKad(e.IC).Masked() }

// MaskedAccount shows the last four digits of the bank account only.
func (e Employee) MaskedAccount() string {
	if len(e.Account) <= 4 {
		return e.Account
	}
	return strings.Repeat("*", len(e.Account)-4) + e.Account[len(e.Account)-4:]
}

// Item is one pay item of a slip.
type Item struct {
	Code      string `bun:"item_code"`
	Kind      Kind   `bun:"kind"`
	Name      string `bun:"name"`
	AmountSen int64  `bun:"amount_sen"`
}

// Slip is one month's pay slip of the viewer.
type Slip struct {
	ID         int64
	Month      string
	Employee   Employee
	Items      []Item
	Totals     Totals
	YearToDate Totals // the published months of the year up to this one
	// Reference identifies the document: SG-<month>-<slip number>.
	Reference string
}

// ItemsOf returns the items of kind k, in file order.
func (s *Slip) ItemsOf(k Kind) []Item {
	var out []Item
	for _, it := range s.Items {
		if it.Kind == k {
			out = append(out, it)
		}
	}
	return out
}

// visible is the condition on payroll_months m under which its slips show:
// published, its date come, within retention.
func (s *Service) visible(q string) (string, []any) {
	cond := "m.state = ? AND (m.visible_from IS NULL OR m.visible_from <= ?)"
	args := []any{StatePublished, s.now()}
	if s.opts.RetentionMonths > 0 {
		cond += " AND m.month >= ?"
		args = append(args, addMonths(monthOf(s.now()), 1-s.opts.RetentionMonths))
	}
	return strings.ReplaceAll(q, "{visible}", cond), args
}

// Months returns the viewer's visible months, newest first; year 0 for all
// years. Audited: the list shows the viewer's pay.
func (s *Service) Months(ctx context.Context, viewer *store.User, year int) ([]Summary, error) {
	if err := employee(viewer); err != nil {
		return nil, err
	}
	q, args := s.visible(`SELECT p.month, p.gross_sen, p.deductions_sen, p.net_sen
		FROM payslips p JOIN payroll_months m ON m.month = p.month
		WHERE p.ic_number = ? AND {visible}`)
	args = append([]any{viewer.Login}, args...)
	if year > 0 {
		q += " AND p.month LIKE ?"
		args = append(args, strconv.Itoa(year)+"-%")
	}
	var rows []struct {
		Month         string `bun:"month"`
		GrossSen      int64  `bun:"gross_sen"`
		DeductionsSen int64  `bun:"deductions_sen"`
		NetSen        int64  `bun:"net_sen"`
	}
	if err := s.db.ReadIDB().NewRaw(q+" ORDER BY p.month DESC", args...).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("list payslips: %w", err)
	}
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = Summary{Month: r.Month, GrossSen: r.GrossSen, DeductionsSen: r.DeductionsSen, NetSen: r.NetSen}
	}
	if err := s.audit(ctx, viewer, "payslip.list", "", map[string]any{"year": year, "months": len(out)}); err != nil {
		return nil, err
	}
	return out, nil
}

// Slip returns the viewer's slip of month with its year-to-date totals, and
// audits the viewing. A month not visible to the viewer is ErrNotFound.
func (s *Service) Slip(ctx context.Context, viewer *store.User, month string) (*Slip, error) {
	sl, err := s.slip(ctx, viewer, month)
	if err != nil {
		return nil, err
	}
	if err := s.audit(ctx, viewer, "payslip.view", month, nil); err != nil {
		return nil, err
	}
	return sl, nil
}

func (s *Service) slip(ctx context.Context, viewer *store.User, month string) (*Slip, error) {
	if err := employee(viewer); err != nil {
		return nil, err
	}
	m, err := ParseMonth(month)
	if err != nil {
		return nil, ErrNotFound
	}
	type row struct {
		ID int64 `bun:"id"`
		Employee
		Totals
		YGross      int64  `bun:"y_gross"`
		YDeductions int64  `bun:"y_deductions"`
		YNet        int64  `bun:"y_net"`
		YEmployer   int64  `bun:"y_employer"`
		ItemCode    string `bun:"item_code"`
		Kind        Kind   `bun:"kind"`
		ItemName    string `bun:"item_name"`
		AmountSen   int64  `bun:"amount_sen"`
	}
	// The slip, its items (one row each) and the year's sums up to it in
	// one statement, one round trip: the year to date counts the months the
	// viewer may see, this one included.
	q, args := s.visible(`SELECT p.id, p.name, p.ic_number, p.salary_no, p.ptj_code, COALESCE(t.name, '') AS ptj_name,
			p.position, p.grade, p.bank_code, p.account_no, p.tax_no, p.epf_no,
			p.gross_sen, p.deductions_sen, p.net_sen, p.employer_sen,
			y.gross_sen AS y_gross, y.deductions_sen AS y_deductions, y.net_sen AS y_net, y.employer_sen AS y_employer,
			i.item_code, i.kind, i.name AS item_name, i.amount_sen
		FROM payslips p
		JOIN payroll_months m ON m.month = p.month
		JOIN payslip_items i ON i.import_id = p.import_id AND i.slip_no = p.slip_no
		LEFT JOIN ptj t ON t.code = p.ptj_code
		CROSS JOIN (SELECT COALESCE(SUM(p2.gross_sen), 0) AS gross_sen, COALESCE(SUM(p2.deductions_sen), 0) AS deductions_sen,
				COALESCE(SUM(p2.net_sen), 0) AS net_sen, COALESCE(SUM(p2.employer_sen), 0) AS employer_sen
			FROM payslips p2 JOIN payroll_months m ON m.month = p2.month
			WHERE p2.ic_number = ? AND p2.month >= ? AND p2.month <= ? AND {visible}) y
		WHERE p.ic_number = ? AND p.month = ? AND {visible}
		ORDER BY i.line_no`)
	// {visible} appears twice: its arguments go in twice, in order.
	all := []any{viewer.Login, m[:4] + "-01", m}
	all = append(all, args...)
	all = append(all, viewer.Login, m)
	all = append(all, args...)
	var rows []row
	if err := s.db.ReadIDB().NewRaw(q, all...).Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read payslip: %w", err)
	}
	if len(rows) == 0 {
		return nil, ErrNotFound
	}
	r := rows[0]
	sl := &Slip{ID: r.ID, Month: m, Employee: r.Employee, Totals: r.Totals, YearToDate: Totals{r.YGross, r.YDeductions, r.YNet, r.YEmployer},
		Reference: fmt.Sprintf("SG-%s-%07d", m, r.ID), Items: make([]Item, len(rows))}
	for i, r := range rows {
		sl.Items[i] = Item{Code: r.ItemCode, Kind: r.Kind, Name: r.ItemName, AmountSen: r.AmountSen}
	}
	return sl, nil
}

// audit records that viewer saw (action) their own pay of month.
func (s *Service) audit(ctx context.Context, viewer *store.User, action, month string, detail any) error {
	return s.db.Tx(ctx, func(tx store.Conn) error {
		return tx.Audit(ctx, actorOf(viewer), action, "payslip", month, detail)
	})
}
