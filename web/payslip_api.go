package web

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

// The ePayslip API: the payroll import and publication for sysadmins, and
// each employee's own slips.

type apiWarning struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

type apiLineError struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

// apiPayrollImport imports a payroll file sent as the multipart field
// "file" (replace=true to replace months already imported) and answers
// with what was imported, or 422 with every bad line and nothing imported.
func (s *Server) apiPayrollImport(c *gin.Context) {
	up, err := receiveUpload(c, errNoFile)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer up.file.Close()
	replace := ticked(c.PostForm("replace")) || ticked(c.Query("replace"))
	u := currentUser(c)
	res, err := s.slips.Import(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, up.name, up.file, replace)
	s.metrics.job("payroll_import", err)
	l := lang(c)
	var bad *payslip.BadFile
	if errors.As(err, &bad) {
		ae := apperr.As(err)
		out := make([]apiLineError, len(bad.Errors))
		for i, e := range bad.Errors {
			out[i] = apiLineError{Line: e.Line, Field: e.Field, Message: e.Message(l)}
		}
		c.JSON(http.StatusUnprocessableEntity, gin.H{"error": gin.H{"code": ae.Code, "message": ae.Message(l)},
			"errors": out, "error_count": bad.Count})
		return
	}
	if errors.Is(err, store.ErrUnfinished) {
		// Checked and partly saved: the server finishes it (FinishImports).
		s.log.Error("payroll import stopped midway", "import", res.ID, "error", err)
		c.JSON(http.StatusAccepted, gin.H{"id": res.ID, "state": payslip.StateImporting, "months": res.Months, "lines": res.Lines})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	if res.Mailed > 0 {
		s.wakeMail()
	}
	warnings := make([]apiWarning, len(res.Warnings))
	for i, w := range res.Warnings {
		warnings[i] = apiWarning{Line: w.Line, Message: w.Text.In(l)}
	}
	c.JSON(http.StatusCreated, gin.H{"id": res.ID, "lines": res.Lines, "employees": res.Employees, "slips": res.Slips,
		"months": res.Months, "replaced": nonNil(res.Replaced), "sha256": res.SHA256,
		"warnings": warnings, "warning_count": res.WarningCount})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// apiPayrollPublish publishes a month, optionally from {"visible_from": "YYYY-MM-DD"}.
func (s *Server) apiPayrollPublish(c *gin.Context) {
	var body struct {
		VisibleFrom string `json:"visible_from"`
	}
	if c.Request.ContentLength != 0 {
		if err := c.ShouldBindJSON(&body); err != nil {
			s.fail(c, apperr.New(apperr.Invalid, "error.bad_json"))
			return
		}
	}
	u := currentUser(c)
	res, err := s.slips.Publish(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, c.Param("month"), body.VisibleFrom)
	s.metrics.job("payroll_publish", err)
	if err != nil {
		s.fail(c, err)
		return
	}
	if res.Mailed > 0 {
		s.wakeMail()
	}
	var from any
	if res.VisibleFrom != nil {
		from = malaysia.Day(*res.VisibleFrom)
	}
	c.JSON(http.StatusOK, gin.H{"month": res.Month, "state": payslip.StatePublished, "visible_from": from, "mailed": res.Mailed})
}

type apiSummary struct {
	Month         string `json:"month"`
	GrossSen      int64  `json:"gross_sen"`
	DeductionsSen int64  `json:"deductions_sen"`
	NetSen        int64  `json:"net_sen"`
}

// apiPayslipList is the caller's visible months, newest first.
func (s *Server) apiPayslipList(c *gin.Context) {
	list, err := s.slips.Months(c.Request.Context(), currentUser(c), 0)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]apiSummary, len(list))
	for i, m := range list {
		items[i] = apiSummary{Month: m.Month, GrossSen: m.GrossSen, DeductionsSen: m.DeductionsSen, NetSen: m.NetSen}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

type apiTotals struct {
	GrossSen      int64 `json:"gross_sen"`
	DeductionsSen int64 `json:"deductions_sen"`
	NetSen        int64 `json:"net_sen"`
	EmployerSen   int64 `json:"employer_sen"`
}

func totalsJSON(t payslip.Totals) apiTotals {
	return apiTotals{GrossSen: t.GrossSen, DeductionsSen: t.DeductionsSen, NetSen: t.NetSen, EmployerSen: t.EmployerSen}
}

// employeeJSON is what the API shows of the employee a pay slip or a
// Borang EC is for: who they are and where they work, the MyKad masked.
func employeeJSON(e payslip.Employee) gin.H {
	return gin.H{"name": e.Name, "ic_number": e.MaskedIC(), "salary_no": e.SalaryNo, "ptj_code": e.PTJCode,
		"ptj_name": e.PTJName, "position": e.Position, "tax_no": e.TaxNo, "epf_no": e.EPFNo}
}

type apiItem struct {
	Code      string       `json:"code"`
	Kind      payslip.Kind `json:"kind"`
	Name      string       `json:"name"`
	AmountSen int64        `json:"amount_sen"`
}

// apiPayslipGet is one month's slip of the caller; another person's month
// does not exist for them (404).
func (s *Server) apiPayslipGet(c *gin.Context) {
	sl, err := s.slips.Slip(c.Request.Context(), currentUser(c), c.Param("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	e := sl.Employee
	items := make([]apiItem, len(sl.Items))
	for i, it := range sl.Items {
		items[i] = apiItem{Code: it.Code, Kind: it.Kind, Name: it.Name, AmountSen: it.AmountSen}
	}
	employee := employeeJSON(e)
	employee["grade"], employee["bank_code"], employee["account_no"] = e.Grade, e.Bank, e.MaskedAccount()
	c.JSON(http.StatusOK, gin.H{
		"month":        sl.Month,
		"reference":    sl.Reference,
		"employee":     employee,
		"items":        items,
		"totals":       totalsJSON(sl.Totals),
		"year_to_date": totalsJSON(sl.YearToDate),
	})
}

// apiPayslipPDF is one month's slip as a protected PDF.
func (s *Server) apiPayslipPDF(c *gin.Context) {
	s.sendPDF(c, []string{c.Param("month")}, "slip-gaji-"+c.Param("month"))
}
