package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// The request API: the same rules as the pages, for integrators and tests.

// apiPerson names someone in a request's history.
type apiPerson struct {
	Login string `json:"login"`
	Name  string `json:"name"`
}

type apiEvent struct {
	Event      workflow.Event `json:"event"`
	From       workflow.State `json:"from"`
	To         workflow.State `json:"to"`
	Actor      apiPerson      `json:"actor"`
	OnBehalfOf *apiPerson     `json:"on_behalf_of"`
	Remarks    string         `json:"remarks"`
	At         time.Time      `json:"at"`
}

type apiRequest struct {
	ID            int64             `json:"id"`
	Reference     string            `json:"reference"`
	Kind          forms.Kind        `json:"kind"`
	State         workflow.State    `json:"state"`
	Version       int64             `json:"version"`
	PTJCode       string            `json:"ptj_code"`
	Subject       forms.Subject     `json:"subject"`
	Modules       []forms.Module    `json:"modules"`
	Roles         []forms.RoleGrant `json:"roles"`
	Justification string            `json:"justification"`
	Declaration   bool              `json:"declaration"`
	Submitter     apiPerson         `json:"submitter"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	// Actions are the events the caller may fire now.
	Actions []workflow.Event `json:"actions"`
	History []apiEvent       `json:"history,omitempty"`
	// TemporaryPassword is present once, in the answer to the provision
	// that set it.
	TemporaryPassword string `json:"temporary_password,omitempty"`
}

// requestJSON is r as the API shows it to the caller, with the actions the
// caller may fire (from actions) and its history when withHistory.
func requestJSON(r *store.Request, actions []workflow.Event, withHistory bool) apiRequest {
	f := r.Form()
	out := apiRequest{
		ID: r.ID, Reference: r.Reference, Kind: r.Kind, State: r.State, Version: r.Version,
		PTJCode: r.PTJCode, Subject: f.Subject, Modules: f.Modules, Roles: f.Roles,
		Justification: r.Justification, Declaration: r.Declaration,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Actions: actions,
	}
	if out.Actions == nil {
		out.Actions = []workflow.Event{}
	}
	if r.Submitter != nil {
		out.Submitter = apiPerson{Login: r.Submitter.Login, Name: r.Submitter.Name}
	}
	if withHistory {
		out.History = []apiEvent{}
		for _, e := range r.Events {
			ev := apiEvent{Event: e.Event, From: e.From, To: e.To, Actor: apiPerson{Login: e.ActorLogin, Name: e.ActorName},
				Remarks: e.Remarks, At: e.At.UTC()}
			if e.OnBehalfID != nil {
				ev.OnBehalfOf = &apiPerson{Login: valueOf(e.OnBehalfLogin), Name: valueOf(e.OnBehalfName)}
			}
			out.History = append(out.History, ev)
		}
	}
	return out
}

func valueOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// requestBody is a Borang sent to the API. Declaration may be left out: a
// representative submitting through the API under their own login makes
// the declaration by doing so; an explicit false is refused on submission.
type requestBody struct {
	Kind          forms.Kind        `json:"kind"`
	PTJCode       string            `json:"ptj_code"`
	Subject       forms.Subject     `json:"subject"`
	Modules       []forms.Module    `json:"modules"`
	Roles         []forms.RoleGrant `json:"roles"`
	Justification string            `json:"justification"`
	Declaration   *bool             `json:"declaration"`
	Draft         bool              `json:"draft"`
	// For PUT (amend): the version the caller saw, and whether to send it on.
	Version int64 `json:"version"`
	Submit  bool  `json:"submit"`
}

func (b requestBody) form() forms.Request {
	f := forms.Request{Kind: b.Kind, PTJCode: b.PTJCode, Subject: b.Subject, Modules: b.Modules, Roles: b.Roles,
		Justification: b.Justification, Declaration: true}
	if b.Declaration != nil {
		f.Declaration = *b.Declaration
	}
	return f
}

func (s *Server) apiRequestCreate(c *gin.Context) {
	var b requestBody
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	r, err := s.admin.CreateRequest(c.Request.Context(), currentUser(c), b.form(), b.Draft)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.created(r)
	s.sendRequest(c, http.StatusCreated, r.ID, "")
}

func (s *Server) apiRequestAmend(c *gin.Context) {
	id, err := requestID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var b requestBody
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	r, err := s.admin.AmendRequest(c.Request.Context(), currentUser(c), id, b.Version, b.form(), b.Submit)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.created(r)
	s.sendRequest(c, http.StatusOK, r.ID, "")
}

// sendRequest answers with request id as the caller may see it now.
func (s *Server) sendRequest(c *gin.Context, status int, id int64, tempPassword string) {
	r, err := s.admin.RequestFor(c.Request.Context(), currentUser(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	actions, err := s.admin.Available(c.Request.Context(), currentUser(c), r)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := requestJSON(r, actions, true)
	out.TemporaryPassword = tempPassword
	c.JSON(status, out)
}

func (s *Server) apiRequestGet(c *gin.Context) {
	id, err := requestID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.sendRequest(c, http.StatusOK, id, "")
}

// requestFilter reads the list filters shared by the API, the list page and
// the CSV export. Unknown states and kinds are left out of the filter and
// reported in the error (the API refuses them; the pages drop them).
func requestFilter(c *gin.Context) (useradmin.Filter, error) {
	f := useradmin.Filter{
		State: workflow.State(c.Query("state")), Kind: forms.Kind(c.Query("kind")),
		PTJCode: strings.TrimSpace(c.Query("ptj_code")), Q: strings.TrimSpace(c.Query("q")),
		AwaitingMe: c.Query("awaiting") == "me", Mine: c.Query("mine") == "1" || c.Query("mine") == "true",
	}
	if f.PTJCode == "" {
		f.PTJCode = strings.TrimSpace(c.Query("ptj"))
	}
	var fields []apperr.FieldError
	if f.State != "" && !slices.Contains(workflow.States(), f.State) {
		fields = append(fields, apperr.Field("state", "request.error.unknown_state"))
		f.State = ""
	}
	if f.Kind != "" && !f.Kind.Valid() {
		fields = append(fields, apperr.Field("kind", "request.error.unknown_kind"))
		f.Kind = ""
	}
	if len(fields) > 0 {
		return f, apperr.Fields(fields...)
	}
	return f, nil
}

func (s *Server) apiRequestList(c *gin.Context) {
	f, err := requestFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := store.ParsePage(c.Query("page"), c.Query("page_size"))
	if err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.admin.ListRequests(c.Request.Context(), currentUser(c), f, page)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]apiRequest, 0, len(list))
	actions, err := s.admin.Actions(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	for i := range list {
		items = append(items, requestJSON(&list[i], actions(&list[i]), false))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total.N, "total_exact": total.Exact, "page": max(page.Number, 1), "page_size": page.Limit()})
}

type actionBody struct {
	Action            string `json:"action"`
	Version           int64  `json:"version"`
	Remarks           string `json:"remarks"`
	TemporaryPassword bool   `json:"temporary_password"`
}

func (s *Server) apiRequestAct(c *gin.Context) {
	id, err := requestID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var b actionBody
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	ev, err := workflow.ParseEvent(b.Action)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.act(c, id, workflow.Action{Event: ev, Version: b.Version, Remarks: b.Remarks},
		useradmin.ActOptions{TemporaryPassword: b.TemporaryPassword})
	if err != nil {
		s.fail(c, err)
		return
	}
	// The request as the action left it, read in the action's transaction.
	out := requestJSON(res.Request, res.Available, true)
	out.TemporaryPassword = res.TemporaryPassword
	c.JSON(http.StatusOK, out)
}

type delegationBody struct {
	DelegateLogin string `json:"delegate_login"`
	From          string `json:"from"`
	To            string `json:"to"`
}

func (s *Server) apiDelegationCreate(c *gin.Context) {
	var b delegationBody
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	d, err := s.admin.AddDelegation(c.Request.Context(), currentUser(c), b.DelegateLogin, b.From, b.To)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": d.ID, "ptj_code": d.PTJCode, "delegate_login": d.Delegate.Login,
		"delegate_name": d.Delegate.Name, "from": d.FromDate, "to": d.ToDate})
}
