package workflow

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
)

// Stage (peringkat) is who acts next at a state. Segregation of duties is
// counted in stages: one person may act many times at one stage of a request
// but never at two stages.
type Stage string

const (
	StageSubmitter Stage = "submitter" // Wakil PTJ (draft, returned)
	StageOfficer   Stage = "officer"   // Pegawai Pengawal or their pemangku (submitted)
	StageTreasury  Stage = "treasury"  // Perbendaharaan Negeri (officer_approved)
	StageSysadmin  Stage = "sysadmin"  // Pentadbir Sistem (treasury_approved)
)

// Stages lists every stage in the order a request passes them.
func Stages() []Stage { return []Stage{StageSubmitter, StageOfficer, StageTreasury, StageSysadmin} }

// ActingRoles lists the roles that act at a stage in their own right, in
// the order of the stages.
func ActingRoles() []forms.Role {
	var out []forms.Role
	for _, st := range Stages() {
		out = append(out, stageRoles[st])
	}
	return out
}

// stageRoles is the role that acts at each stage in its own right (the
// officer's stage also admits delegates).
var stageRoles = map[Stage]forms.Role{
	StageSubmitter: forms.RolePTJRep,
	StageOfficer:   forms.RoleControllingOfficer,
	StageTreasury:  forms.RoleTreasuryApprover,
	StageSysadmin:  forms.RoleSysadmin,
}

// StageOf is the stage that acts at s; "" for final states, where nobody does.
func StageOf(s State) Stage {
	switch s {
	case Draft, Returned:
		return StageSubmitter
	case Submitted:
		return StageOfficer
	case OfficerApproved:
		return StageTreasury
	case TreasuryApproved:
		return StageSysadmin
	}
	return ""
}

// StageOfEvent is the stage an event fired at from belongs to. It is
// StageOf(from) except for withdraw, which only the submitter's side fires,
// even from submitted (where the officer is otherwise the one to act).
func StageOfEvent(e Event, from State) Stage {
	if e == Withdraw {
		return StageSubmitter
	}
	return StageOf(from)
}

// Person identifies a user in history. UserID is the identity; Login (the
// MyKad number) is compared too, so a history row carrying only one of them
// still counts. Zero values match nobody.
type Person struct {
	UserID int64
	Login  string
	Name   string
}

func (p Person) same(q Person) bool {
	return p.UserID != 0 && p.UserID == q.UserID || p.Login != "" && p.Login == q.Login
}

// Act is an event someone already fired on the request (from its history).
// The stage it belongs to is StageOf(From), except withdraw, which is
// always the submitter's.
type Act struct {
	By         Person
	OnBehalfOf *Person // the controlling officer a delegate (pemangku) acted for, if any
	Event      Event
	From       State // the state it was fired at
}

// Request is the snapshot of a stored request the workflow decides on.
type Request struct {
	Kind      forms.Kind
	State     State
	Version   int64 // bumped by every transition; an action must carry it
	PTJCode   string
	SubjectIC string // the subject's MyKad (12 digits, no dashes) = their login
	Submitter Person // counts as having acted at StageSubmitter even with no History
	History   []Act
}

// Grant is one role the actor holds. PTJCode "" means every PTJ, and only
// for roles that are not PTJ-scoped (treasury approver, sysadmin, auditor).
type Grant struct {
	Role    forms.Role
	PTJCode string
}

// Delegation (pemangku): the actor acts for Principal, a controlling officer
// of PTJCode, on the KL calendar dates FromDate..ToDate inclusive.
type Delegation struct {
	Principal Person // the controlling officer being covered
	PTJCode   string
	FromDate  time.Time // a date (00:00 KL); only its KL calendar date counts
	ToDate    time.Time
}

// Covers reports whether the delegation lets its delegate act for ptj at now.
// Dates compare in Asia/Kuala_Lumpur, so the last day ends at midnight KL.
func (d Delegation) Covers(ptj string, now time.Time) bool {
	day := klDay(now)
	return ptj != "" && d.PTJCode == ptj && klDay(d.FromDate) <= day && day <= klDay(d.ToDate)
}

// Actor is the user firing an event.
type Actor struct {
	Person
	Active      bool // an inactive profile fires nothing
	Roles       []Grant
	Delegations []Delegation // delegations naming this actor as the delegate
}

// holds reports whether a has role for ptj: a PTJ-scoped role only for its
// own PTJ, any other role for every PTJ when its grant has no PTJ.
func (a Actor) holds(role forms.Role, ptj string) bool {
	for _, g := range a.Roles {
		if g.Role == role && (ptj != "" && g.PTJCode == ptj || !role.PTJScoped() && g.PTJCode == "") {
			return true
		}
	}
	return false
}

// Action is what the actor asks for: the event, the version they saw and
// their remarks (catatan).
type Action struct {
	Event   Event
	Version int64
	Remarks string
}

// Audience names who must hear about a transition; the store resolves it to
// addresses (and to the outbox).
type Audience string

const (
	ToOfficers  Audience = "officers"  // the PTJ's controlling officers and their active delegates
	ToTreasury  Audience = "treasury"  // treasury approvers
	ToSysadmins Audience = "sysadmins" // treasury system administrators
	ToSubmitter Audience = "submitter" // the PTJ representative who submitted
	ToSubject   Audience = "subject"   // the officer the request is about
)

// Effect is the provisioning effect of a transition; only provision has one.
type Effect string

const (
	NoEffect          Effect = ""
	CreateProfile     Effect = "create_profile"     // Pendaftaran Baharu
	SetAccess         Effect = "set_access"         // Kemaskini Capaian
	DeactivateProfile Effect = "deactivate_profile" // Nyah Aktif Profil
	ResetPassword     Effect = "reset_password"     // Penetapan Semula Kata Laluan
)

// HandsOverPassword reports whether the effect gives the subject a new
// password: by a one-time link in mail, or, for a subject without working
// mail, by a temporary password the sysadmin hands over in person.
func (e Effect) HandsOverPassword() bool { return e == CreateProfile || e == ResetPassword }

// EffectOf is what provisioning a request of kind k does to the profile.
func EffectOf(k forms.Kind) Effect {
	switch k {
	case forms.KindRegistration:
		return CreateProfile
	case forms.KindAccessUpdate:
		return SetAccess
	case forms.KindDeactivation:
		return DeactivateProfile
	case forms.KindPasswordReset:
		return ResetPassword
	}
	return NoEffect
}

// Transition is the decided outcome, for the store to apply.
type Transition struct {
	Event      Event
	From, To   State
	By         Person
	OnBehalfOf *Person // the principal when a delegate acted
	Remarks    string  // trimmed
	Effect     Effect
	Notify     []Audience
}

// ErrStale answers an action on a version of the request that is no longer
// current: someone acted in between, or the same click came twice. It is
// the one stale-version error of the workflow, whoever notices it.
var ErrStale = apperr.New(apperr.Conflict, "request.error.stale")

// MaxRemarks is the longest remarks text, in characters (runes).
const MaxRemarks = 1000

// Decide checks an action against the request and returns the transition, or
// an *apperr.Error, in this order: Conflict for a stale version (so someone
// who saw an old page learns that first), Invalid for an unknown event,
// Conflict for an event the state does not allow, Forbidden when the actor may
// not fire it, Invalid on "remarks" when they are missing (reject, return) or
// too long.
func Decide(r Request, a Actor, act Action, now time.Time) (Transition, error) {
	if act.Version != r.Version {
		return Transition{}, ErrStale
	}
	e, err := ParseEvent(string(act.Event))
	if err != nil {
		return Transition{}, err
	}
	to, err := target(r.State, e)
	if err != nil {
		return Transition{}, err
	}
	principal, err := authorise(r, a, StageOfEvent(e, r.State), now)
	if err != nil {
		return Transition{}, err
	}
	remarks := strings.TrimSpace(act.Remarks)
	if remarks == "" && e.NeedsRemarks() {
		return Transition{}, apperr.Fields(apperr.Field("remarks", "request.error.remarks_required"))
	}
	if utf8.RuneCountInString(remarks) > MaxRemarks {
		return Transition{}, apperr.Fields(apperr.Field("remarks", "request.error.remarks_too_long"))
	}
	t := Transition{Event: e, From: r.State, To: to, By: a.Person, OnBehalfOf: principal,
		Remarks: remarks, Notify: notify(r.State, to)}
	if e == Provision {
		t.Effect = EffectOf(r.Kind)
	}
	return t, nil
}

// Available lists the events a may fire on r now, in Events() order, for
// showing buttons: exactly those Decide accepts at r.Version with remarks.
func Available(r Request, a Actor, now time.Time) []Event {
	var out []Event
	for _, e := range events {
		if _, err := Decide(r, a, Action{Event: e, Version: r.Version, Remarks: "-"}, now); err == nil {
			out = append(out, e)
		}
	}
	return out
}

// notify says who must hear: whoever acts next at the new state, the
// submitter when it comes back to them or ends, the subject when their
// profile is done. A withdrawal from submitted tells the officers, who were
// told it awaited them; a draft or returned request was never theirs.
func notify(from, to State) []Audience {
	switch to {
	case Submitted, OfficerApproved, TreasuryApproved:
		return []Audience{Awaiting(to)}
	case Returned, Rejected:
		return []Audience{ToSubmitter}
	case Provisioned:
		return []Audience{ToSubject, ToSubmitter}
	case Withdrawn:
		if from == Submitted {
			return []Audience{ToOfficers}
		}
	}
	return nil
}

func forbidden(key string) error { return apperr.New(apperr.Forbidden, key) }

// DelegationsMatter reports whether a's delegations could change what a may
// do on r: only at the controlling officer's stage, and only for an actor
// who is not an officer of r's PTJ in their own right (an officer acts in
// their own right first). Elsewhere they need not even be read.
func DelegationsMatter(r Request, a Actor) bool {
	return StageOf(r.State) == StageOfficer && !a.holds(stageRoles[StageOfficer], r.PTJCode)
}

// Waiting is the requests in State that wait for one actor: of every PTJ
// (AllPTJs) or of the PTJs listed.
type Waiting struct {
	State   State
	AllPTJs bool
	PTJs    []string
}

// AwaitingFor lists, state by state, the requests a acts on now as the one
// whose stage it is: the guards' own rule (the stage's role, for the
// request's PTJ when the role is PTJ-scoped, and at the officer's stage a
// delegation covering the PTJ today). The inbox and its counts read it, so
// that what waits for someone is what they may act on.
func AwaitingFor(a Actor, now time.Time) []Waiting {
	if !a.Active {
		return nil
	}
	var out []Waiting
	for _, st := range WaitingStates() {
		stage := StageOf(st)
		role := stageRoles[stage]
		w := Waiting{State: st}
		if !role.PTJScoped() {
			w.AllPTJs = a.holds(role, "")
		} else {
			for _, g := range a.Roles {
				if g.Role == role && g.PTJCode != "" {
					w.PTJs = append(w.PTJs, g.PTJCode)
				}
			}
			if stage == StageOfficer {
				for _, d := range a.Delegations {
					if d.Covers(d.PTJCode, now) {
						w.PTJs = append(w.PTJs, d.PTJCode)
					}
				}
			}
		}
		if w.AllPTJs || len(w.PTJs) > 0 {
			out = append(out, w)
		}
	}
	return out
}

// authorise applies the guards for an event at stage and returns the
// principal the actor acts for (nil when acting in their own right). An
// officer acts in their own right when they can; otherwise the first of their
// delegations that covers the PTJ today and passes every other guard wins.
func authorise(r Request, a Actor, stage Stage, now time.Time) (*Person, error) {
	if !a.Active {
		return nil, forbidden("request.error.actor_inactive")
	}
	var candidates []*Person // nil = in the actor's own right
	if role, ok := stageRoles[stage]; ok && a.holds(role, r.PTJCode) {
		candidates = append(candidates, nil)
	}
	if stage == StageOfficer {
		for _, d := range a.Delegations {
			if d.Covers(r.PTJCode, now) {
				p := d.Principal
				candidates = append(candidates, &p)
			}
		}
	}
	if len(candidates) == 0 {
		return nil, forbidden("request.error.only." + string(stage))
	}
	if r.SubjectIC != "" && a.Login == r.SubjectIC {
		return nil, forbidden("request.error.about_yourself")
	}
	if actedElsewhere(r, a.Person, stage) {
		return nil, forbidden("request.error.acted_elsewhere")
	}
	var first error
	for _, p := range candidates {
		var err error
		switch {
		case p == nil:
			return nil, nil
		case r.SubjectIC != "" && p.Login == r.SubjectIC:
			err = forbidden("request.error.principal_is_subject")
		case actedElsewhere(r, *p, stage):
			err = forbidden("request.error.principal_acted_elsewhere")
		default:
			return p, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// actedElsewhere reports whether p acted on r, in person or through a
// delegate, at a stage other than stage. The submitter has always acted at
// StageSubmitter.
func actedElsewhere(r Request, p Person, stage Stage) bool {
	if stage != StageSubmitter && p.same(r.Submitter) {
		return true
	}
	for _, h := range r.History {
		if StageOfEvent(h.Event, h.From) == stage {
			continue
		}
		if p.same(h.By) || h.OnBehalfOf != nil && p.same(*h.OnBehalfOf) {
			return true
		}
	}
	return false
}

// Reply is the submitter's answer to the remarks a returned request came
// back with (balasan kepada catatan). It is no transition — the request
// stays returned, waiting for its amendment — but it is kept in the
// history, from returned to returned, so that whoever decides next reads
// it beside the remarks. It is not one of Events: no button fires it.
const Reply Event = "reply"

// DecideReply checks a reply with the text act.Remarks by a on r, in the
// order Decide checks an event: Conflict for a stale version, Conflict when
// r is not returned, Forbidden for anyone who may not resubmit it, Invalid
// on "remarks" when the text is empty or too long.
func DecideReply(r Request, a Actor, act Action, now time.Time) (Transition, error) {
	if act.Version != r.Version {
		return Transition{}, ErrStale
	}
	if r.State != Returned {
		return Transition{}, apperr.New(apperr.Conflict, "request.error.reply_not_returned", "State", r.State.Text())
	}
	if _, err := authorise(r, a, StageSubmitter, now); err != nil {
		return Transition{}, err
	}
	text := strings.TrimSpace(act.Remarks)
	if text == "" {
		return Transition{}, apperr.Fields(apperr.Field("remarks", "request.error.reply_required"))
	}
	if utf8.RuneCountInString(text) > MaxRemarks {
		return Transition{}, apperr.Fields(apperr.Field("remarks", "request.error.remarks_too_long"))
	}
	return Transition{Event: Reply, From: Returned, To: Returned, By: a.Person, Remarks: text}, nil
}
