package web_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// Accounts in daily use (issue 14): the forgotten password's three ways,
// what the login and set-password pages tell, a user's page and the
// sysadmin's direct reset there, and the official e-mail domains.

// sentMail is one outbox row, as the tests read it.
type sentMail struct {
	Kind     string `bun:"kind"`
	ToUserID *int64 `bun:"to_user_id"`
	ToEmail  string `bun:"to_email"`
	Data     string `bun:"data"`
}

// mails returns the outbox rows of kind, oldest first.
func (e *env) mails(kind string) []sentMail {
	e.t.Helper()
	var list []sentMail
	if err := e.db.IDB().NewSelect().Table("outbox").Column("kind", "to_user_id", "to_email", "data").
		Where("kind = ?", kind).OrderExpr("id").Scan(ctx, &list); err != nil {
		e.t.Fatal(err)
	}
	return list
}

// linkOf is the token of the one-time link a mail carries, as the sent
// mail would show it.
func (e *env) linkOf(m sentMail) string {
	e.t.Helper()
	var c struct {
		Password *struct {
			Nonce string `json:"nonce"`
		} `json:"password"`
	}
	if err := json.Unmarshal([]byte(m.Data), &c); err != nil || c.Password == nil {
		e.t.Fatalf("mail %s carries no link: %s", m.Kind, m.Data)
	}
	if strings.Contains(m.Data, e.auth.LinkToken(c.Password.Nonce)) {
		e.t.Fatal("the outbox holds the link's token")
	}
	return e.auth.LinkToken(c.Password.Nonce)
}

// audits counts the audit records of action about objectID.
func (e *env) audits(action, objectID string) int {
	e.t.Helper()
	n, err := e.db.IDB().NewSelect().Table("audit_log").Where("action = ? AND object_id = ?", action, objectID).Count(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	return int(n)
}

// alert is the login page's error line.
func alert(r response) string { return between(r.Body, `role="alert">`, "</p>") }

// TestLoginTellsWhatHappened: each answer of the login page that says more
// than "wrong", and only to whom it tells nothing of which logins exist.
func TestLoginTellsWhatHappened(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		for i, tc := range []struct {
			name  string
			setup func(u *store.User)
			tries []string // passwords typed before the last
			last  string
			want  string
		}{
			{"the second wrong password warns of the lock", nil, []string{"Salah-Satu-2026!"}, "Salah-Dua-2026!", "Amaran: jika cubaan seterusnya juga gagal, akaun ini akan dikunci"},
			{"the first wrong password does not", nil, nil, "Salah-Satu-2026!", "ID log masuk atau kata laluan tidak sah, atau akaun"},
			{"a lock that waits for a sysadmin, right password", func(u *store.User) {
				e.exec("UPDATE users SET locked_at = ? WHERE id = ?", e.clock(), u.ID)
			}, nil, testPassword, "Kata laluan anda betul, tetapi akaun anda dikunci selepas"},
			{"a timed lock, right password", func(u *store.User) {
				e.exec("UPDATE users SET locked_at = ?, locked_until = ? WHERE id = ?", e.clock(), e.clock().Add(time.Hour), u.ID)
			}, nil, testPassword, "dikunci sehingga"},
			{"a locked account, wrong password: what anybody is told", func(u *store.User) {
				e.exec("UPDATE users SET locked_at = ? WHERE id = ?", e.clock(), u.ID)
			}, nil, "Salah-Satu-2026!", "ID log masuk atau kata laluan tidak sah, atau akaun"},
			{"an expired temporary password", func(u *store.User) {
				e.exec("UPDATE users SET password_expires_at = ? WHERE id = ?", e.clock().Add(-time.Minute), u.ID)
			}, nil, testPassword, "Kata laluan sementara anda telah tamat tempoh"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				login := fmt.Sprintf("9001010450%02d", i)
				u := e.user(login, fmt.Sprintf("Pengguna%d Ujian", i), "12010101", nil, nil, false)
				if tc.setup != nil {
					tc.setup(u)
				}
				for _, pw := range tc.tries {
					e.browser().login(login, pw)
				}
				r := e.browser().login(login, tc.last)
				if r.Status != http.StatusUnauthorized || !strings.Contains(alert(r), tc.want) {
					t.Fatalf("%d %q, want %q", r.Status, alert(r), tc.want)
				}
			})
		}
		// A login without a profile is warned alike on its second failure,
		// so that the warning tells nothing of which logins exist.
		e.browser().login("700101015553", "Salah-Satu-2026!")
		if r := e.browser().login("700101015553", "Salah-Dua-2026!"); !strings.Contains(alert(r), "Amaran") {
			t.Fatalf("unknown login's second failure: %q", alert(r))
		}
	})
}

func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.db.IDB().ExecContext(ctx, query, args...); err != nil {
		e.t.Fatal(err)
	}
}

// TestLoginAsksToContinue: a protected page sends a visitor to log in
// with "please log in to continue"; the plain login page does not say it.
func TestLoginAsksToContinue(t *testing.T) {
	e := newEnv(t, store.SQLite)
	b := e.browser()
	r := b.get("/requests")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login?next=") {
		t.Fatalf("protected page: %d %q", r.Status, r.Location)
	}
	expect(t, "login page from a protected page", b.get(r.Location), 200, "Sila log masuk untuk meneruskan", `href="/password/forgot"`)
	if strings.Contains(b.get("/login").Body, "Sila log masuk untuk meneruskan") {
		t.Fatal("the plain login page asks to continue")
	}
}

// TestForgotPassword: the page's answer is the same whether or not the
// login has a usable profile; only an active profile with an e-mail gets a
// link, at that address; each request is audited; what is not a login is
// told so, with what was typed kept; every answer redirects.
func TestForgotPassword(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
		off := e.user(ahmad, "Ahmad Bin Ali", "12010101", nil, nil, false)
		e.exec("UPDATE users SET status = 'inactive' WHERE id = ?", off.ID)
		const taken = "mempunyai profil aktif, pautan sekali guna telah dihantar"
		for _, tc := range []struct {
			name, login string
			want        string
			mailTo      *store.User
		}{
			{"a profile: a link to its e-mail", "900101-04-5678", taken, u},
			{"no profile: the same answer, no mail", "700101015553", taken, nil},
			{"an inactive profile: the same answer, no mail", ahmad, taken, nil},
			{"not a login: told so", "abc def", "ID log masuk tidak sah", nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := len(e.mails("password_forgot_link"))
				b := e.browser()
				expect(t, "page", b.get("/password/forgot"), 200, "Tetapkan semula sendiri melalui e-mel", "Hubungi Pentadbir Sistem", "Borang")
				r := b.post("/password/forgot", url.Values{"login": {tc.login}})
				if r.Status != http.StatusSeeOther || r.Location != "/password/forgot" {
					t.Fatalf("post: %d %q", r.Status, r.Location)
				}
				page := b.get("/password/forgot")
				expect(t, "answer", page, 200, tc.want)
				if strings.Contains(page.Body, strings.ReplaceAll(tc.login, "-", "")) && tc.want == taken {
					t.Fatal("the answer shows the whole login")
				}
				if tc.want != taken && !strings.Contains(page.Body, `value="`+tc.login+`"`) {
					t.Fatal("what was typed is lost")
				}
				mails := e.mails("password_forgot_link")[before:]
				switch {
				case tc.mailTo == nil && len(mails) != 0:
					t.Fatalf("mailed: %v", mails)
				case tc.mailTo != nil && (len(mails) != 1 || *mails[0].ToUserID != tc.mailTo.ID || mails[0].ToEmail != tc.mailTo.Email):
					t.Fatalf("mails: %+v", mails)
				}
				if strings.Contains(b.get("/password/forgot").Body, tc.want) {
					t.Fatal("the answer shows again on reload")
				}
			})
		}
		if n := e.audits("user.password_forgot", siti) + e.audits("user.password_forgot", "700101015553") + e.audits("user.password_forgot", ahmad); n != 3 {
			t.Fatalf("%d audit records of the three requests", n)
		}
		auditor := e.user("auditor01", "Jamilah Auditor", "12010101", []forms.Role{forms.RoleAuditor}, nil, false)
		ab := e.browser()
		ab.login(auditor.Login, testPassword)
		expect(t, "audit page", ab.get("/audit?action=user.password_forgot"), 200,
			"diminta dari alamat 127.0.0.1; pautan dihantar ke e-mel profil", "diminta dari alamat 127.0.0.1; tiada pautan dihantar")
		// The link sets the password, once, through the API, and the
		// current one kept working until then.
		token := e.linkOf(e.mails("password_forgot_link")[0])
		if r := e.browser().login(siti, testPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("the current password before the link is used: %d", r.Status)
		}
		if status, out := e.api("POST", "/api/v1/auth/password/set", "", map[string]string{"token": token, "new_password": "Lupa-Kata-Laluan-2026!"}); status != http.StatusNoContent {
			t.Fatalf("set by the link: %d %v", status, out)
		}
		if r := e.browser().login(siti, "Lupa-Kata-Laluan-2026!"); r.Status != http.StatusSeeOther {
			t.Fatalf("the new password: %d", r.Status)
		}
	})
}

// TestForgotPasswordEndsALock: a locked user who asks for a link and uses
// it is unlocked.
func TestForgotPasswordEndsALock(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	for range e.cfg.LockAfter {
		e.browser().login(siti, "Salah-Satu-2026!")
	}
	if status, _ := e.api("POST", "/api/v1/auth/password/forgot", "", map[string]string{"login": siti}); status != http.StatusAccepted {
		t.Fatalf("forgot: %d", status)
	}
	token := e.linkOf(e.mails("password_forgot_link")[0])
	b := e.browser()
	form := url.Values{"token": {token}, "new_password": {"Lupa-Kata-Laluan-2026!"}, "confirm_password": {"Lupa-Kata-Laluan-2026!"}}
	if r := b.post("/password/set", form); r.Location != "/login?set=1" {
		t.Fatalf("set: %d %q", r.Status, r.Location)
	}
	if r := b.login(siti, "Lupa-Kata-Laluan-2026!"); r.Status != http.StatusSeeOther {
		t.Fatalf("login after the link: %d %q", r.Status, alert(r))
	}
}

// TestForgotPasswordAPI: 202 whatever the login, 422 for what is not one,
// 429 with Retry-After past the limit of a login (counted alike for a
// login without a profile).
func TestForgotPasswordAPI(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
			for _, login := range []string{siti, "700101015553"} {
				for i := range e.auth.Settings().ForgotPerLogin {
					if status, out := e.api("POST", "/api/v1/auth/password/forgot", "", map[string]string{"login": login}); status != http.StatusAccepted {
						t.Fatalf("%s, request %d: %d %v", login, i+1, status, out)
					}
				}
				status, out := e.api("POST", "/api/v1/auth/password/forgot", "", map[string]string{"login": login})
				if status != http.StatusTooManyRequests || !strings.Contains(fmt.Sprint(out), "Terlalu banyak permintaan pautan") {
					t.Fatalf("%s past the limit: %d %v", login, status, out)
				}
			}
			if n := len(e.mails("password_forgot_link")); n != e.auth.Settings().ForgotPerLogin {
				t.Fatalf("%d links mailed", n)
			}
			if status, out := e.api("POST", "/api/v1/auth/password/forgot", "", map[string]string{"login": "x"}); status != http.StatusUnprocessableEntity {
				t.Fatalf("not a login: %d %v", status, out)
			}
		})
	}
	// The 429 says when to come back; the page says it in words.
	e := newEnv(t, store.SQLite)
	b := e.browser()
	for range e.auth.Settings().ForgotPerLogin {
		b.post("/password/forgot", url.Values{"login": {siti}})
	}
	status, h, _ := e.raw("POST", "/api/v1/auth/password/forgot", "application/json", strings.NewReader(`{"login":"`+siti+`"}`))
	if status != http.StatusTooManyRequests || h.Get("Retry-After") != "3600" {
		t.Fatalf("429: %d Retry-After %q", status, h.Get("Retry-After"))
	}
	page := b.post("/password/forgot", url.Values{"login": {siti}})
	expect(t, "throttled page", b.get(page.Location), 200, "Terlalu banyak permintaan pautan")
	// After the window the login may ask again, and what no longer
	// counts is gone.
	e.advance(e.auth.Settings().ForgotWindow + time.Minute)
	if status, out := e.api("POST", "/api/v1/auth/password/forgot", "", map[string]string{"login": siti}); status != http.StatusAccepted {
		t.Fatalf("after the window: %d %v", status, out)
	}
	if n, _ := e.db.IDB().NewSelect().Table("password_forgot_requests").Count(ctx); n != 1 {
		t.Fatalf("%d requests kept, want the one in the window", n)
	}
}

// TestForgotPasswordOff: with self-service off the page offers the other
// two ways, the form is gone, and a request is refused without a mail.
func TestForgotPasswordOff(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.PasswordSelfService = false })
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	b := e.browser()
	page := b.get("/password/forgot")
	expect(t, "page", page, 200, "tidak dibuka oleh Perbendaharaan", "Hubungi Pentadbir Sistem")
	if strings.Contains(page.Body, `action="/password/forgot"`) {
		t.Fatal("the form is offered while self-service is off")
	}
	expect(t, "login page", b.get("/login"), 200, "Pentadbir Sistem atau Wakil PTJ anda boleh menetapkan semula")
	if status, _ := e.api("POST", "/api/v1/auth/password/forgot", "", map[string]string{"login": siti}); status != http.StatusForbidden {
		t.Fatalf("API: %d", status)
	}
	if r := b.post("/password/forgot", url.Values{"login": {siti}}); r.Status != http.StatusSeeOther {
		t.Fatalf("page post: %d", r.Status)
	}
	if n := len(e.mails("password_forgot_link")); n != 0 {
		t.Fatalf("%d mails", n)
	}
}

// TestSetPasswordPageTellsBeforeTyping: a good link's page says whose
// account and that the login is the MyKad; a used, expired or unknown link
// is reported at once (410) with the way to a new one, and no form.
func TestSetPasswordPageTellsBeforeTyping(t *testing.T) {
	e := newEnv(t, store.SQLite)
	u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, true)
	good := e.link(u.ID)
	expect(t, "good link", e.browser().get("/password/set?token="+good), 200,
		"Pautan ini menetapkan kata laluan akaun Siti Binti Ahmad", "nombor MyKad anda (900101-**-***8)", `name="new_password"`)
	used := e.link(u.ID)
	b := e.browser()
	form := url.Values{"token": {used}, "new_password": {"Pautan-Sekali-2026!"}, "confirm_password": {"Pautan-Sekali-2026!"}}
	if r := b.post("/password/set", form); r.Location != "/login?set=1" {
		t.Fatalf("use: %d %q", r.Status, r.Location)
	}
	expired := e.link(u.ID)
	e.advance(e.auth.Settings().LinkTTL + time.Minute)
	for _, tc := range []struct{ name, token, want string }{
		{"used", used, "Pautan ini telah digunakan"},
		{"expired", expired, "Pautan ini telah tamat tempoh"},
		{"unknown", "not-a-token", "Pautan ini tidak sah"},
	} {
		r := e.browser().get("/password/set?token=" + tc.token)
		expect(t, tc.name, r, http.StatusGone, tc.want, `href="/password/forgot"`)
		if strings.Contains(r.Body, `name="new_password"`) {
			t.Fatalf("%s: a form to type into", tc.name)
		}
	}
	// A mismatch goes back to the page with the message (post/redirect/get).
	fresh := e.link(u.ID)
	r := b.post("/password/set", url.Values{"token": {fresh}, "new_password": {"Pautan-Dua-2026!"}, "confirm_password": {"Lain-2026!"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("mismatch: %d", r.Status)
	}
	expect(t, "mismatch", b.get(r.Location), 200, "Kata laluan pengesahan tidak sama", "Siti Binti Ahmad")
}

// usersCast is a sysadmin, an auditor, and users to look at.
type usersCast struct {
	e              *env
	admin, auditor *browser
	adminUser      *store.User
	norma, noraini *store.User
	stamp          func(id int64) string
}

func newUsersCast(t *testing.T) *usersCast {
	e := newEnv(t, store.SQLite)
	c := &usersCast{e: e}
	c.adminUser = e.user("sysadmin01", "Ehsan Sysadmin", "12010101", []forms.Role{forms.RoleSysadmin}, nil, false)
	e.user("auditor01", "Jamilah Auditor", "12010101", []forms.Role{forms.RoleAuditor}, nil, false)
	c.norma = e.user(siti, "Norma Binti Ahmad", "12010101", nil, []forms.Module{forms.ModulePayslip}, false)
	c.noraini = e.user(ahmad, "Noraini Binti Ali", "12010101", nil, nil, false)
	c.admin, c.auditor = e.browser(), e.browser()
	c.admin.login("sysadmin01", testPassword)
	c.auditor.login("auditor01", testPassword)
	c.stamp = func(id int64) string {
		body := c.admin.get(fmt.Sprintf("/users/%d", id)).Body
		return between(body, `name="stamp" value="`, `"`)
	}
	return c
}

// TestUsersListMasksAndFilters: e-mails are masked yet tell people apart;
// the status filter finds locked and inactive profiles.
func TestUsersListMasksAndFilters(t *testing.T) {
	c := newUsersCast(t)
	c.e.exec("UPDATE users SET locked_at = ? WHERE id = ?", c.e.clock(), c.norma.ID)
	c.e.exec("UPDATE users SET status = 'inactive' WHERE id = ?", c.noraini.ID)
	list := c.admin.get("/users")
	expect(t, "list", list, 200, "nor***@melaka.gov.my")
	if strings.Contains(list.Body, "norma@") {
		t.Fatal("a whole e-mail on the list")
	}
	for _, tc := range []struct{ status, want, not string }{
		{"locked", "Norma Binti Ahmad", "Noraini Binti Ali"},
		{"inactive", "Noraini Binti Ali", "Norma Binti Ahmad"},
		{"active", "Norma Binti Ahmad", "Noraini Binti Ali"},
	} {
		r := c.admin.get("/users?status=" + tc.status)
		expect(t, tc.status, r, 200, tc.want, `value="`+tc.status+`" selected`)
		if strings.Contains(r.Body, tc.not) {
			t.Fatalf("%s lists %s", tc.status, tc.not)
		}
	}
	// A timed lock that ran out is not "locked now".
	c.e.exec("UPDATE users SET locked_until = ? WHERE id = ?", c.e.clock().Add(-time.Minute), c.norma.ID)
	if strings.Contains(c.admin.get("/users?status=locked").Body, "Norma Binti Ahmad") {
		t.Fatal("a lock that ran out is listed as locked")
	}
}

// TestUserPageShowsTheProfile: roles, modules, requests about the user,
// and recent sign-ins; no whole MyKad or e-mail.
func TestUserPageShowsTheProfile(t *testing.T) {
	c := newUsersCast(t)
	b := c.e.browser()
	b.login(siti, testPassword)
	page := c.auditor.get(fmt.Sprintf("/users/%d", c.norma.ID))
	expect(t, "user's page", page, 200, "Norma Binti Ahmad", "900101-**-***8", "nor***@melaka.gov.my", "ePayslip",
		"Log masuk terkini", "Pelayar", "Tiada permohonan mengenai pengguna ini")
	if strings.Contains(page.Body, siti) || strings.Contains(page.Body, "norma@melaka") {
		t.Fatal("a whole MyKad or e-mail on the user's page")
	}
	admin := c.auditor.get(fmt.Sprintf("/users/%d", c.adminUser.ID))
	expect(t, "roles", admin, 200, "Pentadbir Sistem")
	expect(t, "no such user", c.admin.get("/users/999999"), 404)
}

// TestDirectReset: each refusal names what is missing, lands on the user's
// page with what was typed, and changes nothing; a reset by link mails the
// user; a temporary password is shown once and must be changed.
func TestDirectReset(t *testing.T) {
	c := newUsersCast(t)
	e := c.e
	page := fmt.Sprintf("/users/%d", c.norma.ID)
	reset := page + "/password-reset"
	good := func() url.Values {
		return url.Values{"identity_checked": {"1"}, "reason": {"Pengguna menelefon, terlupa kata laluan."}, "way": {"link"}, "stamp": {c.stamp(c.norma.ID)}}
	}
	for _, tc := range []struct {
		name   string
		edit   func(v url.Values)
		path   string
		status int // of the user's page that shows the refusal
		want   []string
	}{
		{"identity not ticked", func(v url.Values) { v.Del("identity_checked") }, reset, 422, []string{"Tandakan bahawa identiti pemanggil telah disahkan"}},
		{"no reason", func(v url.Values) { v.Set("reason", "  ") }, reset, 422, []string{"Nyatakan sebab penetapan semula"}},
		{"neither", func(v url.Values) { v.Del("identity_checked"); v.Set("reason", "") }, reset, 422, []string{"Tandakan bahawa identiti", "Nyatakan sebab"}},
		{"a stale page", func(v url.Values) { v.Set("stamp", "0000") }, reset, 409, []string{"telah berubah sejak halaman ini dibuka"}},
		{"one's own password", nil, fmt.Sprintf("/users/%d/password-reset", c.adminUser.ID), 403, []string{"Anda tidak boleh menetapkan semula kata laluan anda sendiri"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := good()
			if tc.edit != nil {
				tc.edit(v)
			}
			mails := len(e.mails("password_reset_direct"))
			r := c.admin.post(tc.path, v)
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, strings.TrimSuffix(tc.path, "/password-reset")) {
				t.Fatalf("%d %q", r.Status, r.Location)
			}
			back := c.admin.get(r.Location)
			expect(t, tc.name, back, tc.status, tc.want...)
			if tc.path == reset && v.Get("reason") != "" && !strings.Contains(back.Body, v.Get("reason")) {
				t.Fatal("the reason typed is lost")
			}
			if len(e.mails("password_reset_direct")) != mails || e.audits("user.password_reset", siti) != 0 {
				t.Fatal("a refused reset mailed or audited")
			}
			if r := e.browser().login(siti, testPassword); r.Status != http.StatusSeeOther {
				t.Fatal("a refused reset changed the password")
			}
		})
	}

	// By link: the password, the sessions end; the user is mailed the link.
	session := e.browser()
	session.login(siti, testPassword)
	r := c.admin.post(reset, good())
	if r.Status != http.StatusSeeOther || r.Location != page {
		t.Fatalf("reset by link: %d %q", r.Status, r.Location)
	}
	expect(t, "done", c.admin.get(page), 200, "Kata laluan Norma Binti Ahmad (900101-**-***8) telah ditetapkan semula", "nor***@melaka.gov.my")
	if r := session.get("/password"); r.Status != http.StatusSeeOther {
		t.Fatal("the user's session outlived the reset")
	}
	if r := e.browser().login(siti, testPassword); r.Status == http.StatusSeeOther {
		t.Fatal("the old password works after the reset")
	}
	sent := e.mails("password_reset_direct")
	if len(sent) != 1 || *sent[0].ToUserID != c.norma.ID || e.audits("user.password_reset", siti) != 1 {
		t.Fatalf("mails %+v, audits %d", sent, e.audits("user.password_reset", siti))
	}
	token := e.linkOf(sent[0])
	if status, _ := e.api("POST", "/api/v1/auth/password/set", "", map[string]string{"token": token, "new_password": "Pentadbir-Reset-2026!"}); status != http.StatusNoContent {
		t.Fatalf("the mailed link: %d", status)
	}

	// A temporary password: shown once, not cached; the user must change it.
	v := good()
	v.Set("way", "temporary")
	r = c.admin.post(reset, v)
	expect(t, "temporary password", r, 200, "Untuk Norma Binti Ahmad (900101-**-***8)", "tidak mengandungi kata laluan")
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Fatalf("Cache-Control %q", cc)
	}
	temp := html.UnescapeString(between(r.Body, "<code>", "</code>"))
	if temp == "" {
		t.Fatal("no temporary password shown")
	}
	if again := c.admin.post(reset, v); again.Status != http.StatusSeeOther || strings.Contains(c.admin.get(again.Location).Body, temp) {
		t.Fatal("a resent form showed or made a password again")
	}
	b := e.browser()
	if r := b.login(siti, temp); r.Status != http.StatusSeeOther || r.Location != "/password" {
		t.Fatalf("login with the temporary password: %d %q", r.Status, r.Location)
	}
	if n := e.audits("user.password_reset", siti); n != 2 {
		t.Fatalf("%d audit records", n)
	}
	// The audit page says it in a sentence, with the reason.
	expect(t, "audit page", c.auditor.get("/audit?action=user.password_reset"), 200,
		"menetapkan semula kata laluan Norma Binti Ahmad (900101-**-***8) selepas mengesahkan identiti pemanggil (kata laluan sementara)",
		"Sebab: Pengguna menelefon, terlupa kata laluan.")
}

// TestOfficialEmailDomains: with the setting, a Borang's e-mail outside
// the official domains is refused with a message naming them.
func TestOfficialEmailDomains(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.OfficialEmailDomains = []string{"gov.my"} })
	e.user(repIC, "Aminah Rep", "12010101", []forms.Role{forms.RolePTJRep}, nil, false)
	tok := e.token(repIC)
	b := borang(forms.KindRegistration, "991212146789")
	b["subject"].(map[string]any)["email"] = "hafiz@gmail.com"
	status, out := e.api("POST", "/api/v1/requests", tok, b)
	fields, _ := out["error"].(map[string]any)["fields"].(map[string]any)
	if status != http.StatusUnprocessableEntity || !strings.Contains(fmt.Sprint(fields["subject.email"]), "gov.my") {
		t.Fatalf("private e-mail: %d %v", status, out)
	}
	b["subject"].(map[string]any)["email"] = "hafiz@melaka.gov.my"
	if status, out := e.api("POST", "/api/v1/requests", tok, b); status != http.StatusCreated {
		t.Fatalf("official e-mail: %d %v", status, out)
	}
}

// TestRefusedLoginRedirects: a refused login lands on the login page by a
// redirect (a reload sends no password again), which says why, keeps the
// login typed and where the user was going; a reload shows it no more.
func TestRefusedLoginRedirects(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	b := e.browser()
	r := b.post("/login", url.Values{"login": {"900101-04-5678"}, "password": {"Salah-Satu-2026!"}, "next": {"/requests"}})
	if r.Status != http.StatusSeeOther || r.Location != "/login?next=%2Frequests" {
		t.Fatalf("refused login: %d %q", r.Status, r.Location)
	}
	page := b.get(r.Location)
	expect(t, "login page", page, http.StatusUnauthorized, "ID log masuk atau kata laluan tidak sah", `value="900101-04-5678"`, `name="next" value="/requests"`)
	if strings.Contains(page.Body, "Salah-Satu") {
		t.Fatal("the password came back")
	}
	if again := b.get(r.Location); again.Status != http.StatusOK || strings.Contains(again.Body, "tidak sah") {
		t.Fatalf("reload: %d", again.Status)
	}
	if r := b.post("/login", url.Values{"login": {siti}, "password": {testPassword}, "next": {"/requests"}}); r.Location != "/requests" {
		t.Fatalf("then the right password → %q", r.Location)
	}
}

// TestPasswordChangeRefusalRedirects: a refused password change lands on
// the page by a redirect, which says why; a reload shows it no more.
func TestPasswordChangeRefusalRedirects(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	b := e.browser()
	b.login(siti, testPassword)
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"wrong current password", url.Values{"current_password": {"Salah-Satu-2026!"}, "new_password": {"Baharu-Kuat-2026#"}, "confirm_password": {"Baharu-Kuat-2026#"}}, "Kata laluan semasa tidak betul"},
		{"confirmation differs", url.Values{"current_password": {testPassword}, "new_password": {"Baharu-Kuat-2026#"}, "confirm_password": {"Lain-2026#"}}, "Kata laluan pengesahan tidak sama"},
	} {
		r := b.post("/password", tc.form)
		if r.Status != http.StatusSeeOther || r.Location != "/password" {
			t.Fatalf("%s: %d %q", tc.name, r.Status, r.Location)
		}
		expect(t, tc.name, b.get("/password"), http.StatusUnprocessableEntity, tc.want)
		if again := b.get("/password"); again.Status != http.StatusOK || strings.Contains(again.Body, tc.want) {
			t.Fatalf("%s: reload %d", tc.name, again.Status)
		}
	}
	if r := b.login(siti, testPassword); r.Status != http.StatusSeeOther {
		t.Fatal("a refused change changed the password")
	}
}
