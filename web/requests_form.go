package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

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
		Access: kind.TakesAccess(), Justification: f.Justification, Declaration: f.Declaration,
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
		u, err := s.admin.ProfileInPTJ(c.Request.Context(), ic, f.PTJCode)
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
	r, err := s.admin.CreateRequest(c.Request.Context(), currentUser(c), e.Form, c.PostForm("draft") != "")
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
	if err := s.admin.CheckForm(c.Request.Context(), f); apperr.Is(err, apperr.Invalid) {
		fields = append(fields, apperr.As(err).Fields...)
	} else if err != nil {
		s.fail(c, err)
		return false
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
	av, err := s.admin.Available(c.Request.Context(), currentUser(c), r)
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
	r2, err := s.admin.AmendRequest(c.Request.Context(), currentUser(c), r.ID, version, e.Form, submit)
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
