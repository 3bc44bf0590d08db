package statement

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/document"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

// pdfLang is the language of the PDF: the Borang EC is an official form,
// in Bahasa Malaysia whatever the page's language.
const pdfLang = i18n.MS

// PDF returns the viewer's statement of year as an A4 PDF laid out as the
// Borang EC (its section letters, numbering and wording), protected by the
// pay slips' password rule (by default the viewer's MyKad, 12 digits), and
// audits the download. A year the viewer cannot see is ErrNotFound.
func (s *Service) PDF(ctx context.Context, viewer *store.User, year string) ([]byte, error) {
	st, err := s.statement(ctx, viewer, year)
	if err != nil {
		return nil, err
	}
	out, err := s.render(st, s.now())
	if err != nil {
		return nil, fmt.Errorf("statement pdf: %w", err)
	}
	if s.opts.PDFPassword == payslip.PasswordMyKad {
		if out, err = document.Encrypt(out, viewer.Login); err != nil {
			return nil, fmt.Errorf("statement pdf: %w", err)
		}
	}
	if err := s.audit(ctx, viewer, "ec.download", st.Serial(), map[string]any{"year": st.Year, "version": st.Version}); err != nil {
		return nil, err
	}
	return out, nil
}

// dash stands for a field the form has and the payroll does not fill.
const dash = "—"

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return dash
	}
	return s
}

// render lays the statement out as the printed form.
func (s *Service) render(st *Statement, generated time.Time) ([]byte, error) {
	t := func(key string, args ...any) string { return i18n.T(pdfLang, key, args...) }
	year := strconv.Itoa(st.Year)
	d := document.New(document.Meta{Title: t("statement.pdf.title") + " " + year, Author: s.opts.Treasury,
		Subject: t("statement.form"), Creator: "iSPEKS", Language: "ms-MY", Created: generated})
	d.SetHeader(document.Header{
		Lines: []string{strings.ToUpper(s.opts.Treasury), t("statement.pdf.system")},
		Mark:  t("statement.pdf.mark"),
	})
	d.SetFooter(document.Footer{
		Text:      t("statement.pdf.footer", "When", malaysia.DateTime(generated), "Serial", st.Serial(), "Version", st.Version),
		PageLabel: func(p, total int) string { return t("statement.pdf.page", "Page", p, "Pages", total) },
	})
	d.AddPage()
	d.Title(t("statement.pdf.title"), t("statement.period", "Year", year), t("statement.form")+" · "+t("statement.pdf.law"))
	e := st.Employee
	d.Fields(2, []document.Field{
		{Label: t("statement.field.serial"), Value: st.Serial()},
		{Label: t("statement.field.employer_no"), Value: st.EmployerNo},
		{Label: t("statement.field.tax_no"), Value: orDash(e.TaxNo)},
		{Label: t("statement.field.branch"), Value: dash},
	})
	d.Section(t("statement.section.a"))
	a := []document.Field{
		{Label: t("statement.field.name"), Value: e.Name},
		{Label: t("statement.field.position"), Value: strings.TrimSpace(e.Position + " " + e.Grade)},
		{Label: t("statement.field.salary_no"), Value: e.SalaryNo},
		{Label: t("statement.field.ic"), Value: e.MaskedIC()},
		{Label: t("statement.field.epf_no"), Value: orDash(e.EPFNo)},
		{Label: t("statement.field.ptj"), Value: strings.TrimSpace(e.PTJCode + " " + e.PTJName)},
	}
	if st.StartMonth != "" || st.EndMonth != "" {
		a = append(a, document.Field{Label: t("statement.field.start"), Value: orDash(st.StartDate())},
			document.Field{Label: t("statement.field.end"), Value: orDash(st.EndDate())})
	}
	d.Fields(2, a)
	cols := []document.Column{
		{Header: t("statement.col.no"), Width: 0.8},
		{Header: t("statement.col.item"), Width: 6},
		{Header: "RM", Width: 1.6, Align: document.AlignRight},
	}
	panel := func(sec string) document.Panel {
		var rows [][]string
		for _, l := range LinesOf(sec) {
			rows = append(rows, []string{l.Number(), t(l.LabelKey()), malaysia.FormatSen(st.Amount(l))})
		}
		return document.Panel{Title: t("statement.section." + strings.ToLower(sec)), Cols: cols, Rows: rows,
			Totals: [][]string{{"", t("statement.total." + strings.ToLower(sec)), malaysia.FormatSen(st.Total(sec))}}}
	}
	// B across the page; the short sections two by two, so that the form
	// stays on one A4 sheet as the printed one does.
	d.Panels(panel("B"))
	d.Panels(panel("C"), panel("D"))
	d.Panels(panel("E"), panel("F"))
	return d.Bytes()
}
