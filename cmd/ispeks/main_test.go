package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// binary is the real ispeks binary, built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ispeks-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "ispeks")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the binary with the database dsn and data folder dir.
type cli struct {
	t        *testing.T
	dsn, dir string
}

func (c cli) run(stdin string, args ...string) (stdout, stderr string, code int) {
	c.t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "ISPEKS_DATABASE="+c.dsn, "ISPEKS_DATA_DIR="+c.dir)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		c.t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func (c cli) ok(stdin string, args ...string) string {
	c.t.Helper()
	out, errOut, code := c.run(stdin, args...)
	if code != 0 {
		c.t.Fatalf("ispeks %v: exit %d: %s", args, code, errOut)
	}
	return out
}

const goodPassword = "Tukar-Segera-2026!"

func TestEndToEnd(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			c := cli{t: t, dsn: storetest.DSN(t, d), dir: t.TempDir()}
			if out := c.ok("", "migrate"); !strings.Contains(out, "applied") {
				t.Fatalf("migrate: %q", out)
			}
			c.ok("", "ptj", "add", "--code", "12010101", "--name", "Jabatan Akauntan Negara Cawangan Melaka", "--department", "JANM")
			out := c.ok(goodPassword+"\n", "user", "create", "--login", "800202-04-5123", "--name", "Aminah Binti Yusof",
				"--email", "aminah@melaka.gov.my", "--ptj", "12010101", "--role", "sysadmin,auditor", "--module", "epayslip", "--password-stdin")
			if strings.Contains(out, "800202045123") || strings.Contains(out, "800202-04-5123") {
				t.Fatalf("full MyKad printed: %q", out)
			}
			if out := c.ok("", "audit", "verify"); !strings.Contains(out, "whole: 2 records") {
				t.Fatalf("audit verify: %q", out)
			}

			base := serve(t, c)
			for path, want := range map[string]string{"/readyz": "ready", "/healthz": "ok", "/": "Perbendaharaan Negeri"} {
				resp, err := http.Get(base + path)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
					t.Fatalf("GET %s: %d %q", path, resp.StatusCode, body)
				}
				if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
					t.Fatalf("GET %s: security headers missing: %v", path, resp.Header)
				}
			}
		})
	}
}

// serve starts `ispeks serve` on a free port, with extra environment
// settings, and returns its base URL; the server is stopped with SIGTERM
// when the test ends, and must exit cleanly.
func serve(t *testing.T, c cli, env ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(binary, "serve", "--addr", addr)
	cmd.Env = append(append(os.Environ(), "ISPEKS_DATABASE="+c.dsn, "ISPEKS_DATA_DIR="+c.dir), env...)
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("serve did not exit cleanly: %v\n%s", err, logs.String())
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("serve did not stop on SIGTERM")
		}
		if strings.Contains(logs.String(), "800202045123") {
			t.Errorf("a full MyKad number reached the log")
		}
	})
	base := "http://" + addr
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return base
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("serve exited: %v\n%s", err, logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve never became ready:\n%s", logs.String())
	return ""
}

// TestBadInput: each bad command line exits non-zero with one clear line on
// stderr and writes nothing.
func TestBadInput(t *testing.T) {
	c := cli{t: t, dsn: storetest.DSN(t, store.SQLite), dir: t.TempDir()}
	c.ok("", "ptj", "add", "--code", "12010101", "--name", "PTJ Satu")
	busy, err := net.Listen("tcp", "127.0.0.1:0") // a port in use
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	user := func(login, email, ptj string) []string {
		return []string{"user", "create", "--login", login, "--name", "Ali Bin Abu", "--email", email, "--ptj", ptj, "--role", "ptj_rep", "--password-stdin"}
	}
	tests := []struct {
		name string
		env  []string
		args []string
		code int
		want string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{"unknown flag", nil, []string{"ptj", "add", "--colour", "red"}, 2, "flag provided but not defined: -colour"},
		{"malformed database URL", []string{"ISPEKS_DATABASE=mysql://x"}, []string{"migrate"}, 1, "ISPEKS_DATABASE: want postgres://"},
		{"unreachable database", []string{"ISPEKS_DATABASE=postgres://u:secret@127.0.0.1:1/db?sslmode=disable"}, []string{"migrate"}, 1, "does not answer"},
		{"bad duration", []string{"ISPEKS_SESSION_IDLE=soon"}, []string{"migrate"}, 1, `ISPEKS_SESSION_IDLE: "soon" is not a duration`},
		{"duplicate PTJ", nil, []string{"ptj", "add", "--code", "12010101", "--name", "Lagi"}, 1, "PTJ code 12010101 already exists"},
		{"user of unknown PTJ", nil, user("900101045679", "ali@melaka.gov.my", "99999999"), 1, "--ptj-code:"},
		{"MyKad wrong length", nil, user("90010104567", "ali@melaka.gov.my", "12010101"), 1, "--login:"},
		{"MyKad impossible date", nil, user("900230045679", "ali@melaka.gov.my", "12010101"), 1, "--login:"},
		{"email without domain", nil, user("900101045679", "ali@", "12010101"), 1, "--email:"},
		{"weak password", nil, user("900101045679", "ali@melaka.gov.my", "12010101"), 1, "password"},
		{"holiday on no date", nil, []string{"holiday", "add", "--day", "2026-13-01", "--name", "X"}, 1, "--day:"},
		{"ceiling of an unknown role", nil, []string{"ceiling", "set", "--role", "boss", "--rm", "10"}, 1, "--role:"},
		{"ceiling not an amount", nil, []string{"ceiling", "set", "--role", "ptj_rep", "--rm", "ten"}, 1, "--rm:"},
		{"worker without senders", nil, []string{"worker", "--concurrency", "0"}, 2, "--concurrency: 0 is not between 1 and 64"},
		{"bad mail workers", []string{"ISPEKS_MAIL_WORKERS=-1"}, []string{"migrate"}, 1, "ISPEKS_MAIL_WORKERS"},
		{"bad PDF password rule", []string{"ISPEKS_PAYSLIP_PDF_PASSWORD=birthday"}, []string{"migrate"}, 1, "ISPEKS_PAYSLIP_PDF_PASSWORD"},
		{"negative retention", []string{"ISPEKS_PAYSLIP_RETENTION_MONTHS=-1"}, []string{"migrate"}, 1, "ISPEKS_PAYSLIP_RETENTION_MONTHS"},
		{"port in use (serve ends, its background tasks too)", nil, []string{"serve", "--addr", busy.Addr().String()}, 1, "cannot listen on"},
		{"import without a file", nil, []string{"import", "payroll"}, 2, "name the payroll file"},
		{"import of a missing file", nil, []string{"import", "payroll", "/nonexistent/gaji.csv"}, 1, "cannot read the payroll file"},
		{"import of two files", nil, []string{"import", "payroll", "a.csv", "b.csv"}, 2, `unexpected argument "b.csv"`},
		{"import of a bad file", nil, []string{"import", "payroll", badPayroll(t)}, 1, "nothing was imported"},
		{"publish of no month", nil, []string{"publish", "payroll", "--month", "2026-13"}, 1, "--month:"},
		{"publish of a month not imported", nil, []string{"publish", "payroll", "--month", "2026-10"}, 1, "has not been imported"},
		{"EC mapping without a file", nil, []string{"ec", "mapping", "import"}, 2, "name the mapping file"},
		{"EC mapping of an unknown line", nil, []string{"ec", "mapping", "import", badMapping(t)}, 1, "nothing was changed"},
		{"EC year not a year", []string{"ISPEKS_EC_EMPLOYER_NO=E1234567890"}, []string{"ec", "generate", "25"}, 1, "--year:"},
		{"EC without an employer number", nil, []string{"ec", "generate", "2025"}, 1, "ISPEKS_EC_EMPLOYER_NO"},
		{"EC bad employer number", []string{"ISPEKS_EC_EMPLOYER_NO=E12"}, []string{"ec", "publish", "2025"}, 1, "ISPEKS_EC_EMPLOYER_NO:"},
		{"EC publish of a year not ended", []string{"ISPEKS_EC_EMPLOYER_NO=E1234567890"}, []string{"ec", "publish", "2099"}, 1, "after its year has ended"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(binary, tc.args...)
			cmd.Env = append(append(os.Environ(), "ISPEKS_DATABASE="+c.dsn, "ISPEKS_DATA_DIR="+c.dir), tc.env...)
			stdin := goodPassword + "\n"
			if tc.name == "weak password" {
				stdin = "password\n"
			}
			cmd.Stdin = strings.NewReader(stdin)
			var o, e bytes.Buffer
			cmd.Stdout, cmd.Stderr = &o, &e
			err := cmd.Run()
			code := 0
			if exit, ok := err.(*exec.ExitError); ok {
				code = exit.ExitCode()
			}
			lines := strings.Split(strings.TrimSpace(e.String()), "\n")
			if code != tc.code || len(lines) != 1 || !strings.Contains(lines[0], tc.want) {
				t.Fatalf("exit %d (want %d), stderr:\n%s\nwant one line containing %q", code, tc.code, e.String(), tc.want)
			}
			if strings.Contains(e.String(), "secret") {
				t.Fatal("a database password was printed")
			}
		})
	}
	// Nothing the failures tried was written: one PTJ, no users, one audit record.
	if out := c.ok("", "audit", "verify"); !strings.Contains(out, "whole: 1 records") {
		t.Fatalf("after failures: %q", out)
	}
}

// TestDemoMailAndAuditAfterFullRun runs the demo (every stage of the
// workflow, through the real store), lets `serve` deliver its mail into
// files, checks the audit chain, then alters one record by hand and checks
// that `audit verify` names it.
func TestDemoMailAndAuditAfterFullRun(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			c := cli{t: t, dsn: storetest.DSN(t, d), dir: t.TempDir()}
			c.ok("", "demo")
			if out := c.ok("", "audit", "verify"); !strings.Contains(out, "whole") {
				t.Fatalf("audit verify after the demo: %q", out)
			}
			db, err := store.Open(context.Background(), c.dsn, c.dir)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			queued, err := db.IDB().NewSelect().TableExpr("outbox").Count(context.Background())
			if err != nil || queued == 0 {
				t.Fatalf("outbox after the demo: %d %v", queued, err)
			}
			serve(t, c)
			// Wait (not a timing assertion: a deadline for the workers) until
			// every queued mail is an .eml file.
			var files []string
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
				files, _ = filepath.Glob(filepath.Join(c.dir, "mail", "*.eml"))
				if int64(len(files)) == queued {
					break
				}
			}
			if int64(len(files)) != queued {
				t.Fatalf("%d mail files for %d queued mails", len(files), queued)
			}
			for _, f := range files {
				b, _ := os.ReadFile(f)
				if bytes.Contains(b, []byte("930101045103")) {
					t.Fatalf("%s carries a full MyKad number", f)
				}
			}
			storetest.TamperAudit(t, db, "UPDATE audit_log SET actor_login = 'someone' WHERE seq = 5")
			out, errOut, code := c.run("", "audit", "verify")
			if code == 0 || !strings.Contains(out+errOut, "5") {
				t.Fatalf("audit verify after tampering: exit %d %q %q", code, out, errOut)
			}
		})
	}
}

func TestUserUnlockCommand(t *testing.T) {
	c := cli{t: t, dsn: storetest.DSN(t, store.SQLite), dir: t.TempDir()}
	c.ok("", "ptj", "add", "--code", "12010101", "--name", "PTJ Satu")
	c.ok(goodPassword+"\n", "user", "create", "--login", "800202-04-5123", "--name", "Aminah Binti Yusof",
		"--email", "aminah@melaka.gov.my", "--ptj", "12010101", "--role", "sysadmin", "--password-stdin")
	if out := c.ok("", "user", "unlock", "--login", "800202-04-5123"); !strings.Contains(out, "800202-**-***3") {
		t.Fatalf("unlock: %q", out)
	}
	if _, errOut, code := c.run("", "user", "unlock", "--login", "900101045679"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Fatalf("unlock of nobody: %d %q", code, errOut)
	}
}

// badPayroll writes a payroll file whose one line has an unknown PTJ.
// badMapping is an EC mapping file whose second line names no line of the form.
func badMapping(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pemetaan.csv")
	if err := os.WriteFile(path, []byte("item_code,ec_line\n0001,B1a\n0102,B9\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func badPayroll(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../payslip/testdata/payroll-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(path, bytes.Replace(b, []byte("12010101"), []byte("99999999"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestImportPayrollCommand: import, refuse a second import of the month,
// replace it (the flag after the file), publish; a bad file lists its bad
// lines on stdout, says so in one line on stderr, and imports nothing.
func TestImportPayrollCommand(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			c := cli{t: t, dsn: storetest.DSN(t, d), dir: t.TempDir()}
			c.ok("", "ptj", "add", "--code", "12010101", "--name", "Jabatan Kewangan Negeri")
			sample := "../../payslip/testdata/payroll-sample.csv"
			out, errOut, code := c.run("", "import", "payroll", badPayroll(t))
			if code != 1 || !strings.Contains(out, "line 2, ptj_code: PTJ code 99999999 does not exist") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Fatalf("bad file: %d %q %q", code, out, errOut)
			}
			out = c.ok("", "import", "payroll", sample)
			if !strings.Contains(out, "9 lines, 1 employees, 1 slips, months 2026-10") || !strings.Contains(out, "warning, line 2:") || strings.Contains(out, "900101045679") {
				t.Fatalf("import: %q", out)
			}
			if _, errOut, code := c.run("", "import", "payroll", sample); code != 1 || !strings.Contains(errOut, "2026-10 was imported already") {
				t.Fatalf("second import: %d %q", code, errOut)
			}
			if out := c.ok("", "import", "payroll", sample, "--replace"); !strings.Contains(out, "replaced 2026-10") {
				t.Fatalf("replace: %q", out)
			}
			if out := c.ok("", "publish", "payroll", "--month", "2026-10", "--visible-from", "2026-10-24"); !strings.Contains(out, "published 2026-10, visible from 2026-10-24") {
				t.Fatalf("publish: %q", out)
			}
			if out := c.ok("", "audit", "verify"); !strings.Contains(out, "whole: 4 records") { // PTJ, two imports, publish
				t.Fatalf("audit: %q", out)
			}
		})
	}
}

// TestAbandonPayrollCommand: an import stopped midway whose staging file is
// gone is abandoned by its number, its months to be imported again; one not
// being saved is refused in one line.
func TestAbandonPayrollCommand(t *testing.T) {
	c := cli{t: t, dsn: storetest.DSN(t, store.SQLite), dir: t.TempDir()}
	c.ok("", "ptj", "add", "--code", "12010101", "--name", "Jabatan Kewangan Negeri")
	c.ok("", "import", "payroll", "../../payslip/testdata/payroll-sample.csv")
	// As a process that died between two parts leaves it, its staging
	// file then removed by hand.
	db, err := store.Open(context.Background(), c.dsn, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE payroll_months SET state = 'importing'",
		"INSERT INTO jobs_applying (name, file, part_rows, through, last, started_at) VALUES ('payroll-import-1', '/gone', 2000, 2000, 4000, CURRENT_TIMESTAMP)",
	} {
		if _, err := db.IDB().ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if out := c.ok("", "abandon", "payroll", "--import", "1"); !strings.Contains(out, "abandoned payroll import #1; import the months 2026-10 again") {
		t.Fatalf("abandon: %q", out)
	}
	if _, errOut, code := c.run("", "abandon", "payroll", "--import", "1"); code != 1 || !strings.Contains(errOut, "Import #1 is not being saved") {
		t.Fatalf("abandon again: %d %q", code, errOut)
	}
	if out := c.ok("", "import", "payroll", "../../payslip/testdata/payroll-sample.csv"); !strings.Contains(out, "months 2026-10") {
		t.Fatalf("the file again: %q", out)
	}
}

// An eMaklum import stopped midway that cannot be finished is abandoned by
// its number: the vouchers it brought go, and its file imports again.
func TestAbandonPaymentsCommand(t *testing.T) {
	c := cli{t: t, dsn: storetest.DSN(t, store.SQLite), dir: t.TempDir()}
	c.ok("", "import", "payments", "../../payment/testdata/payments-sample.csv")
	// As a process that died between two parts leaves it, its staging
	// file then removed by hand.
	db, err := store.Open(context.Background(), c.dsn, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE payment_imports SET state = 'applying'",
		"INSERT INTO jobs_applying (name, file, part_rows, through, last, started_at) VALUES ('payment-import-1', '/gone', 2, 2, 9, CURRENT_TIMESTAMP)",
	} {
		if _, err := db.IDB().ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if out := c.ok("", "abandon", "payments", "--import", "1"); !strings.Contains(out, "abandoned payment import #1: 5 vouchers it brought removed, 0 it moved put back") {
		t.Fatalf("abandon: %q", out)
	}
	if _, errOut, code := c.run("", "abandon", "payments", "--import", "1"); code != 1 || !strings.Contains(errOut, "Import #1 is not being saved") {
		t.Fatalf("abandon again: %d %q", code, errOut)
	}
	if _, errOut, code := c.run("", "abandon", "payments"); code != 2 || !strings.Contains(errOut, "--import is required") {
		t.Fatalf("abandon with no import: %d %q", code, errOut)
	}
	if out := c.ok("", "import", "payments", "../../payment/testdata/payments-sample.csv"); !strings.Contains(out, "5 vouchers (5 new, 0 moved)") {
		t.Fatalf("the file again: %q", out)
	}
}
