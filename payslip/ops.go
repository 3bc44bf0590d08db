package payslip

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// What the operators (sysadmins, treasury approvers, auditors) see: the
// months and imports, that a person's slip exists, and totals per PTJ —
// never one person's amounts.

// MonthInfo is one pay month as the operators see it.
type MonthInfo struct {
	Month       string     `bun:"month"`
	State       string     `bun:"state"`
	ImportID    int64      `bun:"import_id"`
	Employees   int        `bun:"employees"`
	VisibleFrom *time.Time `bun:"visible_from"`
	PublishedAt *time.Time `bun:"published_at"`
	PublishedBy string     `bun:"published_by"`
}

// Published reports whether the month was published (it may still wait
// for its visible_from).
func (m MonthInfo) Published() bool { return m.State == StatePublished }

// Importing reports whether the month's import is still being saved: its
// slips so far are there, and it cannot be published yet.
func (m MonthInfo) Importing() bool { return m.State == StateImporting }

// PayrollMonths returns the pay months, newest first, one page at a time.
func (s *Service) PayrollMonths(ctx context.Context, page store.Page) ([]MonthInfo, int64, error) {
	var total int64
	if err := s.db.ReadIDB().NewRaw("SELECT COUNT(*) FROM payroll_months").Scan(ctx, &total); err != nil {
		return nil, 0, fmt.Errorf("list pay months: %w", err)
	}
	var list []MonthInfo
	if err := s.db.ReadIDB().NewRaw(`SELECT month, state, import_id, employees, visible_from, published_at, published_by
		FROM payroll_months ORDER BY month DESC LIMIT ? OFFSET ?`, page.Limit(), page.Offset()).Scan(ctx, &list); err != nil {
		return nil, 0, fmt.Errorf("list pay months: %w", err)
	}
	return list, total, nil
}

// PayrollMonth returns one pay month, or a NotFound error.
func (s *Service) PayrollMonth(ctx context.Context, month string) (*MonthInfo, error) {
	m, err := ParseMonth(month)
	if err != nil {
		return nil, errMonthNotImported
	}
	var mi MonthInfo
	err = s.db.ReadIDB().NewRaw(`SELECT month, state, import_id, employees, visible_from, published_at, published_by
		FROM payroll_months WHERE month = ?`, m).Scan(ctx, &mi)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errMonthNotImported
	}
	if err != nil {
		return nil, fmt.Errorf("read pay month: %w", err)
	}
	return &mi, nil
}

// PTJTotal is the sum of one PTJ's slips in a month.
type PTJTotal struct {
	PTJCode string `bun:"ptj_code"`
	PTJName string `bun:"ptj_name"`
	Slips   int    `bun:"slips"`
	Totals
}

// MonthTotals returns a month's totals per PTJ, by code.
func (s *Service) MonthTotals(ctx context.Context, month string) ([]PTJTotal, error) {
	var list []PTJTotal
	err := s.db.ReadIDB().NewRaw(`SELECT p.ptj_code, COALESCE(MIN(t.name), '') AS ptj_name, COUNT(*) AS slips,
			SUM(p.gross_sen) AS gross_sen, SUM(p.deductions_sen) AS deductions_sen, SUM(p.net_sen) AS net_sen, SUM(p.employer_sen) AS employer_sen
		FROM payslips p LEFT JOIN ptj t ON t.code = p.ptj_code
		WHERE p.month = ? GROUP BY p.ptj_code ORDER BY p.ptj_code`, month).Scan(ctx, &list)
	if err != nil {
		return nil, fmt.Errorf("totals per PTJ: %w", err)
	}
	return list, nil
}

// SlipEntry says that a person has a slip in a month: who, never how much.
type SlipEntry struct {
	Month    string `bun:"month"`
	IC       string `bun:"ic_number"`
	Name     string `bun:"name"`
	SalaryNo string `bun:"salary_no"`
	PTJCode  string `bun:"ptj_code"`
}

// MaskedIC is the MyKad as lists show it.
func (e SlipEntry) MaskedIC() string { return malaysia.MyKad(e.IC).Masked() }

// SlipFilter narrows the operators' list of slips.
type SlipFilter struct {
	Month string // "" for every month
	Q     string // a MyKad (12 digits), a salary number or part of a name
	PTJ   string
}

// FindSlips lists the slips matching f, by month (newest first) and name,
// one page at a time: that they exist, for answering "my slip is missing".
// The total is counted up to store.CountLimit, as every list counts.
func (s *Service) FindSlips(ctx context.Context, f SlipFilter, page store.Page) ([]SlipEntry, store.Total, error) {
	where := []string{"1 = 1"}
	var args []any
	if f.Month != "" {
		where, args = append(where, "month = ?"), append(args, f.Month)
	}
	if f.PTJ != "" {
		where, args = append(where, "ptj_code = ?"), append(args, f.PTJ)
	}
	if cond, a := PersonFilter(f.Q); cond != "" {
		where, args = append(where, cond), append(args, a...)
	}
	cond := strings.Join(where, " AND ")
	var n int64
	if err := s.db.ReadIDB().NewRaw("SELECT COUNT(*) FROM (SELECT 1 FROM payslips WHERE "+cond+" LIMIT ?) t",
		append(args, store.CountLimit+1)...).Scan(ctx, &n); err != nil {
		return nil, store.Total{}, fmt.Errorf("find slips: %w", err)
	}
	total := store.CountedTotal(n)
	var list []SlipEntry
	err := s.db.ReadIDB().NewRaw("SELECT month, ic_number, name, salary_no, ptj_code FROM payslips WHERE "+cond+
		" ORDER BY month DESC, name, ic_number LIMIT ? OFFSET ?", append(args, page.Limit(), page.Offset())...).Scan(ctx, &list)
	if err != nil {
		return nil, store.Total{}, fmt.Errorf("find slips: %w", err)
	}
	return list, total, nil
}

// PersonFilter is the condition (on columns ic_number, name and salary_no)
// of the operators' search for one person in a list of slips or
// statements: a MyKad (12 digits, separators allowed) matches it whole,
// anything else part of the name or the whole salary number. It is "" for
// a blank q.
func PersonFilter(q string) (string, []any) {
	q = strings.TrimSpace(q)
	if q == "" {
		return "", nil
	}
	if d := malaysia.StripSeparators(q); len(d) == 12 && malaysia.AllDigits(d) {
		return "ic_number = ?", []any{d}
	}
	// The database puts the pattern in capitals as it does the names: on a
	// PostgreSQL without a locale it leaves a letter beyond ASCII as it is.
	return `(UPPER(name) LIKE UPPER(?) ESCAPE '\' OR salary_no = ?)`, []any{"%" + store.EscapeLike(q) + "%", strings.ToUpper(q)}
}

// ImportRecord is one past import.
type ImportRecord struct {
	ID        int64     `bun:"id"`
	FileName  string    `bun:"file_name"`
	SHA256    string    `bun:"sha256"`
	Lines     int       `bun:"lines"`
	Employees int       `bun:"employees"`
	Slips     int       `bun:"slips"`
	Months    string    `bun:"months"`
	Replaced  string    `bun:"replaced"`
	ByLogin   string    `bun:"by_login"`
	At        time.Time `bun:"at"`
	Stored    string    `bun:"warnings"`
}

// Warnings returns the import's stored warnings.
func (r ImportRecord) Warnings() []Warning {
	var stored []storedWarning
	_ = json.Unmarshal([]byte(r.Stored), &stored)
	out := make([]Warning, len(stored))
	for i, w := range stored {
		out[i] = Warning{Line: w.Line, Text: i18n.Of(w.Key, w.Args...)}
	}
	return out
}

const importColumns = "id, file_name, sha256, lines, employees, slips, months, replaced, by_login, at, warnings"

// Imports returns the imports, newest first, one page at a time.
func (s *Service) Imports(ctx context.Context, page store.Page) ([]ImportRecord, int64, error) {
	var total int64
	if err := s.db.ReadIDB().NewRaw("SELECT COUNT(*) FROM payroll_imports").Scan(ctx, &total); err != nil {
		return nil, 0, fmt.Errorf("list imports: %w", err)
	}
	var list []ImportRecord
	if err := s.db.ReadIDB().NewRaw("SELECT "+importColumns+" FROM payroll_imports ORDER BY id DESC LIMIT ? OFFSET ?",
		page.Limit(), page.Offset()).Scan(ctx, &list); err != nil {
		return nil, 0, fmt.Errorf("list imports: %w", err)
	}
	return list, total, nil
}

var errImportNotFound = apperr.New(apperr.NotFound, "payslip.error.import_not_found")

// ImportByID returns one import, or a NotFound error.
func (s *Service) ImportByID(ctx context.Context, id int64) (*ImportRecord, error) {
	var r ImportRecord
	err := s.db.ReadIDB().NewRaw("SELECT "+importColumns+" FROM payroll_imports WHERE id = ?", id).Scan(ctx, &r)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errImportNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read import: %w", err)
	}
	return &r, nil
}
