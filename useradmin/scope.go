package useradmin

import (
	"context"
	"errors"
	"slices"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// Filter selects requests for lists, searches and exports.
type Filter struct {
	State   workflow.State
	Kind    forms.Kind
	PTJCode string
	Q       string // part of the reference, the subject's name or MyKad
	// AwaitingMe keeps only requests at a stage the viewer acts at.
	AwaitingMe bool
	// Mine keeps only requests the viewer submitted.
	Mine bool
	// Subject keeps only requests about this login (a user's page).
	Subject string
}

// scope is which requests a viewer may see: treasury staff and auditors see
// every request; PTJ representatives and controlling officers (and their
// delegates of today) those of their PTJ.
type scope struct {
	all  bool
	ptjs []string
}

// rolesScope is the scope the viewer's own roles give, without delegations
// (and without a query).
func rolesScope(viewer *store.User) scope {
	sc := scope{all: viewer.HasRole(forms.RoleTreasuryApprover) || viewer.HasRole(forms.RoleSysadmin) || viewer.HasRole(forms.RoleAuditor)}
	for _, r := range viewer.Roles {
		if r.PTJCode != nil && r.Role.PTJScoped() {
			sc.ptjs = append(sc.ptjs, *r.PTJCode)
		}
	}
	return sc
}

// covers reports whether the scope shows requests of ptj.
func (sc scope) covers(ptj string) bool { return sc.all || slices.Contains(sc.ptjs, ptj) }

// viewerOf is the viewer as the workflow sees them and the scope it gives,
// delegations of today included, read once per call.
func (s *Service) viewerOf(ctx context.Context, c store.Conn, viewer *store.User) (workflow.Actor, scope, error) {
	a, err := s.withDelegations(ctx, c, viewer)
	if err != nil {
		return a, scope{}, err
	}
	sc := rolesScope(viewer)
	now := s.now()
	for _, d := range a.Delegations {
		if d.Covers(d.PTJCode, now) {
			sc.ptjs = append(sc.ptjs, d.PTJCode)
		}
	}
	return a, sc, nil
}

// canSee reports whether viewer may see r.
func (s *Service) canSee(ctx context.Context, c store.Conn, viewer *store.User, r *store.Request) (bool, error) {
	if rolesScope(viewer).covers(r.PTJCode) {
		return true, nil // the common case needs no query
	}
	_, sc, err := s.viewerOf(ctx, c, viewer)
	return sc.covers(r.PTJCode), err
}

// query is f for viewer as the store selects it.
func (s *Service) query(ctx context.Context, viewer *store.User, f Filter) (store.RequestQuery, error) {
	a, sc, err := s.viewerOf(ctx, s.db.Conn, viewer)
	return s.queryOf(viewer, a, sc, f), err
}

// queryOf is f for viewer, as the workflow sees them (a) with the scope sc,
// as the store selects it.
func (s *Service) queryOf(viewer *store.User, a workflow.Actor, sc scope, f Filter) store.RequestQuery {
	q := store.RequestQuery{AllPTJs: sc.all, PTJs: sc.ptjs, State: f.State, Kind: f.Kind, PTJCode: f.PTJCode, Q: f.Q, SubjectIC: f.Subject}
	if f.Mine {
		q.SubmitterID = viewer.ID
	}
	if f.AwaitingMe {
		q.Waiting = []store.StateIn{} // nothing waits unless the workflow says so
		for _, w := range workflow.AwaitingFor(a, s.now()) {
			q.Waiting = append(q.Waiting, store.StateIn{State: w.State, AllPTJs: w.AllPTJs, PTJs: w.PTJs})
		}
		q.NotAbout = viewer.Login
	}
	return q
}

// RequestFor returns request id if viewer may see it (otherwise
// ErrRequestNotFound, which does not tell whether it exists).
func (s *Service) RequestFor(ctx context.Context, viewer *store.User, id int64) (*store.Request, error) {
	r, err := s.db.RequestByID(ctx, id)
	if errors.Is(err, store.ErrNoRequest) {
		return nil, ErrRequestNotFound
	}
	if err != nil {
		return nil, err
	}
	if ok, err := s.canSee(ctx, s.db.Conn, viewer, r); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrRequestNotFound
	}
	return r, nil
}

// Available lists the events viewer may fire on r now.
func (s *Service) Available(ctx context.Context, viewer *store.User, r *store.Request) ([]workflow.Event, error) {
	actions, err := s.Actions(ctx, viewer)
	if err != nil {
		return nil, err
	}
	return actions(r), nil
}

// Actions returns what lists the events viewer may fire on a request now.
// The viewer's roles and delegations are read once, so that a page of
// requests costs one query for them, not one per row.
func (s *Service) Actions(ctx context.Context, viewer *store.User) (func(*store.Request) []workflow.Event, error) {
	a, err := s.withDelegations(ctx, s.db.Conn, viewer)
	return s.actionsOf(a), err
}

// actionsOf lists the events a may fire on a request now.
func (s *Service) actionsOf(a workflow.Actor) func(*store.Request) []workflow.Event {
	now := s.now()
	return func(r *store.Request) []workflow.Event { return workflow.Available(snapshot(r), a, now) }
}

// ListRequests returns the requests viewer may see that f selects, newest
// first, one page at a time, and how many there are in all.
func (s *Service) ListRequests(ctx context.Context, viewer *store.User, f Filter, page store.Page) ([]store.Request, store.Total, error) {
	q, err := s.query(ctx, viewer, f)
	if err != nil {
		return nil, store.Total{}, err
	}
	return s.db.ListRequests(ctx, q, page)
}

// EachRequest calls fn for every request viewer may see that f selects,
// oldest first, reading in batches (for CSV export).
func (s *Service) EachRequest(ctx context.Context, viewer *store.User, f Filter, fn func(*store.Request) error) error {
	q, err := s.query(ctx, viewer, f)
	if err != nil {
		return err
	}
	return s.db.EachRequest(ctx, q, fn)
}

// InboxCounts returns, per state, how many requests wait for viewer's
// action, and how many in all (each counted up to store.CountLimit).
func (s *Service) InboxCounts(ctx context.Context, viewer *store.User) (map[workflow.State]store.Total, store.Total, error) {
	q, err := s.query(ctx, viewer, Filter{AwaitingMe: true})
	if err != nil {
		return nil, store.Total{}, err
	}
	return s.countWaiting(ctx, q, "", store.Total{})
}

// countWaiting counts, per state, the requests q (an inbox's query) selects,
// and adds them up; the count of state known is taken as known (the total
// of the list shown beside the cards: the same query, already counted).
func (s *Service) countWaiting(ctx context.Context, q store.RequestQuery, known workflow.State, total store.Total) (map[workflow.State]store.Total, store.Total, error) {
	m := map[workflow.State]store.Total{}
	all := store.ExactTotal(0)
	for _, st := range q.WaitingStates() {
		n := total
		if st != known {
			var err error
			if n, err = s.db.CountRequests(ctx, q.WaitingIn(st)); err != nil {
				return nil, all, err
			}
		}
		m[st] = n
		all = all.Plus(n)
	}
	return m, all, nil
}

// Inbox is what waits for a viewer's action: how many per state and in
// all, one page of them, and what the viewer may do with each.
type Inbox struct {
	Counts map[workflow.State]store.Total
	Total  store.Total
	// List is one page of the requests waiting in the state asked for (in
	// every state when none was), ListTotal how many there are.
	List      []store.Request
	ListTotal store.Total
	Actions   func(*store.Request) []workflow.Event
}

// InboxFor returns viewer's inbox with one page of the requests waiting in
// state (every waiting state when ""). The viewer's delegations are read
// once for the cards, the list and the actions, and a card that counts the
// list's own query takes the list's total instead of counting again.
func (s *Service) InboxFor(ctx context.Context, viewer *store.User, state workflow.State, page store.Page) (Inbox, error) {
	a, sc, err := s.viewerOf(ctx, s.db.Conn, viewer)
	if err != nil {
		return Inbox{}, err
	}
	in := Inbox{Actions: s.actionsOf(a)}
	q := s.queryOf(viewer, a, sc, Filter{AwaitingMe: true})
	lq := q
	if state != "" {
		lq = q.WaitingIn(state)
	}
	if in.List, in.ListTotal, err = s.db.ListRequests(ctx, lq, page); err != nil {
		return in, err
	}
	known := state
	if states := q.WaitingStates(); state == "" && len(states) == 1 {
		known = states[0] // the list is that one card's requests
	}
	in.Counts, in.Total, err = s.countWaiting(ctx, q, known, in.ListTotal)
	return in, err
}

// SubjectFor returns the profile a request is about, when one exists.
func (s *Service) SubjectFor(ctx context.Context, r *store.Request) (*store.User, error) {
	u, err := s.db.UserByLogin(ctx, r.SubjectIC)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	return u, err
}

var errNoProfileInPTJ = apperr.New(apperr.NotFound, "request.lookup.not_found")

// ProfileInPTJ returns the profile with MyKad or login ic if it belongs to
// PTJ ptj; a profile of another PTJ answers NotFound like a missing one, so
// that a representative learns nothing about other PTJs' staff.
func (s *Service) ProfileInPTJ(ctx context.Context, ic, ptj string) (*store.User, error) {
	login, _, err := forms.ParseLogin(ic)
	if err != nil {
		return nil, apperr.Fields(forms.Field(forms.FieldICNumber, err))
	}
	u, err := s.db.UserByLogin(ctx, login)
	if err == nil && u.PTJCode != ptj {
		err = errNoProfileInPTJ
	}
	if apperr.Is(err, apperr.NotFound) {
		return nil, errNoProfileInPTJ
	}
	return u, err
}
