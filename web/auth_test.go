package web_test

import (
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

const (
	siti  = "900101045678"
	ahmad = "850505085551"
)

func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, newEnv(t, d)) })
	}
}

func TestLoginStartsASessionWithSafeCookie(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.user(siti, "Siti Binti Ahmad", "12010101", nil, []forms.Module{forms.ModulePayslip}, false)
		b := e.browser()
		// A session id planted before login must not survive it.
		u, _ := url.Parse(e.ts.URL)
		b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "ispeks_session", Value: "planted"}})
		r := b.login("900101-04-5678", testPassword)
		if r.Status != http.StatusSeeOther || r.Location != "/" {
			t.Fatalf("login: %d → %q", r.Status, r.Location)
		}
		cookie := r.Header.Get("Set-Cookie")
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(cookie, want) {
				t.Errorf("cookie %q lacks %s", cookie, want)
			}
		}
		if strings.Contains(cookie, "planted") || strings.Contains(cookie, "Secure") {
			t.Errorf("cookie %q: planted id kept, or Secure over http", cookie)
		}
		home := b.get("/")
		if home.Status != 200 || !strings.Contains(home.Body, "Slip Gaji") || strings.Contains(home.Body, "Status Pembayaran") {
			t.Fatalf("home shows other modules than granted: %d %s", home.Status, home.Body)
		}
		if r := b.post("/logout", nil); r.Location != "/login?bye=1" {
			t.Fatalf("logout → %q", r.Location)
		}
		if r := b.get("/password"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Fatalf("after logout: %d %q", r.Status, r.Location)
		}
	})
}

func TestSecureCookieOverHTTPS(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.BaseURL = "https://ispeks.melaka.gov.my" })
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	r := e.browser().login(siti, testPassword)
	if c := r.Header.Get("Set-Cookie"); !strings.Contains(c, "__Host-ispeks=") || !strings.Contains(c, "Secure") {
		t.Fatalf("cookie over https: %q", c)
	}
}

// TestLoginFailuresLookAlike: unknown login, wrong password, a locked
// account's wrong password and an inactive account all get the same status
// and message (a locked account's right password is told of the lock:
// TestLoginTellsWhatHappened).
func TestLoginFailuresLookAlike(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
		locked := e.user(ahmad, "Ahmad Bin Ali", "12010101", nil, nil, false)
		inactive := e.user("880808085557", "Chong Wei Ling", "12010101", nil, nil, false)
		if _, err := e.db.IDB().ExecContext(ctx, "UPDATE users SET locked_at = ? WHERE id = ?", e.clock(), locked.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.IDB().ExecContext(ctx, "UPDATE users SET status = 'inactive' WHERE id = ?", inactive.ID); err != nil {
			t.Fatal(err)
		}
		var first string
		for _, tc := range []struct{ name, login, pw string }{
			{"unknown", "700101015553", testPassword},
			{"malformed", "not a login!", testPassword},
			{"wrong password", siti, "Salah-Sekali-2026!"},
			{"locked, wrong password", ahmad, "Salah-Sekali-2026!"},
			{"inactive", "880808085557", testPassword},
		} {
			r := e.browser().login(tc.login, tc.pw)
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("%s: status %d", tc.name, r.Status)
			}
			msg := between(r.Body, `role="alert">`, "</p>")
			if first == "" {
				first = msg
			}
			if msg == "" || msg != first {
				t.Fatalf("%s: message %q differs from %q", tc.name, msg, first)
			}
		}
	})
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	if j := strings.Index(s, b); j >= 0 {
		return s[:j]
	}
	return ""
}

func TestLockoutAfterThreeFailures(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
		b := e.browser()
		for i := 0; i < 3; i++ {
			b.login(siti, "Salah-Sekali-2026!")
		}
		if r := b.login(siti, testPassword); r.Status != http.StatusUnauthorized {
			t.Fatalf("right password after 3 failures: %d, want refused (locked)", r.Status)
		}
		got, _ := e.db.UserByID(ctx, u.ID)
		if got.LockedAt == nil {
			t.Fatal("not locked")
		}
		// A sysadmin's unlock opens it again, and is audited.
		if _, err := e.auth.Unlock(ctx, store.CLI, u.ID); err != nil {
			t.Fatal(err)
		}
		if r := b.login(siti, testPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("after unlock: %d", r.Status)
		}
		var actions []string
		_ = e.db.IDB().NewSelect().Table("audit_log").Column("action").Where("object_id = ?", siti).Scan(ctx, &actions)
		if strings.Join(actions, ",") != "user.create,user.lock,user.unlock" {
			t.Fatalf("audit: %v", actions)
		}
	})
}

// TestParallelGuessesCannotPassTheLimit: 20 wrong passwords at once get no
// more than LockAfter checks between them.
func TestParallelGuessesCannotPassTheLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": siti, "password": "Salah-Sekali-2026!"})
			}()
		}
		wg.Wait()
		got, _ := e.db.UserByID(ctx, u.ID)
		if got.FailedAttempts != 3 || got.LockedAt == nil {
			t.Fatalf("after 20 parallel guesses: %d attempts counted, locked=%v; want exactly 3 and locked", got.FailedAttempts, got.LockedAt != nil)
		}
		n, _ := e.db.IDB().NewSelect().Table("audit_log").Where("action = 'user.lock'").Count(ctx)
		if n != 1 {
			t.Fatalf("%d lock records, want 1", n)
		}
	})
}

func TestTimedLockEnds(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.LockFor = []time.Duration{30 * time.Minute} })
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	b := e.browser()
	for i := 0; i < 3; i++ {
		b.login(siti, "Salah-Sekali-2026!")
	}
	if r := b.login(siti, testPassword); r.Status != http.StatusUnauthorized {
		t.Fatal("not locked")
	}
	e.advance(31 * time.Minute)
	if r := b.login(siti, testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("timed lock did not end: %d", r.Status)
	}
}

// TestThrottlePerAddressAndLogin: the throttle counts failures of one login
// from one address (issue 13 changed it from the address alone): past the
// limit a wrong password answers "too many attempts", the right one still
// logs in (the account's own lock still holds), and other logins from the
// same address (an office behind one NAT) are not held up.
func TestThrottlePerAddressAndLogin(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.LoginThrottle = 5; c.LockAfter = 20 })
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	e.user(ahmad, "Ahmad Bin Ali", "12010101", nil, nil, false)
	for i := 0; i < 5; i++ {
		if r := e.browser().login(siti, "Salah-Sekali-2026!"); strings.Contains(r.Body, "Terlalu banyak cubaan") {
			t.Fatalf("try %d throttled", i+1)
		}
	}
	r := e.browser().login(siti, "Salah-Sekali-2026!")
	if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Terlalu banyak cubaan") {
		t.Fatalf("6th wrong try from one address: %d", r.Status)
	}
	if r := e.browser().login(ahmad, testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("another login from the same address: %d", r.Status)
	}
	if r := e.browser().login(siti, testPassword); r.Status != http.StatusSeeOther {
		t.Fatalf("the right password through the throttle: %d", r.Status)
	}
	// A lock still holds through it.
	e2 := newEnv(t, store.SQLite, func(c *config.Config) { c.LoginThrottle = 1 })
	e2.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	for i := 0; i < 3; i++ {
		e2.browser().login(siti, "Salah-Sekali-2026!")
	}
	if r := e2.browser().login(siti, testPassword); r.Status != http.StatusUnauthorized {
		t.Fatalf("locked account through the throttle: %d", r.Status)
	}
	e.advance(16 * time.Minute)
	if r := e.browser().login(siti, "Salah-Sekali-2026!"); strings.Contains(r.Body, "Terlalu banyak cubaan") {
		t.Fatal("still throttled after the window")
	}
}

// TestThrottleCountIsAtomic: 50 wrong logins at once from one address get
// exactly the limit of ordinary answers (a failure, or the warning before
// a lock), and "too many attempts" for the rest: the attempt is counted
// before it is judged.
func TestThrottleCountIsAtomic(t *testing.T) {
	// The test counts the throttle's answers, not the hashing gate's: on a
	// loaded machine twenty verifications queued at once may outlast the
	// gate's 5 s wait and answer "busy", so this test's gate waits longer.
	defer password.SetWork(password.SetWork(password.NewGate(runtime.GOMAXPROCS(0), 2*time.Minute)))
	eachEnv(t, func(t *testing.T, e *env) {
		var mu sync.Mutex
		answers := map[string]int{}
		var wg sync.WaitGroup
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, out := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": "700101015553", "password": "Salah-Sekali-2026!"})
				errBody, _ := out["error"].(map[string]any)
				msg, _ := errBody["message"].(string)
				mu.Lock()
				answers[msg]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		throttled := answers[i18n.T("ms", "login.error.throttled")]
		// The warning before a lock is an ordinary answer too (the
		// unknown login's second failure may come among the first 20).
		failed := answers[i18n.T("ms", "login.error.failed")] + answers[i18n.T("ms", "login.error.failed_last")]
		if failed != 20 || throttled != 30 {
			t.Fatalf("50 parallel wrong logins: %d failed, %d throttled (%v); want 20 and 30", failed, throttled, answers)
		}
	})
}

func TestForcedPasswordChange(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RoleAuditor}, nil, true)
		b := e.browser()
		if r := b.login(siti, testPassword); r.Location != "/password" {
			t.Fatalf("must-change login → %q", r.Location)
		}
		if r := b.get("/"); r.Location != "/password" {
			t.Fatalf("home before the change → %d %q", r.Status, r.Location)
		}
		tok := e.token(siti)
		if status, out := e.api("GET", "/api/v1/me", tok, nil); status != 200 || out["must_change_password"] != true {
			t.Fatalf("/me: %d %v", status, out)
		}
		// A rule failure names the rule.
		status, out := e.api("POST", "/api/v1/auth/password", tok, map[string]string{"current_password": testPassword, "new_password": "pendek"})
		if status != 422 || out["error"].(map[string]any)["rule"] != password.RuleTooShort {
			t.Fatalf("short password: %d %v", status, out)
		}
		r := b.post("/password", url.Values{"current_password": {testPassword}, "new_password": {"Baharu-Kuat-2026#"}, "confirm_password": {"Baharu-Kuat-2026#"}})
		if r.Location != "/?changed=1" {
			t.Fatalf("change → %d %q", r.Status, r.Location)
		}
		if r := b.get("/"); r.Status != 200 {
			t.Fatalf("home after the change: %d", r.Status)
		}
		// The change ended the other sessions: the API token is dead.
		if status, _ := e.api("GET", "/api/v1/me", tok, nil); status != 401 {
			t.Fatalf("old token after a password change: %d", status)
		}
	})
}

func TestPasswordChangeRequiredOnAPI(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RoleAuditor}, nil, true)
	status, out := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": siti, "password": testPassword})
	if status != 200 || out["must_change_password"] != true {
		t.Fatalf("token: %d %v", status, out)
	}
}

func TestOneTimeLink(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, true)
		other := e.browser()
		other.login(siti, testPassword)
		token := e.link(u.ID)
		b := e.browser()
		if r := b.get("/password/set?token=" + token); r.Status != 200 {
			t.Fatalf("link page: %d", r.Status)
		}
		form := url.Values{"token": {token}, "new_password": {"Pautan-Sekali-2026!"}, "confirm_password": {"Pautan-Sekali-2026!"}}
		if r := b.post("/password/set", form); r.Location != "/login?set=1" {
			t.Fatalf("use link: %d %q %s", r.Status, r.Location, r.Body)
		}
		// Single use: the second click goes back to the link's page
		// (post/redirect/get), which says the link was used.
		r := b.post("/password/set", form)
		if r.Status != http.StatusSeeOther || r.Location != "/password/set?token="+url.QueryEscape(token) {
			t.Fatalf("second use: %d %q", r.Status, r.Location)
		}
		if r := b.get(r.Location); r.Status != http.StatusGone || !strings.Contains(r.Body, "telah digunakan") {
			t.Fatalf("the used link's page: %d", r.Status)
		}
		// Using the link ended the session opened before it.
		if r := other.get("/password"); r.Status != http.StatusSeeOther {
			t.Fatalf("old session after the link: %d", r.Status)
		}
		if r := b.login(siti, "Pautan-Sekali-2026!"); r.Location != "/" {
			t.Fatalf("login with the new password → %q", r.Location)
		}
	})
}

func TestOneTimeLinkExpires(t *testing.T) {
	e := newEnv(t, store.SQLite)
	u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, true)
	token := e.link(u.ID)
	e.advance(72*time.Hour + time.Second)
	status, out := e.api("POST", "/api/v1/auth/password/set", "", map[string]string{"token": token, "new_password": "Pautan-Sekali-2026!"})
	if status != 422 || !strings.Contains(out["error"].(map[string]any)["message"].(string), "tamat tempoh") {
		t.Fatalf("expired link: %d %v", status, out)
	}
}

func TestSessionTimeouts(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
		b := e.browser()
		b.login(siti, testPassword)
		e.advance(29 * time.Minute)
		if r := b.get("/password"); r.Status != 200 {
			t.Fatalf("29 minutes idle: %d", r.Status)
		}
		e.advance(31 * time.Minute)
		if r := b.get("/password"); r.Status != http.StatusSeeOther {
			t.Fatalf("31 minutes idle: %d, want the login page", r.Status)
		}
		// Absolute end: used every 20 minutes, it still ends at 12 hours.
		b.login(siti, testPassword)
		for i := 0; i < 35; i++ { // 11h40m
			e.advance(20 * time.Minute)
			if r := b.get("/password"); r.Status != 200 {
				t.Fatalf("active session ended early, after %d minutes", (i+1)*20)
			}
		}
		e.advance(21 * time.Minute)
		if r := b.get("/password"); r.Status != http.StatusSeeOther {
			t.Fatalf("session outlived 12 hours: %d", r.Status)
		}
	})
}

// TestPagesAnswerWhileAWriterWrites: pages whose session's use is due to
// be noted answer while a transaction holds the database's writer, as a
// long job does (an import, a year's Borang EC: on SQLite the one writer,
// for its length); the note is made by a request after it. A login, a
// write, waits for the writer and then succeeds.
func TestPagesAnswerWhileAWriterWrites(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RoleSysadmin}, []forms.Module{forms.ModulePayslip, forms.ModuleEC, forms.ModuleMaklum}, false)
		e.user(ahmad, "Ahmad Bin Ali", "12010101", nil, nil, false)
		b := e.browser()
		b.login(siti, testPassword)
		seen := func() time.Time { // of Siti's session
			var at time.Time
			if err := e.db.ReadIDB().NewRaw("SELECT max(s.last_seen_at) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.login = ?", siti).Scan(ctx, &at); err != nil {
				t.Fatal(err)
			}
			return at
		}
		before := seen()
		e.advance(5 * time.Minute) // the session's use is due to be noted
		release := storetest.HoldWriter(t, e.db)
		// Not the pages that show one's pay (/epayslip, /eec and theirs):
		// each records its viewing before it shows it (store.Auditor), and
		// so waits for the writer, by the modules' rule.
		for _, path := range []string{"/", "/password", "/requests", "/users", "/audit", "/ops/mail", "/payroll",
			"/ec/years", "/emaklum", "/emaklum/import"} {
			page := make(chan response, 1)
			go func() { page <- b.get(path) }()
			select {
			case r := <-page:
				if r.Status != 200 {
					t.Errorf("%s while a writer writes: %d", path, r.Status)
				}
			case <-time.After(10 * time.Second): // waiting for the writer, it would wait for the test's end
				t.Errorf("%s waited for the writer", path)
				defer func() { <-page }()
			}
		}
		login := make(chan response, 1)
		go func() { login <- e.browser().login(ahmad, testPassword) }()
		release()
		if r := <-login; r.Status != http.StatusSeeOther || strings.HasPrefix(r.Location, "/login") {
			t.Errorf("a login while a writer writes: %d to %q, want signed in once it is released", r.Status, r.Location)
		}
		if r := b.get("/password"); r.Status != 200 {
			t.Fatalf("the page after: %d", r.Status)
		}
		if !seen().After(before) {
			t.Error("the session's use was not noted after the writer finished")
		}
	})
}

func TestDeactivationEndsSessionsAtOnce(t *testing.T) {
	e := newEnv(t, store.SQLite)
	u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	b := e.browser()
	b.login(siti, testPassword)
	tok := e.token(siti)
	if _, err := e.db.IDB().ExecContext(ctx, "UPDATE users SET status = 'inactive' WHERE id = ?", u.ID); err != nil {
		t.Fatal(err)
	}
	if r := b.get("/password"); r.Status != http.StatusSeeOther {
		t.Fatalf("inactive user's page: %d", r.Status)
	}
	if status, _ := e.api("GET", "/api/v1/me", tok, nil); status != 401 {
		t.Fatalf("inactive user's token: %d", status)
	}
}

func TestCrossSiteFormIsRefused(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	b := e.browser()
	b.login(siti, testPassword)
	r := b.do("POST", "/logout", url.Values{}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site")
	if r.Status != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", r.Status)
	}
	if r := b.get("/password"); r.Status != 200 {
		t.Fatal("the cross-site logout went through")
	}
	if r := b.do("POST", "/logout", url.Values{}, "Origin", e.ts.URL, "Sec-Fetch-Site", "same-origin"); r.Status != http.StatusSeeOther {
		t.Fatalf("same-origin POST: %d", r.Status)
	}
}

func TestAPIToken(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RolePTJRep}, []forms.Module{forms.ModulePayslip, forms.ModuleEC}, false)
		if status, out := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": siti, "password": "x"}); status != 401 || errorCode(out) != "unauthorized" {
			t.Fatalf("bad password: %d %v", status, out)
		}
		tok := e.token(siti)
		status, me := e.api("GET", "/api/v1/me", tok, nil)
		if status != 200 || me["login"] != siti || me["ptj_code"] != "12010101" || me["status"] != "active" {
			t.Fatalf("/me: %d %v", status, me)
		}
		roles := me["roles"].([]any)
		if len(roles) != 1 || roles[0].(map[string]any)["role"] != "ptj_rep" || roles[0].(map[string]any)["ptj_code"] != "12010101" {
			t.Fatalf("/me roles: %v", roles)
		}
		if mods := me["modules"].([]any); len(mods) != 2 {
			t.Fatalf("/me modules: %v", mods)
		}
		if status, _ := e.api("DELETE", "/api/v1/auth/token", tok, nil); status != 204 {
			t.Fatalf("delete token: %d", status)
		}
		if status, out := e.api("GET", "/api/v1/me", tok, nil); status != 401 || errorCode(out) != "unauthorized" {
			t.Fatalf("dead token: %d %v", status, out)
		}
		// The API never takes the session cookie.
		b := e.browser()
		b.login(siti, testPassword)
		if r := b.get("/api/v1/me"); r.Status != 401 {
			t.Fatalf("cookie on the API: %d", r.Status)
		}
	})
}
