package useradmin_test

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

var ctx = context.Background()

const (
	ptjA = "12010101"
	ptjB = "12020202"
)

// cast is the people of one PTJ's workflow.
type cast struct {
	db                        *store.DB
	rep, officer, officer2    *store.User
	treasury, sysadmin, other *store.User
	subject                   *store.User // an existing profile in ptjA
	clock                     *time.Time
	svc                       *useradmin.Service
	auth                      *auth.Service
	keys                      *secret.Keyring
}

// testLinks builds the portal's addresses as the web layer does.
type testLinks struct{}

const base = "https://ispeks.example.gov.my"

func (testLinks) Home() string                { return base + "/" }
func (testLinks) Inbox() string               { return base + "/inbox" }
func (testLinks) Request(id int64) string     { return fmt.Sprintf("%s/requests/%d", base, id) }
func (testLinks) SetPassword(t string) string { return base + "/password/set?token=" + t }

// newBare is the service on db with the test clock and nobody in it yet.
func newBare(t testing.TB, db *store.DB) *cast {
	t.Helper()
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC) // a Wednesday
	c := &cast{db: db, clock: &now, keys: secret.Random()}
	db.Now = func() time.Time { return *c.clock }
	c.auth = auth.New(db, auth.DefaultSettings(), c.keys)
	c.svc = useradmin.New(db, c.auth, testLinks{})
	return c
}

func (c *cast) addPTJ(t testing.TB, code string) {
	t.Helper()
	if err := c.svc.AddPTJ(ctx, store.CLI, store.PTJ{Code: code, Name: "PTJ " + code}); err != nil {
		t.Fatalf("add PTJ %s: %v", code, err)
	}
}

func countRows(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	n, err := db.IDB().NewSelect().TableExpr(table).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (c *cast) mkUser(t testing.TB, login, name, ptj string, roles ...forms.Role) *store.User {
	t.Helper()
	var grants []forms.RoleGrant
	for _, r := range roles {
		grants = append(grants, forms.RoleGrant{Role: r})
	}
	u, err := c.svc.CreateUser(ctx, store.CLI, useradmin.NewUser{Login: login, Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@kewangan.gov.my",
		PTJCode: ptj, Roles: grants, Modules: []forms.Module{forms.ModulePayslip}})
	if err != nil {
		t.Fatalf("create %s: %v", login, err)
	}
	u, err = c.db.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func newCast(t *testing.T, db *store.DB) *cast {
	t.Helper()
	c := newBare(t, db)
	c.addPTJ(t, ptjA)
	c.addPTJ(t, ptjB)
	c.rep = c.mkUser(t, "800101141111", "Aminah Rep", ptjA, forms.RolePTJRep)
	c.officer = c.mkUser(t, "750202102222", "Badrul Officer", ptjA, forms.RoleControllingOfficer)
	c.officer2 = c.mkUser(t, "760303103333", "Chandran Officer", ptjA, forms.RoleControllingOfficer)
	c.treasury = c.mkUser(t, "700404144444", "Dayang Treasury", ptjA, forms.RoleTreasuryApprover)
	c.sysadmin = c.mkUser(t, "sysadmin01", "Ehsan Sysadmin", ptjA, forms.RoleSysadmin)
	c.other = c.mkUser(t, "810606145555", "Fauziah OtherRep", ptjB, forms.RolePTJRep)
	c.subject = c.mkUser(t, "950505086666", "Ghani Subject", ptjA)
	return c
}

func form(kind forms.Kind, ic, name string) forms.Request {
	f := forms.Request{Kind: kind, PTJCode: ptjA,
		Subject:       forms.Subject{ICNumber: ic, Name: name, Email: "pegawai@kewangan.gov.my", Position: "Pegawai Kewangan", Grade: "W41", SalaryNo: "A1234567"},
		Justification: "Perlu capaian untuk tugas harian.", Declaration: true}
	if kind == forms.KindRegistration || kind == forms.KindAccessUpdate {
		f.Modules = []forms.Module{forms.ModulePayslip, forms.ModuleEC}
		f.Roles = []forms.RoleGrant{{Role: forms.RolePTJRep, ApprovalLimitSen: 100000}}
	}
	return f
}

func (c *cast) act(t *testing.T, by *store.User, r *store.Request, ev workflow.Event, remarks string) *store.Request {
	t.Helper()
	res, err := c.svc.Act(ctx, by, r.ID, workflow.Action{Event: ev, Version: r.Version, Remarks: remarks}, useradmin.ActOptions{})
	if err != nil {
		t.Fatalf("%s by %s: %v", ev, by.Name, err)
	}
	return res.Request
}

// through takes a request from submission to provisioning.
func (c *cast) through(t *testing.T, f forms.Request) *store.Request {
	t.Helper()
	r, err := c.svc.CreateRequest(ctx, c.rep, f, false)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	r = c.act(t, c.officer, r, workflow.Approve, "")
	r = c.act(t, c.treasury, r, workflow.Approve, "")
	return c.act(t, c.sysadmin, r, workflow.Provision, "")
}

// mailedToken renders notification n as the worker would send it and
// returns the token of its one-time set-password link.
func (c *cast) mailedToken(t *testing.T, n store.Notification) string {
	t.Helper()
	r, err := notify.NewRenderer(c.keys)
	if err != nil {
		t.Fatal(err)
	}
	_, text, _, err := r.Render(n.Kind, n.Lang, n.ToName, []byte(n.Data))
	if err != nil {
		t.Fatal(err)
	}
	_, token, ok := strings.Cut(text, "/password/set?token=")
	if !ok {
		t.Fatalf("no link in the mail:\n%s", text)
	}
	return strings.Fields(token)[0]
}

type mail struct {
	Kind, To string
}

func outbox(t *testing.T, db *store.DB) []mail {
	t.Helper()
	var rows []store.Notification
	if err := db.IDB().NewSelect().Model(&rows).OrderExpr("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	var out []mail
	for _, r := range rows {
		out = append(out, mail{string(r.Kind), r.ToEmail})
	}
	return out
}

func TestRequestLifecycle(t *testing.T) {
	tests := []struct {
		kind  forms.Kind
		ic    string
		check func(t *testing.T, c *cast, u *store.User)
	}{
		{forms.KindRegistration, "990909146789", func(t *testing.T, c *cast, u *store.User) {
			if !u.Active() || !u.MustChange || !u.HasModule(forms.ModuleEC) || !u.HasRoleFor(forms.RolePTJRep, ptjA) {
				t.Fatalf("new profile = %+v", u)
			}
		}},
		{forms.KindAccessUpdate, "950505086666", func(t *testing.T, c *cast, u *store.User) {
			if !u.HasModule(forms.ModuleEC) || !u.HasRole(forms.RolePTJRep) || u.Roles[0].ApprovalLimitSen != 100000 {
				t.Fatalf("access = roles %+v modules %+v", u.Roles, u.Modules)
			}
		}},
		{forms.KindDeactivation, "950505086666", func(t *testing.T, c *cast, u *store.User) {
			if u.Active() {
				t.Fatal("profile still active")
			}
		}},
		{forms.KindPasswordReset, "950505086666", func(t *testing.T, c *cast, u *store.User) {
			if u.PasswordHash != "" || !u.MustChange {
				t.Fatalf("password not cleared: must_change=%v", u.MustChange)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				c := newCast(t, db)
				session, err := c.auth.NewSession(ctx, c.subject.ID, store.SessionWeb, "10.0.0.1")
				if err != nil {
					t.Fatal(err)
				}
				r := c.through(t, form(tt.kind, tt.ic, "Hafiz Bin Ismail"))
				if r.State != workflow.Provisioned || len(r.Events) != 4 || !strings.HasPrefix(r.Reference, "BPP/2026/") {
					t.Fatalf("request = %s v%d, %d events, %s", r.State, r.Version, len(r.Events), r.Reference)
				}
				u, err := db.UserByLogin(ctx, tt.ic)
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, c, u)
				_, _, err = c.auth.SessionUser(ctx, session)
				endsSessions := tt.kind == forms.KindDeactivation || tt.kind == forms.KindPasswordReset
				if endsSessions != (err != nil) {
					t.Fatalf("subject's session after %s: err = %v", tt.kind, err)
				}
				mails := outbox(t, db)
				kinds := map[string]int{}
				for _, m := range mails {
					kinds[m.Kind]++
				}
				// Two officers, one treasury approver, one sysadmin, the
				// subject and the submitter.
				if kinds["request_submitted"] != 2 || kinds["request_awaiting_treasury"] != 1 ||
					kinds["request_awaiting_provision"] != 1 || kinds["request_provisioned"] != 1 || len(mails) != 6 {
					t.Fatalf("mails = %v", mails)
				}
				if n, brk, err := db.VerifyAudit(ctx); err != nil || brk != nil {
					t.Fatalf("audit after %d records: %v %v", n, brk, err)
				}
			})
		})
	}
}

func TestSubjectMailCarriesOneTimeLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		c.through(t, form(forms.KindRegistration, "990909146789", "Hafiz Bin Ismail"))
		var n store.Notification
		if err := db.IDB().NewSelect().Model(&n).Where("kind = ?", "welcome_set_password").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if n.ToEmail != "pegawai@kewangan.gov.my" {
			t.Fatalf("welcome mail to %s", n.ToEmail)
		}
		if strings.Contains(n.Data, "990909146789") {
			t.Fatal("mail data holds the MyKad number")
		}
		// The mail as sent carries a working one-time link; the outbox row,
		// queued or not, holds nothing that opens the account.
		token := c.mailedToken(t, n)
		if strings.Contains(n.Data, token) {
			t.Fatalf("the queued mail holds the link's token: %s", n.Data)
		}
		if again := c.mailedToken(t, n); again != token {
			t.Fatal("a second rendering (a retry) carries another link")
		}
		if _, err := c.auth.UsePasswordToken(ctx, token, "Kuat-Sangat-2026!x"); err != nil {
			t.Fatalf("the mailed link does not work: %v", err)
		}
	})
}

func TestTemporaryPasswordInsteadOfLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindPasswordReset, c.subject.Login, c.subject.Name), false)
		if err != nil {
			t.Fatal(err)
		}
		r = c.act(t, c.officer, r, workflow.Approve, "")
		r = c.act(t, c.treasury, r, workflow.Approve, "")
		res, err := c.svc.Act(ctx, c.sysadmin, r.ID, workflow.Action{Event: workflow.Provision, Version: r.Version}, useradmin.ActOptions{TemporaryPassword: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.TemporaryPassword) < 12 {
			t.Fatalf("temporary password %q", res.TemporaryPassword)
		}
		_, u, err := c.auth.Login(ctx, c.subject.Login, res.TemporaryPassword, "10.0.0.9", store.SessionWeb)
		if err != nil || !u.MustChange {
			t.Fatalf("login with temporary password: %v", err)
		}
		for _, m := range outbox(t, db) {
			if m.Kind == "password_reset_link" {
				t.Fatal("a link went out beside the temporary password")
			}
		}
		// It expires like a link.
		*c.clock = c.clock.Add(c.auth.Settings().LinkTTL + time.Minute)
		if _, _, err := c.auth.Login(ctx, c.subject.Login, res.TemporaryPassword, "10.0.0.9", store.SessionWeb); err == nil {
			t.Fatal("expired temporary password still logs in")
		}
	})
}

func TestStaleOrIllegalActionChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, c.subject.Login, c.subject.Name), false)
		if err != nil {
			t.Fatal(err)
		}
		seen := r.Version
		c.act(t, c.officer, r, workflow.Approve, "")
		before := countRows(t, db, "request_events")
		audits := countRows(t, db, "audit_log")
		mails := countRows(t, db, "outbox")
		for _, tc := range []struct {
			name string
			by   *store.User
			act  workflow.Action
			code apperr.Code
		}{
			{"second click of the same approval", c.officer2, workflow.Action{Event: workflow.Approve, Version: seen}, apperr.Conflict},
			{"provision before treasury approval", c.sysadmin, workflow.Action{Event: workflow.Provision, Version: seen + 1}, apperr.Conflict},
			{"return without remarks", c.treasury, workflow.Action{Event: workflow.Return, Version: seen + 1}, apperr.Invalid},
			{"officer at the treasury's stage", c.officer2, workflow.Action{Event: workflow.Approve, Version: seen + 1}, apperr.Forbidden},
		} {
			_, err := c.svc.Act(ctx, tc.by, r.ID, tc.act, useradmin.ActOptions{})
			if !apperr.Is(err, tc.code) {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
			}
		}
		if countRows(t, db, "request_events") != before || countRows(t, db, "audit_log") != audits || countRows(t, db, "outbox") != mails {
			t.Fatal("a refused action wrote something")
		}
		// Another PTJ's representative does not even see it.
		if _, err := c.svc.Act(ctx, c.other, r.ID, workflow.Action{Event: workflow.Withdraw, Version: seen + 1}, useradmin.ActOptions{}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("other PTJ: %v", err)
		}
	})
}

func TestParallelApprovalsExactlyOneWins(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, c.subject.Login, c.subject.Name), false)
		if err != nil {
			t.Fatal(err)
		}
		officers := []*store.User{c.officer, c.officer2}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.svc.Act(ctx, officers[i%2], r.ID, workflow.Action{Event: workflow.Approve, Version: r.Version}, useradmin.ActOptions{})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case !apperr.Is(err, apperr.Conflict):
				t.Fatalf("loser got %v, want conflict", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d approvals won, want exactly 1", wins)
		}
		got, _ := c.svc.RequestFor(ctx, c.treasury, r.ID)
		if got.State != workflow.OfficerApproved || len(got.Events) != 2 || got.Version != r.Version+1 {
			t.Fatalf("after the race: %s v%d with %d events", got.State, got.Version, len(got.Events))
		}
	})
}

func TestOneOpenRequestPerSubject(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		first, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindPasswordReset, c.subject.Login, c.subject.Name), true)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.svc.CreateRequest(ctx, c.rep, form(forms.KindDeactivation, c.subject.Login, c.subject.Name), false)
		if !apperr.Is(err, apperr.Conflict) || !strings.Contains(err.Error(), first.Reference) {
			t.Fatalf("second open request: %v (want conflict naming %s)", err, first.Reference)
		}
		if n := countRows(t, db, "requests"); n != 1 {
			t.Fatalf("%d requests stored", n)
		}
	})
}

func TestCreateRequestRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		for _, tc := range []struct {
			name  string
			by    *store.User
			f     forms.Request
			code  apperr.Code
			field string
		}{
			{"registration of an existing profile", c.rep, form(forms.KindRegistration, c.subject.Login, "X"), apperr.Invalid, forms.FieldICNumber},
			{"reset for nobody", c.rep, form(forms.KindPasswordReset, "990909146789", "X"), apperr.Invalid, forms.FieldICNumber},
			{"a bad MyKad", c.rep, form(forms.KindRegistration, "991399146789", "X"), apperr.Invalid, forms.FieldICNumber},
			{"another PTJ's representative", c.other, form(forms.KindRegistration, "990909146789", "X"), apperr.Forbidden, ""},
			{"an officer, not a representative", c.officer, form(forms.KindRegistration, "990909146789", "X"), apperr.Forbidden, ""},
		} {
			_, err := c.svc.CreateRequest(ctx, tc.by, tc.f, false)
			if !apperr.Is(err, tc.code) {
				t.Errorf("%s: got %v, want %s", tc.name, err, tc.code)
				continue
			}
			if tc.field != "" && !hasField(err, tc.field) {
				t.Errorf("%s: no message on %s in %v", tc.name, tc.field, err)
			}
		}
		if n := countRows(t, db, "requests") + countRows(t, db, "outbox"); n != 0 {
			t.Fatalf("refusals wrote %d rows", n)
		}
	})
}

func hasField(err error, field string) bool {
	if e := apperr.As(err); e != nil {
		for _, f := range e.Fields {
			if f.Field == field {
				return true
			}
		}
	}
	return false
}

func TestRolledBackProvisioningQueuesNoMail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, "990909146789", "Hafiz"), false)
		if err != nil {
			t.Fatal(err)
		}
		r = c.act(t, c.officer, r, workflow.Approve, "")
		r = c.act(t, c.treasury, r, workflow.Approve, "")
		// Meanwhile the subject got a profile another way: creating it again must fail.
		c.mkUser(t, "990909146789", "Hafiz Elsewhere", ptjA)
		mails, events := countRows(t, db, "outbox"), countRows(t, db, "request_events")
		_, err = c.svc.Act(ctx, c.sysadmin, r.ID, workflow.Action{Event: workflow.Provision, Version: r.Version}, useradmin.ActOptions{})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("provision: %v", err)
		}
		if countRows(t, db, "outbox") != mails || countRows(t, db, "request_events") != events {
			t.Fatal("the rolled-back action left mail or history behind")
		}
		got, _ := c.svc.RequestFor(ctx, c.sysadmin, r.ID)
		if got.State != workflow.TreasuryApproved || got.Version != r.Version {
			t.Fatalf("request moved to %s v%d", got.State, got.Version)
		}
	})
}

func TestReturnAmendResubmit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, c.subject.Login, c.subject.Name), false)
		if err != nil {
			t.Fatal(err)
		}
		r = c.act(t, c.officer, r, workflow.Return, "Sila nyatakan had kelulusan yang betul.")
		f := r.Form()
		f.Roles[0].ApprovalLimitSen = 50000
		r, err = c.svc.AmendRequest(ctx, c.rep, r.ID, r.Version, f, true)
		if err != nil {
			t.Fatal(err)
		}
		if r.State != workflow.Submitted || r.Roles()[0].ApprovalLimitSen != 50000 {
			t.Fatalf("after amend: %s %+v", r.State, r.Roles())
		}
		// The officer who returned it may approve the amended form.
		c.act(t, c.officer, r, workflow.Approve, "")
		var returned int
		for _, m := range outbox(t, db) {
			if m.Kind == "request_returned" && m.To == c.rep.Email {
				returned++
			}
		}
		if returned != 1 {
			t.Fatalf("submitter got %d return mails", returned)
		}
	})
}

func TestDelegateActsOnBehalf(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		clerk := c.mkUser(t, "880808148888", "Haslina Clerk", ptjA)
		if _, err := c.svc.AddDelegation(ctx, c.officer, clerk.Login, "2026-11-25", "2026-11-27"); err != nil {
			t.Fatal(err)
		}
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, c.subject.Login, c.subject.Name), false)
		if err != nil {
			t.Fatal(err)
		}
		// The delegate is told about it like the officers.
		var toClerk int
		for _, m := range outbox(t, db) {
			if m.To == clerk.Email && m.Kind == "request_submitted" {
				toClerk++
			}
		}
		if toClerk != 1 {
			t.Fatalf("delegate got %d submitted mails", toClerk)
		}
		r = c.act(t, clerk, r, workflow.Approve, "")
		last := r.Events[len(r.Events)-1]
		if last.OnBehalfID == nil || *last.OnBehalfID != c.officer.ID || last.ActorID != clerk.ID {
			t.Fatalf("history: %+v", last)
		}
		// After the range the delegation no longer counts.
		*c.clock = time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)
		r2, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, "990909146789", "X"), false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.Act(ctx, clerk, r2.ID, workflow.Action{Event: workflow.Approve, Version: r2.Version}, useradmin.ActOptions{}); !apperr.Is(err, apperr.NotFound) && !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("expired delegation: %v", err)
		}
	})
}

func TestDelegationRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		for _, tc := range []struct {
			name, login, from, to, field string
		}{
			{"themselves", c.officer.Login, "2026-11-25", "2026-11-26", "delegate_login"},
			{"another PTJ", c.other.Login, "2026-11-25", "2026-11-26", "delegate_login"},
			{"end before start", c.subject.Login, "2026-11-26", "2026-11-25", "to"},
			{"in the past", c.subject.Login, "2026-11-01", "2026-11-02", "to"},
			{"not a date", c.subject.Login, "25/11/2026", "2026-11-26", "from"},
		} {
			_, err := c.svc.AddDelegation(ctx, c.officer, tc.login, tc.from, tc.to)
			if !hasField(err, tc.field) {
				t.Errorf("%s: %v, want a message on %s", tc.name, err, tc.field)
			}
		}
		if _, err := c.svc.AddDelegation(ctx, c.rep, c.subject.Login, "2026-11-25", "2026-11-26"); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("a representative naming a delegate: %v", err)
		}
		if n := countRows(t, db, "delegations"); n != 0 {
			t.Fatalf("%d delegations stored", n)
		}
	})
}

func TestRemindersOncePerDayAfterWorkingDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		if err := c.svc.AddHoliday(ctx, store.CLI, "2026-11-30", "Cuti contoh"); err != nil {
			t.Fatal(err)
		}
		// Submitted on Wednesday 25 November.
		if _, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, c.subject.Login, c.subject.Name), false); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			at   time.Time
			want int
		}{
			{time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC), 0}, // Thu, Fri: 2 working days
			{time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC), 0}, // weekend, then Monday a holiday
			{time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC), 2},  // Tuesday: 3 working days → both officers
			{time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), 0},  // same day again: nothing
			{time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC), 2},  // next day: once more
		}
		for _, s := range steps {
			*c.clock = s.at
			n, err := c.svc.SendReminders(ctx, 3)
			if err != nil {
				t.Fatal(err)
			}
			if n != s.want {
				t.Fatalf("%s: %d reminders, want %d", s.at, n, s.want)
			}
		}
	})
}

// A search of a name of several words finds the names that hold its words
// side by side, whatever the spaces between them (a name's words are read
// joined); words apart, in another order or misspelt find nothing.
func TestSearchNameOfWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		for _, u := range []*store.User{
			c.mkUser(t, "900303036666", "Kamarul bin Salleh", ptjA),
			c.mkUser(t, "900303037777", "Nuraisyah binti Omar", ptjA),
			c.mkUser(t, "900303038888", "Nur'ain binti Ali", ptjA),
		} {
			if _, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, u.Login, u.Name), false); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			q    string
			want int64
		}{
			{"kamarul bin salleh", 1},
			{"KAMARUL BIN SALLEH", 1},
			{"bin sall", 1},
			{"kamarul bin", 1},
			{"kamarul salleh", 0},
			{"salleh bin kamarul", 0},
			{"kamarul bte salleh", 0},
			{"kamaru_ bin salleh", 0}, // LIKE's wildcards are letters like any other
			{"kamarulbin  salleh", 1}, // a name of words is read with its spaces taken out
			{"kamarul binsalleh", 1},
			{"nur aisyah binti", 1},
			{"nur'ain binti", 1}, // a name read first is listed in the query as a quoted string
			{"ll", 1},            // under three characters: no trigram index serves it
			{"zq", 0},
		} {
			wantSearchTotal(t, c, c.sysadmin, tc.q, tc.want)
		}
	})
}

// A long part is looked up by its trigrams apart (store.TrigramsApart) and
// each match compared whole: a name holding those trigrams elsewhere is
// not found, a word or a name of words, whether the names repeat (a name
// of words is read in the table of names first) or not. A letter beyond
// ASCII is compared as each database folds it, the pattern folded as the
// names were.
func TestSearchByALongPartComparesItWhole(t *testing.T) {
	names := []string{
		"Kamarul bin Salleh",
		"Kamarul Hassan Salleh", // kam, aru, nsa, leh
		"Nuraisyah binti Omar",
		"Nuraini Aisyah Yahya", // nur, ais, yah
		"Élan binti Abu",
	}
	for _, each := range []int64{1, 3} {
		t.Run(fmt.Sprintf("%d requests a name", each), func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				c := newCast(t, db)
				for i := range int(each) * len(names) {
					ic := fmt.Sprintf("90030303%04d", 1000+i)
					if _, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, ic, names[i%len(names)]), false); err != nil {
						t.Fatal(err)
					}
				}
				// Whether names repeat is read from PostgreSQL's estimates,
				// which ANALYZE takes.
				if _, err := db.IDB().ExecContext(ctx, "ANALYZE"); err != nil {
					t.Fatal(err)
				}
				for _, tc := range []struct {
					q    string
					want int64
				}{
					{"kamarul bin salleh", 1},
					{"KAMARUL BIN SALLEH", 1},
					{"nuraisyah", 1},
					{"NurAisyah", 1},
					{"nuraisya_", 0},            // LIKE's wildcards are letters like any other
					{`"kamarul" bin salleh`, 0}, // and FTS5's quotes
					{`%%%%%%%%% \`, 0},
					{"Élan", 1},
					{"Élan binti abu", 1},
				} {
					// The system administrator searches every PTJ's requests
					// (the search table alone), the representative their own
					// PTJ's (the requests joined).
					for _, viewer := range []*store.User{c.sysadmin, c.rep} {
						wantSearchTotal(t, c, viewer, tc.q, tc.want*each)
					}
				}
			})
		})
	}
}

// A search finds a request by its form as it is now: an amended name
// replaces the old one (PostgreSQL keeps its own search table by trigger,
// SQLite its FTS5 table), and an action leaves it findable.
func TestSearchFollowsAmendedForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, "910404046666", "Rosnah Baharom"), true)
		if err != nil {
			t.Fatal(err)
		}
		if r, err = c.svc.AmendRequest(ctx, c.rep, r.ID, r.Version, form(forms.KindRegistration, "910404046666", "Rosnani Baharudin"), true); err != nil {
			t.Fatal(err)
		}
		if _, err := c.svc.Act(ctx, c.officer, r.ID, workflow.Action{Event: workflow.Approve, Version: r.Version}, useradmin.ActOptions{}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			viewer *store.User
			q      string
			want   int64
		}{
			{c.sysadmin, "rosnani baharudin", 1},
			{c.sysadmin, "rosnah", 0},
			{c.sysadmin, "baharom", 0},
			{c.sysadmin, "rosnah baharom", 0}, // the joined name replaced too
			{c.rep, "rosnani", 1},
			{c.other, "rosnani", 0},
			{c.rep, "rosnani baharudin", 1}, // a name of words within one's PTJs
			{c.other, "rosnani baharudin", 0},
		} {
			wantSearchTotal(t, c, tc.viewer, tc.q, tc.want)
		}
	})
}

// wantSearchTotal checks that viewer's search of the requests by q finds
// exactly want of them.
func wantSearchTotal(t *testing.T, c *cast, viewer *store.User, q string, want int64) {
	t.Helper()
	_, total, err := c.svc.ListRequests(ctx, viewer, useradmin.Filter{Q: q}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if total != store.ExactTotal(want) {
		t.Errorf("%s searching %q: %+v, want %d", viewer.Name, q, total, want)
	}
}

func TestListRequestsShowsOnlyWhatTheViewerMaySee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		if _, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, c.subject.Login, c.subject.Name), false); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			viewer *store.User
			f      useradmin.Filter
			want   int64
		}{
			{"representative, own PTJ", c.rep, useradmin.Filter{}, 1},
			{"representative, other PTJ", c.other, useradmin.Filter{}, 0},
			{"officer's inbox", c.officer, useradmin.Filter{AwaitingMe: true}, 1},
			{"treasury's inbox", c.treasury, useradmin.Filter{AwaitingMe: true}, 0},
			{"treasury sees all", c.treasury, useradmin.Filter{}, 1},
			{"search by name", c.sysadmin, useradmin.Filter{Q: "ghani"}, 1},
			{"search by name within one's PTJ", c.rep, useradmin.Filter{Q: "ghani"}, 1},
			{"search by name finds nothing of another PTJ", c.other, useradmin.Filter{Q: "ghani"}, 0},
			{"search by name and state", c.sysadmin, useradmin.Filter{Q: "ghani", State: workflow.Submitted}, 1},
			{"search by MyKad with dashes", c.sysadmin, useradmin.Filter{Q: "950505-08"}, 1},
			{"search by part of the name, any case", c.sysadmin, useradmin.Filter{Q: "hani sub"}, 1},
			{"search by a whole name of several words", c.sysadmin, useradmin.Filter{Q: "GHANI SUBJECT"}, 1},
			{"a name's words in another order are not the name", c.sysadmin, useradmin.Filter{Q: "subject ghani"}, 0},
			{"a name's words with other spaces are the name", c.sysadmin, useradmin.Filter{Q: "ghani  subject"}, 1},
			{"search by part of the reference", c.sysadmin, useradmin.Filter{Q: "2026/0000"}, 1},
			{"search by a whole MyKad with dashes", c.sysadmin, useradmin.Filter{Q: "950505-08-6666"}, 1},
			{"search by a whole MyKad of nobody's request", c.sysadmin, useradmin.Filter{Q: "950505086667"}, 0},
			{"search by the start of a reference, any case", c.sysadmin, useradmin.Filter{Q: "bpp/2026/00000"}, 1},
			{"search by a whole reference", c.sysadmin, useradmin.Filter{Q: "BPP/2026/000001"}, 1},
			{"search by the start of another year's references", c.sysadmin, useradmin.Filter{Q: "BPP/2025/"}, 0},
			{"a reference search with GLOB's syntax finds it literally", c.sysadmin, useradmin.Filter{Q: "BPP/*"}, 0},
			{"search that matches nobody", c.sysadmin, useradmin.Filter{Q: "zzz"}, 0},
			{"a search with LIKE's wildcards finds them literally", c.sysadmin, useradmin.Filter{Q: "%_%"}, 0},
			{"a search with FTS5's syntax finds it literally", c.sysadmin, useradmin.Filter{Q: `"OR*`}, 0},
			{"a name of words with FTS5's syntax finds it literally", c.sysadmin, useradmin.Filter{Q: `ghani" OR "subject`}, 0},
			{"filter by state", c.sysadmin, useradmin.Filter{State: workflow.Provisioned}, 0},
			{"the subject is no one's approver", c.subject, useradmin.Filter{AwaitingMe: true}, 0},
		} {
			_, total, err := c.svc.ListRequests(ctx, tc.viewer, tc.f, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if total != store.ExactTotal(tc.want) {
				t.Errorf("%s: %+v, want %d", tc.name, total, tc.want)
			}
		}
		counts, total, err := c.svc.InboxCounts(ctx, c.officer)
		if err != nil || total != store.ExactTotal(1) || counts[workflow.Submitted] != store.ExactTotal(1) {
			t.Fatalf("inbox counts = %v %+v %v", counts, total, err)
		}
	})
}

// The inbox's cards and its list agree, whether a card takes the list's
// own total or is counted beside it.
func TestInboxForAgreesWithItsCards(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		both := c.mkUser(t, "720707147777", "Hanim Both", ptjA, forms.RoleControllingOfficer, forms.RoleTreasuryApprover)
		for i, ic := range []string{"990101141001", "990101141002", "990101141003"} {
			r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, ic, "Pemohon"), false)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				c.act(t, c.officer, r, workflow.Approve, "")
			}
		}
		type cards = map[workflow.State]store.Total
		for _, tc := range []struct {
			name   string
			viewer *store.User
			state  workflow.State
			list   int64
			cards  cards
		}{
			{"an officer, every state", c.officer, "", 2, cards{workflow.Submitted: store.ExactTotal(2)}},
			{"officer and treasury, every state", both, "", 3,
				cards{workflow.Submitted: store.ExactTotal(2), workflow.OfficerApproved: store.ExactTotal(1)}},
			{"officer and treasury, one card", both, workflow.OfficerApproved, 1,
				cards{workflow.Submitted: store.ExactTotal(2), workflow.OfficerApproved: store.ExactTotal(1)}},
			{"treasury, a state not theirs", c.treasury, workflow.Submitted, 0, cards{workflow.OfficerApproved: store.ExactTotal(1)}},
		} {
			in, err := c.svc.InboxFor(ctx, tc.viewer, tc.state, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			counts, total, err := c.svc.InboxCounts(ctx, tc.viewer)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(in.Counts, tc.cards) || !maps.Equal(counts, tc.cards) || in.Total != total {
				t.Errorf("%s: cards %v (%+v), InboxCounts %v (%+v), want %v", tc.name, in.Counts, in.Total, counts, total, tc.cards)
			}
			if in.ListTotal != store.ExactTotal(tc.list) || int64(len(in.List)) != tc.list {
				t.Errorf("%s: list of %d, total %+v, want %d", tc.name, len(in.List), in.ListTotal, tc.list)
			}
		}
	})
}

func TestOutboxClaimLeaseAndOutcome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		c.through(t, form(forms.KindRegistration, "990909146789", "Hafiz"))
		o := db.Outbox()
		got, err := o.Claim(ctx, 100, time.Minute)
		if err != nil || len(got) != 6 {
			t.Fatalf("claim: %d, %v", len(got), err)
		}
		again, _ := o.Claim(ctx, 100, time.Minute)
		if len(again) != 0 {
			t.Fatalf("leased rows claimed again: %d", len(again))
		}
		var welcome int64
		for _, p := range got {
			if p.Kind == "welcome_set_password" {
				welcome = p.ID
			}
		}
		if err := o.Sent(ctx, welcome); err != nil {
			t.Fatal(err)
		}
		if err := o.Retry(ctx, got[0].ID, "421 try later", c.clock.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := o.Fail(ctx, got[1].ID, "550 no such user"); err != nil {
			t.Fatal(err)
		}
		// After the lease, the rows nobody recorded are due again; the retried one after its time.
		*c.clock = c.clock.Add(2 * time.Minute)
		again, _ = o.Claim(ctx, 100, time.Minute)
		if len(again) != 4 || again[0].Attempts != 1 {
			t.Fatalf("after lease: %d rows, attempts %d", len(again), again[0].Attempts)
		}
		counts, _ := db.OutboxCounts(ctx)
		if counts[store.OutboxSent] != 1 || counts[store.OutboxFailed] != 1 || counts[store.OutboxQueued] != 4 {
			t.Fatalf("counts = %v", counts)
		}
		var n store.Notification
		if err := db.IDB().NewSelect().Model(&n).Where("id = ?", welcome).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(n.Data, c.mailedToken(t, n)) {
			t.Fatal("the one-time link's token is in the outbox")
		}
		if err := c.svc.RetryMail(ctx, store.CLI, got[1].ID); err != nil {
			t.Fatal(err)
		}
		if err := c.svc.RetryMail(ctx, store.CLI, got[1].ID); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second retry click: %v", err)
		}
	})
}

func TestParallelClaimsNeverShareARow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		for i := 0; i < 5; i++ {
			c.through(t, form(forms.KindRegistration, "99090914678"+string(rune('0'+i)), "Hafiz"))
		}
		total := countRows(t, db, "outbox")
		o := db.Outbox()
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := o.Claim(ctx, 3, time.Hour)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, p := range got {
						seen[p.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if int64(len(seen)) != total {
			t.Fatalf("claimed %d of %d", len(seen), total)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("row %d claimed %d times", id, n)
			}
		}
	})
}

func TestSubmittingADraftChecksTheWholeBorang(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		f := form(forms.KindRegistration, "990909146789", "Hafiz")
		f.Declaration = false
		r, err := c.svc.CreateRequest(ctx, c.rep, f, true)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.svc.Act(ctx, c.rep, r.ID, workflow.Action{Event: workflow.Submit, Version: r.Version}, useradmin.ActOptions{})
		if !hasField(err, forms.FieldDeclaration) {
			t.Fatalf("submitting a draft without the declaration: %v", err)
		}
		got, _ := c.svc.RequestFor(ctx, c.rep, r.ID)
		if got.State != workflow.Draft || countRows(t, db, "outbox") != 0 {
			t.Fatalf("draft moved to %s", got.State)
		}
	})
}

func TestAmendRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, c.subject.Login, c.subject.Name), true)
		if err != nil {
			t.Fatal(err)
		}
		f := r.Form()
		for _, tc := range []struct {
			name    string
			by      *store.User
			version int64
			code    apperr.Code
		}{
			{"another PTJ's representative", c.other, r.Version, apperr.NotFound},
			{"an officer", c.officer, r.Version, apperr.Forbidden},
			{"a stale version", c.rep, r.Version - 1, apperr.Conflict},
		} {
			if _, err := c.svc.AmendRequest(ctx, tc.by, r.ID, tc.version, f, true); !apperr.Is(err, tc.code) {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
		}
		got, _ := c.svc.RequestFor(ctx, c.rep, r.ID)
		if got.State != workflow.Draft || got.Version != r.Version {
			t.Fatalf("refused amendments changed the draft: %s v%d", got.State, got.Version)
		}
	})
}

func TestWithdrawTellsTheOfficersWhoWereWaiting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindAccessUpdate, c.subject.Login, c.subject.Name), false)
		if err != nil {
			t.Fatal(err)
		}
		c.act(t, c.rep, r, workflow.Withdraw, "")
		var withdrawn []string
		for _, m := range outbox(t, db) {
			if m.Kind == "request_withdrawn" {
				withdrawn = append(withdrawn, m.To)
			}
		}
		if len(withdrawn) != 2 {
			t.Fatalf("withdrawal mails to %v, want both officers", withdrawn)
		}
		// A draft withdrawn told nobody, so it mails nobody.
		d, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindPasswordReset, c.subject.Login, c.subject.Name), true)
		if err != nil {
			t.Fatal(err)
		}
		before := countRows(t, db, "outbox")
		c.act(t, c.rep, d, workflow.Withdraw, "")
		if countRows(t, db, "outbox") != before {
			t.Fatal("withdrawing a draft queued mail")
		}
	})
}
