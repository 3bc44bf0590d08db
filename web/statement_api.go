package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
)

// The eEC API: each employee's own Borang EC, and publication of a year
// for sysadmins.

// apiStatementList is the caller's years with a published statement,
// newest first.
func (s *Server) apiStatementList(c *gin.Context) {
	list, err := s.ec.Years(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]gin.H, len(list))
	for i, y := range list {
		items[i] = gin.H{"year": y.Year}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

type apiECLine struct {
	Section   string `json:"section"`
	Code      string `json:"code"`
	Label     string `json:"label"`
	AmountSen int64  `json:"amount_sen"`
}

// apiStatementGet is the caller's Borang EC of a year: section A as
// "employee", every line of B to F (zero ones too, as the form prints
// them) and each section's total in sen.
func (s *Server) apiStatementGet(c *gin.Context) {
	st, err := s.ec.Statement(c.Request.Context(), currentUser(c), c.Param("year"))
	if err != nil {
		s.fail(c, err)
		return
	}
	lines := make([]apiECLine, 0, len(statement.Lines))
	totals := gin.H{}
	for _, sec := range statement.Sections {
		for _, ln := range statement.LinesOf(sec) {
			lines = append(lines, apiECLine{Section: sec, Code: string(ln), Label: tr(c, ln.LabelKey()), AmountSen: st.Amount(ln)})
		}
		totals[sec] = st.Total(sec)
	}
	employee := employeeJSON(st.Employee)
	employee["start_date"], employee["end_date"] = st.StartDate(), st.EndDate()
	c.JSON(http.StatusOK, gin.H{
		"year":        st.Year,
		"employee":    employee,
		"lines":       lines,
		"totals":      totals,
		"serial":      st.Serial(),
		"version":     st.Version,
		"employer_no": st.EmployerNo,
	})
}

// apiStatementPDF is the caller's Borang EC of a year as a protected PDF.
func (s *Server) apiStatementPDF(c *gin.Context) { s.ecPDF(c) }

// apiStatementPublish publishes a year (regenerating it first); 409 with
// the unmapped item codes while there are any, nothing published.
func (s *Server) apiStatementPublish(c *gin.Context) {
	u := currentUser(c)
	res, err := s.ec.Publish(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, c.Param("year"))
	s.metrics.job("ec_publish", err)
	var unmapped *statement.UnmappedError
	if errors.As(err, &unmapped) {
		ae := apperr.As(err)
		codes := make([]gin.H, len(unmapped.Codes))
		for i, pc := range unmapped.Codes {
			codes[i] = gin.H{"item_code": pc.Code, "name": pc.Name, "employees": pc.Employees, "amount_sen": pc.AmountSen}
		}
		c.JSON(http.StatusConflict, gin.H{"error": gin.H{"code": ae.Code, "message": ae.Message(lang(c))}, "unmapped": codes})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if res.Mailed > 0 {
		s.wakeMail()
	}
	c.JSON(http.StatusOK, gin.H{"year": res.Year, "state": statement.StatePublished, "months": res.Months,
		"statements": res.Statements, "new": res.New, "changed": res.Changed, "removed": res.Removed,
		"mailed": res.Mailed})
}
