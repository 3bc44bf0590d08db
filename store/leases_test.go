package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// A job's lease is one holder's until it ends or is released: another
// holder is refused meanwhile, the holder may extend it, and a lease that
// ran out (its holder died) goes to the next who asks.
func TestLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		start := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
		var now time.Time
		db.Now = func() time.Time { return now }
		steps := []struct {
			name        string
			after       time.Duration
			job, holder string
			release     bool
			want        bool // taken (a release reports nothing)
		}{
			{"free: taken", 0, "reminders", "a", false, true},
			{"held: refused", time.Minute, "reminders", "b", false, false},
			{"its holder extends it", 9 * time.Minute, "reminders", "a", false, true},
			{"past the first end, extended", 12 * time.Minute, "reminders", "b", false, false},
			{"another job is apart", 12 * time.Minute, "another", "b", false, true},
			{"ran out: the next takes it", 20 * time.Minute, "reminders", "b", false, true},
			{"the old holder releases", 21 * time.Minute, "reminders", "a", true, false},
			{"which left it b's", 21 * time.Minute, "reminders", "c", false, false},
			{"b releases", 22 * time.Minute, "reminders", "b", true, false},
			{"released: taken at once", 22 * time.Minute, "reminders", "c", false, true},
		}
		for _, s := range steps {
			now = start.Add(s.after)
			if s.release {
				if err := db.ReleaseLease(ctx, s.job, s.holder); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := db.TakeLease(ctx, s.job, s.holder, now.Add(10*time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			if got != s.want {
				t.Fatalf("%s: %s took %s: %v, want %v", s.name, s.holder, s.job, got, s.want)
			}
		}
	})
}
