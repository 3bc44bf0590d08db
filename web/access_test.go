package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// Personas of the access matrix.
const (
	anon       = "anonymous"
	inactive   = "inactive"
	mustChange = "must_change"
	employee   = "employee" // no role, every module granted
	bare       = "bare"     // no role, no module
	ptjRep     = "ptj_rep"
	officer    = "controlling_officer"
	treasury   = "treasury_approver"
	sysadmin   = "sysadmin"
	auditor    = "auditor"
)

var personas = []string{anon, inactive, mustChange, employee, bare, ptjRep, officer, treasury, sysadmin, auditor}

// who lists the personas that may use a route.
var (
	everyone   = personas
	loggedIn   = []string{mustChange, employee, bare, ptjRep, officer, treasury, sysadmin, auditor} // incl. before the forced change
	changed    = []string{employee, bare, ptjRep, officer, treasury, sysadmin, auditor}
	only       = func(p ...string) []string { return p }
	publicOnly = everyone
)

// access is one row of the access matrix: the concrete path to call and
// who may use it.
type access struct {
	path    string
	allowed []string
}

// accessMatrix is the expectation for every route. A route the server has
// and this table lacks fails the test, so that no route goes out without a
// decided rule. Each module's rows are in its own file (<module>_access_test.go),
// added to this map by that file's init.
var accessMatrix = map[string]access{
	"GET /":                          {"/", only(anon, inactive, employee, bare, ptjRep, officer, treasury, sysadmin, auditor)}, // must-change users are sent to /password
	"GET /lang/:lang":                {"/lang/en", publicOnly},
	"POST /lang/:lang":               {"/lang/en", publicOnly},
	"GET /login":                     {"/login", publicOnly},
	"POST /login":                    {"/login", publicOnly},
	"POST /logout":                   {"/logout", loggedIn},
	"GET /password":                  {"/password", loggedIn},
	"POST /password":                 {"/password", loggedIn},
	"GET /password/set":              {"/password/set?token=x", publicOnly},
	"POST /password/set":             {"/password/set", publicOnly},
	"POST /api/v1/auth/token":        {"/api/v1/auth/token", publicOnly},
	"DELETE /api/v1/auth/token":      {"/api/v1/auth/token", loggedIn},
	"POST /api/v1/auth/password":     {"/api/v1/auth/password", loggedIn},
	"POST /api/v1/auth/password/set": {"/api/v1/auth/password/set", publicOnly},
	"GET /api/v1/me":                 {"/api/v1/me", loggedIn},

	// The Borang workflow: what each participant sees is narrowed by the
	// store (a missing request answers 404, which is not a refusal here).
	"GET /requests":                     {"/requests", changed},
	"GET /requests/export.csv":          {"/requests/export.csv", only(treasury, sysadmin, auditor)},
	"GET /requests/new":                 {"/requests/new", only(ptjRep)},
	"POST /requests/new":                {"/requests/new", only(ptjRep)},
	"GET /requests/:id":                 {"/requests/999999", changed},
	"GET /requests/:id/print":           {"/requests/999999/print", changed},
	"GET /requests/:id/edit":            {"/requests/999999/edit", only(ptjRep)},
	"POST /requests/:id/edit":           {"/requests/999999/edit", only(ptjRep)},
	"POST /requests/:id/action":         {"/requests/999999/action", changed},
	"GET /inbox":                        {"/inbox", changed},
	"POST /inbox/approve":               {"/inbox/approve", changed},
	"GET /delegations":                  {"/delegations", only(officer)},
	"POST /delegations":                 {"/delegations", only(officer)},
	"POST /delegations/:id/revoke":      {"/delegations/999999/revoke", only(officer)},
	"GET /users":                        {"/users", only(sysadmin, auditor)},
	"POST /users/:id/unlock":            {"/users/999999/unlock", only(sysadmin)},
	"GET /audit":                        {"/audit", only(auditor, sysadmin)},
	"GET /ops/mail":                     {"/ops/mail", only(sysadmin)},
	"POST /ops/mail/:id/retry":          {"/ops/mail/999999/retry", only(sysadmin)},
	"POST /api/v1/requests":             {"/api/v1/requests", only(ptjRep)},
	"GET /api/v1/requests":              {"/api/v1/requests", changed},
	"GET /api/v1/requests/:id":          {"/api/v1/requests/999999", changed},
	"PUT /api/v1/requests/:id":          {"/api/v1/requests/999999", only(ptjRep)},
	"POST /api/v1/requests/:id/actions": {"/api/v1/requests/999999/actions", changed},
	"POST /api/v1/delegations":          {"/api/v1/delegations", only(officer)},

	// A monitor's page: no persona is one (no address allowed, no token here).
	"GET /metrics": {"/metrics", only()},
}

func TestAccessMatrix(t *testing.T) {
	// Every persona tries every route, the login forms among them: the
	// address throttle would stop the test, not a stranger.
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.LoginThrottle = 1000; c.MetricsAllow = "" })
	logins := map[string]string{}
	mk := func(p, login string, roles []forms.Role, modules []forms.Module, must bool) {
		e.user(login, "Pengguna "+strings.ReplaceAll(p, "_", " "), "12010101", roles, modules, must)
		logins[p] = login
	}
	mk(inactive, "700101015001", nil, forms.Modules, false)
	mk(mustChange, "700101015013", []forms.Role{forms.RoleSysadmin}, forms.Modules, true)
	mk(employee, "700101015025", nil, forms.Modules, false)
	mk(bare, "700101015087", nil, nil, false)
	mk(ptjRep, "700101015037", []forms.Role{forms.RolePTJRep}, nil, false)
	mk(officer, "700101015049", []forms.Role{forms.RoleControllingOfficer}, nil, false)
	mk(treasury, "700101015051", []forms.Role{forms.RoleTreasuryApprover}, nil, false)
	mk(sysadmin, "700101015063", []forms.Role{forms.RoleSysadmin}, nil, false)
	mk(auditor, "700101015075", []forms.Role{forms.RoleAuditor}, nil, false)

	// Sessions and tokens for everyone, taken before the inactive one is
	// deactivated (its sessions must then be dead).
	browsers := map[string]*browser{}
	tokens := map[string]string{}
	for _, p := range personas {
		browsers[p] = e.browser()
		if p == anon {
			continue
		}
		browsers[p].login(logins[p], testPassword)
		tokens[p] = e.token(logins[p])
	}
	if _, err := e.db.IDB().ExecContext(ctx, "UPDATE users SET status = 'inactive' WHERE login = ?", logins[inactive]); err != nil {
		t.Fatal(err)
	}

	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Path
		want, ok := accessMatrix[key]
		if !ok {
			t.Errorf("route %s has no row in the access matrix", key)
			continue
		}
		for _, p := range personas {
			allowed := contains(want.allowed, p)
			var got bool
			if strings.HasPrefix(r.Path, "/api/") {
				status, out := e.api(r.Method, want.path, tokens[p], map[string]any{})
				if status >= 500 {
					t.Errorf("%s as %s: %d", key, p, status) // a failure must not pass for an allowed call
				}
				got = status != http.StatusUnauthorized && status != http.StatusForbidden
				// A 401 from the login or link endpoints is their answer, not a refusal.
				if status == http.StatusUnauthorized && key == "POST /api/v1/auth/token" {
					got = true
				}
				_ = out
				if key == "DELETE /api/v1/auth/token" && p != anon && p != inactive {
					tokens[p] = e.token(logins[p]) // the call ended it: take a new one for later rows
				}
			} else {
				resp := browsers[p].do(r.Method, want.path, map[string][]string{})
				if resp.Status >= 500 {
					t.Errorf("%s as %s: %d", key, p, resp.Status)
				}
				got = resp.Status != http.StatusForbidden &&
					!(resp.Status == http.StatusSeeOther && (strings.HasPrefix(resp.Location, "/login?next=") || resp.Location == "/password"))
				if r.Path == "/logout" && p != anon {
					// logging out ends the session: log back in for later rows
					if p != inactive {
						browsers[p].login(logins[p], testPassword)
					}
				}
				if r.Path == "/password" && r.Method == "GET" && p == mustChange {
					got = resp.Status == 200
				}
				if r.Path == "/password" && r.Method == "POST" && resp.Location == "/password" {
					got = true // the refused change's way back to its page, not the forced change's
				}
			}
			if got != allowed {
				t.Errorf("%s as %s: allowed=%v, want %v", key, p, got, allowed)
			}
		}
	}
	for key := range accessMatrix {
		found := false
		for _, r := range e.srv.Routes() {
			if r.Method+" "+r.Path == key {
				found = true
			}
		}
		if !found {
			t.Errorf("access matrix row %s names no route", key)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
