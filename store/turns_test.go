package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestTransactionsTakeTurns: when every turn is taken (SQLite's one, or
// PostgreSQL's), a transaction waits in line, counted as waiting; one whose
// context ends while it waits gives up without running; when a turn frees,
// the next one runs and commits.
func TestTransactionsTakeTurns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		_, _, turns := db.Transactions()
		if db.Dialect == store.SQLite && turns != 1 {
			t.Fatalf("SQLite has %d turns, want 1 (its one writer)", turns)
		}
		release := make(chan struct{})
		var holding, held sync.WaitGroup
		for range turns {
			holding.Add(1)
			held.Go(func() {
				_ = db.Tx(ctx, func(store.Conn) error { holding.Done(); <-release; return nil })
			})
		}
		holding.Wait()
		if running, _, _ := db.Transactions(); running != turns {
			t.Fatalf("%d running, want %d", running, turns)
		}

		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		ran := false
		err := db.Tx(short, func(store.Conn) error { ran = true; return nil })
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || ran {
			t.Fatalf("with every turn taken: %v, ran %v; want it to give up unrun", err, ran)
		}

		done := make(chan error, 1)
		go func() {
			done <- db.Tx(ctx, func(tx store.Conn) error {
				return tx.Audit(ctx, store.Actor{Login: "ujian"}, "test.turn", "", "", nil)
			})
		}()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
			if _, waiting, _ := db.Transactions(); waiting == 1 {
				break
			}
			if time.Now().After(deadline) { // a guard, not a timing assertion
				t.Fatal("the transaction is not counted as waiting")
			}
		}
		close(release)
		held.Wait()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the transaction in line did not run when the turns freed")
		}
		if n := storetest.Count(t, db, "audit_log", "action = ?", "test.turn"); n != 1 {
			t.Errorf("%d records of the transaction in line, want 1", n)
		}
		if running, waiting, _ := db.Transactions(); running != 0 || waiting != 0 {
			t.Errorf("after: %d running, %d waiting; want none", running, waiting)
		}
	})
}
