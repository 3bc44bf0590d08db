package web

import (
	"fmt"
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

func (s *Server) detail(lang string, r *store.Request) *requestDetail {
	d := &requestDetail{Req: rowOf(r, lang), Created: r.CreatedAt, IC: malaysia.MyKad(r.SubjectIC).Formatted(),
		Subject: r.Form().Subject, Access: r.Kind.TakesAccess(), Justification: r.Justification,
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
		if st := workflow.StageOfEvent(e.Event, e.From); st != "" {
			ev.Stage = i18n.T(lang, "request.stage."+string(st))
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
		u, err := s.admin.SubjectFor(c.Request.Context(), r)
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
	available, err := s.admin.Available(c.Request.Context(), currentUser(c), r)
	if err != nil {
		s.fail(c, err)
		return
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
	if err == nil && ev.ThroughForm() {
		err = errSubmitThroughForm
	}
	if err != nil {
		s.showRequest(c, http.StatusUnprocessableEntity, r, refusal{Flash: errFlash(apperr.As(err).Message(l))}, "")
		return
	}
	if ev.Irreversible() && c.PostForm("confirm") == "" {
		msg := tr(c, "request.confirm.missing")
		s.showRequest(c, http.StatusUnprocessableEntity, r, refusal{Event: ev, Fields: map[string]string{"confirm": msg}, Flash: errFlash(msg)}, remarks)
		return
	}
	version, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
	opt := useradmin.ActOptions{TemporaryPassword: ev == workflow.Provision && c.PostForm("temporary_password") != ""}
	res, err := s.act(c, r.ID, workflow.Action{Event: ev, Version: version, Remarks: remarks}, opt)
	if err != nil {
		ae := apperr.As(err)
		switch ae.Code {
		case apperr.Conflict, apperr.Invalid:
			// Show the request as it is now: what the user acted on has moved.
			if now, err := s.admin.RequestFor(c.Request.Context(), currentUser(c), r.ID); err == nil {
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
func (s *Server) showTemporaryPassword(c *gin.Context, res *useradmin.ActResult) {
	r := res.Request
	s.page(c, http.StatusOK, "request_temp_password", tempPasswordView{ID: r.ID, Reference: r.Reference,
		Subject: r.SubjectName, MaskedIC: forms.MaskLogin(r.SubjectIC), Password: res.TemporaryPassword,
		Expires: res.TemporaryExpires}, okFlash(tr(c, "request.done.provision", "Ref", r.Reference)))
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
