package anchor_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/anchor"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

var ctx = context.Background()

// audit adds n records to db's log.
func audit(t *testing.T, db *store.DB, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if err := db.Tx(ctx, func(tx store.Conn) error {
			return tx.Audit(ctx, store.CLI, "test.action", "thing", "x", map[string]int{"i": i})
		}); err != nil {
			t.Fatal(err)
		}
	}
}

type fixture struct {
	db   *store.DB
	keys *secret.Keyring
	w    *anchor.Writer
	path string
	now  time.Time
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	f := &fixture{db: db, keys: secret.Random(), path: filepath.Join(t.TempDir(), anchor.FileName), now: time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return f.now }
	w, err := anchor.NewWriter(db, f.keys, f.path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	f.w = w
	return f
}

func (f *fixture) verify(t *testing.T) *anchor.Report {
	t.Helper()
	b, err := os.ReadFile(f.path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := anchor.Verify(ctx, f.db, f.keys, bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func kinds(r *anchor.Report) string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Kind)
	}
	return strings.Join(out, ",")
}

// TestCheckpointsEvery100RecordsAndDaily: the writer signs the head after
// every 100 records, and at least once a day even when nothing happens.
func TestCheckpointsEvery100RecordsAndDaily(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.SQLite))
	if wrote, _ := f.w.Check(ctx); wrote {
		t.Fatal("a checkpoint of an empty log")
	}
	audit(t, f.db, 5)
	if wrote, err := f.w.Check(ctx); !wrote || err != nil {
		t.Fatalf("first checkpoint: %v %v", wrote, err)
	}
	audit(t, f.db, 99)
	if wrote, _ := f.w.Check(ctx); wrote {
		t.Fatal("checkpoint before 100 new records")
	}
	audit(t, f.db, 1)
	if wrote, _ := f.w.Check(ctx); !wrote {
		t.Fatal("no checkpoint after 100 new records")
	}
	f.now = f.now.Add(25 * time.Hour)
	if wrote, _ := f.w.Check(ctx); !wrote {
		t.Fatal("no daily checkpoint")
	}
	// A writer started again resumes after the file's newest checkpoint.
	w2, err := anchor.NewWriter(f.db, f.keys, f.path, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if wrote, _ := w2.Check(ctx); wrote {
		t.Fatal("a restarted writer wrote again at once")
	}
	b, _ := os.ReadFile(f.path)
	if n := strings.Count(string(b), "\n"); n != 3 {
		t.Fatalf("%d checkpoints in the file, want 3:\n%s", n, b)
	}
	if info, _ := os.Stat(f.path); info.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v", info.Mode().Perm())
	}
	if rep := f.verify(t); !rep.Whole() || rep.Checkpoints != 3 || rep.Records != 105 {
		t.Fatalf("untouched log: %+v %s", rep, kinds(rep))
	}
}

// TestAnchorsCatchTruncationAndRewriting: deleting the newest records and
// setting the head back, or rewriting records and recomputing the chain,
// leaves the chain whole — and the checkpoints say which was done.
func TestAnchorsCatchTruncation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		audit(t, db, 120)
		if _, err := f.w.Check(ctx); err != nil { // vouches for record 120
			t.Fatal(err)
		}
		// Truncation: the last 20 records go, the head points at record 100.
		var h100 string
		if err := db.IDB().NewRaw("SELECT hash FROM audit_log WHERE seq = 100").Scan(ctx, &h100); err != nil {
			t.Fatal(err)
		}
		storetest.TamperAudit(t, db, "DELETE FROM audit_log WHERE seq > 100")
		if _, err := db.IDB().ExecContext(ctx, "UPDATE audit_head SET seq = 100, hash = ? WHERE id = 1", h100); err != nil {
			t.Fatal(err)
		}
		if _, brk, _ := db.VerifyAudit(ctx); brk != nil {
			t.Fatalf("the chain alone should not see it: %v", brk)
		}
		rep := f.verify(t)
		if kinds(rep) != "truncated" || !strings.Contains(rep.Findings[0].Message("en"), "ends at record 100") ||
			!strings.Contains(rep.Findings[0].Message("en"), "record 120") {
			t.Fatalf("after truncation: %s %v", kinds(rep), rep.Findings)
		}
		// The writer notices too, and does not paper over it.
		if wrote, err := f.w.Check(ctx); wrote || err == nil {
			t.Fatalf("writer after truncation: %v %v", wrote, err)
		}
	})
}

func TestAnchorsCatchRewriting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		audit(t, db, 100)
		if _, err := f.w.Check(ctx); err != nil {
			t.Fatal(err)
		}
		audit(t, db, 10)
		// Rewrite record 40 and every hash after it, as one who knows the
		// chain rule would, and the head: the chain is whole again.
		rewrite(t, db, 40)
		if _, brk, _ := db.VerifyAudit(ctx); brk != nil {
			t.Fatalf("the rewrite left a break: %v", brk)
		}
		rep := f.verify(t)
		if kinds(rep) != "rewritten" || !strings.Contains(rep.Findings[0].Message("en"), "record 100") {
			t.Fatalf("after rewriting: %s %v", kinds(rep), rep.Findings)
		}
	})
}

// TestForgedCheckpointsAreRefused: a line not signed with the key — edited,
// or made without it — is reported and not trusted.
func TestForgedCheckpointsAreRefused(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.SQLite))
	audit(t, f.db, 3)
	if _, err := f.w.Check(ctx); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f.path)
	forged := anchor.Sign(secret.Random(), 3, "00", f.now)
	edited := strings.Replace(string(b), `"seq":3`, `"seq":2`, 1)
	lines := string(b) + edited + `{"seq":1}` + "\n" + "not json\n"
	out, _ := jsonLine(forged)
	lines += out
	rep, err := anchor.Verify(ctx, f.db, f.keys, strings.NewReader(lines))
	if err != nil {
		t.Fatal(err)
	}
	if kinds(rep) != "bad_checkpoint,bad_checkpoint,bad_checkpoint,bad_checkpoint" || rep.Checkpoints != 1 {
		t.Fatalf("%s, %d good", kinds(rep), rep.Checkpoints)
	}
}
