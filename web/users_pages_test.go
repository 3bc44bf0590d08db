package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
)

// TestSysadminUnlocksALockedProfile: the users list marks a locked
// profile and links its page, where the sysadmin unlocks it after ticking
// the confirmation; the message names the user; a refusal and a success
// both land on the user's page (post/redirect/get).
func TestSysadminUnlocksALockedProfile(t *testing.T) {
	c := newPagesCast(t)
	for range c.e.cfg.LockAfter {
		c.e.browser().login(pgSubject, "Salah-Kata-Laluan-1!")
	}
	if r := c.e.browser().login(pgSubject, testPassword); r.Status == 303 {
		t.Fatal("the profile is not locked")
	}
	page := fmt.Sprintf("/users/%d", c.subject.ID)
	list := c.admin.get("/users?q=950505-08-6666")
	expect(t, "users list", list, 200, "Ghani Subject", "950505-**-***6", "Terkunci", `href="`+page+`"`)
	if strings.Contains(list.Body, pgSubject) {
		t.Fatal("the users list shows a full MyKad")
	}
	c.create(t, borangValues(forms.KindAccessUpdate, pgSubject, "Ghani Subject"))
	expect(t, "user's page", c.admin.get(page), 200, "Buka kunci", "Saya mengesahkan untuk membuka kunci profil Ghani Subject",
		"BPP/2026/000001", "Kemaskini Capaian")
	unlock := page + "/unlock"
	r := c.admin.post(unlock, url.Values{})
	if r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("unlock unconfirmed: %d %q", r.Status, r.Location)
	}
	expect(t, "unlock unconfirmed", c.admin.get(page), http.StatusUnprocessableEntity, "Sila tandakan pengesahan", "Buka kunci")
	if r := c.admin.post(unlock, url.Values{"confirm": {"1"}}); r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("unlock: %d %q", r.Status, r.Location)
	}
	done := c.admin.get(page)
	expect(t, "unlocked", done, 200, "Profil Ghani Subject (950505-**-***6) telah dibuka kunci")
	if strings.Contains(done.Body, `action="`+unlock+`"`) {
		t.Fatal("an unlocked profile still offers the unlock")
	}
	if r := c.admin.get(page); strings.Contains(r.Body, "telah dibuka kunci") {
		t.Fatal("the message shows again on reload")
	}
	if r := c.e.browser().login(pgSubject, testPassword); r.Status != 303 {
		t.Fatalf("login after unlock: %d", r.Status)
	}
	// The auditor reads the page but has no unlock or reset, and may not post one.
	if b := c.audit.get(page).Body; strings.Contains(b, "/unlock") || strings.Contains(b, "/password-reset") {
		t.Fatal("the auditor is offered an unlock or a reset")
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
