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

// TestPreparedReadsOfNothing: a prepared read that finds no row says so,
// rather than returning an empty record: a request that does not exist,
// read or locked; a session that does not exist.
func TestPreparedReadsOfNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if r, err := db.RequestByID(ctx, 404); !errors.Is(err, store.ErrNoRequest) {
			t.Errorf("RequestByID = %v, %v; want ErrNoRequest", r, err)
		}
		err := db.Tx(ctx, func(tx store.Conn) error {
			r, err := tx.LockRequest(ctx, 404)
			if !errors.Is(err, store.ErrNoRequest) {
				t.Errorf("LockRequest = %v, %v; want ErrNoRequest", r, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if s, u, err := db.LiveSession(ctx, "no such session", time.Now().Add(-time.Hour)); s != nil || u != nil || err != nil {
			t.Errorf("LiveSession = %v, %v, %v; want nothing", s, u, err)
		}
	})
}
