package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/store"
)

// countingGate makes a fresh gate of n slots the password gate for the
// test, so that its Stats count only the test's work.
func countingGate(t *testing.T, n int, wait time.Duration) *password.Gate {
	g := password.NewGate(n, wait)
	old := password.SetWork(g)
	t.Cleanup(func() { password.SetWork(old) })
	return g
}

// TestEveryFailedLoginCostsOneVerification: whatever makes a login fail —
// unknown or malformed login, no password yet, wrong password, locked,
// inactive, expired temporary password, throttled, a corrupt hash — it
// costs exactly one argon2 verification, so that response time does not
// tell who has not set a password yet (1.2 ms against 21 ms before).
func TestEveryFailedLoginCostsOneVerification(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.LoginThrottle = 2 })
	set := func(login, sql string) {
		u := e.user(login, "Pengguna "+login, "12010101", nil, nil, false)
		if sql != "" {
			if _, err := e.db.IDB().ExecContext(ctx, "UPDATE users SET "+sql+" WHERE id = ?", u.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	set(siti, "")
	set("700101015013", "password_hash = ''")                                 // provisioned, no password yet
	set("700101015025", "locked_at = '2026-11-01 00:00:00'")                  // locked until unlocked
	set("700101015037", "status = 'inactive'")                                // deactivated
	set("700101015049", "password_expires_at = '2026-11-01 00:00:00'")        // temporary password expired
	set("700101015051", "password_hash = '$2a$10$aLegacyBcryptHashFromAfar'") // unreadable
	g := countingGate(t, 2, time.Minute)
	cases := []struct{ name, login, pw string }{
		{"unknown", "700101015553", testPassword},
		{"malformed", "not a login!", testPassword},
		{"no password yet", "700101015013", testPassword},
		{"wrong password", siti, "Salah-Sekali-2026!"},
		{"locked", "700101015025", testPassword},
		{"inactive", "700101015037", testPassword},
		{"expired temporary password", "700101015049", testPassword},
		{"corrupt hash", "700101015051", testPassword},
		{"wrong password again", siti, "Salah-Sekali-2026!"},
		{"throttled", siti, "Salah-Sekali-2026!"}, // the third try of siti from this address: over the limit of 2
	}
	for _, tc := range cases {
		before := g.Stats().Derivations
		status, _ := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": tc.login, "password": tc.pw})
		if n := g.Stats().Derivations - before; status != http.StatusUnauthorized || n != 1 {
			t.Errorf("%s: %d, %d argon2 verifications; want 401 after exactly 1", tc.name, status, n)
		}
	}
	before := g.Stats().Derivations
	if status, _ := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": "700101015061", "password": strings.Repeat("x", 2000)}); status != http.StatusUnauthorized || g.Stats().Derivations-before != 1 {
		t.Errorf("a 2000-character password: %d, %d verifications", status, g.Stats().Derivations-before)
	}
}

// TestConcurrentLoginsStayWithinTheGate: 100 logins at once never run more
// argon2 verifications together than the gate's slots (each holds 19 MiB
// with the real parameters), so memory stays near slots × 19 MiB above the
// base however many arrive; and every one is served.
func TestConcurrentLoginsStayWithinTheGate(t *testing.T) {
	e := newEnv(t, store.SQLite)
	var logins []string
	for i := 0; i < 100; i++ {
		login := fmt.Sprintf("pegawai%03d", i)
		e.user(login, "Pegawai "+login, "12010101", nil, nil, false)
		logins = append(logins, login)
	}
	real, err := password.Hash(testPassword) // 19 MiB, as in production
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.IDB().ExecContext(ctx, "UPDATE users SET password_hash = ?", real); err != nil {
		t.Fatal(err)
	}
	g := countingGate(t, 2, time.Minute)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			status, _ := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": logins[i], "password": testPassword})
			mu.Lock()
			statuses[status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	st := g.Stats()
	if st.Peak > 2 || st.Derivations < 100 {
		t.Fatalf("100 logins: %d verifications at once at most (want ≤ 2), %d in all", st.Peak, st.Derivations)
	}
	if statuses[http.StatusOK] != 100 {
		t.Fatalf("answers %v, want 100 × 200", statuses)
	}
}

// TestBusyServerAnswers503: a login that waits the gate's whole wait for a
// verification answers 503 with Retry-After, and counts nothing against the
// account or the address.
func TestBusyServerAnswers503(t *testing.T) {
	e := newEnv(t, store.SQLite)
	u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	g := countingGate(t, 1, 20*time.Millisecond)
	if err := g.Enter(); err != nil { // every slot taken
		t.Fatal(err)
	}
	status, h, out := e.raw("POST", "/api/v1/auth/token", "application/json", strings.NewReader(`{"login":"`+siti+`","password":"`+testPassword+`"}`))
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(out, `"code":"unavailable"`) {
		t.Fatalf("login while busy: %d %q %s", status, h.Get("Retry-After"), out)
	}
	if r := e.browser().login("700101015553", testPassword); r.Status != http.StatusServiceUnavailable {
		t.Fatalf("login page while busy: %d", r.Status)
	}
	got, _ := e.db.UserByID(ctx, u.ID)
	n, _ := e.db.IDB().NewSelect().Table("login_failures").Count(ctx)
	if got.FailedAttempts != 0 || n != 0 {
		t.Fatalf("a login never judged was counted: %d attempts, %d failures", got.FailedAttempts, n)
	}
	g.Leave()
	if status, _ := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": siti, "password": testPassword}); status != http.StatusOK {
		t.Fatalf("after the burst: %d", status)
	}
}

// TestAPILoginFailuresAreLogged: a failed token call is logged as the
// login form's are: masked login and address, never the password.
func TestAPILoginFailuresAreLogged(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": "900101-04-5678", "password": "Rahsia-Besar-2026!"})
	logs := e.logs.String()
	if !strings.Contains(logs, `msg="login failed" login=900101-**-***8 ip=127.0.0.1`) || strings.Contains(logs, "Rahsia") || strings.Contains(logs, "900101045678") {
		t.Fatalf("log:\n%s", logs)
	}
}

// TestLockScheduleGrows: the default lock lasts 15 minutes, the next in a
// row an hour, the third until a sysadmin unlocks it; a good login starts
// the count again. Each lock mails the owner until when and how to get it
// back; the login page tells only the right password of the lock and
// until when, and a wrong one what it tells of any login.
func TestLockScheduleGrows(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
		lockOut := func() {
			t.Helper()
			for i := 0; i < 3; i++ {
				e.browser().login(siti, "Salah-Sekali-2026!")
			}
		}
		loginOK := func() bool { return e.browser().login(siti, testPassword).Status == http.StatusSeeOther }
		wrong := e.browser().login(siti, "Salah-Sekali-2026!")
		lockOut()
		if r := e.browser().login(siti, "Salah-Lagi-2026!"); r.Status != http.StatusUnauthorized || between(r.Body, `role="alert">`, "</p>") != between(wrong.Body, `role="alert">`, "</p>") {
			t.Fatal("the login page tells a wrong password of a locked account apart")
		}
		locked := e.browser().login(siti, testPassword)
		if locked.Status != http.StatusUnauthorized || !strings.Contains(locked.Body, "dikunci sehingga") {
			t.Fatalf("the right password of a locked account is not told until when: %d", locked.Status)
		}
		e.advance(14 * time.Minute)
		if loginOK() {
			t.Fatal("first lock shorter than 15 minutes")
		}
		e.advance(2 * time.Minute)
		lockOut() // the lock ran out: three more tries, and the second lock
		e.advance(59 * time.Minute)
		if loginOK() {
			t.Fatal("second lock shorter than an hour")
		}
		e.advance(2 * time.Minute)
		lockOut()
		e.advance(30 * 24 * time.Hour)
		if loginOK() {
			t.Fatal("third lock ran out by itself")
		}
		if _, err := e.auth.Unlock(ctx, store.CLI, u.ID); err != nil {
			t.Fatal(err)
		}
		if !loginOK() {
			t.Fatal("unlocked account refused")
		}
		lockOut() // after a good login the schedule starts again
		e.advance(16 * time.Minute)
		if !loginOK() {
			t.Fatal("the count of locks did not start again after a good login")
		}
		var mails []store.Notification
		if err := e.db.IDB().NewSelect().Model(&mails).Where("kind = 'account_locked'").OrderExpr("id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(mails) != 4 || mails[0].ToEmail != u.Email {
			t.Fatalf("%d lock mails, want 4 to the owner", len(mails))
		}
		for i, want := range []string{`"until":`, `"until":`, "", `"until":`} {
			if got := strings.Contains(mails[i].Data, `"until":`); got != (want != "") {
				t.Errorf("lock mail %d: %s", i+1, mails[i].Data)
			}
		}
	})
}

// TestPermanentLockIsASetting: --lock-for 0 keeps the JPA rule's lock until
// a sysadmin unlocks it.
func TestPermanentLockIsASetting(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.LockFor = []time.Duration{0} })
	e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RoleAuditor}, nil, false)
	for i := 0; i < 3; i++ {
		e.browser().login(siti, "Salah-Sekali-2026!")
	}
	e.advance(365 * 24 * time.Hour)
	if r := e.browser().login(siti, testPassword); r.Status != http.StatusUnauthorized {
		t.Fatalf("a permanent lock ended: %d", r.Status)
	}
}

// TestLastFivePasswordsAreRefused: a password change may not bring back the
// current password nor the four before it; the sixth back may return.
func TestLastFivePasswordsAreRefused(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
		pws := []string{testPassword, "Cendana-Teduh-4817!", "Tasik-Biru-1988!", "Hujan-Petang-7!x", "Rumah#Kampung#22", "Ikan-Bilis-Goreng1"}
		for i := 1; i < len(pws); i++ {
			if err := e.auth.ChangePassword(ctx, u.ID, pws[i-1], pws[i]); err != nil {
				t.Fatalf("change %d: %v", i, err)
			}
		}
		// Now: current pws[5], before it pws[4] … pws[0].
		for i, pw := range pws {
			err := e.auth.ChangePassword(ctx, u.ID, pws[5], pw)
			if refused := password.Rule(err) == password.RuleReuse; refused != (i >= 1) {
				t.Errorf("back to password %d: %v", i, err)
			}
			if err == nil {
				break
			}
		}
		n, _ := e.db.IDB().NewSelect().Table("password_history").Where("user_id = ?", u.ID).Count(ctx)
		if n > store.HistoryKept {
			t.Errorf("%d hashes kept, want at most %d", n, store.HistoryKept)
		}
	})
}

// TestHashesBeforeNormalisationStillWork: a hash made before passwords were
// normalised takes the password as it was typed then, and the login stores
// the normalised hash in its place.
func TestHashesBeforeNormalisationStillWork(t *testing.T) {
	e := newEnv(t, store.SQLite)
	u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	typed := "Ｋｕａｔ\u00a0Ｓａｎｇａｔ-2026!" // full-width letters and a non-breaking space
	legacy, err := password.HashWith(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, typed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.IDB().ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", legacy, u.ID); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": siti, "password": typed}); status != http.StatusOK {
		t.Fatalf("legacy hash: %d", status)
	}
	got, _ := e.db.UserByID(ctx, u.ID)
	if !password.Normalized(got.PasswordHash) {
		t.Fatal("not rehashed after a good login")
	}
	for _, pw := range []string{typed, "Kuat Sangat-2026!"} {
		if status, _ := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": siti, "password": pw}); status != http.StatusOK {
			t.Fatalf("after the rehash, %q: %d", pw, status)
		}
	}
}
