package web_test

import (
	"fmt"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// workflowCast is one PTJ's people, logged in through the API.
type workflowCast struct {
	e                                  *env
	rep, officer, treasury, admin, sub string // tokens
	subject                            *store.User
}

const (
	repIC      = "800101141111"
	officerIC  = "750202102222"
	treasuryIC = "700404144444"
	subjectIC  = "950505086666"
	newIC      = "990909146789"
)

func newWorkflowCast(t *testing.T, d store.Dialect) *workflowCast {
	e := newEnv(t, d)
	ptj := "12010101"
	e.user(repIC, "Aminah Rep", ptj, []forms.Role{forms.RolePTJRep}, nil, false)
	e.user(officerIC, "Badrul Officer", ptj, []forms.Role{forms.RoleControllingOfficer}, nil, false)
	e.user(treasuryIC, "Dayang Treasury", ptj, []forms.Role{forms.RoleTreasuryApprover}, nil, false)
	e.user("sysadmin01", "Ehsan Sysadmin", ptj, []forms.Role{forms.RoleSysadmin}, nil, false)
	w := &workflowCast{e: e}
	w.subject = e.user(subjectIC, "Ghani Subject", ptj, nil, []forms.Module{forms.ModulePayslip}, false)
	w.rep, w.officer, w.treasury, w.admin = e.token(repIC), e.token(officerIC), e.token(treasuryIC), e.token("sysadmin01")
	w.sub = e.token(subjectIC)
	return w
}

func borang(kind forms.Kind, ic string) map[string]any {
	b := map[string]any{
		"kind": kind, "ptj_code": "12010101",
		"subject": map[string]any{"ic_number": ic, "name": "Hafiz bin Ismail", "email": "hafiz@melaka.gov.my",
			"position": "Pegawai Kewangan", "grade": "W41", "salary_no": "A1234567"},
		"justification": "Perlu capaian untuk tugas harian.",
	}
	if kind == forms.KindRegistration || kind == forms.KindAccessUpdate {
		b["modules"] = []string{"epayslip", "eec"}
		b["roles"] = []map[string]any{{"role": "ptj_rep", "approval_limit_sen": 500000}}
	}
	return b
}

// step fires action on request out as token and returns the answer.
func (w *workflowCast) step(t *testing.T, token string, out map[string]any, action, remarks string) (int, map[string]any) {
	t.Helper()
	return w.e.api("POST", fmt.Sprintf("/api/v1/requests/%v/actions", out["id"]), token,
		map[string]any{"action": action, "version": out["version"], "remarks": remarks})
}

func TestAPIFourProceduresEndToEnd(t *testing.T) {
	for _, d := range storetest.Dialects {
		for _, kind := range forms.Kinds {
			t.Run(string(d)+"/"+string(kind), func(t *testing.T) {
				w := newWorkflowCast(t, d)
				ic := subjectIC
				if kind == forms.KindRegistration {
					ic = newIC
				}
				status, out := w.e.api("POST", "/api/v1/requests", w.rep, borang(kind, ic))
				if status != 201 || out["state"] != "submitted" {
					t.Fatalf("create: %d %v", status, out)
				}
				status, list := w.e.api("GET", "/api/v1/requests?awaiting=me", w.officer, nil)
				if status != 200 || list["total"] != float64(1) {
					t.Fatalf("officer's inbox: %d %v", status, list)
				}
				for _, s := range []struct {
					token, action, state string
				}{
					{w.officer, "approve", "officer_approved"},
					{w.treasury, "approve", "treasury_approved"},
					{w.admin, "provision", "provisioned"},
				} {
					before := out
					status, out = w.step(t, s.token, out, s.action, "")
					if status != 200 || out["state"] != s.state {
						t.Fatalf("%s: %d %v", s.action, status, out)
					}
					// The same click again, on the version it saw: a conflict, nothing changes.
					if status, again := w.step(t, s.token, before, s.action, ""); status != 409 || errorCode(again) != "conflict" {
						t.Fatalf("second %s: %d %v", s.action, status, again)
					}
				}
				history := out["history"].([]any)
				if len(history) != 4 {
					t.Fatalf("history: %v", history)
				}
				last := history[3].(map[string]any)
				if last["event"] != "provision" || last["actor"].(map[string]any)["name"] != "Ehsan Sysadmin" {
					t.Fatalf("last event: %v", last)
				}
				u, err := w.e.db.UserByLogin(ctx, ic)
				if err != nil {
					t.Fatal(err)
				}
				switch kind {
				case forms.KindRegistration, forms.KindAccessUpdate:
					if !u.HasModule(forms.ModuleEC) || !u.HasRoleFor(forms.RolePTJRep, "12010101") {
						t.Fatalf("access not granted: %+v", u.Roles)
					}
				case forms.KindDeactivation:
					if u.Active() {
						t.Fatal("still active")
					}
					// Its token ended at once.
					if status, _ := w.e.api("GET", "/api/v1/me", w.sub, nil); status != 401 {
						t.Fatalf("deactivated user's token: %d", status)
					}
				case forms.KindPasswordReset:
					if !u.MustChange || u.PasswordHash != "" {
						t.Fatal("password not reset")
					}
				}
				if n, brk, err := w.e.db.VerifyAudit(ctx); err != nil || brk != nil {
					t.Fatalf("audit of %d records: %v %v", n, brk, err)
				}
			})
		}
	}
}

func TestAPIGuardsRefuse(t *testing.T) {
	w := newWorkflowCast(t, store.SQLite)
	e := w.e
	other := e.user("810606145555", "Fauziah OtherRep", "12020202", []forms.Role{forms.RolePTJRep}, nil, false)
	otherTok := e.token(other.Login)
	_, out := e.api("POST", "/api/v1/requests", w.rep, borang(forms.KindAccessUpdate, subjectIC))
	for _, tc := range []struct {
		name, token, action, remarks string
		status                       int
		code                         string
	}{
		{"the treasury before the officer", w.treasury, "approve", "", 403, "forbidden"},
		{"provision before approvals", w.admin, "provision", "", 409, "conflict"},
		{"return without remarks", w.officer, "return", "  ", 422, "invalid"},
		{"an unknown action", w.officer, "promote", "", 422, "invalid"},
		{"another PTJ's representative", otherTok, "withdraw", "", 404, "not_found"},
	} {
		status, got := w.step(t, tc.token, out, tc.action, tc.remarks)
		if status != tc.status || errorCode(got) != tc.code {
			t.Errorf("%s: %d %v, want %d %s", tc.name, status, got, tc.status, tc.code)
		}
	}
	// An officer may not decide a request about themselves.
	_, self := e.api("POST", "/api/v1/requests", w.rep, borang(forms.KindPasswordReset, officerIC))
	if status, got := w.step(t, w.officer, self, "approve", ""); status != 403 || errorCode(got) != "forbidden" {
		t.Errorf("officer approving their own reset: %d %v", status, got)
	}
	if status, got := e.api("GET", fmt.Sprintf("/api/v1/requests/%v", out["id"]), w.sub, nil); status != 404 {
		t.Errorf("the subject (no role) reading the request: %d %v", status, got)
	}
	if status, got := e.api("POST", fmt.Sprintf("/api/v1/requests/%v/actions", out["id"]), w.officer,
		map[string]any{"action": "approve", "version": out["version"].(float64) + 5}); status != 409 {
		t.Errorf("a version from the future: %d %v", status, got)
	}
	status, got := e.api("GET", fmt.Sprintf("/api/v1/requests/%v", out["id"]), w.rep, nil)
	if status != 200 || got["state"] != "submitted" || len(got["history"].([]any)) != 1 {
		t.Fatalf("after refusals: %d %v", status, got)
	}
	if status, got := e.api("GET", "/api/v1/requests?state=nonsense", w.rep, nil); status != 422 {
		t.Errorf("unknown state filter: %d %v", status, got)
	}
}

func TestAPICreateRequestInvalid(t *testing.T) {
	w := newWorkflowCast(t, store.SQLite)
	b := borang(forms.KindRegistration, "991399146789") // month 13
	b["subject"].(map[string]any)["email"] = "hafiz@"
	status, out := w.e.api("POST", "/api/v1/requests", w.rep, b)
	fields, _ := out["error"].(map[string]any)["fields"].(map[string]any)
	if status != 422 || fields["subject.ic_number"] == nil || fields["subject.email"] == nil {
		t.Fatalf("bad MyKad and email: %d %v", status, out)
	}
	b = borang(forms.KindRegistration, newIC)
	b["declaration"] = false
	if status, out := w.e.api("POST", "/api/v1/requests", w.rep, b); status != 422 {
		t.Fatalf("explicit false declaration: %d %v", status, out)
	}
	b["draft"] = true
	status, out = w.e.api("POST", "/api/v1/requests", w.rep, b)
	if status != 201 || out["state"] != "draft" {
		t.Fatalf("draft without declaration: %d %v", status, out)
	}
	// The draft is amended and submitted with PUT.
	b["declaration"], b["submit"], b["version"] = true, true, out["version"]
	status, out = w.e.api("PUT", fmt.Sprintf("/api/v1/requests/%v", out["id"]), w.rep, b)
	if status != 200 || out["state"] != "submitted" {
		t.Fatalf("amend and submit: %d %v", status, out)
	}
	if n, _ := w.e.db.IDB().NewSelect().TableExpr("requests").Count(ctx); n != 1 {
		t.Fatalf("%d requests stored", n)
	}
}

func TestAPIDelegateApprovesOnBehalf(t *testing.T) {
	w := newWorkflowCast(t, store.SQLite)
	e := w.e
	clerk := e.user("880808148888", "Haslina Clerk", "12010101", nil, nil, false)
	status, got := e.api("POST", "/api/v1/delegations", w.officer, map[string]any{"delegate_login": "880808-14-8888", "from": "2026-11-01", "to": "2026-11-30"})
	if status != 201 || got["delegate_name"] != "Haslina Clerk" {
		t.Fatalf("delegation: %d %v", status, got)
	}
	if status, got := e.api("POST", "/api/v1/delegations", w.rep, map[string]any{"delegate_login": clerk.Login, "from": "2026-11-01", "to": "2026-11-30"}); status != 403 {
		t.Fatalf("a representative naming a delegate: %d %v", status, got)
	}
	_, out := e.api("POST", "/api/v1/requests", w.rep, borang(forms.KindPasswordReset, subjectIC))
	status, out = w.step(t, e.token(clerk.Login), out, "approve", "")
	if status != 200 {
		t.Fatalf("delegate's approval: %d %v", status, out)
	}
	ev := out["history"].([]any)[1].(map[string]any)
	if ev["actor"].(map[string]any)["name"] != "Haslina Clerk" || ev["on_behalf_of"].(map[string]any)["name"] != "Badrul Officer" {
		t.Fatalf("history: %v", ev)
	}
}
