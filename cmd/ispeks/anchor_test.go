package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestAuditVerifyWithCheckpoints: `audit checkpoint` signs the head; after
// the newest records are deleted and the head set back — which the chain
// alone calls whole — `audit verify` fails, one line saying the log was
// truncated, with the checkpoint file found in the data folder or named.
func TestAuditVerifyWithCheckpoints(t *testing.T) {
	c := cli{t: t, dsn: storetest.DSN(t, store.SQLite), dir: t.TempDir()}
	for _, code := range []string{"12010101", "12020202", "12030303"} {
		c.ok("", "ptj", "add", "--code", code, "--name", "PTJ "+code)
	}
	if out := c.ok("", "audit", "checkpoint"); !strings.Contains(out, "audit-checkpoints.jsonl") {
		t.Fatalf("checkpoint: %q", out)
	}
	if out := c.ok("", "audit", "verify"); !strings.Contains(out, "whole: 3 records verified; 1 checkpoints match (newest: record 3") {
		t.Fatalf("verify: %q", out)
	}
	db, err := store.Open(context.Background(), c.dsn, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var h2 string
	if err := db.IDB().NewRaw("SELECT hash FROM audit_log WHERE seq = 2").Scan(context.Background(), &h2); err != nil {
		t.Fatal(err)
	}
	storetest.TamperAudit(t, db, "DELETE FROM audit_log WHERE seq = 3")
	if _, err := db.IDB().ExecContext(context.Background(), "UPDATE audit_head SET seq = 2, hash = ? WHERE id = 1", h2); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(c.dir, "audit-checkpoints.jsonl")
	for _, args := range [][]string{{"audit", "verify"}, {"audit", "verify", "--checkpoints", file}} {
		out, errOut, code := c.run("", args...)
		if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "TRUNCATED: the log ends at record 2") {
			t.Fatalf("%v after truncation: exit %d %q %q", args, code, out, errOut)
		}
	}
	if _, errOut, code := c.run("", "audit", "verify", "--checkpoints", filepath.Join(c.dir, "none.jsonl")); code != 1 || !strings.Contains(errOut, "--checkpoints") {
		t.Fatalf("missing file: %d %q", code, errOut)
	}
}
