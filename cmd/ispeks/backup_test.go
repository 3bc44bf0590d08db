package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

var wholeLine = regexp.MustCompile(`audit log whole: (\d+) records`)

// records returns how many records `audit verify` found whole.
func records(t *testing.T, c cli) string {
	t.Helper()
	m := wholeLine.FindStringSubmatch(c.ok("", "audit", "verify"))
	if m == nil {
		t.Fatal("audit verify did not say whole")
	}
	return m[1]
}

// The SQLite file is copied while the portal serves; the copy, restored in
// place of the database, passes the audit check and serves.
func TestBackupAndRestoreSQLite(t *testing.T) {
	c := cli{t: t, dsn: storetest.DSN(t, store.SQLite), dir: t.TempDir()}
	c.ok("", "demo")
	want := records(t, c)
	serve(t, c) // the copy is taken while this one serves
	copyFile := filepath.Join(t.TempDir(), "ispeks-copy.db")
	if out := c.ok("", "backup", "--to", copyFile); !strings.Contains(out, copyFile) {
		t.Fatalf("backup: %q", out)
	}
	if _, errOut, code := c.run("", "backup", "--to", copyFile); code == 0 || !strings.Contains(errOut, "exists already") {
		t.Fatalf("a second backup over the first: exit %d %q", code, errOut)
	}
	restored := cli{t: t, dsn: "sqlite:" + copyFile, dir: c.dir} // the same key file
	if got := records(t, restored); got != want {
		t.Fatalf("restored log has %s records, the original %s", got, want)
	}
	serve(t, restored)
}

// A PostgreSQL database is dumped with pg_dump and restored with pg_restore
// into an empty database; the audit check passes there and it serves.
func TestBackupAndRestorePostgres(t *testing.T) {
	dsn := storetest.DSN(t, store.Postgres)
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed: %v", tool, err)
		}
	}
	c := cli{t: t, dsn: dsn, dir: t.TempDir()}
	c.ok("", "demo")
	want := records(t, c)
	dump := filepath.Join(t.TempDir(), "ispeks.dump")
	if out, err := exec.Command("pg_dump", "--format=custom", "--no-owner", "--file", dump, dsn).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v: %s", err, out)
	}
	if _, errOut, code := c.run("", "backup", "--to", dump+".x"); code == 0 || !strings.Contains(errOut, "pg_dump") {
		t.Fatalf("ispeks backup on PostgreSQL: exit %d %q", code, errOut)
	}
	target := storetest.DSN(t, store.Postgres)
	if out, err := exec.Command("pg_restore", "--no-owner", "--exit-on-error", "--dbname", target, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v: %s", err, out)
	}
	restored := cli{t: t, dsn: target, dir: c.dir}
	if got := records(t, restored); got != want {
		t.Fatalf("restored log has %s records, the original %s", got, want)
	}
	serve(t, restored)
}
