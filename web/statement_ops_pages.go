package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
)

// The operators' eEC pages: the mapping of pay item codes to the form's
// lines (the treasury: a CSV import replacing it, one code at a time, both
// audited), the years (generate: sysadmins), and one year: its item codes,
// totals per PTJ (the treasury), who has a statement (auditors too) and,
// for sysadmins, publication — never one person's figures.

var (
	errNoMappingFile    = apperr.New(apperr.Invalid, "statement.mapping.no_file")
	errECPublishConfirm = apperr.New(apperr.Invalid, "statement.publish.confirm_needed")
)

// ecLineOption is an EC line as the mapping's select box offers it.
type ecLineOption struct {
	Code  statement.Line
	Label string
}

type ecMappingData struct {
	Mappings []statement.Mapping
	Lines    []ecLineOption
	Code     string // the one-code form's values, kept after an error
	Line     string
	Errors   []lineErrorRow
	More     int
}

// ecMappingPage lists the mapping with its import and one-code forms.
func (s *Server) ecMappingPage(c *gin.Context) {
	f := s.takeFlash(c)
	flash := f.flash()
	if flash == nil {
		flash = doneFlash(c, "statement.mapping.done.", "Rows", c.Query("rows"), "Added", c.Query("added"),
			"Changed", c.Query("changed"), "Removed", c.Query("removed"), "Code", c.Query("code"))
	}
	d := ecMappingData{}
	if f != nil {
		d.Code, d.Line = f.Values.Get("item_code"), f.Values.Get("ec_line")
	}
	s.ecMapping(c, f.status(), flash, d)
}

func (s *Server) ecMapping(c *gin.Context, status int, flash *Flash, d ecMappingData) {
	list, err := s.ec.Mappings(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Mappings = list
	for _, l := range append(append([]statement.Line{}, statement.Lines...), statement.None) {
		d.Lines = append(d.Lines, ecLineOption{Code: l, Label: ecLineLabel(c, l)})
	}
	s.page(c, status, "ec_mapping", d, flash)
}

// ecLineLabel is a line's code and words: "B1a — Gaji kasar…".
func ecLineLabel(c *gin.Context, l statement.Line) string {
	if l == statement.None {
		return tr(c, "statement.mapping.none")
	}
	return string(l) + " — " + tr(c, l.LabelKey())
}

// ecMappingUpload replaces the mapping with an uploaded CSV file; a file
// with bad lines changes nothing and is answered with the lines.
func (s *Server) ecMappingUpload(c *gin.Context) {
	up, err := receiveUpload(c, errNoMappingFile)
	if err != nil {
		s.ecMapping(c, statusOf(apperr.As(err).Code), errFlash(apperr.As(err).Message(lang(c))), ecMappingData{})
		return
	}
	defer up.file.Close()
	u := currentUser(c)
	res, err := s.ec.ImportMapping(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, up.name, up.file)
	var bad *statement.BadMapping
	if errors.As(err, &bad) {
		l := lang(c)
		s.ecMapping(c, http.StatusUnprocessableEntity, errFlash(apperr.As(err).Message(l)),
			ecMappingData{Errors: lineErrorRows(bad.Errors, l), More: bad.Count - len(bad.Errors)})
		return
	}
	if err != nil {
		s.ecMappingFail(c, err, ecMappingData{})
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ec/mapping?done=imported&rows=%d&added=%d&changed=%d&removed=%d",
		res.Rows, res.Added, res.Changed, res.Removed))
}

// ecMappingSet puts one item code on one line.
func (s *Server) ecMappingSet(c *gin.Context) {
	u := currentUser(c)
	code, line := strings.TrimSpace(c.PostForm("item_code")), c.PostForm("ec_line")
	m, err := s.ec.SetMapping(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, code, line)
	if err != nil {
		s.ecRefuse(c, "/ec/mapping", err, map[string]string{"item_code": code, "ec_line": line})
		return
	}
	c.Redirect(http.StatusSeeOther, "/ec/mapping?done=set&code="+url.QueryEscape(m.Code)+"#code-"+url.QueryEscape(m.Code))
}

// ecRefuse goes back to page with why the user's request was refused
// (post/redirect/get), or shows the error page for what is not the user's
// to correct.
func (s *Server) ecRefuse(c *gin.Context, page string, err error, typed map[string]string) {
	switch apperr.CodeOf(err) {
	case apperr.Invalid, apperr.Conflict, apperr.TooLarge:
		s.refuse(c, page, err, typed)
	default:
		s.fail(c, err)
	}
}

// ecMappingFail shows a refused import on the mapping page, or the error
// page for what is not the user's to correct.
func (s *Server) ecMappingFail(c *gin.Context, err error, d ecMappingData) {
	ae := apperr.As(err)
	if ae.Code != apperr.Invalid && ae.Code != apperr.TooLarge {
		s.fail(c, err)
		return
	}
	s.ecMapping(c, statusOf(ae.Code), errFlash(flashMessage(c, ae)), d)
}

// ecMappingCSV downloads the mapping as a file the import takes back.
func (s *Server) ecMappingCSV(c *gin.Context) {
	b, err := s.ec.MappingCSV(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="pemetaan-ec.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b)
}

type ecYearsData struct {
	Years       []statement.YearInfo
	Payroll     []int // years with published pay months
	CanGenerate bool
	Year        string
}

// ecYearsPage lists the generated years, with the form that generates one.
func (s *Server) ecYearsPage(c *gin.Context) {
	f := s.takeFlash(c)
	year := ""
	if f != nil {
		year = f.Values.Get("year")
	}
	s.ecYears(c, f.status(), f.flash(), year)
}

func (s *Server) ecYears(c *gin.Context, status int, flash *Flash, year string) {
	ctx := c.Request.Context()
	years, err := s.ec.YearsInfo(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	payroll, err := s.ec.PayrollYears(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.page(c, status, "ec_years", ecYearsData{Years: years, Payroll: payroll, Year: year,
		CanGenerate: s.may(c, "POST", "/ec/years")}, flash)
}

// ecGenerate makes (or remakes) a year's statements, then shows the year.
func (s *Server) ecGenerate(c *gin.Context) {
	u := currentUser(c)
	year := strings.TrimSpace(c.PostForm("year"))
	res, err := s.ec.Generate(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, year)
	s.metrics.job("ec_generate", err)
	if err != nil {
		s.ecRefuse(c, "/ec/years", err, map[string]string{"year": year})
		return
	}
	if res.Mailed > 0 {
		s.wakeMail()
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ec/years/%d?done=generated&n=%d&changed=%d", res.Year, res.Statements, res.New+res.Changed))
}

// flashMessage is an application error as a page's flash: its first
// field's message when it names fields.
func flashMessage(c *gin.Context, ae *apperr.Error) string {
	if len(ae.Fields) > 0 {
		return ae.Fields[0].Message(lang(c))
	}
	return ae.Message(lang(c))
}

type ecTotalRow struct {
	Code, Name string
	Statements int
	Sums       []string // B to F
}

// ecCodeRow is an item code paid in the year, its total as the page shows it.
type ecCodeRow struct {
	statement.CodeRow
	Amount string
}

type ecYearData struct {
	Info       *statement.YearInfo
	Codes      []ecCodeRow
	Unmapped   int
	Sections   []string
	Totals     []ecTotalRow
	Sum        ecTotalRow
	MayTotal   bool
	Search     peopleSearch
	Entries    []statement.Entry
	Pager      pager
	CanPublish bool
}

// ecYearPage shows a generated year: state, item codes and their lines,
// totals per PTJ (the treasury), who has a statement (searchable by MyKad,
// salary number or name, a page at a time) and the publishing form.
func (s *Server) ecYearPage(c *gin.Context) {
	f := s.takeFlash(c)
	flash := f.flash()
	if flash == nil {
		flash = doneFlash(c, "statement.year.done.", "Count", c.Query("n"), "Changed", c.Query("changed"), "Mailed", c.Query("mailed"))
	}
	s.ecYear(c, f.status(), flash)
}

func (s *Server) ecYear(c *gin.Context, status int, flash *Flash) {
	ctx := c.Request.Context()
	info, err := s.ec.YearInfo(ctx, c.Param("year"))
	if err != nil {
		s.fail(c, err)
		return
	}
	codes, err := s.ec.Codes(ctx, info.Year)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := ecYearData{Info: info, Sections: statement.Sections, MayTotal: statement.MayTotal(currentUser(c)),
		CanPublish: s.may(c, "POST", "/ec/years/:year/publish")}
	for _, cr := range codes {
		d.Codes = append(d.Codes, ecCodeRow{CodeRow: cr, Amount: rm(cr.AmountSen)})
		if cr.Now == "" {
			d.Unmapped++
		}
	}
	if d.MayTotal {
		totals, err := s.ec.PTJTotals(ctx, currentUser(c), info.Year)
		if err != nil {
			s.fail(c, err)
			return
		}
		sum := map[string]int64{}
		for _, t := range totals {
			row := ecTotalRow{Code: t.PTJCode, Name: t.PTJName, Statements: t.Statements}
			for _, sec := range statement.Sections {
				row.Sums = append(row.Sums, rm(t.Sections[sec]))
				sum[sec] += t.Sections[sec]
			}
			d.Totals = append(d.Totals, row)
			d.Sum.Statements += t.Statements
		}
		for _, sec := range statement.Sections {
			d.Sum.Sums = append(d.Sum.Sums, rm(sum[sec]))
		}
	}
	d.Search = peopleSearchOf(c, fmt.Sprintf("/ec/years/%d", info.Year), "statement.field.ptj")
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	entries, total, err := s.ec.Find(ctx, info.Year, statement.Filter{Q: d.Search.Q, PTJ: d.Search.PTJ}, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Entries, d.Pager = entries, d.Search.pager(p, total, len(entries))
	s.page(c, status, "ec_year", d, flash)
}

// ecPublish publishes a year after the sysadmin ticked the confirmation;
// refused, with the codes, while an item code paid in it has no line.
func (s *Server) ecPublish(c *gin.Context) {
	page := "/ec/years/" + url.PathEscape(c.Param("year"))
	if c.PostForm("confirm") == "" {
		s.refuse(c, page, errECPublishConfirm, nil)
		return
	}
	u := currentUser(c)
	res, err := s.ec.Publish(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, c.Param("year"))
	s.metrics.job("ec_publish", err)
	if err != nil {
		s.ecRefuse(c, page, err, nil)
		return
	}
	if res.Mailed > 0 {
		s.wakeMail()
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/ec/years/%d?done=published&n=%d&mailed=%d", res.Year, res.Statements, res.Mailed))
}
