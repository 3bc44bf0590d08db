package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// TestPageNumbersOutOfRange: a page or page size that is negative, not a
// number or out of range answers 422 naming it on the API, and saying the
// page's link is not valid on the pages (a huge page overflowed the
// offset and returned items).
func TestPageNumbersOutOfRange(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RoleSysadmin, forms.RoleAuditor, forms.RolePTJRep}, nil, false)
	tok := e.token(siti)
	for _, q := range []string{"page=-1", "page=0", "page=abc", "page=1.5", "page=92233720368547758", "page=9223372036854775807",
		"page_size=-5", "page_size=0", "page_size=201", "page_size=x", "page=2&page_size=99999999999999999999"} {
		status, out := e.api("GET", "/api/v1/requests?"+q, tok, nil)
		errBody, _ := out["error"].(map[string]any)
		fields, _ := errBody["fields"].(map[string]any)
		name, _, _ := strings.Cut(q[strings.LastIndex(q, "&")+1:], "=")
		if status != http.StatusUnprocessableEntity || fields[name] == nil {
			t.Errorf("API ?%s: %d %v", q, status, out)
		}
	}
	for _, q := range []string{"", "page=1", "page=3&page_size=10", "page_size=200"} {
		if status, out := e.api("GET", "/api/v1/requests?"+q, tok, nil); status != http.StatusOK {
			t.Errorf("API ?%s: %d %v", q, status, out)
		}
	}
	b := e.browser()
	b.login(siti, testPassword)
	// The audit page goes by keyset (before/after a record), not page numbers.
	for _, q := range []string{"before=-1", "after=abc", "before=99999999999999999999"} {
		if r := b.get("/audit?" + q); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Pautan halaman tidak sah.") {
			t.Errorf("/audit?%s: %d", q, r.Status)
		}
	}
	for _, p := range []string{"/requests", "/users", "/ops/mail", "/inbox"} {
		if r := b.get(p + "?page=-1"); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Pautan halaman tidak sah.") {
			t.Errorf("%s?page=-1: %d", p, r.Status)
		}
		if r := b.get(p + "?page=99999999999999999"); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s with a huge page: %d", p, r.Status)
		}
		if r := b.get(p + "?page=2"); r.Status != http.StatusOK {
			t.Errorf("%s?page=2: %d", p, r.Status)
		}
	}
}

// TestAPIAnswersAreNotCached: every API answer — data, errors, a route
// that does not exist — carries Cache-Control: no-store.
func TestAPIAnswersAreNotCached(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	tok := e.token(siti)
	for _, c := range []struct{ method, path, token string }{
		{"GET", "/api/v1/me", tok}, {"GET", "/api/v1/me", ""}, {"GET", "/api/v1/nothing", tok}, {"POST", "/api/v1/auth/token", ""},
	} {
		_, h, _ := e.raw(c.method, c.path, "application/json", strings.NewReader(`{}`), "Authorization", "Bearer "+c.token)
		if h.Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", c.method, c.path, h.Get("Cache-Control"))
		}
	}
}

// TestCrossSiteLanguageSwitchLeavesTheMailLanguage: a link another site
// places (GET /lang/en) changes what the browser shows but not the
// language of the user's mail; a cross-site POST is refused; the layout's
// own form (a same-origin POST) stores it.
func TestCrossSiteLanguageSwitchLeavesTheMailLanguage(t *testing.T) {
	e := newEnv(t, store.SQLite)
	u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	b := e.browser()
	b.login(siti, testPassword)
	stored := func() string {
		got, _ := e.db.UserByID(ctx, u.ID)
		return got.Lang
	}
	if r := b.do("GET", "/lang/en?next=/", nil, "Sec-Fetch-Site", "cross-site"); r.Status != http.StatusSeeOther || stored() != "ms" {
		t.Fatalf("cross-site GET: %d, mail language %q", r.Status, stored())
	}
	if r := b.get("/password"); !strings.Contains(r.Body, `lang="en"`) {
		t.Error("the GET did not switch what the browser shows")
	}
	if r := b.do("POST", "/lang/en", url.Values{"next": {"/"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); r.Status != http.StatusForbidden || stored() != "ms" {
		t.Fatalf("cross-site POST: %d, mail language %q", r.Status, stored())
	}
	// The layout offers the switch as a form that needs no script.
	page := b.get("/password")
	if !strings.Contains(page.Body, `<form method="post" action="/lang/ms"`) || !strings.Contains(page.Body, `name="next" value="/password"`) {
		t.Fatalf("no language form in the layout:\n%s", page.Body)
	}
	if r := b.post("/lang/en", url.Values{"next": {"/password"}}); r.Status != http.StatusSeeOther || r.Location != "/password" || stored() != "en" {
		t.Fatalf("the layout's form: %d %q, mail language %q", r.Status, r.Location, stored())
	}
}
