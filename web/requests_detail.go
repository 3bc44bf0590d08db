package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// The detail page of a request with its history and action buttons, the
// actions, and the printable form. Each action is its own POST form, and an
// irreversible action carries a confirmation checkbox instead of a script's
// dialog.

// loadRequest returns request :id if the current user may see it, or
// answers NotFound.
func (s *Server) loadRequest(c *gin.Context) (*store.Request, bool) {
	id, err := requestID(c)
	if err == nil {
		var r *store.Request
		if r, err = s.admin.RequestFor(c.Request.Context(), currentUser(c), id); err == nil {
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
	// DeclarationKey is the declaration's words for the kind.
	DeclarationKey string
	// Next says who acts next.
	Next string
	// Returned is what a returned request's representative reads first:
	// the remarks, the replies so far, the reply form.
	Returned *returnedView
	// The supporting documents, and whether the viewer may add and
	// remove them now (with the limits and the message of a refused try).
	Attachments []attachmentView
	CanAttach   bool
	AttachHint  string
	AttachError string
	// Current is the subject's access now, beside what an open access
	// update asks for, so that approvers see the change.
	Current *currentAccess
}

// returnedView is the remarks a request came back with, who wrote them
// and the submitter's replies since.
type returnedView struct {
	By, Stage, OnBehalf, Remarks string
	At                           time.Time
	Replies                      []eventView
	ReplyText, ReplyError        string // as typed, after a refused reply
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

func (s *Server) detail(lang string, r *store.Request) *requestDetail {
	d := &requestDetail{Req: rowOf(r, lang), Created: r.CreatedAt, IC: malaysia.MyKad(r.SubjectIC).Formatted(),
		Subject: r.Form().Subject, Access: r.Kind.TakesAccess(), Justification: r.Justification,
		Declaration: r.Declaration, PrintedAt: s.now(), DeclarationKey: "request.declaration." + string(r.Kind), Next: nextStep(lang, r)}
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
		d.Events = append(d.Events, eventOf(lang, &e))
	}
	return d
}

// eventOf is a history row as the pages show it; a reply to remarks reads
// as one, not as a transition.
func eventOf(lang string, e *store.RequestEvent) eventView {
	ev := eventView{Event: e.Event.Label(lang), From: e.From.Label(lang), To: e.To.Label(lang),
		Actor: e.ActorName, OnBehalf: strOf(e.OnBehalfName), Remarks: e.Remarks, At: e.At}
	if e.Event == workflow.Reply {
		ev.Event = i18n.T(lang, "request.reply.event")
	}
	if st := workflow.StageOfEvent(e.Event, e.From); st != "" {
		ev.Stage = i18n.T(lang, "request.stage."+string(st))
	}
	return ev
}

// returnedOf is what r's representative reads first while it is returned.
func returnedOf(lang string, r *store.Request) *returnedView {
	ret := lastReturn(r)
	if r.State != workflow.Returned || ret == nil {
		return nil
	}
	ev := eventOf(lang, ret)
	v := &returnedView{By: ev.Actor, Stage: ev.Stage, OnBehalf: ev.OnBehalf, Remarks: ret.Remarks, At: ret.At}
	for i := range r.Events {
		if e := &r.Events[i]; e.Event == workflow.Reply && e.ID > ret.ID {
			v.Replies = append(v.Replies, eventOf(lang, e))
		}
	}
	return v
}

// showRequest renders the detail page of r for the current user, with
// the outcome a POST left in fl (nil: none): a refused action's messages
// beside its form, a refused reply or attachment beside theirs.
func (s *Server) showRequest(c *gin.Context, r *store.Request, fl *formFlash) {
	ctx, l := c.Request.Context(), lang(c)
	d := s.detail(l, r)
	if r.Kind == forms.KindAccessUpdate && !r.State.Final() {
		u, err := s.admin.SubjectFor(ctx, r)
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
	available, err := s.admin.Available(ctx, currentUser(c), r)
	if err != nil {
		s.fail(c, err)
		return
	}
	if fl == nil {
		fl = &formFlash{}
	}
	for _, e := range available {
		if e.ThroughForm() {
			d.CanEdit = true // sent on through the form, which checks the Borang
			continue
		}
		a := actionView{Event: e, Label: e.Label(l), NeedRemarks: e.NeedsRemarks(),
			Confirm: e.Irreversible(), Danger: e == workflow.Reject || e == workflow.Withdraw,
			TempPassword: e == workflow.Provision && workflow.EffectOf(r.Kind).HandsOverPassword(),
			HintKey:      "request.action_hint." + string(e)}
		if string(e) == fl.Event {
			a.Remarks = fl.Values.Get("remarks")
			a.RemarksError, a.ConfirmError, a.OptionError = fl.field("remarks"), fl.field("confirm"), fl.field("temporary_password")
		}
		d.Actions = append(d.Actions, a)
	}
	// Attachments change with the Borang: while whoever may send it on has it.
	d.CanAttach = d.CanEdit
	list, err := s.admin.Attachments(ctx, r)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Attachments = attachmentViews(list)
	if d.CanAttach {
		d.AttachHint = s.attachHint(c)
	}
	if fl.Event == "attach" {
		d.AttachError = fl.field(forms.FieldFile)
	}
	if d.CanEdit {
		if d.Returned = returnedOf(l, r); d.Returned != nil && fl.Event == "reply" {
			d.Returned.ReplyText, d.Returned.ReplyError = fl.Values.Get("remarks"), fl.field("remarks")
		}
	}
	flash := fl.flash()
	if flash == nil {
		flash = doneFlash(c, "request.done.", "Ref", r.Reference)
		if c.Query("done") == "created" && r.State == workflow.Draft {
			flash = okFlash(tr(c, "request.done.draft", "Ref", r.Reference))
		}
	}
	s.page(c, fl.status(), "request_detail", d, flash)
}

func (s *Server) requestPage(c *gin.Context) {
	if r, ok := s.loadRequest(c); ok {
		s.showRequest(c, r, s.takeFlash(c))
	}
}

var errSubmitThroughForm = apperr.New(apperr.Invalid, "request.error.submit_through_form")

// requestAct fires one action from the detail page's forms and goes back to
// the request's page (post/redirect/get) with what happened: done, who acts
// next and who was mailed; or refused, having changed nothing — a stale
// page (409), missing remarks or confirmation (422) — with the reason
// beside the action's form and its remarks as typed.
func (s *Server) requestAct(c *gin.Context) {
	r, ok := s.loadRequest(c)
	if !ok {
		return
	}
	target := requestTarget(r.ID)
	ev, err := workflow.ParseEvent(c.PostForm("action"))
	if err == nil && ev.ThroughForm() {
		err = errSubmitThroughForm
	}
	if err == nil && ev.Irreversible() && c.PostForm("confirm") == "" {
		err = apperr.Fields(apperr.Field("confirm", "request.confirm.missing"))
	}
	var res *useradmin.ActResult
	if err == nil {
		version, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
		opt := useradmin.ActOptions{TemporaryPassword: ev == workflow.Provision && c.PostForm("temporary_password") != ""}
		res, err = s.act(c, r.ID, workflow.Action{Event: ev, Version: version, Remarks: c.PostForm("remarks")}, opt)
	}
	if err != nil {
		s.refuseOnPage(c, target, string(ev), err)
		return
	}
	if res.TemporaryPassword != "" {
		s.showTemporaryPassword(c, res)
		return
	}
	s.redirectWith(c, target, okOutcome(lang(c), string(ev), res))
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
func (s *Server) showTemporaryPassword(c *gin.Context, res *useradmin.ActResult) {
	r := res.Request
	s.page(c, http.StatusOK, "request_temp_password", tempPasswordView{ID: r.ID, Reference: r.Reference,
		Subject: r.SubjectName, MaskedIC: forms.MaskLogin(r.SubjectIC), Password: res.TemporaryPassword,
		Expires: res.TemporaryExpires}, okFlash(tr(c, "request.done.provision", "Ref", r.Reference)))
}

// requestPrint is the Borang as an A4 paper form, in the language the user
// chose, with the list of its supporting documents.
func (s *Server) requestPrint(c *gin.Context) {
	r, ok := s.loadRequest(c)
	if !ok {
		return
	}
	d := s.detail(lang(c), r)
	list, err := s.admin.Attachments(c.Request.Context(), r)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Attachments = attachmentViews(list)
	s.render(c, http.StatusOK, "request_print", d)
}
