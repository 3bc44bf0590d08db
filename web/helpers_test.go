package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/payment"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/web"
)

var ctx = context.Background()

func init() { gin.SetMode(gin.TestMode) } // no route listing in test output

// cheap hashes keep the tests fast; Verify reads the parameters from the hash.
var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32, Normalize: true}

const testPassword = "Kuat-Sangat-2026!"

// env is a running portal on a fresh database, with a clock the test moves.
type env struct {
	t     testing.TB
	db    *store.DB
	auth  *auth.Service
	admin *useradmin.Service
	slips *payslip.Service
	pay   *payment.Service
	ec    *statement.Service
	keys  *secret.Keyring
	srv   *web.Server
	ts    *httptest.Server
	cfg   config.Config
	logs  *logBuffer // what the server logged

	mu  sync.Mutex
	now time.Time
}

func newEnv(t testing.TB, d store.Dialect, edit ...func(*config.Config)) *env {
	t.Helper()
	return newEnvOn(t, storetest.Open(t, d), edit...)
}

// newEnvOn is newEnv on a database the test opened itself (migrated).
func newEnvOn(t testing.TB, db *store.DB, edit ...func(*config.Config)) *env {
	t.Helper()
	e := &env{t: t, db: db, now: time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)}
	db.Now = e.clock
	e.cfg = config.Default()
	e.cfg.DataDir = t.TempDir()
	for _, f := range edit {
		f(&e.cfg)
	}
	if err := e.cfg.Check(); err != nil {
		t.Fatal(err)
	}
	e.keys = secret.Random()
	e.auth = auth.New(db, auth.SettingsOf(&e.cfg), e.keys)
	links := web.NewLinks("https://ispeks.example.gov.my")
	e.admin = useradmin.New(db, e.auth, links, useradmin.WithAttachmentLimits(useradmin.AttachmentLimits{Each: e.cfg.AttachmentMaxSize, Total: e.cfg.AttachmentMaxTotal}),
		useradmin.OfficialDomains(e.cfg.OfficialEmailDomains))
	e.slips = payslip.New(db, links, payslip.Options{PDFPassword: payslip.PasswordRule(e.cfg.PayslipPDFPassword),
		RetentionMonths: e.cfg.PayslipRetentionMonths, Treasury: e.cfg.TreasuryName})
	e.pay = payment.New(db, links, payment.Options{})
	e.ec = statement.New(db, links, statement.Options{EmployerNo: testEmployerNo,
		PDFPassword: payslip.PasswordRule(e.cfg.PayslipPDFPassword), Treasury: e.cfg.TreasuryName})
	e.logs = &logBuffer{}
	srv, err := web.NewServer(&e.cfg, slog.New(slog.NewTextHandler(e.logs, nil)),
		web.Services{DB: db, Auth: e.auth, Admin: e.admin, Payslip: e.slips, Payment: e.pay, Statement: e.ec})
	if err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	e.ts = httptest.NewServer(srv)
	t.Cleanup(e.ts.Close)
	if err := e.admin.AddPTJ(ctx, store.CLI, store.PTJ{Code: "12010101", Name: "Jabatan Kewangan Negeri"}); err != nil {
		t.Fatal(err)
	}
	if err := e.admin.AddPTJ(ctx, store.CLI, store.PTJ{Code: "12020202", Name: "Jabatan Kerja Raya"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// logBuffer keeps what the server logs, for tests that read it.
type logBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

// user creates an active user with the cheap hash of testPassword.
func (e *env) user(login, name, ptj string, roles []forms.Role, modules []forms.Module, mustChange bool) *store.User {
	e.t.Helper()
	hash, err := password.HashWith(cheap, testPassword)
	if err != nil {
		e.t.Fatal(err)
	}
	nu := useradmin.NewUser{Login: login, Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@melaka.gov.my", PTJCode: ptj,
		Modules: modules, PasswordHash: hash, MustChange: mustChange}
	for _, r := range roles {
		nu.Roles = append(nu.Roles, forms.RoleGrant{Role: r})
	}
	u, err := e.admin.CreateUser(ctx, store.CLI, nu)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see where the portal sends it.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func (b *browser) do(method, path string, form url.Values, header ...string) response {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.ts.URL+path, body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(data), Header: resp.Header}
}

func (b *browser) get(path string) response { return b.do("GET", path, nil) }
func (b *browser) post(path string, form url.Values) response {
	return b.do("POST", path, form)
}

// login posts the login form; a refused login is followed back to the
// login page (post/redirect/get), whose answer (401, the message) it returns.
func (b *browser) login(login, pw string) response {
	r := b.post("/login", url.Values{"login": {login}, "password": {pw}})
	if r.Status == http.StatusSeeOther && strings.HasPrefix(r.Location, "/login") {
		return b.get(r.Location)
	}
	return r
}

// api calls the JSON API with an optional bearer token.
func (e *env) api(method, path, token string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// token logs in through the API and returns the bearer token.
func (e *env) token(login string) string {
	e.t.Helper()
	status, out := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": login, "password": testPassword})
	if status != 200 {
		e.t.Fatalf("token for %s: %d %v", login, status, out)
	}
	return out["token"].(string)
}

func errorCode(out map[string]any) string {
	if e, ok := out["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}

// link issues a one-time set-password link for userID and returns its
// token, as the mail carrying it would.
func (e *env) link(userID int64) string {
	e.t.Helper()
	l, err := e.auth.IssueLink(ctx, e.db.Conn, userID)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.auth.LinkToken(l.Nonce)
}
