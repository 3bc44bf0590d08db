package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
)

func TestSysadminUnlocksALockedProfile(t *testing.T) {
	c := newPagesCast(t)
	for range c.e.cfg.LockAfter {
		c.e.browser().login(pgSubject, "Salah-Kata-Laluan-1!")
	}
	if r := c.e.browser().login(pgSubject, testPassword); r.Status == 303 {
		t.Fatal("the profile is not locked")
	}
	list := c.admin.get("/users?q=950505-08-6666")
	expect(t, "users list", list, 200, "Ghani Subject", "950505-**-***6", "Terkunci", "Buka kunci")
	if strings.Contains(list.Body, pgSubject) {
		t.Fatal("the users list shows a full MyKad")
	}
	unlock := fmt.Sprintf("/users/%d/unlock", c.subject.ID)
	expect(t, "unlock unconfirmed", c.admin.post(unlock, url.Values{}), 422, "Sila tandakan pengesahan")
	if r := c.admin.post(unlock, url.Values{"confirm": {"1"}}); r.Status != 303 || r.Location != "/users?done=unlocked" {
		t.Fatalf("unlock: %d %q", r.Status, r.Location)
	}
	if r := c.e.browser().login(pgSubject, testPassword); r.Status != 303 {
		t.Fatalf("login after unlock: %d", r.Status)
	}
	// The auditor reads the list but has no unlock button, and may not post one.
	if strings.Contains(c.audit.get("/users").Body, "/unlock") {
		t.Fatal("the auditor is offered an unlock")
	}
	expect(t, "auditor unlock", c.audit.post(unlock, url.Values{"confirm": {"1"}}), 403)
}

func TestAuditPageListsAndVerifies(t *testing.T) {
	c := newPagesCast(t)
	page := c.audit.get("/audit?verify=1")
	expect(t, "audit", page, 200, "Rantaian audit lengkap", "user.create", "950505-**-***6")
	if strings.Contains(page.Body, pgSubject) {
		t.Fatal("the audit page shows a full MyKad")
	}
	expect(t, "audit search", c.audit.get("/audit?q=user.create"), 200, "user.create")
	expect(t, "employee", c.rep.get("/audit"), 403)
}

func TestDelegateIsOfferedTheInbox(t *testing.T) {
	c := newPagesCast(t)
	clerk := c.e.user("880808148888", "Haslina Clerk", pgPTJ, nil, []forms.Module{forms.ModulePayslip}, false)
	b := c.e.browser()
	b.login(clerk.Login, testPassword)
	if strings.Contains(b.get("/").Body, `href="/inbox"`) {
		t.Fatal("an employee without a delegation is offered the inbox")
	}
	officer, _ := c.e.db.UserByLogin(ctx, pgOfficer)
	if _, err := c.e.admin.AddDelegation(ctx, officer, clerk.Login, "2026-11-01", "2026-11-30"); err != nil {
		t.Fatal(err)
	}
	expect(t, "delegate's home", b.get("/"), 200, `href="/inbox"`)
}

func TestLanguageChoiceBecomesTheMailLanguage(t *testing.T) {
	c := newPagesCast(t)
	// The layout's switch is a POST form (issue 13: a GET no longer stores it).
	if r := c.officer.post("/lang/en", url.Values{"next": {"/"}}); r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("language switch: %d %q", r.Status, r.Location)
	}
	id := c.create(t, borangValues(forms.KindAccessUpdate, pgSubject, "Ghani Subject"))
	var langs []string
	officer, _ := c.e.db.UserByLogin(ctx, pgOfficer)
	if err := c.e.db.IDB().NewSelect().Table("outbox").Column("lang").Where("to_user_id = ? AND request_id = ?", officer.ID, id).Scan(ctx, &langs); err != nil {
		t.Fatal(err)
	}
	if len(langs) != 1 || langs[0] != "en" {
		t.Fatalf("the officer's mail languages: %v", langs)
	}
}
