package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestPreparedFirstInsideTransaction: the first run of a prepared query
// inside a transaction does not wait for a connection of its pool, which
// the transaction itself holds (SQLite's one writer; a PostgreSQL pool
// whose every connection a transaction holds), and the next transaction
// runs the pool's statement.
func TestPreparedFirstInsideTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Pools()["write"].SetMaxOpenConns(1)
		for range 2 {
			done := make(chan error, 1)
			go func() {
				done <- db.Tx(ctx, func(tx store.Conn) error {
					if _, err := tx.LockRequest(ctx, 1); !errors.Is(err, store.ErrNoRequest) {
						return err
					}
					return nil
				})
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(30 * time.Second): // a deadlock guard, not a timing assertion
				t.Fatal("the transaction waited for its own pool")
			}
		}
	})
}
