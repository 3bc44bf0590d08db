package workflow

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
)

const (
	ptj       = "1001"
	otherPTJ  = "2002"
	subjectIC = "900101015555"
)

// The cast: one person per stage, plus a delegate (pemangku) for the officer.
var (
	rep       = Person{UserID: 1, Login: "800101011111", Name: "Wakil PTJ"}
	officer   = Person{UserID: 2, Login: "800101012222", Name: "Pegawai Pengawal"}
	treasurer = Person{UserID: 3, Login: "800101013333", Name: "Pelulus Perbendaharaan"}
	sysadmin  = Person{UserID: 4, Login: "800101014444", Name: "Pentadbir Sistem"}
	delegate  = Person{UserID: 5, Login: "800101015555", Name: "Pemangku"}
	subject   = Person{UserID: 6, Login: subjectIC, Name: "Subjek"}
)

func kl(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, malaysia.KL)
}

var now = kl(2026, 6, 5, 10, 0)

func actor(p Person, grants ...Grant) Actor { return Actor{Person: p, Active: true, Roles: grants} }

func repActor() Actor      { return actor(rep, Grant{forms.RolePTJRep, ptj}) }
func officerActor() Actor  { return actor(officer, Grant{forms.RoleControllingOfficer, ptj}) }
func treasuryActor() Actor { return actor(treasurer, Grant{forms.RoleTreasuryApprover, ""}) }
func sysadminActor() Actor { return actor(sysadmin, Grant{forms.RoleSysadmin, ""}) }

// cover is a delegation for principal at ptj over 1..10 June 2026.
func cover(principal Person, ptjCode string) Delegation {
	return Delegation{Principal: principal, PTJCode: ptjCode, FromDate: kl(2026, 6, 1, 0, 0), ToDate: kl(2026, 6, 10, 0, 0)}
}

func delegateActor(ds ...Delegation) Actor {
	a := actor(delegate)
	if len(ds) == 0 {
		ds = []Delegation{cover(officer, ptj)}
	}
	a.Delegations = ds
	return a
}

func request(s State, history ...Act) Request {
	return Request{Kind: forms.KindRegistration, State: s, Version: 7, PTJCode: ptj, SubjectIC: subjectIC, Submitter: rep, History: history}
}

func fire(e Event) Action { return Action{Event: e, Version: 7, Remarks: "Sila semak."} }

func wantCode(t *testing.T, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	e := apperr.As(err)
	if e.Message("ms") == "" || e.Message("en") == "" {
		t.Errorf("error %v lacks a BM or EN message", err)
	}
	return e
}

// edges is the graph written out independently of the code, so a change to
// the graph must be made twice.
type edge struct {
	from  State
	event Event
	to    State
	by    func() Actor
}

var edges = []edge{
	{Draft, Submit, Submitted, repActor},
	{Submitted, Approve, OfficerApproved, officerActor},
	{OfficerApproved, Approve, TreasuryApproved, treasuryActor},
	{Submitted, Reject, Rejected, officerActor},
	{OfficerApproved, Reject, Rejected, treasuryActor},
	{TreasuryApproved, Reject, Rejected, sysadminActor},
	{Submitted, Return, Returned, officerActor},
	{OfficerApproved, Return, Returned, treasuryActor},
	{Returned, Resubmit, Submitted, repActor},
	{Draft, Withdraw, Withdrawn, repActor},
	{Submitted, Withdraw, Withdrawn, repActor},
	{Returned, Withdraw, Withdrawn, repActor},
	{TreasuryApproved, Provision, Provisioned, sysadminActor},
}

func TestDecideFiresEveryTransitionOfTheGraph(t *testing.T) {
	for _, c := range edges {
		t.Run(string(c.from)+"/"+string(c.event), func(t *testing.T) {
			a := c.by()
			tr, err := Decide(request(c.from), a, Action{Event: c.event, Version: 7, Remarks: "  Sila semak.  "}, now)
			if err != nil {
				t.Fatal(err)
			}
			if tr.Event != c.event || tr.From != c.from || tr.To != c.to || tr.By != a.Person || tr.OnBehalfOf != nil {
				t.Errorf("transition = %+v", tr)
			}
			if tr.Remarks != "Sila semak." {
				t.Errorf("remarks = %q, want trimmed", tr.Remarks)
			}
		})
	}
}

func TestDecideRefusesEveryOtherEventInEveryStateAsConflict(t *testing.T) {
	super := actor(Person{UserID: 99, Login: "700101019999"}, Grant{forms.RolePTJRep, ptj},
		Grant{forms.RoleControllingOfficer, ptj}, Grant{forms.RoleTreasuryApprover, ""}, Grant{forms.RoleSysadmin, ""})
	for _, s := range States() {
		for _, e := range Events() {
			if slices.ContainsFunc(edges, func(x edge) bool { return x.from == s && x.event == e }) {
				continue
			}
			_, err := Decide(request(s), super, fire(e), now)
			got := wantCode(t, err, apperr.Conflict)
			if !strings.Contains(got.Message("ms"), s.Label("ms")) || !strings.Contains(got.Message("en"), s.Label("en")) {
				t.Errorf("%s at %s: message %q / %q does not name the state", e, s, got.Message("ms"), got.Message("en"))
			}
		}
	}
}

func TestDecideRefusesStaleVersionFirst(t *testing.T) {
	inactive := officerActor()
	inactive.Active = false
	// Illegal event, inactive actor, no remarks: the stale version still wins.
	_, err := Decide(request(Provisioned), inactive, Action{Event: Reject, Version: 6}, now)
	if e := wantCode(t, err, apperr.Conflict); !strings.Contains(e.Message("en"), "changed since you opened it") {
		t.Errorf("message = %q, want the stale-version one", e.Message("en"))
	}
}

func TestDecideRefusesUnknownEventOnAction(t *testing.T) {
	_, err := Decide(request(Submitted), officerActor(), fire("bless"), now)
	if e := wantCode(t, err, apperr.Invalid); len(e.Fields) != 1 || e.Fields[0].Field != "action" {
		t.Errorf("fields = %+v, want one on action", e.Fields)
	}
}

func TestDecideGuardsRefuse(t *testing.T) {
	inactive := officerActor()
	inactive.Active = false
	officerIsSubject := officerActor()
	officerIsSubject.Login = subjectIC
	repAndOfficer := actor(rep, Grant{forms.RolePTJRep, ptj}, Grant{forms.RoleControllingOfficer, ptj})
	officerAndTreasury := actor(officer, Grant{forms.RoleControllingOfficer, ptj}, Grant{forms.RoleTreasuryApprover, ""})
	treasuryAndSysadmin := actor(treasurer, Grant{forms.RoleTreasuryApprover, ""}, Grant{forms.RoleSysadmin, ""})
	officerAndRep := actor(officer, Grant{forms.RoleControllingOfficer, ptj}, Grant{forms.RolePTJRep, ptj})
	approvedBy := func(by Person, behalf *Person) Act {
		return Act{By: by, OnBehalfOf: behalf, Event: Approve, From: Submitted}
	}
	returnedBy := func(by Person) Act { return Act{By: by, Event: Return, From: Submitted} }
	submittedBy := func(p Person) Request { r := request(Submitted); r.Submitter = p; return r }
	// Sent back by the treasury stage (officer holding that role), then resubmitted.
	backFromTreasury := request(Submitted,
		Act{By: rep, Event: Submit, From: Draft}, approvedBy(Person{UserID: 9, Login: "800101019999"}, nil),
		Act{By: officer, Event: Return, From: OfficerApproved}, Act{By: rep, Event: Resubmit, From: Returned})

	cases := []struct {
		name string
		r    Request
		a    Actor
		e    Event
		at   time.Time
		why  string // a word of the English message
	}{
		{"inactive", request(Submitted), inactive, Approve, now, "not active"},
		{"no role", request(Submitted), actor(treasurer), Approve, now, "controlling officer"},
		{"wrong role for the stage", request(Submitted), treasuryActor(), Approve, now, "controlling officer"},
		{"officer at the treasury stage", request(OfficerApproved), officerActor(), Approve, now, "Treasury approver"},
		{"treasury at the sysadmin stage", request(TreasuryApproved), treasuryActor(), Provision, now, "system administrator"},
		{"sysadmin at the officer stage", request(Submitted), sysadminActor(), Reject, now, "controlling officer"},
		{"officer submits", request(Draft), officerActor(), Submit, now, "PTJ representative"},
		{"officer of another PTJ", request(Submitted), actor(officer, Grant{forms.RoleControllingOfficer, otherPTJ}), Approve, now, "controlling officer"},
		{"rep of another PTJ submits", request(Draft), actor(rep, Grant{forms.RolePTJRep, otherPTJ}), Submit, now, "PTJ representative"},
		{"rep of another PTJ withdraws", request(Submitted), actor(rep, Grant{forms.RolePTJRep, otherPTJ}), Withdraw, now, "PTJ representative"},
		{"PTJ-scoped grant without a PTJ", request(Submitted), actor(officer, Grant{forms.RoleControllingOfficer, ""}), Approve, now, "controlling officer"},
		{"treasury grant for another PTJ", request(OfficerApproved), actor(treasurer, Grant{forms.RoleTreasuryApprover, otherPTJ}), Approve, now, "Treasury approver"},
		{"subject themselves", request(Submitted), officerIsSubject, Approve, now, "about yourself"},
		{"subject via delegation", request(Submitted), delegateActor(cover(subject, ptj)), Approve, now, "is the subject"},
		{"submitter approves as officer", request(Submitted), repAndOfficer, Approve, now, "segregation"},
		{"officer approves again as treasury", request(OfficerApproved, approvedBy(officer, nil)), officerAndTreasury, Approve, now, "segregation"},
		{"treasury provisions what it approved", request(TreasuryApproved, approvedBy(officer, nil), Act{By: treasurer, Event: Approve, From: OfficerApproved}), treasuryAndSysadmin, Provision, now, "segregation"},
		{"principal of a delegate approves as treasury", request(OfficerApproved, approvedBy(delegate, &officer)), officerAndTreasury, Approve, now, "segregation"},
		{"delegate who submitted", submittedBy(delegate), delegateActor(), Approve, now, "segregation"},
		{"delegate for the submitter", request(Submitted), delegateActor(cover(rep, ptj)), Approve, now, "acting for already acted"},
		{"delegate for a principal who acted elsewhere", backFromTreasury, delegateActor(), Return, now, "acting for already acted"},
		{"officer who returned resubmits", request(Returned, returnedBy(officer)), officerAndRep, Resubmit, now, "segregation"},
		{"delegation before its dates", request(Submitted), delegateActor(), Approve, kl(2026, 5, 31, 23, 59), "controlling officer"},
		{"delegation after its dates (KL midnight)", request(Submitted), delegateActor(), Approve, kl(2026, 6, 11, 0, 30), "controlling officer"},
		{"delegation for another PTJ", request(Submitted), delegateActor(cover(officer, otherPTJ)), Approve, now, "controlling officer"},
		{"delegate beyond the officer stage", request(OfficerApproved), delegateActor(), Approve, now, "Treasury approver"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide(c.r, c.a, fire(c.e), c.at)
			if e := wantCode(t, err, apperr.Forbidden); !strings.Contains(e.Message("en"), c.why) {
				t.Errorf("message = %q, want it to say %q", e.Message("en"), c.why)
			}
		})
	}
}

func TestDecideAllowsActingAgainAtTheSameStage(t *testing.T) {
	history := []Act{
		{By: rep, Event: Submit, From: Draft},
		{By: officer, Event: Return, From: Submitted},
		{By: rep, Event: Resubmit, From: Returned},
	}
	if _, err := Decide(request(Submitted, history...), officerActor(), fire(Approve), now); err != nil {
		t.Errorf("officer approving after return and resubmission: %v", err)
	}
	if _, err := Decide(request(Returned, history[:2]...), repActor(), fire(Resubmit), now); err != nil {
		t.Errorf("submitter resubmitting: %v", err)
	}
	// Another rep of the same PTJ may act for the submitter's side.
	other := actor(Person{UserID: 7, Login: "800101017777"}, Grant{forms.RolePTJRep, ptj})
	if _, err := Decide(request(Submitted), other, fire(Withdraw), now); err != nil {
		t.Errorf("another rep of the PTJ withdrawing: %v", err)
	}
}

func TestDecideDelegateActsOnBehalfOfPrincipal(t *testing.T) {
	another := Person{UserID: 8, Login: "800101018888", Name: "Pegawai Pengawal Kedua"}
	cases := []struct {
		name string
		a    Actor
		at   time.Time
		want Person
	}{
		{"within dates", delegateActor(), now, officer},
		{"first day from KL midnight", delegateActor(), kl(2026, 6, 1, 0, 0), officer},
		{"last day until KL midnight", delegateActor(), kl(2026, 6, 10, 23, 59), officer},
		{"first delegation that passes every guard", delegateActor(cover(subject, ptj), cover(officer, otherPTJ), cover(another, ptj)), now, another},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := Decide(request(Submitted), c.a, fire(Approve), c.at)
			if err != nil {
				t.Fatal(err)
			}
			if tr.By != delegate || tr.OnBehalfOf == nil || *tr.OnBehalfOf != c.want {
				t.Errorf("by %+v on behalf of %+v, want delegate for %+v", tr.By, tr.OnBehalfOf, c.want)
			}
		})
	}
}

func TestDecideOfficerInOwnRightBeforeDelegation(t *testing.T) {
	a := officerActor()
	a.Delegations = []Delegation{cover(Person{UserID: 8, Login: "800101018888"}, ptj)}
	tr, err := Decide(request(Submitted), a, fire(Approve), now)
	if err != nil || tr.OnBehalfOf != nil {
		t.Errorf("= %+v, %v; want the officer in their own right", tr, err)
	}
}

func TestDecideRequiresRemarksToRejectOrReturn(t *testing.T) {
	cases := []struct {
		name    string
		r       Request
		a       Actor
		e       Event
		remarks string
		ok      bool
	}{
		{"reject blank", request(Submitted), officerActor(), Reject, "", false},
		{"reject spaces", request(OfficerApproved), treasuryActor(), Reject, " \n\t ", false},
		{"return blank", request(Submitted), officerActor(), Return, "", false},
		{"reject with remarks", request(TreasuryApproved), sysadminActor(), Reject, "Tiada lesen.", true},
		{"approve without remarks", request(Submitted), officerActor(), Approve, "", true},
		{"1000 characters", request(Submitted), officerActor(), Return, strings.Repeat("é", 1000), true},
		{"1001 characters", request(Submitted), officerActor(), Approve, strings.Repeat("é", 1001), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decide(c.r, c.a, Action{Event: c.e, Version: 7, Remarks: c.remarks}, now)
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e := wantCode(t, err, apperr.Invalid); len(e.Fields) != 1 || e.Fields[0].Field != "remarks" {
				t.Errorf("fields = %+v, want one on remarks", e.Fields)
			}
		})
	}
}

func TestDecideNotifiesWhoeverActsNext(t *testing.T) {
	cases := []struct {
		from State
		e    Event
		a    Actor
		want []Audience
	}{
		{Draft, Submit, repActor(), []Audience{ToOfficers}},
		{Returned, Resubmit, repActor(), []Audience{ToOfficers}},
		{Submitted, Approve, officerActor(), []Audience{ToTreasury}},
		{OfficerApproved, Approve, treasuryActor(), []Audience{ToSysadmins}},
		{TreasuryApproved, Provision, sysadminActor(), []Audience{ToSubject, ToSubmitter}},
		{Submitted, Reject, officerActor(), []Audience{ToSubmitter}},
		{OfficerApproved, Return, treasuryActor(), []Audience{ToSubmitter}},
		{TreasuryApproved, Reject, sysadminActor(), []Audience{ToSubmitter}},
		{Submitted, Withdraw, repActor(), []Audience{ToOfficers}},
		{Draft, Withdraw, repActor(), nil},
		{Returned, Withdraw, repActor(), nil},
	}
	for _, c := range cases {
		tr, err := Decide(request(c.from), c.a, fire(c.e), now)
		if err != nil || !slices.Equal(tr.Notify, c.want) {
			t.Errorf("%s at %s: notify %v, %v; want %v", c.e, c.from, tr.Notify, err, c.want)
		}
	}
}

func TestDecideProvisionCarriesTheKindsEffect(t *testing.T) {
	want := map[forms.Kind]Effect{
		forms.KindRegistration:  CreateProfile,
		forms.KindAccessUpdate:  SetAccess,
		forms.KindDeactivation:  DeactivateProfile,
		forms.KindPasswordReset: ResetPassword,
	}
	for _, k := range forms.Kinds {
		r := request(TreasuryApproved)
		r.Kind = k
		tr, err := Decide(r, sysadminActor(), fire(Provision), now)
		if err != nil || tr.Effect != want[k] || EffectOf(k) != want[k] {
			t.Errorf("%s: effect %q, %v; want %q", k, tr.Effect, err, want[k])
		}
	}
	for _, c := range edges {
		if c.event == Provision {
			continue
		}
		if tr, _ := Decide(request(c.from), c.by(), fire(c.event), now); tr.Effect != NoEffect {
			t.Errorf("%s at %s has effect %q", c.event, c.from, tr.Effect)
		}
	}
}

func TestAvailableShowsWhatDecideAccepts(t *testing.T) {
	inactive := officerActor()
	inactive.Active = false
	cases := []struct {
		name string
		s    State
		a    Actor
		want []Event
	}{
		{"draft, rep", Draft, repActor(), []Event{Submit, Withdraw}},
		{"draft, officer", Draft, officerActor(), nil},
		{"submitted, rep", Submitted, repActor(), []Event{Withdraw}},
		{"submitted, officer", Submitted, officerActor(), []Event{Approve, Reject, Return}},
		{"submitted, delegate", Submitted, delegateActor(), []Event{Approve, Reject, Return}},
		{"submitted, inactive officer", Submitted, inactive, nil},
		{"submitted, treasury", Submitted, treasuryActor(), nil},
		{"returned, rep", Returned, repActor(), []Event{Resubmit, Withdraw}},
		{"officer approved, treasury", OfficerApproved, treasuryActor(), []Event{Approve, Reject, Return}},
		{"officer approved, officer", OfficerApproved, officerActor(), nil},
		{"treasury approved, sysadmin", TreasuryApproved, sysadminActor(), []Event{Reject, Provision}},
		{"provisioned, sysadmin", Provisioned, sysadminActor(), nil},
		{"rejected, officer", Rejected, officerActor(), nil},
		{"withdrawn, rep", Withdrawn, repActor(), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Available(request(c.s), c.a, now); !slices.Equal(got, c.want) {
				t.Errorf("Available = %v, want %v", got, c.want)
			}
		})
	}
}

// Delegations matter only where a delegate could act: at the officer's
// stage, for someone who is not an officer of the PTJ in their own right.
func TestDelegationsMatter(t *testing.T) {
	officer := Actor{Person: Person{UserID: 9}, Active: true, Roles: []Grant{{Role: forms.RoleControllingOfficer, PTJCode: "12010101"}}}
	clerk := Actor{Person: Person{UserID: 8}, Active: true}
	for _, tc := range []struct {
		name  string
		state State
		a     Actor
		want  bool
	}{
		{"a clerk at the officer's stage", Submitted, clerk, true},
		{"an officer of the PTJ at the officer's stage", Submitted, officer, false},
		{"a clerk at the treasury's stage", OfficerApproved, clerk, false},
		{"a clerk on a draft", Draft, clerk, false},
	} {
		r := Request{State: tc.state, PTJCode: "12010101"}
		if got := DelegationsMatter(r, tc.a); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
