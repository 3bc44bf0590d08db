// Package storetest opens fresh, migrated databases for tests: a SQLite file
// in the test's temporary folder always, and a new PostgreSQL database when
// ISPEKS_TEST_POSTGRES_URL names a server the tests may create databases on.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/store"
)

// PostgresURLEnv names the server for PostgreSQL tests, e.g.
// postgres://postgres@127.0.0.1:5433/postgres?sslmode=disable. Each test gets
// its own database there, dropped when the test ends.
const PostgresURLEnv = "ISPEKS_TEST_POSTGRES_URL"

// RequirePostgresEnv, when set to 1 (as .ci/run does), turns a missing
// PostgreSQL into a failure instead of a skip.
const RequirePostgresEnv = "ISPEKS_TEST_REQUIRE_POSTGRES"

// Dialects lists the databases every store test runs on.
var Dialects = []store.Dialect{store.SQLite, store.Postgres}

// Each runs fn as a subtest on every dialect, each with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(string(d), func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated database of dialect d, closed (and for
// PostgreSQL dropped) when the test ends.
func Open(t testing.TB, d store.Dialect) *store.DB {
	t.Helper()
	ctx := context.Background()
	dsn := DSN(t, d)
	db, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	return db
}

// DSN returns the URL of a new, empty database of dialect d, for tests that
// open it themselves (such as the end-to-end test of the binary).
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "ispeks.db")
	}
	server := os.Getenv(PostgresURLEnv)
	if server == "" {
		if os.Getenv(RequirePostgresEnv) == "1" {
			t.Fatalf("%s is not set but %s=1: PostgreSQL tests may not be skipped", PostgresURLEnv, RequirePostgresEnv)
		}
		t.Skipf("PostgreSQL tests skipped: set %s", PostgresURLEnv)
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, server, "")
	if err != nil {
		t.Fatalf("PostgreSQL test server: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "ispeks_test_" + hex.EncodeToString(b[:])
	if _, err := admin.IDB().ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := store.Open(ctx, server, "")
		if err != nil {
			t.Logf("drop test database %s: %v", name, err)
			return
		}
		defer admin.Close()
		if _, err := admin.IDB().ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// HoldWriter begins a transaction that writes and holds it, as a long job
// does (an import; on SQLite, the one writer connection), until the
// returned release is called; release reports the transaction's error.
func HoldWriter(t testing.TB, db *store.DB) (release func()) {
	t.Helper()
	held, done, writer := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		writer <- db.Tx(context.Background(), func(tx store.Conn) error {
			_, err := tx.IDB().NewRaw("UPDATE ptj SET name = name").Exec(context.Background())
			close(held)
			if err == nil {
				<-done
			}
			return err
		})
	}()
	<-held
	return func() {
		t.Helper()
		close(done)
		if err := <-writer; err != nil {
			t.Fatalf("the held writer: %v", err)
		}
	}
}

// TamperAudit runs stmt on the audit log with its append-only guard lifted,
// as an operator editing the database by hand would.
func TamperAudit(t testing.TB, db *store.DB, stmt string) {
	t.Helper()
	ctx := context.Background()
	var pre, post []string
	if db.Dialect == store.Postgres {
		pre = []string{"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update"}
		post = []string{"ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update"}
	} else {
		pre = []string{"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"}
	}
	for _, s := range append(append(pre, stmt), post...) {
		if _, err := db.IDB().ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// Count returns how many rows of table match where (with args).
func Count(t testing.TB, db *store.DB, table, where string, args ...any) int {
	t.Helper()
	n, err := db.IDB().NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// WriteWaits is what ProbeWrites saw: how many writes it made and the
// longest one took.
type WriteWaits struct {
	Writes  int
	Longest time.Duration
}

func (w WriteWaits) String() string {
	return fmt.Sprintf("longest of %d writes beside it %.1f ms", w.Writes, float64(w.Longest.Microseconds())/1000)
}

// ProbeWrites makes a small write (a transaction that touches one PTJ's
// row, as a user's action would touch its own rows) every 50 ms until stop
// is called, and returns how long the longest waited: a benchmark's figure
// of how long a long job keeps other writers waiting. The database needs
// one PTJ.
func ProbeWrites(tb testing.TB, db *store.DB) (stop func() WriteWaits) {
	tb.Helper()
	done, out := make(chan struct{}), make(chan WriteWaits, 1)
	go func() {
		var w WriteWaits
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				out <- w
				return
			case <-tick.C:
			}
			start := time.Now()
			if err := touch(db); err != nil {
				tb.Errorf("a write beside the job: %v", err)
			}
			w.Writes++
			w.Longest = max(w.Longest, time.Since(start))
		}
	}()
	return func() WriteWaits {
		close(done)
		return <-out
	}
}

// touch is a short write: a PTJ's name set to itself.
func touch(db *store.DB) error {
	return db.Tx(context.Background(), func(tx store.Conn) error {
		_, err := tx.IDB().NewRaw("UPDATE ptj SET name = name WHERE code = (SELECT MIN(code) FROM ptj)").Exec(context.Background())
		return err
	})
}

// WaitingWrite starts a short write on db and returns once it waits for
// the writer (SQLite): a job applying in parts then lets it go after the
// part under way, which lands first. The test's end waits for the write,
// which on a busy machine may land after the test's last step, before
// db is closed.
func WaitingWrite(tb testing.TB, db *store.DB) {
	tb.Helper()
	written := make(chan struct{})
	go func() {
		defer close(written)
		if err := touch(db); err != nil {
			tb.Errorf("the write that waited: %v", err)
		}
	}()
	tb.Cleanup(func() { <-written })
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if _, waiting, _ := db.Transactions(); waiting > 0 {
			return
		}
	}
	tb.Fatal("the write never waited")
}
