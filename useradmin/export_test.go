package useradmin_test

import (
	"errors"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/useradmin"
)

// An export reads every request once, oldest first, across its batches
// (5,000 each), with its times as written; a failure while writing the
// file ends the export with that failure and leaves the database free for
// the next one.
func TestEachRequestAcrossBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		since := time.Date(2026, 11, 2, 2, 3, 4, 567891000, time.UTC)
		const n = 10_001
		seedWaiting(t, c, n, since)

		var seen int
		var last int64
		err := c.svc.EachRequest(ctx, c.treasury, useradmin.Filter{}, func(r *store.Request) error {
			if r.ID <= last {
				t.Fatalf("request %d after %d", r.ID, last)
			}
			last = r.ID
			if !r.CreatedAt.Equal(since) || !r.UpdatedAt.Equal(since) {
				t.Fatalf("request %d: created %v, updated %v; want %v", r.ID, r.CreatedAt, r.UpdatedAt, since)
			}
			if r.Submitter == nil || r.Submitter.Name != "Aminah Rep" {
				t.Fatalf("request %d: submitter %+v", r.ID, r.Submitter)
			}
			seen++
			return nil
		})
		if err != nil || seen != n {
			t.Fatalf("read %d of %d: %v", seen, n, err)
		}

		broken := errors.New("the client went away")
		seen = 0
		err = c.svc.EachRequest(ctx, c.treasury, useradmin.Filter{}, func(*store.Request) error {
			if seen++; seen == 6000 {
				return broken
			}
			return nil
		})
		if !errors.Is(err, broken) || seen != 6000 {
			t.Fatalf("after %d rows: %v; want the writer's failure at row 6000", seen, err)
		}

		seen = 0
		if err := c.svc.EachRequest(ctx, c.treasury, useradmin.Filter{}, func(*store.Request) error { seen++; return nil }); err != nil || seen != n {
			t.Fatalf("the next export read %d of %d: %v", seen, n, err)
		}
	})
}
