package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// api calls base's JSON API with a bearer token and decodes the answer.
func api(t *testing.T, base, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

const newPassword = "Pelangi#Tasik7Melur"

// login returns an API token of login on base, changing the first password
// chosen by the command line on the way.
func login(t *testing.T, base, login string) string {
	t.Helper()
	status, out := api(t, base, "POST", "/api/v1/auth/token", "", map[string]string{"login": login, "password": goodPassword})
	if status != 200 {
		t.Fatalf("token for %s: %d %v", login, status, out)
	}
	if status, out := api(t, base, "POST", "/api/v1/auth/password", out["token"].(string),
		map[string]string{"current_password": goodPassword, "new_password": newPassword}); status != 204 {
		t.Fatalf("password change of %s: %d %v", login, status, out)
	}
	return loginAgain(t, base, login)
}

// loginAgain returns a new token after the password change ended the old one.
func loginAgain(t *testing.T, base, login string) string {
	t.Helper()
	status, out := api(t, base, "POST", "/api/v1/auth/token", "", map[string]string{"login": login, "password": newPassword})
	if status != 200 {
		t.Fatalf("token for %s: %d %v", login, status, out)
	}
	return out["token"].(string)
}

// TestTwoInstancesOnOnePostgres runs two `serve` processes on one
// PostgreSQL, each with its mail workers and reminder sweep: the four
// procedures go through with actions alternating between them, two
// officers approving one request on both at once leave exactly one
// approval, every mail is sent once, every reminder queued once, and the
// lockout and the login throttle hold across the instances.
func TestTwoInstancesOnOnePostgres(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	c := cli{t: t, dsn: dsn, dir: t.TempDir()} // one data folder: one master key for both
	c.ok("", "migrate")
	c.ok("", "ptj", "add", "--code", "12010101", "--name", "Jabatan Kerja Raya")
	people := map[string]string{
		"rep": "800101-14-1111", "officer": "750202-10-2222", "officer2": "760303-10-3333",
		"treasury": "700404-14-4444", "admin": "850505-14-5555",
		"update": "900606-14-6666", "leaver": "910707-14-7777", "forgetful": "920808-14-8888", "locked": "930909-14-9999",
	}
	roles := map[string]string{"rep": "ptj_rep", "officer": "controlling_officer", "officer2": "controlling_officer",
		"treasury": "treasury_approver", "admin": "sysadmin"}
	for who, ic := range people {
		role := roles[who]
		if role == "" {
			role = "auditor" // a profile the requests are about
		}
		c.ok(goodPassword+"\n", "user", "create", "--login", ic, "--name", "Pegawai "+who, "--email", who+"@melaka.gov.my",
			"--ptj", "12010101", "--role", role, "--module", "epayslip", "--password-stdin")
	}
	// Requests that have waited two weeks: both instances sweep them at start.
	db, err := store.Open(context.Background(), dsn, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.IDB().ExecContext(context.Background(), `INSERT INTO requests
		(reference, kind, state, version, ptj_code, subject_ic, subject_name, subject_email, submitter_id, created_at, updated_at, state_since)
		SELECT 'BPP/2025/' || LPAD(g::text, 6, '0'), 'registration', 'submitted', 2, '12010101', '99' || LPAD(g::text, 10, '0'),
			'LAMA', 'lama@melaka.gov.my', (SELECT id FROM users WHERE login = '800101141111'), NOW() - INTERVAL '14 days', NOW() - INTERVAL '14 days', NOW() - INTERVAL '14 days'
		FROM generate_series(1, 300) g`); err != nil {
		t.Fatal(err)
	}

	inbox := &mailbox{ids: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: inbox}, nil }))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()
	env := []string{"ISPEKS_SMTP_URL=smtp+insecure://" + l.Addr().String(), "ISPEKS_LOGIN_THROTTLE=4", "ISPEKS_MAIL_WORKERS=2"}
	a, b := serve(t, c, env...), serve(t, c, env...)
	on := func(i int) string { // alternate between the instances
		if i%2 == 0 {
			return a
		}
		return b
	}

	tokens := map[string]string{}
	for i, who := range []string{"rep", "officer", "officer2", "treasury", "admin"} {
		tokens[who] = login(t, on(i), people[who])
	}
	act := func(base, who string, id, version float64, action string) (int, map[string]any) {
		return api(t, base, "POST", fmt.Sprintf("/api/v1/requests/%d/actions", int(id)), tokens[who],
			map[string]any{"action": action, "version": version})
	}
	form := func(kind, ic, name string) map[string]any {
		f := map[string]any{"kind": kind, "ptj_code": "12010101", "justification": "Ujian dua pelayan.",
			"subject": map[string]string{"ic_number": ic, "name": name, "email": "subjek@melaka.gov.my"}}
		if kind == "registration" || kind == "access_update" {
			f["modules"] = []string{"epayslip", "eec"}
		}
		return f
	}
	procedures := []map[string]any{
		form("registration", "940101-14-1234", "Pegawai Baharu"),
		form("access_update", people["update"], "Pegawai update"),
		form("deactivation", people["leaver"], "Pegawai leaver"),
		form("password_reset", people["forgetful"], "Pegawai forgetful"),
	}
	for n, f := range procedures {
		status, r := api(t, on(n), "POST", "/api/v1/requests", tokens["rep"], f)
		if status != 201 {
			t.Fatalf("%s: create %d %v", f["kind"], status, r)
		}
		for i, step := range []struct{ who, action string }{{"officer", "approve"}, {"treasury", "approve"}, {"admin", "provision"}} {
			status, r = act(on(n+i+1), step.who, r["id"].(float64), r["version"].(float64), step.action)
			if status != 200 {
				t.Fatalf("%s: %s by %s: %d %v", f["kind"], step.action, step.who, status, r)
			}
		}
		if r["state"] != "provisioned" {
			t.Fatalf("%s ended %v", f["kind"], r["state"])
		}
	}

	// Two officers, one on each instance, approve the same request at once.
	status, r := api(t, a, "POST", "/api/v1/requests", tokens["rep"], form("registration", "950202-14-4321", "Pegawai Rebutan"))
	if status != 201 {
		t.Fatalf("create: %d %v", status, r)
	}
	var wg sync.WaitGroup
	results := make([]int, 2)
	for i, who := range []string{"officer", "officer2"} {
		wg.Go(func() { results[i], _ = act(on(i), who, r["id"].(float64), r["version"].(float64), "approve") })
	}
	wg.Wait()
	if !(results[0] == 200 && results[1] == 409 || results[0] == 409 && results[1] == 200) {
		t.Fatalf("two approvals at once answered %v, want one 200 and one 409", results)
	}

	// The lock after three wrong passwords holds on the other instance.
	for i := range 3 {
		api(t, on(i), "POST", "/api/v1/auth/token", "", map[string]string{"login": people["locked"], "password": "Salah-Sekali-" + fmt.Sprint(i)})
	}
	if status, _ := api(t, b, "POST", "/api/v1/auth/token", "", map[string]string{"login": people["locked"], "password": goodPassword}); status != 401 {
		t.Fatalf("a locked profile logged in on the other instance: %d", status)
	}
	// The address throttle counts failures of both instances together.
	for i := range 4 {
		api(t, on(i), "POST", "/api/v1/auth/token", "", map[string]string{"login": "tiada9", "password": "Salah-Lagi-Sekali!"})
	}
	status, out := api(t, a, "POST", "/api/v1/auth/token", "", map[string]string{"login": "tiada9", "password": "Salah-Lagi-Sekali!"})
	if msg, _ := out["error"].(map[string]any)["message"].(string); status != 401 || !strings.Contains(msg, "Terlalu banyak") {
		t.Fatalf("fifth failure across instances: %d %q, want the throttle's answer", status, msg)
	}

	// Mail: the workers of both drain the outbox; each mail arrives once.
	ctx := context.Background()
	var queued, sent int64
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		counts, err := db.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		queued, sent = counts[store.OutboxQueued], counts[store.OutboxSent]
		if queued == 0 && int64(inbox.count()) == sent {
			break
		}
	}
	if queued != 0 || int64(inbox.count()) != sent || sent == 0 {
		t.Fatalf("outbox: %d queued, %d sent; the server got %d", queued, sent, inbox.count())
	}
	for id, n := range inbox.ids {
		if n != 1 {
			t.Fatalf("Message-ID %q arrived %d times", id, n)
		}
	}
	// Reminders: both swept at start; each officer has one.
	reminders, err := db.IDB().NewSelect().Table("outbox").Where("kind = 'reminder'").Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if reminders != 2 {
		t.Fatalf("%d reminder mails for two officers", reminders)
	}
}
