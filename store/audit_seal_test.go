package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// audit writes one record in a transaction of its own.
func audit(t *testing.T, db *store.DB, i int) {
	t.Helper()
	if err := db.Tx(ctx, func(tx store.Conn) error {
		return tx.Audit(ctx, store.CLI, "test.event", "thing", fmt.Sprint(i), nil)
	}); err != nil {
		t.Fatal(err)
	}
}

func unsealed(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := db.IDB().NewSelect().Table("audit_log").Where("seq IS NULL").Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int64(n)
}

// TestAuditSealedAtCommit: an action's records are in the chain when its
// transaction returns, on both databases, when no other sealer is busy.
func TestAuditSealedAtCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		audit(t, db, 1)
		if n := unsealed(t, db); n != 0 {
			t.Fatalf("%d records waiting after commit", n)
		}
		seq, _, err := db.AuditHead(ctx)
		if err != nil || seq != 1 {
			t.Fatalf("head = %d, %v", seq, err)
		}
	})
}

// TestAuditSealerWokenByCommit: where the process runs a sealer, as serve
// does, an action's commit wakes it: its records are chained long before
// the sealer's own interval (an hour here) comes round.
func TestAuditSealerWokenByCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sealer, cancel := context.WithCancel(ctx)
		defer cancel()
		go db.RunAuditSealer(sealer, time.Hour, func(err error) { t.Error(err) })
		for i := range 20 {
			audit(t, db, i)
		}
		for deadline := time.Now().Add(30 * time.Second); unsealed(t, db) > 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond) // a deadlock guard, not a timing assertion
		}
		if n := unsealed(t, db); n != 0 {
			t.Fatalf("%d records still waiting for the sealer", n)
		}
		if n, brk, err := db.VerifyAudit(ctx); err != nil || brk != nil || n != 20 {
			t.Fatalf("verify: n=%d brk=%v err=%v", n, brk, err)
		}
	})
}

// TestAuditSealGuard: the one update the table allows is sealing a record
// once, changing nothing but its place and hashes.
func TestAuditSealGuard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		audit(t, db, 1)
		// An unsealed record, as an action leaves it before the seal.
		if _, err := db.IDB().ExecContext(ctx, "INSERT INTO audit_log (at, actor_login, action) VALUES (?, 'x', 'test.event')", time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			"UPDATE audit_log SET seq = 9, prev_hash = 'p', hash = 'h' WHERE seq = 1",                        // a sealed record again
			"UPDATE audit_log SET seq = 9, prev_hash = 'p', hash = 'h', detail = 'x' WHERE seq IS NULL",      // sealing and altering
			"UPDATE audit_log SET seq = 9, prev_hash = 'p', hash = 'h', actor_login = 'y' WHERE seq IS NULL", // sealing and altering
			"UPDATE audit_log SET detail = 'x' WHERE seq IS NULL",                                            // altering while waiting
			"UPDATE audit_log SET seq = 9 WHERE seq IS NULL",                                                 // sealing without hashes
		} {
			if _, err := db.IDB().ExecContext(ctx, stmt); err == nil {
				t.Errorf("the guard let through: %s", stmt)
			}
		}
		if n, err := db.SealAudit(ctx, true); err != nil || n != 1 {
			t.Fatalf("seal = %d, %v", n, err)
		}
		if n, brk, err := db.VerifyAudit(ctx); err != nil || brk != nil || n != 2 {
			t.Fatalf("verify: n=%d brk=%v err=%v", n, brk, err)
		}
	})
}

// TestAuditWaitsForBusySealer: while another sealer holds the head, an
// action commits without waiting and its record waits, unsealed, until the
// next seal — nothing is lost and the chain has no gap.
func TestAuditWaitsForBusySealer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.Postgres {
			t.Skip("SQLite seals inside the action's transaction: its one writer never finds the head busy")
		}
		audit(t, db, 1)
		busy, err := db.IDB().(*bun.DB).BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := busy.ExecContext(ctx, "SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE"); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() { audit(t, db, 2); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second): // a deadlock guard, not a timing assertion
			t.Fatal("the action waited for the busy sealer")
		}
		if n := unsealed(t, db); n != 1 {
			t.Fatalf("%d records waiting, want 1", n)
		}
		_ = busy.Rollback()
		sealer, cancel := context.WithCancel(ctx)
		go db.RunAuditSealer(sealer, 10*time.Millisecond, func(err error) { t.Error(err) })
		for deadline := time.Now().Add(30 * time.Second); unsealed(t, db) > 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		if n, brk, err := db.VerifyAudit(ctx); err != nil || brk != nil || n != 2 {
			t.Fatalf("verify: n=%d brk=%v err=%v", n, brk, err)
		}
	})
}

// TestAuditConcurrentActions: many actions at once leave one whole chain,
// every record in it once.
func TestAuditConcurrentActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const workers, each = 8, 25
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					audit(t, db, w*each+i)
				}
			}()
		}
		wg.Wait()
		if n, brk, err := db.VerifyAudit(ctx); err != nil || brk != nil || n != workers*each {
			t.Fatalf("verify: n=%d brk=%v err=%v", n, brk, err)
		}
		var distinct int
		if err := db.IDB().NewRaw("SELECT COUNT(DISTINCT object_id) FROM audit_log").Scan(ctx, &distinct); err != nil || distinct != workers*each {
			t.Fatalf("distinct records %d, %v", distinct, err)
		}
	})
}

// TestAuditRecordsAsWritten: the records of one transaction are stored as
// it wrote them and numbered in its order — a detail with quotes,
// backslashes, a new line and Jawi, a record of no profile beside one of a
// profile, the time to the microsecond — and chained whole, on both
// databases.
func TestAuditRecordsAsWritten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		users := actors(t, db, "Jamilah Binti Osman")
		at := time.Date(2026, 11, 26, 3, 4, 5, 123456000, time.UTC)
		db.Now = func() time.Time { return at }
		detail := map[string]string{"catatan": "kata \"lulus\"\\ganda\nبيسا", "empty": ""}
		if err := db.Tx(ctx, func(tx store.Conn) error {
			if err := tx.Audit(ctx, store.Actor{UserID: users[0].ID, Login: users[0].Login}, "request.approve", "request", "BPP/2026/0001", detail); err != nil {
				return err
			}
			if err := tx.Audit(ctx, store.CLI, "reminder.sent", "", "", nil); err != nil {
				return err
			}
			return tx.Audit(ctx, store.Actor{Login: "sistem"}, "request.expire", "request", `BPP/"2026"/0002`, nil)
		}); err != nil {
			t.Fatal(err)
		}
		p, err := db.ListAudit(ctx, store.AuditFilter{}, store.AuditCursor{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Records) != 3 {
			t.Fatalf("%d records, want 3", len(p.Records))
		}
		got := p.Records
		if got[2].Action != "request.approve" || got[1].Action != "reminder.sent" || got[0].Action != "request.expire" {
			t.Errorf("records in the order %s, %s, %s (newest first), want request.expire, reminder.sent, request.approve",
				got[0].Action, got[1].Action, got[2].Action)
		}
		if r := got[2]; r.ActorID == nil || *r.ActorID != users[0].ID || r.ActorLogin != users[0].Login || !r.At.Equal(at) ||
			r.ObjectType != "request" || r.ObjectID != "BPP/2026/0001" || r.Detail != `{"catatan":"kata \"lulus\"\\ganda\nبيسا","empty":""}` {
			t.Errorf("the profile's record read back as %+v", r)
		}
		if r := got[0]; r.ActorID != nil || r.ActorLogin != "sistem" || r.ObjectID != `BPP/"2026"/0002` || r.Detail != "" {
			t.Errorf("the service's record read back as %+v", r)
		}
		if _, err := db.SealAudit(ctx, true); err != nil {
			t.Fatal(err)
		}
		if n, broken, err := db.VerifyAudit(ctx); err != nil || broken != nil || n != 3 {
			t.Errorf("verify: %d records, break %v, error %v", n, broken, err)
		}
	})
}
