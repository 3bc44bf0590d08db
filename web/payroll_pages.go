package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

// The payroll's operations pages: upload a payroll file (sysadmins), follow
// its import, publish a month; the months, the imports, totals per PTJ and
// which slips exist (sysadmins, treasury approvers and auditors) — never a
// person's amounts.

var (
	errNoImport = apperr.New(apperr.NotFound, "payslip.error.import_not_found")
	errNoJob    = apperr.New(apperr.NotFound, "payroll.job.not_found")
	errNoFile   = apperr.New(apperr.Invalid, "payroll.upload.no_file")

	errPublishConfirm = apperr.New(apperr.Invalid, "payroll.publish.confirm_needed")
)

type payrollMonthRow struct {
	payslip.MonthInfo
	Label string
}

type payrollData struct {
	Months     []payrollMonthRow
	MonthPage  pager
	Imports    []payslip.ImportRecord
	ImportPage pager
	CanUpload  bool
	Format     string
	Replace    bool // the upload's replace box, as a refused upload left it
}

// payrollPage lists the pay months and the imports, with the upload form
// for those who may import.
// A refused upload comes back with its message and the replace box as
// ticked (the file itself cannot be kept: it is chosen again).
func (s *Server) payrollPage(c *gin.Context) {
	f := s.takeFlash(c)
	ctx, l := c.Request.Context(), lang(c)
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	months, total, err := s.slips.PayrollMonths(ctx, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	// The imports have their own pager (?ipage=), kept beside the months'.
	importPage, err := store.ParsePage(c.Query("ipage"), "10")
	if err != nil {
		s.fail(c, err)
		return
	}
	ip := importPage.Number
	imports, itotal, err := s.slips.Imports(ctx, importPage)
	if err != nil {
		s.fail(c, err)
		return
	}
	keepImports, keepMonths := url.Values{}, url.Values{}
	if ip > 1 {
		keepImports.Set("ipage", strconv.Itoa(ip))
	}
	if p.Number > 1 {
		keepMonths.Set("page", strconv.Itoa(p.Number))
	}
	d := payrollData{MonthPage: newPager("/payroll", keepImports, p, store.ExactTotal(total), len(months)), Imports: imports,
		ImportPage: importPager(keepMonths, importPage, store.ExactTotal(itotal), len(imports)),
		CanUpload:  s.may(c, "POST", "/payroll/imports"), Format: strings.Join(payslip.Columns, ","),
		Replace: f.value("replace") != ""}
	for _, m := range months {
		d.Months = append(d.Months, payrollMonthRow{MonthInfo: m, Label: payslip.MonthLabel(m.Month, l)})
	}
	s.page(c, http.StatusOK, "payroll", d, f.flash())
}

// importPager is the imports' pager of /payroll: newPager's links with
// ?ipage= instead of ?page=.
func importPager(keep url.Values, p store.Page, total store.Total, rows int) pager {
	pg := newPager("/payroll", url.Values{}, p, total, rows)
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range keep {
			v[k] = vs
		}
		if n > 1 {
			v.Set("ipage", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return "/payroll"
		}
		return "/payroll?" + v.Encode()
	}
	if pg.Prev != "" {
		pg.Prev = link(pg.Number - 1)
	}
	if pg.Next != "" {
		pg.Next = link(pg.Number + 1)
	}
	return pg
}

// payrollUpload receives a payroll file and starts its import in the
// background, then sends the sysadmin to the import's status page.
func (s *Server) payrollUpload(c *gin.Context) {
	up, err := receiveUpload(c, errNoFile)
	if err != nil {
		if code := apperr.CodeOf(err); code != apperr.Invalid && code != apperr.TooLarge {
			s.fail(c, err)
			return
		}
		s.refuse(c, "/payroll", err, map[string]string{"replace": c.PostForm("replace")})
		return
	}
	defer up.file.Close()
	replace := ticked(c.PostForm("replace"))
	path, err := up.spool(s.cfg.DataDir, "payroll-*.csv")
	if err != nil {
		s.fail(c, err)
		return
	}
	u := currentUser(c)
	id, err := s.slips.StartImport(store.Actor{UserID: u.ID, Login: u.Login}, up.name, path, replace, func(err error) {
		s.metrics.job("payroll_import", err)
		s.wakeMail()
	})
	if err != nil {
		os.Remove(path)
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/payroll/jobs/"+id)
}

type jobData struct {
	payslip.JobStatus
	Errors   []lineErrorRow
	More     int
	Error    string
	Conflict bool
}

type lineErrorRow struct {
	Line           int
	Field, Message string
}

// payrollJobPage shows an import running (the page refreshes itself every
// two seconds through the Refresh header, no script) and its end: the
// bad lines, or the way to the import's own page.
func (s *Server) payrollJobPage(c *gin.Context) {
	st, ok := s.slips.JobStatus(c.Param("id"), currentUser(c).ID)
	if !ok {
		s.fail(c, errNoJob)
		return
	}
	if st.Done && st.Err == nil {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/payroll/imports/%d?done=imported", st.Result.ID))
		return
	}
	if errors.Is(st.Err, store.ErrUnfinished) {
		// Checked and partly saved: the server finishes it (FinishImports).
		s.log.Error("payroll import stopped midway", "import", st.Result.ID, "error", st.Err)
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/payroll/imports/%d?done=saving", st.Result.ID))
		return
	}
	d := jobData{JobStatus: st}
	if !st.Done {
		c.Header("Refresh", "2")
		s.render(c, http.StatusOK, "payroll_job", d)
		return
	}
	l := lang(c)
	var bad *payslip.BadFile
	if errors.As(st.Err, &bad) {
		d.Errors, d.More = lineErrorRows(bad.Errors, l), bad.Count-len(bad.Errors)
	} else {
		ae := apperr.As(st.Err)
		if ae.Code == apperr.Internal {
			s.log.Error("payroll import", "error", st.Err)
		}
		d.Error, d.Conflict = ae.Message(l), ae.Code == apperr.Conflict
	}
	s.render(c, http.StatusOK, "payroll_job", d)
}

// lineErrorRows are a refused file's bad lines as the pages list them.
func lineErrorRows(errs []payslip.LineError, l string) []lineErrorRow {
	out := make([]lineErrorRow, len(errs))
	for i, e := range errs {
		out[i] = lineErrorRow{Line: e.Line, Field: e.Field, Message: e.Message(l)}
	}
	return out
}

type warningRow struct {
	Line    int
	Message string
}

type payrollImportData struct {
	Import   *payslip.ImportRecord
	Months   []payrollMonthRow
	Warnings []warningRow
}

// payrollImportPage shows one import: its file, counts, months and warnings.
func (s *Server) payrollImportPage(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, errNoImport)
		return
	}
	ctx, l := c.Request.Context(), lang(c)
	imp, err := s.slips.ImportByID(ctx, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := payrollImportData{Import: imp}
	for _, m := range strings.Split(imp.Months, ",") {
		d.Months = append(d.Months, payrollMonthRow{MonthInfo: payslip.MonthInfo{Month: m}, Label: payslip.MonthLabel(m, l)})
	}
	for _, w := range imp.Warnings() {
		d.Warnings = append(d.Warnings, warningRow{Line: w.Line, Message: w.Text.In(l)})
	}
	s.page(c, http.StatusOK, "payroll_import", d, doneFlash(c, "payroll.done."))
}

type ptjTotalRow struct {
	Code, Name                       string
	Slips                            int
	Gross, Deductions, Net, Employer string
}

type payrollMonthData struct {
	Month      payslip.MonthInfo
	Label      string
	Totals     []ptjTotalRow
	Sum        ptjTotalRow
	Search     peopleSearch
	Slips      []payslip.SlipEntry
	Pager      pager
	CanPublish bool
	Visible    bool
	Stopped    bool // its import's saving stopped, no process saving it
	// The publishing form as a refusal left it.
	VisibleFrom string
	Errors      map[string]string
}

// payrollMonthPage shows a pay month: state, totals per PTJ, the slips
// that exist (searchable by MyKad, salary number or name), and for
// sysadmins the publishing form.
func (s *Server) payrollMonthPage(c *gin.Context) {
	f := s.takeFlash(c)
	flash := f.flash()
	if flash == nil {
		flash = doneFlash(c, "payroll.done.", "Count", c.Query("mailed"))
	}
	s.payrollMonth(c, flash, f)
}

// payrollMonth renders a month's page; form is what a refused publishing
// left (nil: an empty form).
func (s *Server) payrollMonth(c *gin.Context, flash *Flash, form *formFlash) {
	ctx, l := c.Request.Context(), lang(c)
	m, err := s.slips.PayrollMonth(ctx, c.Param("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	totals, err := s.slips.MonthTotals(ctx, m.Month)
	if err != nil {
		s.fail(c, err)
		return
	}
	search := peopleSearchOf(c, "/payroll/months/"+m.Month, "payslip.field.ptj")
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	slips, total, err := s.slips.FindSlips(ctx, payslip.SlipFilter{Month: m.Month, Q: search.Q, PTJ: search.PTJ}, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	now := s.now()
	d := payrollMonthData{Month: *m, Label: payslip.MonthLabel(m.Month, l), Search: search, Slips: slips,
		Pager:       search.pager(p, total, len(slips)),
		CanPublish:  s.may(c, "POST", "/payroll/months/:month/publish") && !m.Importing(),
		Visible:     m.Published() && (m.VisibleFrom == nil || !m.VisibleFrom.After(now)),
		VisibleFrom: form.value("visible_from"), Errors: form.fieldErrors()}
	var sum payslip.Totals
	for _, t := range totals {
		d.Totals = append(d.Totals, ptjTotalRow{Code: t.PTJCode, Name: t.PTJName, Slips: t.Slips, Gross: rm(t.GrossSen),
			Deductions: rm(t.DeductionsSen), Net: rm(t.NetSen), Employer: rm(t.EmployerSen)})
		d.Sum.Slips += t.Slips
		sum.GrossSen += t.GrossSen
		sum.DeductionsSen += t.DeductionsSen
		sum.NetSen += t.NetSen
		sum.EmployerSen += t.EmployerSen
	}
	d.Sum.Gross, d.Sum.Deductions, d.Sum.Net, d.Sum.Employer = rm(sum.GrossSen), rm(sum.DeductionsSen), rm(sum.NetSen), rm(sum.EmployerSen)
	if m.Importing() {
		if d.Stopped, err = s.slips.ImportStopped(ctx, m.ImportID); err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Refresh", "5") // no script: its slips come a part at a time
	}
	s.page(c, http.StatusOK, "payroll_month", d, flash)
}

// payrollPublish publishes a month after the sysadmin ticked the
// confirmation, from the date typed (DD/MM/YYYY) or at once, and goes back
// to the month's page: with how many were mailed, or with why not.
func (s *Server) payrollPublish(c *gin.Context) {
	page := "/payroll/months/" + url.PathEscape(c.Param("month"))
	typed := map[string]string{"visible_from": c.PostForm("visible_from")}
	refuse := func(err error) { s.refuse(c, page, err, typed) }
	if c.PostForm("confirm") == "" {
		refuse(errPublishConfirm)
		return
	}
	from, fe := optionalDay("visible_from", typed["visible_from"])
	if fe != nil {
		refuse(apperr.Fields(*fe))
		return
	}
	u := currentUser(c)
	res, err := s.slips.Publish(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, c.Param("month"), from)
	s.metrics.job("payroll_publish", err)
	if err != nil {
		// Back to the month's page, with why: a bad date, or its import
		// still being saved.
		if code := apperr.CodeOf(err); code == apperr.Invalid || code == apperr.Conflict {
			refuse(err)
			return
		}
		s.fail(c, err)
		return
	}
	if res.Mailed > 0 {
		s.wakeMail()
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/payroll/months/%s?done=published&mailed=%d", res.Month, res.Mailed))
}
