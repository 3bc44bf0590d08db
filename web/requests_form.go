package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
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
	PTJName       string
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
	// The declaration's words fit the kind (a deactivation asks for no access).
	DeclarationKey string
	// Attachments already on the request (edit), and the limits of a file.
	Attachments []attachmentView
	AttachHint  string
}

// fieldID is the HTML id of the input of a field path.
func fieldID(name string) string {
	return "f-" + fieldIDChars.Replace(name)
}

// fieldIDChars is built once (a Replacer builds its tables on first use).
var fieldIDChars = strings.NewReplacer(".", "-", "[", "-", "]", "")

// subjectInputs are section B's inputs, in the order of the paper form.
var subjectInputs = []struct {
	name, label, hint, typ, auto string
	max                          int
}{
	{forms.FieldICNumber, "request.field.ic_number", "login.id_hint", "text", "off", 14},
	{forms.FieldName, "request.field.name", "request.hint.name", "text", "name", forms.MaxNameLen},
	{forms.FieldEmail, "request.field.email", "", "email", "email", 254}, // its hint fits the kind: emailHint
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

// emailHint is what the e-mail field says its address is for: the
// one-time set-password link of a registration or a password reset, the
// notice of the other kinds.
func emailHint(kind forms.Kind) string {
	if workflow.EffectOf(kind).HandsOverPassword() {
		return "request.hint.email_link"
	}
	return "request.hint.email_notice"
}

// bindBorang reads the Borang from a POST (or from the values a refused
// POST left in its flash). Input names are the field paths of forms
// (subject.ic_number…); roles are checkboxes named roles, each with its
// limit in ringgit in limit.<role>. The PTJ is not read: it is the
// representative's own (new) or as first filed (edit).
func bindBorang(v url.Values) borangEntry {
	e := borangEntry{Limits: map[forms.Role]string{}}
	f := &e.Form
	f.Kind = forms.Kind(v.Get(forms.FieldKind))
	f.Subject = forms.Subject{
		ICNumber: v.Get(forms.FieldICNumber), Name: v.Get(forms.FieldName),
		Email: v.Get(forms.FieldEmail), Position: v.Get(forms.FieldPosition),
		Grade: v.Get(forms.FieldGrade), SalaryNo: v.Get(forms.FieldSalaryNo),
	}
	for _, m := range v[forms.FieldModules] {
		f.Modules = append(f.Modules, forms.Module(m))
	}
	checked := v[forms.FieldRoles]
	for _, r := range forms.Roles {
		e.Limits[r] = v.Get("limit." + string(r))
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
	f.Justification = v.Get(forms.FieldJustification)
	f.Declaration = v.Get(forms.FieldDeclaration) != ""
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
		Errors: map[string]string{}, SubmitKey: "request.form.submit", DeclarationKey: "request.declaration." + string(kind)}
	for _, in := range subjectInputs {
		hint := in.hint
		if in.name == forms.FieldEmail {
			hint = emailHint(kind)
		}
		v.Subject = append(v.Subject, textField{Name: in.name, ID: fieldID(in.name), Label: in.label, Hint: hint,
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
func (v *borangView) setErrors(f forms.Request, fields []fieldText) {
	for _, fe := range fields {
		field, anchor := fe.Field, fieldID(fe.Field)
		for i, g := range f.Roles {
			row := slices.IndexFunc(v.Roles, func(r roleField) bool { return r.Value == string(g.Role) })
			if row < 0 || (field != forms.RoleField(i) && field != forms.LimitField(i)) {
				continue
			}
			anchor = v.Roles[row].ID
			if field == forms.LimitField(i) && v.Roles[row].LimitError == "" {
				v.Roles[row].LimitError = fe.Text
			} else if field == forms.RoleField(i) && v.Roles[row].Error == "" {
				v.Roles[row].Error = fe.Text
			}
		}
		if _, dup := v.Errors[field]; dup {
			continue
		}
		v.Errors[field] = fe.Text
		v.Summary = append(v.Summary, summaryItem{Anchor: anchor, Text: fe.Text})
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
	u := currentUser(c)
	if fl := s.takeFlash(c); fl != nil && fl.Values != nil {
		e := bindBorang(fl.Values)
		e.Form.Kind, e.Form.PTJCode = kind, repPTJ(u)
		v := borangForm(l, kind, e)
		s.showBorang(c, v, e, fl)
		return
	}
	f := forms.Request{Kind: kind, PTJCode: repPTJ(u)}
	var flash *Flash
	// For a profile that exists, the representative may fill the form from
	// it (a GET form, no script): the subject's details and, for an access
	// update, the access it has now as the starting point.
	if ic := strings.TrimSpace(c.Query("ic")); ic != "" && kind != forms.KindRegistration {
		p, err := s.admin.ProfileInPTJ(c.Request.Context(), ic, f.PTJCode)
		switch {
		case err == nil:
			f.Subject = forms.Subject{ICNumber: shownLogin(p.Login), Name: p.Name, Email: p.Email, Position: p.Position, Grade: p.Grade, SalaryNo: p.SalaryNo}
			if kind == forms.KindAccessUpdate {
				for _, m := range p.Modules {
					f.Modules = append(f.Modules, m.Module)
				}
				for _, r := range p.Roles {
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
	s.fillBorang(c, v, nil)
	s.page(c, http.StatusOK, "request_form", v, flash)
}

// shownLogin is a login as the form shows it: a MyKad with its dashes, as
// people write it (the form reads either).
func shownLogin(login string) string {
	if _, isMyKad, err := forms.ParseLogin(login); err == nil && isMyKad {
		return malaysia.MyKad(login).Formatted()
	}
	return login
}

// fillBorang completes v with what the page shows beside the form: the
// PTJ's name, the attachments of r (when amending) and the limits of a file.
func (s *Server) fillBorang(c *gin.Context, v *borangView, r *store.Request) {
	if r != nil && r.PTJ != nil {
		v.PTJName = r.PTJ.Name
	} else if p, err := s.db.PTJ(c.Request.Context(), v.PTJCode); err == nil {
		v.PTJName = p.Name
	}
	if r != nil {
		if list, err := s.admin.Attachments(c.Request.Context(), r); err == nil {
			v.Attachments = attachmentViews(list)
		}
	}
	v.AttachHint = s.attachHint(c)
}

// showBorang shows the form of a refused POST again as typed, with why
// (the flash the POST left): the field messages beside their inputs and in
// the summary, or the message about the whole form.
func (s *Server) showBorang(c *gin.Context, v *borangView, e borangEntry, fl *formFlash) {
	if len(fl.Fields) > 0 {
		v.setErrors(e.Form, fl.Fields)
	} else {
		v.Message = fl.Text
	}
	if v.Edit {
		v.Version, _ = strconv.ParseInt(fl.Values.Get("version"), 10, 64) // what the user saw: a stale one fails again
	}
	s.render(c, fl.status(), "request_form", v)
}

// formTarget is where a Borang POST goes back to: the new-request form of
// its kind, or the edit page.
func formTarget(kind forms.Kind, id int64) string {
	if id != 0 {
		return fmt.Sprintf("/requests/%d/edit", id)
	}
	if kind.Valid() {
		return "/requests/new?kind=" + url.QueryEscape(string(kind))
	}
	return "/requests/new"
}

// borangRefused sends a refused Borang back to its form with what was
// typed and why (post/redirect/get): field messages (422), or a conflict
// or refusal about the whole form (409, 403). Anything else is the error
// page. A file chosen with it is not kept: the summary asks for it again.
func (s *Server) borangRefused(c *gin.Context, kind forms.Kind, id int64, err error) {
	switch apperr.CodeOf(err) {
	case apperr.Invalid, apperr.Conflict, apperr.Forbidden:
	default:
		s.fail(c, err)
		return
	}
	fl := refusedFlash(lang(c), err, c.Request.PostForm)
	if up, _ := c.FormFile(forms.FieldFile); up != nil && up.Filename != "" && fl.field(forms.FieldFile) == "" {
		fl.Fields = append(fl.Fields, fieldText{Field: forms.FieldFile, Text: tr(c, "attachment.error.choose_again")})
	}
	s.redirectWith(c, formTarget(kind, id), fl)
}

func (s *Server) requestCreate(c *gin.Context) {
	e := bindBorang(c.Request.PostForm)
	e.Form.PTJCode = repPTJ(currentUser(c)) // the representative's own: never what a form says
	if err := s.checkEntry(c, e); err != nil {
		s.borangRefused(c, e.Form.Kind, 0, err)
		return
	}
	files, err := s.formFile(c, false)
	if err != nil {
		s.borangRefused(c, e.Form.Kind, 0, err)
		return
	}
	draft := c.PostForm("draft") != ""
	res, err := s.admin.Create(c.Request.Context(), currentUser(c), useradmin.Filing{Form: e.Form, Draft: draft, Files: files})
	if err != nil {
		s.borangRefused(c, e.Form.Kind, 0, err)
		return
	}
	s.created(res.Request)
	done := "created"
	if draft {
		done = "draft"
	}
	s.redirectWith(c, requestTarget(res.Request.ID), okOutcome(lang(c), done, res))
}

// checkEntry is every message the Borang's own rules give when a limit is
// not an amount (the store cannot be asked: it would take the limit as
// zero); nil when the entry may go on.
func (s *Server) checkEntry(c *gin.Context, e borangEntry) error {
	if len(e.Errs) == 0 {
		return nil
	}
	var fields []apperr.FieldError
	f := e.Form
	f.Roles = slices.Clone(f.Roles)
	if err := s.admin.CheckForm(c.Request.Context(), f); apperr.Is(err, apperr.Invalid) {
		fields = append(fields, apperr.As(err).Fields...)
	} else if err != nil {
		return err
	}
	fields = append(fields, e.Errs...) // after: the summary follows the form's order
	return apperr.Fields(fields...)
}

// editForm is the edit view of r for entry e.
func editForm(lang string, r *store.Request, e borangEntry) *borangView {
	e.Form.Kind, e.Form.PTJCode = r.Kind, r.PTJCode // kept as first filed
	v := borangForm(lang, r.Kind, e)
	v.Action = fmt.Sprintf("/requests/%d/edit", r.ID)
	v.Edit, v.ID, v.Reference, v.Version = true, r.ID, r.Reference, r.Version
	if r.State == workflow.Returned {
		v.SubmitKey = "request.form.resubmit"
		if ret := lastReturn(r); ret != nil {
			v.ReturnRemarks = ret.Remarks
		}
	}
	return v
}

// lastReturn is the event that returned r for amendment last, nil if none.
func lastReturn(r *store.Request) *store.RequestEvent {
	for i := len(r.Events) - 1; i >= 0; i-- {
		if r.Events[i].Event == workflow.Return {
			return &r.Events[i]
		}
	}
	return nil
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
	if fl := s.takeFlash(c); fl != nil && fl.Values != nil {
		e := bindBorang(fl.Values)
		v := editForm(lang(c), r, e)
		s.fillBorang(c, v, r)
		s.showBorang(c, v, e, fl)
		return
	}
	v := editForm(lang(c), r, entryOf(r.Form()))
	v.Subject[0].Value = shownLogin(v.Subject[0].Value)
	s.fillBorang(c, v, r)
	s.render(c, http.StatusOK, "request_form", v)
}

func (s *Server) requestEdit(c *gin.Context) {
	r, ok := s.loadRequest(c)
	if !ok {
		return
	}
	e := bindBorang(c.Request.PostForm)
	version, _ := strconv.ParseInt(c.PostForm("version"), 10, 64) // what the user saw: a stale one must fail, not be refreshed
	if err := s.checkEntry(c, e); err != nil {
		s.borangRefused(c, r.Kind, r.ID, err)
		return
	}
	files, err := s.formFile(c, false)
	if err != nil {
		s.borangRefused(c, r.Kind, r.ID, err)
		return
	}
	submit := c.PostForm("draft") == ""
	res, err := s.admin.Amend(c.Request.Context(), currentUser(c), r.ID, version, useradmin.Filing{Form: e.Form, Draft: !submit, Files: files})
	if err != nil {
		s.borangRefused(c, r.Kind, r.ID, err)
		return
	}
	s.created(res.Request)
	done := "saved"
	switch {
	case submit && r.State == workflow.Returned:
		done = "resubmit"
	case submit:
		done = "submit"
	}
	s.redirectWith(c, requestTarget(r.ID), okOutcome(lang(c), done, res))
}
