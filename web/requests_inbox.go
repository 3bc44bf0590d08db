package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// The inbox: what waits for the viewer, with bulk approval.

type inboxCard struct {
	State, Label, Href string
	Count              store.Total
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
	Total   store.Total
	State   string
	Rows    []requestRow
	Pager   pager
	Bulk    bool // some row may be approved from here
	Results []bulkResult
}

// inbox renders the inbox, with the results of a bulk approval if any.
func (s *Server) inbox(c *gin.Context, status int, results []bulkResult, flash *Flash) {
	u, l := currentUser(c), lang(c)
	var state workflow.State
	if st := workflow.State(c.Query("state")); slices.Contains(workflow.WaitingStates(), st) {
		state = st
	}
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	in, err := s.admin.InboxFor(c.Request.Context(), u, state, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := url.Values{}
	if state != "" {
		q.Set("state", string(state))
	}
	d := inboxData{Total: in.Total, State: string(state), Pager: newPager("/inbox", q, p, in.ListTotal, len(in.List)), Results: results}
	for _, st := range workflow.WaitingStates() {
		if in.Counts[st].N > 0 {
			d.Cards = append(d.Cards, inboxCard{State: string(st), Label: st.Label(l), Count: in.Counts[st],
				Href: "/inbox?state=" + string(st), Current: st == state})
		}
	}
	d.Rows = make([]requestRow, 0, len(in.List))
	for i := range in.List {
		row := rowOf(&in.List[i], l)
		row.Approvable = slices.Contains(in.Actions(&in.List[i]), workflow.Approve)
		d.Bulk = d.Bulk || row.Approvable
		d.Rows = append(d.Rows, row)
	}
	s.page(c, status, "inbox", d, flash)
}

// inboxPage is the inbox, with what a bulk approval left for it (post/
// redirect/get): the results, or why nothing was approved.
func (s *Server) inboxPage(c *gin.Context) {
	var results []bulkResult
	fl := s.takeFlash(c)
	if fl != nil {
		results = fl.Results
	}
	s.inbox(c, fl.status(), results, fl.flash())
}

// inboxApprove approves the selected requests one by one, each in its own
// transaction, and goes back to the inbox to show what became of each
// (post/redirect/get, a refusal too).
func (s *Server) inboxApprove(c *gin.Context) {
	var ids []int64
	for _, v := range c.PostFormArray("id") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		s.redirectWith(c, "/inbox", &formFlash{Status: http.StatusUnprocessableEntity, Kind: "error", Text: tr(c, "inbox.none_selected")})
		return
	case len(ids) > store.MaxPageSize:
		ids = ids[:store.MaxPageSize]
	}
	if c.PostForm("confirm") == "" {
		s.redirectWith(c, "/inbox", &formFlash{Status: http.StatusUnprocessableEntity, Kind: "error", Text: tr(c, "request.confirm.missing")})
		return
	}
	l := lang(c)
	var results []bulkResult
	approved := 0
	for _, id := range ids {
		version, _ := strconv.ParseInt(c.PostForm(fmt.Sprintf("version_%d", id)), 10, 64)
		res, err := s.act(c, id, workflow.Action{Event: workflow.Approve, Version: version}, useradmin.ActOptions{})
		out := bulkResult{ID: id, Reference: fmt.Sprintf("#%d", id), OK: err == nil}
		if err == nil {
			out.Reference, out.Message = res.Request.Reference, res.Request.State.Label(l)
			approved++
		} else {
			if apperr.CodeOf(err) == apperr.Internal {
				s.log.Error("bulk approve", "request", id, "error", err)
			}
			out.Message = apperr.As(err).Message(l)
			if r, err := s.admin.RequestFor(c.Request.Context(), currentUser(c), id); err == nil {
				out.Reference = r.Reference
			} else {
				out.ID = 0 // not one the user may open
			}
		}
		results = append(results, out)
	}
	done := &formFlash{Kind: "ok", Text: tr(c, "inbox.bulk_done", "Done", approved, "Of", len(ids)), Results: results}
	if approved < len(ids) {
		done.Kind = "error"
	}
	s.redirectWith(c, "/inbox", done)
}
