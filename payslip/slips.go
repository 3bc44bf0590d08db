package payslip

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

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

// visibleMonths returns the months employees may see now, oldest first:
// published, their visible_from come, within retention. The published
// months (a few dozen rows) are read at most once a second and whenever
// this process imported or published; the dates are compared with the
// clock on every call, so that a month appears at its visible_from to the
// second. Another instance sees a publication within a second.
func (s *Service) visibleMonths(ctx context.Context) ([]string, error) {
	s.published.mu.Lock()
	defer s.published.mu.Unlock()
	if s.published.read.IsZero() || time.Since(s.published.read) > time.Second {
		var list []publishedMonth
		if err := s.db.ReadIDB().NewRaw("SELECT month, visible_from FROM payroll_months WHERE state = ? ORDER BY month",
			StatePublished).Scan(ctx, &list); err != nil {
			return nil, fmt.Errorf("read published months: %w", err)
		}
		s.published.list, s.published.read = list, time.Now()
	}
	now := s.now()
	oldest := ""
	if s.opts.RetentionMonths > 0 {
		oldest = addMonths(monthOf(now), 1-s.opts.RetentionMonths)
	}
	out := make([]string, 0, len(s.published.list))
	for _, m := range s.published.list {
		if m.Month >= oldest && (m.VisibleFrom == nil || !m.VisibleFrom.After(now)) {
			out = append(out, m.Month)
		}
	}
	return out, nil
}

// forget drops the cached published months: this process changed them.
func (s *Service) forget() {
	s.published.mu.Lock()
	s.published.read = time.Time{}
	s.published.mu.Unlock()
}

// publishedMonth is a published month and the time it shows from.
type publishedMonth struct {
	Month       string     `bun:"month"`
	VisibleFrom *time.Time `bun:"visible_from"`
}

// Months returns the viewer's visible months, newest first; year 0 for all
// years. Audited: the list shows the viewer's pay.
func (s *Service) Months(ctx context.Context, viewer *store.User, year int) ([]Summary, error) {
	if err := employee(viewer); err != nil {
		return nil, err
	}
	visible, err := s.visibleMonths(ctx)
	if err != nil {
		return nil, err
	}
	if year > 0 {
		prefix := strconv.Itoa(year) + "-"
		kept := visible[:0:0]
		for _, m := range visible {
			if strings.HasPrefix(m, prefix) {
				kept = append(kept, m)
			}
		}
		visible = kept
	}
	var rows []struct {
		Month         string `bun:"month"`
		GrossSen      int64  `bun:"gross_sen"`
		DeductionsSen int64  `bun:"deductions_sen"`
		NetSen        int64  `bun:"net_sen"`
	}
	if len(visible) > 0 {
		if err := s.db.ReadIDB().NewRaw(`SELECT month, gross_sen, deductions_sen, net_sen FROM payslips
			WHERE ic_number = ? AND month IN (?) ORDER BY month DESC`, viewer.Login, bun.In(visible)).Scan(ctx, &rows); err != nil {
			return nil, fmt.Errorf("list payslips: %w", err)
		}
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
	visible, err := s.visibleMonths(ctx)
	if err != nil {
		return nil, err
	}
	// The year to date: the visible months of the year up to this one.
	var ytd []string
	for _, v := range visible {
		if v[:4] == m[:4] && v <= m {
			ytd = append(ytd, v)
		}
	}
	if len(ytd) == 0 || ytd[len(ytd)-1] != m {
		return nil, ErrNotFound // not published, not yet visible, or past retention
	}
	// The slip, its items (one row each) and the year's sums in one
	// statement, one round trip.
	q := `SELECT p.id, p.name, p.ic_number, p.salary_no, p.ptj_code, COALESCE(t.name, '') AS ptj_name,
			p.position, p.grade, p.bank_code, p.account_no, p.tax_no, p.epf_no,
			p.gross_sen, p.deductions_sen, p.net_sen, p.employer_sen,
			y.gross_sen AS y_gross, y.deductions_sen AS y_deductions, y.net_sen AS y_net, y.employer_sen AS y_employer,
			i.item_code, i.kind, i.name AS item_name, i.amount_sen
		FROM payslips p
		JOIN payslip_items i ON i.import_id = p.import_id AND i.slip_no = p.slip_no
		LEFT JOIN ptj t ON t.code = p.ptj_code
		CROSS JOIN (SELECT COALESCE(SUM(gross_sen), 0) AS gross_sen, COALESCE(SUM(deductions_sen), 0) AS deductions_sen,
				COALESCE(SUM(net_sen), 0) AS net_sen, COALESCE(SUM(employer_sen), 0) AS employer_sen
			FROM payslips WHERE ic_number = ? AND month IN (?)) y
		WHERE p.ic_number = ? AND p.month = ?
		ORDER BY i.line_no`
	all := []any{viewer.Login, bun.In(ytd), viewer.Login, m}
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

// audit records that viewer saw (action) their own pay of month, and
// returns once the record has committed.
func (s *Service) audit(ctx context.Context, viewer *store.User, action, month string, detail any) error {
	return s.audits.Record(ctx, actorOf(viewer), action, "payslip", month, detail)
}
