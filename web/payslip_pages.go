package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
)

// The employee's ePayslip pages: their months (newest first, a year
// filter, a selection downloaded as one PDF), one month's slip, and its
// PDF. The module answers only the viewer's own slips.

var errNoPayslip = apperr.New(apperr.NotFound, "payslip.error.not_found")

// rm is an amount as pages show it: "RM 3,120.55".
func rm(sen int64) string {
	if sen < 0 {
		return "-RM " + malaysia.FormatSen(-sen)
	}
	return "RM " + malaysia.FormatSen(sen)
}

type payslipRow struct {
	Month, Label           string
	Gross, Deductions, Net string
}

type payslipListData struct {
	Years []int
	Year  int
	Rows  []payslipRow
	Rule  string
}

// payslipList is /epayslip: the viewer's visible months, all of them or
// one year's.
func (s *Server) payslipList(c *gin.Context) {
	all, err := s.slips.Months(c.Request.Context(), currentUser(c), 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	l := lang(c)
	year, _ := strconv.Atoi(c.Query("year"))
	d := payslipListData{Year: year, Rule: payslip.RuleText(s.slips.PasswordRule(), l)}
	seen := map[int]bool{}
	for _, m := range all {
		y, _ := strconv.Atoi(m.Month[:4])
		if !seen[y] {
			seen[y] = true
			d.Years = append(d.Years, y)
		}
		if year != 0 && y != year {
			continue
		}
		d.Rows = append(d.Rows, payslipRow{Month: m.Month, Label: payslip.MonthLabel(m.Month, l),
			Gross: rm(m.GrossSen), Deductions: rm(m.DeductionsSen), Net: rm(m.NetSen)})
	}
	sort.Sort(sort.Reverse(sort.IntSlice(d.Years)))
	s.render(c, http.StatusOK, "epayslip", d)
}

type slipLine struct{ Code, Name, Amount string }

// slipPanel is one table of a slip: its items and their total.
type slipPanel struct {
	Title, Total, Sum string
	Rows              []slipLine
}

type slipData struct {
	Month, Label, Reference        string
	Employee                       payslip.Employee
	EarnPanel, DedPanel, EmplPanel slipPanel
	Gross, DeductionsTotal, Net    string
	YTDGross, YTDDeductions        string
	YTDNet, YTDEmployer            string
	Rule                           string
}

// payslipPage is one month's slip of the viewer.
func (s *Server) payslipPage(c *gin.Context) {
	sl, err := s.slips.Slip(c.Request.Context(), currentUser(c), c.Param("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	l := lang(c)
	lines := func(items []payslip.Item) []slipLine {
		out := make([]slipLine, len(items))
		for i, it := range items {
			out[i] = slipLine{Code: it.Code, Name: it.Name, Amount: rm(it.AmountSen)}
		}
		return out
	}
	d := slipData{Month: sl.Month, Label: payslip.MonthLabel(sl.Month, l), Reference: sl.Reference, Employee: sl.Employee,
		EarnPanel: slipPanel{Title: tr(c, "payslip.section.earnings"), Total: tr(c, "payslip.total.gross"),
			Sum: rm(sl.Totals.GrossSen), Rows: lines(sl.ItemsOf(payslip.Earning))},
		DedPanel: slipPanel{Title: tr(c, "payslip.section.deductions"), Total: tr(c, "payslip.total.deductions"),
			Sum: rm(sl.Totals.DeductionsSen), Rows: lines(sl.ItemsOf(payslip.Deduction))},
		EmplPanel: slipPanel{Title: tr(c, "payslip.section.employer"), Total: tr(c, "payslip.total.employer"),
			Sum: rm(sl.Totals.EmployerSen), Rows: lines(sl.ItemsOf(payslip.Employer))},
		Gross: rm(sl.Totals.GrossSen), DeductionsTotal: rm(sl.Totals.DeductionsSen), Net: rm(sl.Totals.NetSen),
		YTDGross: rm(sl.YearToDate.GrossSen), YTDDeductions: rm(sl.YearToDate.DeductionsSen),
		YTDNet: rm(sl.YearToDate.NetSen), YTDEmployer: rm(sl.YearToDate.EmployerSen),
		Rule: payslip.RuleText(s.slips.PasswordRule(), l)}
	s.render(c, http.StatusOK, "payslip", d)
}

// payslipPDF downloads one month's slip as a PDF.
func (s *Server) payslipPDF(c *gin.Context) {
	s.sendPDF(c, []string{c.Param("month")}, "slip-gaji-"+c.Param("month"))
}

// payslipPDFSelection downloads several months as one PDF: the months
// ticked on the list (?month=…&month=…) or a whole year (?year=2026).
func (s *Server) payslipPDFSelection(c *gin.Context) {
	months := c.QueryArray("month")
	name := "slip-gaji"
	if y, err := strconv.Atoi(c.Query("year")); err == nil && len(months) == 0 {
		list, err := s.slips.Months(c.Request.Context(), currentUser(c), y)
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, m := range list {
			months = append(months, m.Month)
		}
		if len(months) == 0 {
			s.fail(c, errNoPayslip)
			return
		}
		name += "-" + strconv.Itoa(y)
	} else if len(months) == 1 {
		name += "-" + months[0]
	}
	s.sendPDF(c, months, name)
}

func (s *Server) sendPDF(c *gin.Context, months []string, name string) {
	pdf, err := s.slips.PDF(c.Request.Context(), currentUser(c), months...)
	if err != nil {
		s.fail(c, err)
		return
	}
	sendPDFBytes(c, pdf, name)
}

// sendPDFBytes answers a PDF download named name.pdf, never cached.
func sendPDFBytes(c *gin.Context, pdf []byte, name string) {
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="`+strings.Map(safeFileRune, name)+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", pdf)
}

// safeFileRune keeps a download's name to letters, digits and dashes.
func safeFileRune(r rune) rune {
	if r == '-' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' {
		return r
	}
	return '_'
}
