package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/perbendaharaan/ispeks/store"
)

// TestNoRedirectToAnotherSite: a crafted next= never sends the browser off
// the portal, after the language switch or after a correct login; the
// portal's own paths are kept. (A next= with a control character is
// refused at the edge with 422 before localPath sees it.)
func TestNoRedirectToAnotherSite(t *testing.T) {
	home := func(r response) bool {
		return (r.Status == http.StatusSeeOther && r.Location == "/") || (r.Status == http.StatusUnprocessableEntity && r.Location == "")
	}
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	for _, next := range []string{"/\t/evil.example/x", "//evil.example", "/\\evil.example", "/%2F%2Fevil.example",
		"https:evil.example", "javascript:alert(1)", "/..//evil.example", "/\r\n/evil.example"} {
		if r := e.browser().get("/lang/en?next=" + url.QueryEscape(next)); !home(r) {
			t.Errorf("/lang/en?next=%q → %d %q, want /", next, r.Status, r.Location)
		}
		if r := e.browser().post("/lang/en", url.Values{"next": {next}}); !home(r) {
			t.Errorf("POST /lang/en next=%q → %d %q, want /", next, r.Status, r.Location)
		}
		r := e.browser().post("/login", url.Values{"login": {siti}, "password": {testPassword}, "next": {next}})
		if !home(r) {
			t.Errorf("login with next=%q → %d %q, want /", next, r.Status, r.Location)
		}
	}
	r := e.browser().post("/login", url.Values{"login": {siti}, "password": {testPassword}, "next": {"/password?x=1"}})
	if r.Location != "/password?x=1" {
		t.Errorf("login kept no local next: %q", r.Location)
	}
}
