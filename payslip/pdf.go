package payslip

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/document"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// pdfLang is the language of the PDF's labels: the slip is an official
// document, in Bahasa Malaysia whatever the page's language.
const pdfLang = i18n.MS

// MaxPDFMonths bounds one download: two years of slips.
const MaxPDFMonths = 24

var errNoMonths = apperr.New(apperr.Invalid, "payslip.error.no_months")
var errTooManyMonths = apperr.New(apperr.Invalid, "payslip.error.too_many_months", "Max", MaxPDFMonths)

// PDF returns the viewer's slips of months as one A4 PDF, oldest month
// first, each starting on its own page with its own reference, protected
// by the password rule of the settings (by default the viewer's MyKad, 12
// digits), and audits the download. A month the viewer cannot see makes
// the whole answer ErrNotFound.
func (s *Service) PDF(ctx context.Context, viewer *store.User, months ...string) ([]byte, error) {
	if err := employee(viewer); err != nil {
		return nil, err
	}
	if len(months) == 0 {
		return nil, errNoMonths
	}
	if len(months) > MaxPDFMonths {
		return nil, errTooManyMonths
	}
	uniq := map[string]bool{}
	var list []string
	for _, m := range months {
		if !uniq[m] {
			uniq[m] = true
			list = append(list, m)
		}
	}
	sort.Strings(list)
	slips := make([]*Slip, 0, len(list))
	for _, m := range list {
		sl, err := s.slip(ctx, viewer, m)
		if err != nil {
			return nil, err
		}
		slips = append(slips, sl)
	}
	now := s.now()
	out, err := s.render(slips, now)
	if err != nil {
		return nil, fmt.Errorf("payslip pdf: %w", err)
	}
	if s.opts.PDFPassword == PasswordMyKad {
		if out, err = document.Encrypt(out, viewer.Login); err != nil {
			return nil, fmt.Errorf("payslip pdf: %w", err)
		}
	}
	refs := make([]string, len(slips))
	for i, sl := range slips {
		refs[i] = sl.Reference
	}
	if err := s.audit(ctx, viewer, "payslip.download", strings.Join(list, ","), map[string]any{"references": refs}); err != nil {
		return nil, err
	}
	return out, nil
}

// render lays the slips out, one after another.
func (s *Service) render(slips []*Slip, generated time.Time) ([]byte, error) {
	t := func(key string, args ...any) string { return i18n.T(pdfLang, key, args...) }
	first := slips[0]
	title := t("payslip.pdf.title") + " " + MonthLabel(first.Month, pdfLang)
	if len(slips) > 1 {
		title += " – " + MonthLabel(slips[len(slips)-1].Month, pdfLang)
	}
	d := document.New(document.Meta{Title: title, Author: s.opts.Treasury, Subject: t("payslip.pdf.title"),
		Creator: "iSPEKS", Language: "ms-MY", Created: generated})
	d.SetHeader(document.Header{
		Lines: []string{strings.ToUpper(s.opts.Treasury), t("payslip.pdf.system"), t("payslip.pdf.kind")},
		Mark:  t("payslip.pdf.mark"),
	})
	page := func(p, total int) string { return t("payslip.pdf.page", "Page", p, "Pages", total) }
	amount := []document.Column{
		{Header: t("payslip.item.code"), Width: 1.2},
		{Header: t("payslip.item.name"), Width: 5},
		{Header: "RM", Width: 1.9, Align: document.AlignRight},
	}
	rows := func(items []Item) [][]string {
		out := make([][]string, len(items))
		for i, it := range items {
			out[i] = []string{it.Code, it.Name, malaysia.FormatSen(it.AmountSen)}
		}
		return out
	}
	for _, sl := range slips {
		e := sl.Employee
		d.SetFooter(document.Footer{
			Text:      t("payslip.pdf.footer", "When", malaysia.DateTime(generated), "Ref", sl.Reference),
			PageLabel: page,
		})
		d.AddPage()
		d.Title(t("payslip.pdf.title"), t("payslip.pdf.month", "Month", MonthLabel(sl.Month, pdfLang)))
		d.Section(t("payslip.section.employee"))
		d.Fields(2, []document.Field{
			{Label: t("payslip.field.name"), Value: e.Name},
			{Label: t("payslip.field.ic"), Value: e.MaskedIC()},
			{Label: t("payslip.field.salary_no"), Value: e.SalaryNo},
			{Label: t("payslip.field.ptj"), Value: strings.TrimSpace(e.PTJCode + " " + e.PTJName)},
			{Label: t("payslip.field.position"), Value: e.Position},
			{Label: t("payslip.field.grade"), Value: e.Grade},
			{Label: t("payslip.field.bank"), Value: strings.TrimSpace(e.Bank + " " + e.MaskedAccount())},
			{Label: t("payslip.field.tax_no"), Value: e.TaxNo},
			{Label: t("payslip.field.epf_no"), Value: e.EPFNo},
		})
		d.Panels(
			document.Panel{Title: t("payslip.section.earnings"), Cols: amount, Rows: rows(sl.ItemsOf(Earning)),
				Totals: [][]string{{"", t("payslip.total.gross"), malaysia.FormatSen(sl.Totals.GrossSen)}}},
			document.Panel{Title: t("payslip.section.deductions"), Cols: amount, Rows: rows(sl.ItemsOf(Deduction)),
				Totals: [][]string{{"", t("payslip.total.deductions"), malaysia.FormatSen(sl.Totals.DeductionsSen)}}},
		)
		d.Panels(
			document.Panel{Title: t("payslip.section.employer"), Cols: amount, Rows: rows(sl.ItemsOf(Employer)),
				Totals: [][]string{{"", t("payslip.total.employer"), malaysia.FormatSen(sl.Totals.EmployerSen)}}},
			document.Panel{Title: t("payslip.section.summary"), Cols: []document.Column{
				{Header: t("payslip.summary.item"), Width: 3},
				{Header: "RM", Width: 1.5, Align: document.AlignRight},
			}, Rows: [][]string{
				{t("payslip.total.gross"), malaysia.FormatSen(sl.Totals.GrossSen)},
				{t("payslip.total.deductions"), malaysia.FormatSen(sl.Totals.DeductionsSen)},
			}, Totals: [][]string{{t("payslip.total.net"), malaysia.FormatSen(sl.Totals.NetSen)}}},
		)
		y := sl.YearToDate
		d.Section(t("payslip.section.ytd", "Month", MonthLabel(sl.Month, pdfLang)))
		d.Table([]document.Column{
			{Header: t("payslip.summary.item"), Width: 3},
			{Header: "RM", Width: 1, Align: document.AlignRight},
			{Header: t("payslip.summary.item"), Width: 3},
			{Header: "RM", Width: 1, Align: document.AlignRight},
		}, [][]string{
			{t("payslip.total.gross"), malaysia.FormatSen(y.GrossSen), t("payslip.total.deductions"), malaysia.FormatSen(y.DeductionsSen)},
			{t("payslip.total.net"), malaysia.FormatSen(y.NetSen), t("payslip.total.employer"), malaysia.FormatSen(y.EmployerSen)},
		})
		d.Note(t("payslip.pdf.note"))
	}
	return d.Bytes()
}
