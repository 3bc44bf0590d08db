package useradmin

import (
	"context"
	"errors"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// Filing is a Borang as its PTJ representative sends it: the form, whether
// it stays a draft or goes on for approval, and the supporting documents
// attached with it.
type Filing struct {
	Form  forms.Request
	Draft bool
	Files []Upload
}

// CreateRequest records a new Borang from by, as a draft or submitted at
// once (draft false); see Create.
func (s *Service) CreateRequest(ctx context.Context, by *store.User, f forms.Request, draft bool) (*store.Request, error) {
	res, err := s.Create(ctx, by, Filing{Form: f, Draft: draft})
	if err != nil {
		return nil, err
	}
	return res.Request, nil
}

// Create records a new Borang from by, in one transaction with its
// reference, history, audit record, attachments and notifications.
// Everything the form and the business rules check is reported at once,
// and nothing is written unless all hold.
func (s *Service) Create(ctx context.Context, by *store.User, fl Filing) (*ActResult, error) {
	var out *ActResult
	f, draft := fl.Form, fl.Draft
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		if err := s.checkForm(ctx, tx, by, &f, draft, 0); err != nil {
			return err
		}
		now := s.now()
		r := &store.Request{State: workflow.Draft, Version: 1, SubmitterID: by.ID, CreatedAt: now, UpdatedAt: now, StateSince: now, Submitter: by}
		r.SetForm(f)
		var err error
		if r.PTJ, err = tx.PTJ(ctx, f.PTJCode); err != nil {
			return err
		}
		// The submitter must be one who may submit it: the workflow's rule.
		a := actorOf(by) // a submitter's stage: delegations do not matter
		if _, err := s.decide(r, a, workflow.Action{Event: workflow.Submit, Version: 1}); err != nil {
			return err
		}
		seq, err := tx.NextRequestNumber(ctx, now.In(malaysia.KL).Year())
		if err != nil {
			return err
		}
		r.Reference = workflow.Reference(now.In(malaysia.KL).Year(), seq)
		if err := tx.InsertRequest(ctx, r); err != nil {
			if store.IsUniqueViolation(err) {
				return s.openRequestConflict(ctx, by, &f)
			}
			return err
		}
		if err := tx.Audit(ctx, actor(by), "request.create", "request", r.Reference,
			map[string]any{"kind": r.Kind, "ptj": r.PTJCode, "subject": forms.MaskLogin(r.SubjectIC)}); err != nil {
			return err
		}
		if err := s.attachAll(ctx, tx, r, by, fl.Files); err != nil {
			return err
		}
		out = &ActResult{Request: r}
		if !draft {
			if out, err = s.apply(ctx, tx, r, by, a, workflow.Action{Event: workflow.Submit, Version: r.Version}, ActOptions{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AmendRequest replaces the form of a draft or returned request and, with
// submit, sends it on; see Amend.
func (s *Service) AmendRequest(ctx context.Context, by *store.User, id, version int64, f forms.Request, submit bool) (*store.Request, error) {
	res, err := s.Amend(ctx, by, id, version, Filing{Form: f, Draft: !submit})
	if err != nil {
		return nil, err
	}
	return res.Request, nil
}

// Amend replaces the form of a draft or returned request (version as the
// amender saw it), attaches the filing's files and, unless it stays a
// draft, sends it on: submit from a draft, resubmit after a return. All in
// one transaction: a refusal leaves the request, its attachments included,
// as it was.
func (s *Service) Amend(ctx context.Context, by *store.User, id, version int64, fl Filing) (*ActResult, error) {
	var out *ActResult
	f, submit := fl.Form, !fl.Draft
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		r, err := s.lockRequestFor(ctx, tx, by, id)
		if err != nil {
			return err
		}
		event := workflow.Submit
		if r.State == workflow.Returned {
			event = workflow.Resubmit
		}
		// Whoever may send it on may amend it, and only while it is theirs.
		a := actorOf(by) // a submitter's stage: delegations do not matter
		if _, err := s.decide(r, a, workflow.Action{Event: event, Version: version}); err != nil {
			return err
		}
		// The kind and the subject's PTJ stay as first filed.
		f.Kind, f.PTJCode = r.Kind, r.PTJCode
		if err := s.checkForm(ctx, tx, by, &f, !submit, r.ID); err != nil {
			return err
		}
		r.SetForm(f)
		ok, err := tx.UpdateRequestForm(ctx, r, version)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return s.openRequestConflict(ctx, by, &f)
			}
			return err
		}
		if !ok {
			return workflow.ErrStale
		}
		r.Version++
		r.UpdatedAt = s.now()
		if err := tx.Audit(ctx, actor(by), "request.amend", "request", r.Reference, nil); err != nil {
			return err
		}
		if err := s.attachAll(ctx, tx, r, by, fl.Files); err != nil {
			return err
		}
		out = &ActResult{Request: r}
		if submit {
			if out, err = s.apply(ctx, tx, r, by, a, workflow.Action{Event: event, Version: r.Version}, ActOptions{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CheckForm applies every rule of the Borang that needs no database, as a
// draft would be checked: for a page to show all of a form's messages at
// once when part of it cannot even be read.
func (s *Service) CheckForm(ctx context.Context, f forms.Request) error {
	ceilings, err := s.db.Ceilings(ctx)
	if err != nil {
		return err
	}
	f.Normalize()
	return f.Validate(forms.ValidateOptions{Draft: true, Ceilings: ceilings, Now: s.now(), OfficialDomains: s.domains})
}

// checkForm normalises and validates f and checks the rules that need the
// database: the PTJ exists; a registration's subject has no profile yet, the
// other kinds' subject has one in the same PTJ (active; a password reset may
// also be for a locked profile); no other open request for the subject.
//
// What the messages tell is bounded by what by may see: about a subject of
// a PTJ by represents, the precise reason (a profile already, inactive, the
// open request's reference); about anyone else — no profile at all, a
// profile or an open request in another PTJ — one neutral message, the same
// for every case, so that a representative cannot learn from the form
// which MyKad numbers have profiles or requests elsewhere. (A registration
// that passes still tells, by passing, that the number is known nowhere.)
func (s *Service) checkForm(ctx context.Context, tx store.Conn, by *store.User, f *forms.Request, draft bool, self int64) error {
	f.Normalize()
	ceilings, err := tx.Ceilings(ctx)
	if err != nil {
		return err
	}
	verr := f.Validate(forms.ValidateOptions{Draft: draft, Ceilings: ceilings, Now: s.now(), OfficialDomains: s.domains})
	var fields []apperr.FieldError
	if verr != nil {
		fields = apperr.As(verr).Fields
	}
	bad := func(name string) bool {
		for _, fe := range fields {
			if fe.Field == name {
				return true
			}
		}
		return false
	}
	// mine: a PTJ by may be told about — the form's, when by represents it.
	mine := func(ptj string) bool { return ptj == f.PTJCode && by.HasRoleFor(forms.RolePTJRep, ptj) }
	if f.PTJCode != "" && !bad(forms.FieldPTJCode) {
		if _, err := tx.PTJ(ctx, f.PTJCode); apperr.Is(err, apperr.NotFound) {
			fields = append(fields, forms.ErrPTJUnknown(f.PTJCode))
		} else if err != nil {
			return err
		}
	}
	if f.Subject.ICNumber != "" && !bad(forms.FieldICNumber) {
		u, err := tx.UserByLogin(ctx, f.Subject.ICNumber)
		switch {
		case err != nil && !apperr.Is(err, apperr.NotFound):
			return err
		case u == nil && f.Kind == forms.KindRegistration:
		case u == nil || !mine(u.PTJCode):
			fields = append(fields, forms.ErrSubjectUnavailable())
		case f.Kind == forms.KindRegistration:
			fields = append(fields, forms.ErrSubjectHasProfile())
		case !u.Active():
			fields = append(fields, apperr.Field(forms.FieldICNumber, "request.error.subject_inactive"))
		}
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	ref, ptj, err := tx.OpenRequestReference(ctx, f.Subject.ICNumber, workflow.FinalStates(), self)
	if err != nil {
		return err
	}
	return openRequestError(ref, ptj, mine)
}

// openRequestError is the refusal of a form about a subject with open
// request ref of ptj: its reference for a PTJ the submitter may see, the
// neutral message otherwise; nil when there is none.
func openRequestError(ref, ptj string, mine func(string) bool) error {
	switch {
	case ref == "":
		return nil
	case mine(ptj):
		return forms.ErrOpenRequestExists(ref)
	}
	return apperr.Fields(forms.ErrSubjectUnavailable())
}

// openRequestConflict names the open request that won a race for the
// subject of f, as checkForm would. It reads outside the failed
// transaction, which can run no more statements on PostgreSQL.
func (s *Service) openRequestConflict(ctx context.Context, by *store.User, f *forms.Request) error {
	ref, ptj, _ := s.db.OpenRequestReference(ctx, f.Subject.ICNumber, workflow.FinalStates(), 0)
	if err := openRequestError(ref, ptj, func(p string) bool { return p == f.PTJCode && by.HasRoleFor(forms.RolePTJRep, p) }); err != nil {
		return err
	}
	return forms.ErrOpenRequestExists(ref) // gone meanwhile: still a conflict
}

// lockRequestFor locks request id inside tx if by may see it; any other
// answers ErrRequestNotFound, which does not tell whether it exists.
func (s *Service) lockRequestFor(ctx context.Context, tx store.Conn, by *store.User, id int64) (*store.Request, error) {
	r, err := tx.LockRequest(ctx, id)
	if errors.Is(err, store.ErrNoRequest) {
		return nil, ErrRequestNotFound
	}
	if err != nil {
		return nil, err
	}
	if ok, err := s.canSee(ctx, tx, by, r); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrRequestNotFound
	}
	return r, nil
}

// ActOptions are choices an action may carry beyond the event.
type ActOptions struct {
	// TemporaryPassword makes a provisioned registration or password reset
	// set a one-time temporary password, returned once in ActResult, instead
	// of mailing a set-password link (for a subject who cannot receive mail).
	TemporaryPassword bool
}

// ActResult is the outcome of an action.
type ActResult struct {
	Request *store.Request
	// TemporaryPassword is shown once, to the sysadmin who provisioned, and
	// never stored in clear; it stops working at TemporaryExpires.
	TemporaryPassword string
	TemporaryExpires  time.Time
	// Mailed reports that notifications were queued (workers may be woken).
	Mailed bool
	// Told is who the action's mail went to, audience by audience.
	Told []Told
	// Available are the events the actor may fire on the request now.
	Available []workflow.Event
}

// Act fires act on request id for by, all in one transaction: the workflow's
// decision, the new state and version, the history row, the audit record,
// the provisioning effect and the notifications. A stale version, an event
// the state does not allow or a refused guard changes nothing.
func (s *Service) Act(ctx context.Context, by *store.User, id int64, act workflow.Action, opt ActOptions) (*ActResult, error) {
	var res *ActResult
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		r, err := s.lockRequestFor(ctx, tx, by, id)
		if err != nil {
			return err
		}
		if act.Event == workflow.Submit || act.Event == workflow.Resubmit {
			// A draft goes out only as a whole, valid Borang.
			f := r.Form()
			if err := s.checkForm(ctx, tx, by, &f, false, r.ID); err != nil {
				return err
			}
		}
		a := actorOf(by)
		if workflow.DelegationsMatter(snapshot(r), a) {
			if a.Delegations, err = s.delegationsTo(ctx, tx, by.ID); err != nil {
				return err
			}
		}
		if res, err = s.apply(ctx, tx, r, by, a, act, opt); err != nil {
			return err
		}
		// What the actor may do next, decided on the request as it now is.
		res.Available = workflow.Available(snapshot(r), a, s.now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil // res.Request is the request as the action left it
}

// apply is the one place a request changes state; a is by as the workflow
// sees them.
func (s *Service) apply(ctx context.Context, tx store.Conn, r *store.Request, by *store.User, a workflow.Actor, act workflow.Action, opt ActOptions) (*ActResult, error) {
	t, err := s.decide(r, a, act)
	if err != nil {
		return nil, err
	}
	if opt.TemporaryPassword && !t.Effect.HandsOverPassword() {
		return nil, apperr.Fields(apperr.Field("temporary_password", "request.error.temp_password_kind"))
	}
	ok, err := tx.SetRequestState(ctx, r.ID, act.Version, t.To)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, workflow.ErrStale
	}
	now := s.now()
	r.State, r.Version, r.UpdatedAt, r.StateSince = t.To, r.Version+1, now, now
	ev := store.RequestEvent{RequestID: r.ID, Event: t.Event, From: t.From, To: t.To,
		ActorID: by.ID, ActorLogin: by.Login, ActorName: by.Name, Remarks: t.Remarks, At: now}
	if t.OnBehalfOf != nil {
		p := *t.OnBehalfOf
		ev.OnBehalfID, ev.OnBehalfLogin, ev.OnBehalfName = &p.UserID, &p.Login, &p.Name
	}
	if err := tx.InsertEvent(ctx, &ev); err != nil {
		return nil, err
	}
	r.Events = append(r.Events, ev)
	detail := map[string]any{"event": t.Event, "from": t.From, "to": t.To, "version": r.Version}
	if t.OnBehalfOf != nil {
		detail["on_behalf_of"] = t.OnBehalfOf.Login
	}
	if err := tx.Audit(ctx, actor(by), "request."+string(t.Event), "request", r.Reference, detail); err != nil {
		return nil, err
	}
	res := &ActResult{Request: r}
	subject, err := s.provision(ctx, tx, actor(by), r, t.Effect, opt, res)
	if err != nil {
		return nil, err
	}
	if res.Told, err = s.notifyTransition(ctx, tx, r, t, subject); err != nil {
		return nil, err
	}
	for _, tl := range res.Told {
		res.Mailed = res.Mailed || len(tl.Names) > 0
	}
	return res, nil
}

// actorOf is by as the workflow sees them, with their roles; an action
// reads their delegations only where workflow.DelegationsMatter.
func actorOf(by *store.User) workflow.Actor {
	a := workflow.Actor{Person: person(by), Active: by.Active()}
	for _, r := range by.Roles {
		g := workflow.Grant{Role: r.Role}
		if r.PTJCode != nil {
			g.PTJCode = *r.PTJCode
		}
		a.Roles = append(a.Roles, g)
	}
	return a
}

// withDelegations is by as the workflow sees them, delegations of today
// included: for what a viewer may see and do across many requests.
func (s *Service) withDelegations(ctx context.Context, c store.Conn, by *store.User) (workflow.Actor, error) {
	a := actorOf(by)
	var err error
	a.Delegations, err = s.delegationsTo(ctx, c, by.ID)
	return a, err
}

// decide asks the workflow whether a may fire act on r now.
func (s *Service) decide(r *store.Request, a workflow.Actor, act workflow.Action) (workflow.Transition, error) {
	return workflow.Decide(snapshot(r), a, act, s.now())
}

// snapshot is what the workflow decides on.
func snapshot(r *store.Request) workflow.Request {
	w := workflow.Request{
		Kind: r.Kind, State: r.State, Version: r.Version, PTJCode: r.PTJCode, SubjectIC: r.SubjectIC,
		Submitter: workflow.Person{UserID: r.SubmitterID},
	}
	if r.Submitter != nil {
		w.Submitter = person(r.Submitter)
	}
	for _, e := range r.Events {
		act := workflow.Act{By: workflow.Person{UserID: e.ActorID, Login: e.ActorLogin, Name: e.ActorName}, Event: e.Event, From: e.From}
		if e.OnBehalfID != nil {
			act.OnBehalfOf = &workflow.Person{UserID: *e.OnBehalfID, Login: deref(e.OnBehalfLogin), Name: deref(e.OnBehalfName)}
		}
		w.History = append(w.History, act)
	}
	return w
}

func person(u *store.User) workflow.Person {
	return workflow.Person{UserID: u.ID, Login: u.Login, Name: u.Name}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// errSubjectChanged answers a provisioning whose subject's profile moved
// (PTJ or status) since the request was made.
var errSubjectChanged = apperr.New(apperr.Conflict, "request.error.subject_changed")

// subjectMail is what provisioning tells the subject: which mail, and the
// one-time link when there is one.
type subjectMail struct {
	user *store.User
	kind notifyKind
	link *linkRef
}

// provision carries out effect for r inside tx.
func (s *Service) provision(ctx context.Context, tx store.Conn, by store.Actor, r *store.Request, effect workflow.Effect, opt ActOptions, res *ActResult) (*subjectMail, error) {
	if effect == workflow.NoEffect {
		return nil, nil
	}
	var u *store.User
	var err error
	if effect == workflow.CreateProfile {
		u, err = s.createUser(ctx, tx, by, NewUser{
			Login: r.SubjectIC, Name: r.SubjectName, Email: r.SubjectEmail, PTJCode: r.PTJCode,
			Position: r.SubjectPosition, Grade: r.SubjectGrade, SalaryNo: r.SubjectSalaryNo,
			Roles: r.Roles(), Modules: r.Modules(), MustChange: true,
		})
		if err != nil {
			return nil, err
		}
		if err := tx.SetRequestSubject(ctx, r.ID, u.ID); err != nil {
			return nil, err
		}
		r.SubjectUserID = &u.ID
	} else {
		if u, err = tx.UserByLogin(ctx, r.SubjectIC); err != nil {
			return nil, err
		}
		// The profile may have changed since the form was filed.
		if u.PTJCode != r.PTJCode || !u.Active() {
			return nil, errSubjectChanged
		}
	}
	mail := &subjectMail{user: u}
	switch effect {
	case workflow.SetAccess:
		if err := tx.SetAccess(ctx, u, grantsFor(u.PTJCode, r.Roles()), modulesOf(r.Modules())); err != nil {
			return nil, err
		}
		mail.kind = mailAccessChanged
		err = tx.Audit(ctx, by, "user.access", "user", u.Login, map[string]any{"roles": r.Roles(), "modules": r.Modules(), "request": r.Reference})
	case workflow.DeactivateProfile:
		if err := tx.SetUserStatus(ctx, u.ID, store.StatusInactive); err != nil {
			return nil, err
		}
		if err := s.auth.EndAccess(ctx, tx, u.ID); err != nil {
			return nil, err
		}
		mail.kind = mailProfileDeactivated
		err = tx.Audit(ctx, by, "user.deactivate", "user", u.Login, map[string]any{"request": r.Reference})
	case workflow.CreateProfile, workflow.ResetPassword:
		mail.kind = mailWelcome
		if effect == workflow.ResetPassword {
			mail.kind = mailPasswordReset
			if err := s.auth.ClearPassword(ctx, tx, u.ID); err != nil {
				return nil, err
			}
		}
		if opt.TemporaryPassword {
			if res.TemporaryPassword, res.TemporaryExpires, err = s.auth.SetTemporaryPassword(ctx, tx, u.ID); err != nil {
				return nil, err
			}
			mail = nil // handed over in person: no link goes out
		} else {
			l, err := s.auth.IssueLink(ctx, tx, u.ID)
			if err != nil {
				return nil, err
			}
			mail.link = &linkRef{Base: s.links.SetPassword(""), Nonce: l.Nonce, Expires: l.Expires}
		}
		err = tx.Audit(ctx, by, "user.password_issue", "user", u.Login,
			map[string]any{"request": r.Reference, "temporary_password": opt.TemporaryPassword})
	}
	return mail, err
}
