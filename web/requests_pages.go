package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// The Borang pages: the list and its CSV export, the form (new and edit),
// the detail page with its history and action buttons, the printable form,
// and the inbox. Every page works without JavaScript: filters are GET forms,
// each action is its own POST form, and an irreversible action carries a
// confirmation checkbox instead of a script's dialog.

// Shared by the page handlers.

// page renders name with data and a flash message above it.
func (s *Server) page(c *gin.Context, status int, name string, data any, flash *Flash) {
	v := s.view(c, data)
	v.Flash = flash
	s.renderView(c, status, name, v)
}

func okFlash(text string) *Flash  { return &Flash{Kind: "ok", Text: text} }
func errFlash(text string) *Flash { return &Flash{Kind: "error", Text: text} }

// doneFlash is the confirmation of ?done=<what> after a redirect: the words
// of key prefix+what, formatted with args; nil when there is no such key, so
// that a hand-typed ?done= never shows a raw key.
func doneFlash(c *gin.Context, prefix string, args ...any) *Flash {
	done := c.Query("done")
	if done == "" {
		return nil
	}
	key := prefix + done
	if !i18n.Has(key) {
		return nil
	}
	return okFlash(tr(c, key, args...))
}

// may reports whether the current user passes the rule of route method path,
// so that a link is shown exactly to those the route lets through.
func (s *Server) may(c *gin.Context, method, path string) bool {
	for _, r := range s.table {
		if r.Method == method && r.Path == path {
			return r.Rule.check(currentUser(c)) == nil
		}
	}
	return false
}

// option is one choice of a select box.
type option struct {
	Value, Label string
	Selected     bool
}

// pager is the "page x of y" line with links that keep the list's filters.
type pager struct {
	Number, Pages int
	Total         int64
	Prev, Next    string
}

func newPager(path string, q url.Values, p store.Page, total int64) pager {
	size := p.Limit()
	pages := int((total + size - 1) / size)
	pg := pager{Number: max(p.Number, 1), Pages: max(pages, 1), Total: total}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Del("page")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if pg.Number > 1 {
		pg.Prev = link(min(pg.Number-1, pg.Pages))
	}
	if pg.Number < pg.Pages {
		pg.Next = link(pg.Number + 1)
	}
	return pg
}

// requestRow is a request as a line of a list.
type requestRow struct {
	ID         int64
	Reference  string
	Kind       string
	Subject    string
	MaskedIC   string
	PTJCode    string
	PTJName    string
	StateID    workflow.State
	State      string
	Version    int64
	Updated    time.Time
	Since      time.Time // in this state since
	Approvable bool      // the viewer may approve it now (inbox)
}

func rowOf(r *store.Request, lang string) requestRow {
	row := requestRow{ID: r.ID, Reference: r.Reference, Kind: forms.KindLabel(r.Kind, lang),
		Subject: r.SubjectName, MaskedIC: forms.MaskLogin(r.SubjectIC), PTJCode: r.PTJCode,
		StateID: r.State, State: r.State.Label(lang), Version: r.Version, Updated: r.UpdatedAt, Since: r.StateSince}
	if r.PTJ != nil {
		row.PTJName = r.PTJ.Name
	}
	return row
}

// The list, its filters and the CSV export.

type listData struct {
	Q, PTJ    string
	Mine      bool
	States    []option
	Kinds     []option
	Rows      []requestRow
	Pager     pager
	ExportURL string // empty when the viewer may not export
	CanCreate bool
}

// bindFilter reads the list's filters from the query (requestFilter;
// unknown states and kinds are dropped). It returns them also as the query
// to keep in links.
func bindFilter(c *gin.Context) (store.RequestFilter, url.Values) {
	f, _ := requestFilter(c)
	f.AwaitingMe = false // the inbox has its own page
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", f.Q)
	set("state", string(f.State))
	set("kind", string(f.Kind))
	set("ptj", f.PTJCode)
	if f.Mine {
		q.Set("mine", "1")
	}
	return f, q
}

func stateOptions(lang string, states []workflow.State, selected workflow.State) []option {
	var out []option
	for _, st := range states {
		out = append(out, option{Value: string(st), Label: st.Label(lang), Selected: st == selected})
	}
	return out
}

func (s *Server) requestList(c *gin.Context) {
	u, l := currentUser(c), lang(c)
	f, q := bindFilter(c)
	p := pageOf(c)
	list, total, err := s.db.ListRequests(c.Request.Context(), u, f, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := listData{Q: f.Q, PTJ: f.PTJCode, Mine: f.Mine, States: stateOptions(l, workflow.States(), f.State),
		Pager: newPager("/requests", q, p, total), CanCreate: s.may(c, "GET", "/requests/new")}
	for _, k := range forms.Kinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: forms.KindLabel(k, l), Selected: k == f.Kind})
	}
	for i := range list {
		d.Rows = append(d.Rows, rowOf(&list[i], l))
	}
	if s.may(c, "GET", "/requests/export.csv") {
		d.ExportURL = "/requests/export.csv"
		if len(q) > 0 {
			d.ExportURL += "?" + q.Encode()
		}
	}
	s.render(c, http.StatusOK, "request_list", d)
}

// csvCell keeps a cell from being read as a formula by a spreadsheet.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// requestExport streams the requests the list's filters select as CSV, in
// UTF-8 with a byte-order mark so that Excel shows Malay text right. MyKad
// numbers are masked: a file travels further than a page.
func (s *Server) requestExport(c *gin.Context) {
	u, l := currentUser(c), lang(c)
	f, _ := bindFilter(c)
	name := "permohonan-" + s.now().In(klTime).Format("20060102") + ".csv"
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	_, _ = c.Writer.WriteString("\uFEFF")
	w := csv.NewWriter(c.Writer)
	var header []string
	for _, k := range []string{"reference", "kind", "state", "ptj_code", "subject", "ic", "submitter", "created", "updated"} {
		header = append(header, tr(c, "request.csv."+k))
	}
	_ = w.Write(header)
	when := func(t time.Time) string { return t.In(klTime).Format("2006-01-02 15:04:05") }
	err := s.db.EachRequest(c.Request.Context(), u, f, func(r *store.Request) error {
		submitter := ""
		if r.Submitter != nil {
			submitter = r.Submitter.Name
		}
		row := []string{r.Reference, forms.KindLabel(r.Kind, l), r.State.Label(l), r.PTJCode, r.SubjectName,
			forms.MaskLogin(r.SubjectIC), submitter, when(r.CreatedAt), when(r.UpdatedAt)}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		return w.Write(row)
	})
	w.Flush()
	if err == nil {
		err = w.Error()
	}
	if err != nil {
		// The status has gone out; the file ends short and the log says why.
		s.log.Error("csv export", "error", err)
		_ = c.Error(err)
	}
}

// The Borang form, shared by new and edit.

// textField is one text input of the form.
type textField struct {
	Name, ID, Label, Hint, Type, Autocomplete string
	Value, Error                              string
	Required                                  bool
	Max                                       int
}

type checkField struct {
	Value, Label string
	Checked      bool
}

type roleField struct {
	Value, ID, Label  string
	Checked           bool
	Limit             string // as typed, in ringgit
	Error, LimitError string
}

type summaryItem struct{ Anchor, Text string }

type borangView struct {
	Action        string // where the form posts
	Edit          bool
	ID            int64
	Reference     string
	Version       int64
	Kind          forms.Kind
	KindLabel     string
	PTJCode       string
	PTJFixed      bool // kept as first filed (edit)
	Access        bool // the kind grants modules and roles
	Subject       []textField
	Modules       []checkField
	Roles         []roleField
	Justification string
	Declaration   bool
	Errors        map[string]string
	Summary       []summaryItem
	Message       string // a conflict or refusal about the whole form
	SubmitKey     string // the submit button's words
	ReturnRemarks string // why it came back, on a returned request
	Lookup        bool   // offer to fill the form from an existing profile
	LookupIC      string // the MyKad typed there
}

// fieldID is the HTML id of the input of a field path.
func fieldID(name string) string {
	return "f-" + strings.NewReplacer(".", "-", "[", "-", "]", "").Replace(name)
}

// subjectInputs are section B's inputs, in the order of the paper form.
var subjectInputs = []struct {
	name, label, hint, typ, auto string
	max                          int
}{
	{forms.FieldICNumber, "request.field.ic_number", "login.id_hint", "text", "off", 14},
	{forms.FieldName, "request.field.name", "request.hint.name", "text", "name", forms.MaxNameLen},
	{forms.FieldEmail, "request.field.email", "request.hint.email", "email", "email", 254},
	{forms.FieldPosition, "request.field.position", "", "text", "organization-title", forms.MaxPositionLen},
	{forms.FieldGrade, "request.field.grade", "request.hint.grade", "text", "off", forms.MaxGradeLen},
	{forms.FieldSalaryNo, "request.field.salary_no", "request.hint.salary_no", "text", "off", 8},
}

func subjectValue(s forms.Subject, name string) string {
	switch name {
	case forms.FieldICNumber:
		return s.ICNumber
	case forms.FieldName:
		return s.Name
	case forms.FieldEmail:
		return s.Email
	case forms.FieldPosition:
		return s.Position
	case forms.FieldGrade:
		return s.Grade
	case forms.FieldSalaryNo:
		return s.SalaryNo
	}
	return ""
}

// takesAccess reports whether kind grants modules and roles.
func takesAccess(k forms.Kind) bool {
	return k == forms.KindRegistration || k == forms.KindAccessUpdate
}

// borangEntry is the form as posted: the Borang, and what the page needs
// to show it again as typed.
type borangEntry struct {
	Form   forms.Request
	Limits map[forms.Role]string // approval limits as typed, per role
	Errs   []apperr.FieldError   // limits that are not amounts
}

// bindBorang reads the Borang from a POST. Input names are the field paths
// of forms (subject.ic_number…); roles are checkboxes named roles, each with
// its limit in ringgit in limit.<role>.
func bindBorang(c *gin.Context) borangEntry {
	e := borangEntry{Limits: map[forms.Role]string{}}
	f := &e.Form
	f.Kind = forms.Kind(c.PostForm(forms.FieldKind))
	f.PTJCode = c.PostForm(forms.FieldPTJCode)
	f.Subject = forms.Subject{
		ICNumber: c.PostForm(forms.FieldICNumber), Name: c.PostForm(forms.FieldName),
		Email: c.PostForm(forms.FieldEmail), Position: c.PostForm(forms.FieldPosition),
		Grade: c.PostForm(forms.FieldGrade), SalaryNo: c.PostForm(forms.FieldSalaryNo),
	}
	for _, m := range c.PostFormArray(forms.FieldModules) {
		f.Modules = append(f.Modules, forms.Module(m))
	}
	checked := c.PostFormArray(forms.FieldRoles)
	for _, r := range forms.Roles {
		e.Limits[r] = c.PostForm("limit." + string(r))
		if !slices.Contains(checked, string(r)) {
			continue
		}
		g := forms.RoleGrant{Role: r}
		if strings.TrimSpace(e.Limits[r]) != "" {
			sen, err := malaysia.ParseSen(e.Limits[r])
			if err != nil {
				e.Errs = append(e.Errs, forms.Field(forms.LimitField(len(f.Roles)), err))
			}
			g.ApprovalLimitSen = sen
		}
		f.Roles = append(f.Roles, g)
	}
	f.Justification = c.PostForm(forms.FieldJustification)
	f.Declaration = c.PostForm(forms.FieldDeclaration) != ""
	return e
}

// entryOf is a stored Borang as the form shows it.
func entryOf(f forms.Request) borangEntry {
	e := borangEntry{Form: f, Limits: map[forms.Role]string{}}
	for _, g := range f.Roles {
		if g.ApprovalLimitSen != 0 {
			e.Limits[g.Role] = malaysia.FormatSen(g.ApprovalLimitSen)
		}
	}
	return e
}

// borangForm builds the form's view of e for kind.
func borangForm(lang string, kind forms.Kind, e borangEntry) *borangView {
	f := e.Form
	v := &borangView{Action: "/requests/new", Kind: kind, KindLabel: forms.KindLabel(kind, lang), PTJCode: f.PTJCode,
		Access: takesAccess(kind), Justification: f.Justification, Declaration: f.Declaration,
		Errors: map[string]string{}, SubmitKey: "request.form.submit"}
	for _, in := range subjectInputs {
		v.Subject = append(v.Subject, textField{Name: in.name, ID: fieldID(in.name), Label: in.label, Hint: in.hint,
			Type: in.typ, Autocomplete: in.auto, Max: in.max, Value: subjectValue(f.Subject, in.name),
			Required: in.name == forms.FieldICNumber || in.name == forms.FieldName || in.name == forms.FieldEmail && kind == forms.KindRegistration})
	}
	for _, m := range forms.Modules {
		v.Modules = append(v.Modules, checkField{Value: string(m), Label: forms.ModuleLabel(m, lang), Checked: slices.Contains(f.Modules, m)})
	}
	for _, r := range forms.Roles {
		v.Roles = append(v.Roles, roleField{Value: string(r), ID: fieldID("role." + string(r)), Label: forms.RoleLabel(r, lang),
			Limit: e.Limits[r], Checked: slices.ContainsFunc(f.Roles, func(g forms.RoleGrant) bool { return g.Role == r })})
	}
	return v
}

// setErrors puts field messages next to their inputs and in the summary.
// Messages about the i-th role grant go to that role's row.
func (v *borangView) setErrors(f forms.Request, fields []apperr.FieldError, lang string) {
	for _, fe := range fields {
		field, anchor := fe.Field, fieldID(fe.Field)
		for i, g := range f.Roles {
			row := slices.IndexFunc(v.Roles, func(r roleField) bool { return r.Value == string(g.Role) })
			if row < 0 || (field != forms.RoleField(i) && field != forms.LimitField(i)) {
				continue
			}
			anchor = v.Roles[row].ID
			if field == forms.LimitField(i) && v.Roles[row].LimitError == "" {
				v.Roles[row].LimitError = fe.Message(lang)
			} else if field == forms.RoleField(i) && v.Roles[row].Error == "" {
				v.Roles[row].Error = fe.Message(lang)
			}
		}
		if _, dup := v.Errors[field]; dup {
			continue
		}
		v.Errors[field] = fe.Message(lang)
		v.Summary = append(v.Summary, summaryItem{Anchor: anchor, Text: fe.Message(lang)})
	}
	for i := range v.Subject {
		v.Subject[i].Error = v.Errors[v.Subject[i].Name]
	}
}

// repPTJ is the PTJ the user represents (their ptj_rep grant's PTJ).
func repPTJ(u *store.User) string {
	for _, r := range u.Roles {
		if r.Role == forms.RolePTJRep && r.PTJCode != nil {
			return *r.PTJCode
		}
	}
	return u.PTJCode
}

type kindChoice struct {
	Kind         forms.Kind
	Label, About string
}

func (s *Server) requestNewPage(c *gin.Context) {
	l := lang(c)
	kind := forms.Kind(c.Query("kind"))
	if !kind.Valid() {
		var ks []kindChoice
		for _, k := range forms.Kinds {
			ks = append(ks, kindChoice{Kind: k, Label: forms.KindLabel(k, l), About: "request.kind_about." + string(k)})
		}
		s.render(c, http.StatusOK, "request_kinds", ks)
		return
	}
	f := forms.Request{Kind: kind, PTJCode: repPTJ(currentUser(c))}
	var flash *Flash
	// For a profile that exists, the representative may fill the form from
	// it (a GET form, no script): the subject's details and, for an access
	// update, the access it has now as the starting point.
	if ic := strings.TrimSpace(c.Query("ic")); ic != "" && kind != forms.KindRegistration {
		u, err := s.db.ProfileInPTJ(c.Request.Context(), ic, f.PTJCode)
		switch {
		case err == nil:
			f.Subject = forms.Subject{ICNumber: u.Login, Name: u.Name, Email: u.Email, Position: u.Position, Grade: u.Grade, SalaryNo: u.SalaryNo}
			if kind == forms.KindAccessUpdate {
				for _, m := range u.Modules {
					f.Modules = append(f.Modules, m.Module)
				}
				for _, r := range u.Roles {
					f.Roles = append(f.Roles, forms.RoleGrant{Role: r.Role, ApprovalLimitSen: r.ApprovalLimitSen})
				}
			}
		case apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Invalid):
			e := apperr.As(err)
			msg := e.Message(l)
			if len(e.Fields) > 0 {
				msg = e.Fields[0].Message(l)
			}
			flash = errFlash(msg)
		default:
			s.fail(c, err)
			return
		}
	}
	v := borangForm(l, kind, entryOf(f))
	v.Lookup = kind != forms.KindRegistration
	v.LookupIC = c.Query("ic")
	s.page(c, http.StatusOK, "request_form", v, flash)
}

func (s *Server) requestCreate(c *gin.Context) {
	e := bindBorang(c)
	v := borangForm(lang(c), e.Form.Kind, e)
	if !s.checkEntry(c, v, e) {
		return
	}
	r, err := s.db.CreateRequest(c.Request.Context(), currentUser(c), e.Form, c.PostForm("draft") != "")
	if err != nil {
		s.borangRefused(c, v, e, err)
		return
	}
	s.created(r)
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/requests/%d?done=created", r.ID))
}

// checkEntry shows the form again, with every message the Borang's own
// rules give, when a limit is not an amount (the store cannot be asked: it
// would take the limit as zero). It reports whether the entry may go on.
func (s *Server) checkEntry(c *gin.Context, v *borangView, e borangEntry) bool {
	if len(e.Errs) == 0 {
		return true
	}
	var fields []apperr.FieldError
	f := e.Form
	f.Roles = slices.Clone(f.Roles)
	f.Normalize()
	ceilings, err := s.db.Ceilings(c.Request.Context(), s.db.DB)
	if err != nil {
		s.fail(c, err)
		return false
	}
	if verr := apperr.As(f.Validate(forms.ValidateOptions{Draft: true, Ceilings: ceilings, Now: s.now()})); verr != nil {
		fields = append(fields, verr.Fields...)
	}
	fields = append(fields, e.Errs...) // after: the summary follows the form's order
	s.borangRefused(c, v, e, apperr.Fields(fields...))
	return false
}

// borangRefused shows the form again as typed with why the store refused it:
// field messages (422), or a conflict or refusal about the whole form (409,
// 403). Anything else is the error page.
func (s *Server) borangRefused(c *gin.Context, v *borangView, e borangEntry, err error) {
	l := lang(c)
	ae := apperr.As(err)
	switch ae.Code {
	case apperr.Invalid:
		v.setErrors(e.Form, ae.Fields, l)
		if len(ae.Fields) == 0 {
			v.Message = ae.Message(l)
		}
	case apperr.Conflict, apperr.Forbidden:
		v.Message = ae.Message(l)
	default:
		s.fail(c, err)
		return
	}
	s.render(c, statusOf(ae.Code), "request_form", v)
}

// editForm is the edit view of r for entry e.
func editForm(lang string, r *store.Request, e borangEntry) *borangView {
	e.Form.Kind, e.Form.PTJCode = r.Kind, r.PTJCode // kept as first filed
	v := borangForm(lang, r.Kind, e)
	v.Action = fmt.Sprintf("/requests/%d/edit", r.ID)
	v.Edit, v.ID, v.Reference, v.Version, v.PTJFixed = true, r.ID, r.Reference, r.Version, true
	if r.State == workflow.Returned {
		v.SubmitKey = "request.form.resubmit"
		for i := len(r.Events) - 1; i >= 0; i-- {
			if r.Events[i].Event == workflow.Return {
				v.ReturnRemarks = r.Events[i].Remarks
				break
			}
		}
	}
	return v
}

var errNotEditable = apperr.New(apperr.Conflict, "request.error.not_editable")

// editable loads request :id for an amendment by the current user.
func (s *Server) editable(c *gin.Context) (*store.Request, bool) {
	r, ok := s.loadRequest(c)
	if !ok {
		return nil, false
	}
	av, err := s.db.Available(c.Request.Context(), currentUser(c), r)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	if !slices.Contains(av, workflow.Submit) && !slices.Contains(av, workflow.Resubmit) {
		s.fail(c, errNotEditable)
		return nil, false
	}
	return r, true
}

func (s *Server) requestEditPage(c *gin.Context) {
	r, ok := s.editable(c)
	if !ok {
		return
	}
	s.render(c, http.StatusOK, "request_form", editForm(lang(c), r, entryOf(r.Form())))
}

func (s *Server) requestEdit(c *gin.Context) {
	r, ok := s.loadRequest(c)
	if !ok {
		return
	}
	e := bindBorang(c)
	v := editForm(lang(c), r, e)
	version, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
	v.Version = version // what the user saw: a stale one must fail, not be refreshed
	if !s.checkEntry(c, v, e) {
		return
	}
	submit := c.PostForm("draft") == ""
	r2, err := s.db.AmendRequest(c.Request.Context(), currentUser(c), r.ID, version, e.Form, submit)
	if err != nil {
		s.borangRefused(c, v, e, err)
		return
	}
	s.created(r2)
	done := "saved"
	if submit {
		done = "submit"
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/requests/%d?done=%s", r.ID, done))
}

// The detail page and the actions.

// loadRequest returns request :id if the current user may see it, or
// answers NotFound.
func (s *Server) loadRequest(c *gin.Context) (*store.Request, bool) {
	id, err := requestID(c)
	if err == nil {
		var r *store.Request
		if r, err = s.db.RequestFor(c.Request.Context(), currentUser(c), id); err == nil {
			return r, true
		}
	}
	s.fail(c, err)
	return nil, false
}

type grantView struct{ Label, Limit string }

type eventView struct {
	Event, From, To, Stage string
	Actor, OnBehalf        string
	Remarks                string
	At                     time.Time
}

type actionView struct {
	Event        workflow.Event
	Label        string
	NeedRemarks  bool
	Confirm      bool // irreversible: a confirmation checkbox
	TempPassword bool // may hand over a temporary password instead of a link
	Danger       bool
	Remarks      string // as typed, after a refused try
	RemarksError string
	ConfirmError string
	OptionError  string
	HintKey      string
}

// requestDetail is a request as the detail page and the printed form show it.
type requestDetail struct {
	Req           requestRow
	Submitter     string
	Created       time.Time
	IC            string // formatted as on the MyKad
	Subject       forms.Subject
	Access        bool
	Modules       []string
	Roles         []grantView
	Justification string
	Declaration   bool
	Events        []eventView
	Actions       []actionView
	CanEdit       bool
	PrintedAt     time.Time
	// Current is the subject's access now, beside what an open access
	// update asks for, so that approvers see the change.
	Current *currentAccess
}

type currentAccess struct {
	Modules []string
	Roles   []grantView
}

func strOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// irreversible events need the confirmation checkbox.
func irreversible(e workflow.Event) bool {
	return e == workflow.Approve || e == workflow.Reject || e == workflow.Withdraw || e == workflow.Provision
}

// stageKey names the role that acts at the stage an event belongs to.
func stageKey(e workflow.Event, from workflow.State) string {
	if e == workflow.Withdraw {
		return "request.stage.submitter"
	}
	if st := workflow.StageOf(from); st != "" {
		return "request.stage." + string(st)
	}
	return ""
}

func (s *Server) detail(lang string, r *store.Request) *requestDetail {
	d := &requestDetail{Req: rowOf(r, lang), Created: r.CreatedAt, IC: malaysia.MyKad(r.SubjectIC).Formatted(),
		Subject: r.Form().Subject, Access: takesAccess(r.Kind), Justification: r.Justification,
		Declaration: r.Declaration, PrintedAt: s.now()}
	if r.Submitter != nil {
		d.Submitter = r.Submitter.Name
	}
	for _, m := range r.Modules() {
		d.Modules = append(d.Modules, forms.ModuleLabel(m, lang))
	}
	for _, g := range r.Roles() {
		d.Roles = append(d.Roles, grantView{Label: forms.RoleLabel(g.Role, lang), Limit: malaysia.FormatRM(g.ApprovalLimitSen)})
	}
	for _, e := range r.Events {
		ev := eventView{Event: e.Event.Label(lang), From: e.From.Label(lang), To: e.To.Label(lang),
			Actor: e.ActorName, OnBehalf: strOf(e.OnBehalfName), Remarks: e.Remarks, At: e.At}
		if k := stageKey(e.Event, e.From); k != "" {
			ev.Stage = i18n.T(lang, k)
		}
		d.Events = append(d.Events, ev)
	}
	return d
}

// refusal is why an action changed nothing, to show on the detail page.
type refusal struct {
	Event  workflow.Event
	Fields map[string]string // remarks, confirm, temporary_password
	Flash  *Flash
}

// showRequest renders the detail page of r for the current user.
func (s *Server) showRequest(c *gin.Context, status int, r *store.Request, why refusal, postedRemarks string) {
	l := lang(c)
	d := s.detail(l, r)
	if r.Kind == forms.KindAccessUpdate && !r.State.Final() {
		u, err := s.db.SubjectFor(c.Request.Context(), r)
		if err != nil {
			s.fail(c, err)
			return
		}
		if u != nil {
			d.Current = &currentAccess{}
			for _, m := range u.Modules {
				d.Current.Modules = append(d.Current.Modules, forms.ModuleLabel(m.Module, l))
			}
			for _, g := range u.Roles {
				d.Current.Roles = append(d.Current.Roles, grantView{Label: forms.RoleLabel(g.Role, l), Limit: malaysia.FormatRM(g.ApprovalLimitSen)})
			}
		}
	}
	available, err := s.db.Available(c.Request.Context(), currentUser(c), r)
	if err != nil {
		s.fail(c, err)
		return
	}
	for _, e := range available {
		if e == workflow.Submit || e == workflow.Resubmit {
			d.CanEdit = true // sent on through the form, which checks the Borang
			continue
		}
		a := actionView{Event: e, Label: e.Label(l), NeedRemarks: e == workflow.Reject || e == workflow.Return,
			Confirm: irreversible(e), Danger: e == workflow.Reject || e == workflow.Withdraw,
			TempPassword: e == workflow.Provision && (r.Kind == forms.KindRegistration || r.Kind == forms.KindPasswordReset),
			HintKey:      "request.action_hint." + string(e)}
		if e == why.Event {
			a.Remarks = postedRemarks
			a.RemarksError, a.ConfirmError, a.OptionError = why.Fields["remarks"], why.Fields["confirm"], why.Fields["temporary_password"]
		}
		d.Actions = append(d.Actions, a)
	}
	flash := why.Flash
	if flash == nil {
		flash = doneFlash(c, "request.done.", "Ref", r.Reference)
		if c.Query("done") == "created" && r.State == workflow.Draft {
			flash = okFlash(tr(c, "request.done.draft", "Ref", r.Reference))
		}
	}
	s.page(c, status, "request_detail", d, flash)
}

func (s *Server) requestPage(c *gin.Context) {
	if r, ok := s.loadRequest(c); ok {
		s.showRequest(c, http.StatusOK, r, refusal{}, "")
	}
}

var errSubmitThroughForm = apperr.New(apperr.Invalid, "request.error.submit_through_form")

// requestAct fires one action from the detail page's forms. A refused action
// changes nothing and shows the current request with the reason: a stale
// page (409), missing remarks or confirmation (422).
func (s *Server) requestAct(c *gin.Context) {
	r, ok := s.loadRequest(c)
	if !ok {
		return
	}
	l := lang(c)
	remarks := c.PostForm("remarks")
	ev, err := workflow.ParseEvent(c.PostForm("action"))
	if err == nil && (ev == workflow.Submit || ev == workflow.Resubmit) {
		err = errSubmitThroughForm
	}
	if err != nil {
		s.showRequest(c, http.StatusUnprocessableEntity, r, refusal{Flash: errFlash(apperr.As(err).Message(l))}, "")
		return
	}
	if irreversible(ev) && c.PostForm("confirm") == "" {
		msg := tr(c, "request.confirm.missing")
		s.showRequest(c, http.StatusUnprocessableEntity, r, refusal{Event: ev, Fields: map[string]string{"confirm": msg}, Flash: errFlash(msg)}, remarks)
		return
	}
	version, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
	opt := store.ActOptions{TemporaryPassword: ev == workflow.Provision && c.PostForm("temporary_password") != ""}
	res, err := s.act(c, r.ID, workflow.Action{Event: ev, Version: version, Remarks: remarks}, opt)
	if err != nil {
		ae := apperr.As(err)
		switch ae.Code {
		case apperr.Conflict, apperr.Invalid:
			// Show the request as it is now: what the user acted on has moved.
			if now, err := s.db.RequestFor(c.Request.Context(), currentUser(c), r.ID); err == nil {
				r = now
			}
			why := refusal{Event: ev, Fields: map[string]string{}, Flash: errFlash(ae.Message(l))}
			for _, f := range ae.Fields {
				why.Fields[f.Field] = f.Message(l)
			}
			if len(ae.Fields) == 1 {
				why.Flash = errFlash(ae.Fields[0].Message(l))
			}
			s.showRequest(c, statusOf(ae.Code), r, why, remarks)
		default:
			s.fail(c, err)
		}
		return
	}
	if res.TemporaryPassword != "" {
		s.showTemporaryPassword(c, res)
		return
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/requests/%d?done=%s", r.ID, ev))
}

type tempPasswordView struct {
	ID        int64
	Reference string
	Subject   string
	MaskedIC  string
	Password  string
	Expires   time.Time
}

// showTemporaryPassword shows a provisioned temporary password, once: it is
// in this response only (not stored in clear, not cached, not redirected to).
func (s *Server) showTemporaryPassword(c *gin.Context, res *store.ActResult) {
	ttl := s.auth.LinkTTL
	if ttl <= 0 {
		ttl = store.DefaultAuthSettings().LinkTTL
	}
	r := res.Request
	s.page(c, http.StatusOK, "request_temp_password", tempPasswordView{ID: r.ID, Reference: r.Reference,
		Subject: r.SubjectName, MaskedIC: forms.MaskLogin(r.SubjectIC), Password: res.TemporaryPassword,
		Expires: s.now().Add(ttl)}, okFlash(tr(c, "request.done.provision", "Ref", r.Reference)))
}

// requestPrint is the Borang as an A4 paper form, always in Bahasa Malaysia
// like the paper form it replaces.
func (s *Server) requestPrint(c *gin.Context) {
	r, ok := s.loadRequest(c)
	if !ok {
		return
	}
	v := s.view(c, nil)
	v.Lang = "ms"
	v.Data = s.detail("ms", r)
	s.renderView(c, http.StatusOK, "request_print", v)
}

// The inbox.

type inboxCard struct {
	State, Label, Href string
	Count              int64
	Current            bool
}

type bulkResult struct {
	ID        int64
	Reference string
	OK        bool
	Message   string
}

type inboxData struct {
	Cards   []inboxCard
	Total   int64
	State   string
	Rows    []requestRow
	Pager   pager
	Bulk    bool // some row may be approved from here
	Results []bulkResult
}

// waitingStates are the states a request waits in for someone, in the
// order of the workflow.
var waitingStates = []workflow.State{workflow.Draft, workflow.Returned, workflow.Submitted, workflow.OfficerApproved, workflow.TreasuryApproved}

// inbox renders the inbox, with the results of a bulk approval if any.
func (s *Server) inbox(c *gin.Context, status int, results []bulkResult, flash *Flash) {
	ctx, u, l := c.Request.Context(), currentUser(c), lang(c)
	counts, total, err := s.db.InboxCounts(ctx, u)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := store.RequestFilter{AwaitingMe: true}
	if st := workflow.State(c.Query("state")); slices.Contains(waitingStates, st) {
		f.State = st
	}
	p := pageOf(c)
	list, n, err := s.db.ListRequests(ctx, u, f, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := url.Values{}
	if f.State != "" {
		q.Set("state", string(f.State))
	}
	d := inboxData{Total: total, State: string(f.State), Pager: newPager("/inbox", q, p, n), Results: results}
	for _, st := range waitingStates {
		if counts[st] > 0 {
			d.Cards = append(d.Cards, inboxCard{State: string(st), Label: st.Label(l), Count: counts[st],
				Href: "/inbox?state=" + string(st), Current: st == f.State})
		}
	}
	actions, err := s.db.Actions(ctx, u)
	if err != nil {
		s.fail(c, err)
		return
	}
	for i := range list {
		row := rowOf(&list[i], l)
		row.Approvable = slices.Contains(actions(&list[i]), workflow.Approve)
		d.Bulk = d.Bulk || row.Approvable
		d.Rows = append(d.Rows, row)
	}
	s.page(c, status, "inbox", d, flash)
}

func (s *Server) inboxPage(c *gin.Context) { s.inbox(c, http.StatusOK, nil, nil) }

// inboxApprove approves the selected requests one by one, each in its own
// transaction, and shows what became of each.
func (s *Server) inboxApprove(c *gin.Context) {
	var ids []int64
	for _, v := range c.PostFormArray("id") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		s.inbox(c, http.StatusUnprocessableEntity, nil, errFlash(tr(c, "inbox.none_selected")))
		return
	case len(ids) > store.MaxPageSize:
		ids = ids[:store.MaxPageSize]
	}
	if c.PostForm("confirm") == "" {
		s.inbox(c, http.StatusUnprocessableEntity, nil, errFlash(tr(c, "request.confirm.missing")))
		return
	}
	l := lang(c)
	var results []bulkResult
	approved := 0
	for _, id := range ids {
		version, _ := strconv.ParseInt(c.PostForm(fmt.Sprintf("version_%d", id)), 10, 64)
		res, err := s.act(c, id, workflow.Action{Event: workflow.Approve, Version: version}, store.ActOptions{})
		out := bulkResult{ID: id, Reference: fmt.Sprintf("#%d", id), OK: err == nil}
		if err == nil {
			out.Reference, out.Message = res.Request.Reference, res.Request.State.Label(l)
			approved++
		} else {
			if apperr.CodeOf(err) == apperr.Internal {
				s.log.Error("bulk approve", "request", id, "error", err)
			}
			out.Message = apperr.As(err).Message(l)
			if r, err := s.db.RequestFor(c.Request.Context(), currentUser(c), id); err == nil {
				out.Reference = r.Reference
			} else {
				out.ID = 0 // not one the user may open
			}
		}
		results = append(results, out)
	}
	flash := okFlash(tr(c, "inbox.bulk_done", "Done", approved, "Of", len(ids)))
	if approved < len(ids) {
		flash.Kind = "error"
	}
	s.inbox(c, http.StatusOK, results, flash)
}
