package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/statement"
)

// The employee's eEC pages: their years, one year's Borang EC laid out as
// the form with where each figure goes in e-BE, and its PDF. The module
// answers only the viewer's own statements of published years.

type ecYearRow struct {
	Year            int
	Version         int
	Employment, PCB string
}

type ecListData struct {
	Rows []ecYearRow
	Rule string
}

// ecList is /eec: the viewer's Borang EC, newest year first.
func (s *Server) ecList(c *gin.Context) {
	list, err := s.ec.Years(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	d := ecListData{Rule: statement.RuleText(s.ec.PasswordRule(), lang(c))}
	for _, y := range list {
		d.Rows = append(d.Rows, ecYearRow{Year: y.Year, Version: y.Version, Employment: rm(y.EmploymentSen), PCB: rm(y.PCBSen)})
	}
	s.render(c, http.StatusOK, "eec", d)
}

// ecLine is one line of the form as the page shows it.
type ecLine struct {
	Number, Label, Amount, Filing string
	Empty                         bool
}

// ecSection is one lettered section of the form: its lines and total.
type ecSection struct {
	Letter, Title, TotalLabel, Total string
	Lines                            []ecLine
}

type ecStatementData struct {
	St       *statement.Statement
	Serial   string
	Sections []ecSection
	Rule     string
}

// ecSections lays out st's sections B to F in the request's language, each
// line with its e-BE guidance.
func ecSections(c *gin.Context, st *statement.Statement) []ecSection {
	t := func(key string) string { return tr(c, key) }
	out := make([]ecSection, 0, len(statement.Sections))
	for _, sec := range statement.Sections {
		key := strings.ToLower(sec)
		es := ecSection{Letter: sec, Title: t("statement.section." + key), TotalLabel: t("statement.total." + key), Total: rm(st.Total(sec))}
		for _, ln := range statement.LinesOf(sec) {
			es.Lines = append(es.Lines, ecLine{Number: sec + ln.Number(), Label: t(ln.LabelKey()),
				Amount: rm(st.Amount(ln)), Filing: t(ln.FilingKey()), Empty: st.Amount(ln) == 0})
		}
		out = append(out, es)
	}
	return out
}

// ecPage is the viewer's Borang EC of one year.
func (s *Server) ecPage(c *gin.Context) {
	st, err := s.ec.Statement(c.Request.Context(), currentUser(c), c.Param("year"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d := ecStatementData{St: st, Serial: st.Serial(), Rule: statement.RuleText(s.ec.PasswordRule(), lang(c)), Sections: ecSections(c, st)}
	s.render(c, http.StatusOK, "eec_statement", d)
}

// ecPDF downloads the viewer's Borang EC of one year as a protected PDF.
func (s *Server) ecPDF(c *gin.Context) {
	pdf, err := s.ec.PDF(c.Request.Context(), currentUser(c), c.Param("year"))
	if err != nil {
		s.fail(c, err)
		return
	}
	sendPDFBytes(c, pdf, "borang-ec-"+strconv.Itoa(mustYear(c.Param("year"))))
}

// mustYear is a year already checked by the module.
func mustYear(s string) int {
	y, _ := statement.ParseYear(s)
	return y
}
