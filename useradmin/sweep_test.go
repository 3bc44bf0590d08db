package useradmin_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// seedWaiting writes n submitted requests of ptjA that have waited since
// since, straight into the table (the workflow is not what this measures).
func seedWaiting(t *testing.T, c *cast, n int, since time.Time) {
	t.Helper()
	rows := make([]store.Request, 0, n)
	for i := range n {
		r := store.Request{Reference: fmt.Sprintf("BPP/2025/%06d", i+1), State: workflow.Submitted, Version: 2,
			SubmitterID: c.rep.ID, CreatedAt: since, UpdatedAt: since, StateSince: since}
		r.SetForm(form(forms.KindRegistration, fmt.Sprintf("99%02d%02d14%04d", 1+i/10000%12, 1+i/400%28, i%10000), "Pemohon Bin Ujian"))
		rows = append(rows, r)
	}
	for start := 0; start < n; start += 500 {
		chunk := rows[start:min(start+500, n)]
		if _, err := c.db.IDB().NewInsert().Model(&chunk).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
}

// A sweep over thousands of due requests runs while people log in and
// approve: nobody meets "database is locked" or any other error, and each
// officer gets one reminder.
func TestReminderSweepUnderLoad(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		seedWaiting(t, c, 3000, time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC))
		hash, err := password.HashWith(password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, "Kuat-Sangat-2026!")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.IDB().NewRaw("UPDATE users SET password_hash = ?", hash).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		var approvals []*store.Request
		for i := range 20 {
			r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, fmt.Sprintf("98010114%04d", i), "Baharu"), false)
			if err != nil {
				t.Fatal(err)
			}
			approvals = append(approvals, r)
		}

		var wg sync.WaitGroup
		errs := make(chan error, 100)
		var mails int
		wg.Go(func() {
			n, err := c.svc.SendReminders(ctx, 3)
			mails = n
			errs <- err
		})
		wg.Go(func() {
			for _, r := range approvals {
				_, err := c.svc.Act(ctx, c.officer, r.ID, workflow.Action{Event: workflow.Approve, Version: r.Version}, useradmin.ActOptions{})
				errs <- err
			}
		})
		wg.Go(func() {
			for range 20 {
				_, _, err := c.auth.Login(ctx, c.treasury.Login, "Kuat-Sangat-2026!", "10.0.0.7", store.SessionWeb)
				errs <- err
			}
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("under the sweep: %v", err)
			}
		}
		if mails != 2 { // the two officers of ptjA, each once with the count
			t.Fatalf("%d reminder mails, want 2", mails)
		}
	})
}

// Two sweeps at once (two processes each sweep every hour) mail each
// officer once with the whole count: one of them holds the job's lease and
// sweeps, the other queues nothing. A lease left by a process that died
// holds the sweep off until it runs out.
func TestReminderSweepsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		seedWaiting(t, c, 3000, time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC))
		reminders := func() []string {
			var to []string
			if err := db.IDB().NewSelect().Table("outbox").Column("to_email").Where("kind = 'reminder'").
				OrderExpr("to_email").Scan(ctx, &to); err != nil {
				t.Fatal(err)
			}
			return to
		}

		*c.clock = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
		if _, err := db.TakeLease(ctx, "reminders", "a process that died", c.clock.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n, err := c.svc.SendReminders(ctx, 3); n != 0 || err != nil {
			t.Fatalf("under another's lease: %d mails, %v", n, err)
		}
		if to := reminders(); len(to) != 0 {
			t.Fatalf("under another's lease: reminders to %v", to)
		}

		*c.clock = c.clock.Add(11 * time.Minute)
		var wg sync.WaitGroup
		var mails [2]int
		var errs [2]error
		for i := range 2 {
			wg.Go(func() { mails[i], errs[i] = c.svc.SendReminders(ctx, 3) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("two sweeps: %v, %v", errs[0], errs[1])
		}
		to := reminders()
		if mails[0]+mails[1] != 2 || !slices.Equal(to, []string{c.officer.Email, c.officer2.Email}) {
			t.Fatalf("two sweeps at once: %v mails, to %v; want one to each officer", mails, to)
		}
		var data string
		if err := db.IDB().NewSelect().Table("outbox").Column("data").Where("kind = 'reminder'").Limit(1).Scan(ctx, &data); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(data, `"count":3000`) {
			t.Fatalf("a reminder's content %s, want the whole count", data)
		}
	})
}

// A list longer than the store counts says "more than", and its pages still
// come newest first.
func TestLongListsSayMoreThan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		seedWaiting(t, c, store.CountLimit+5, time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC))
		list, total, err := c.svc.ListRequests(ctx, c.treasury, useradmin.Filter{}, store.Page{Number: 2, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		if total.Exact || total.N != store.CountLimit {
			t.Fatalf("total = %+v, want more than %d", total, store.CountLimit)
		}
		if len(list) != 10 || list[0].ID <= list[9].ID {
			t.Fatalf("page 2: %d rows, not newest first", len(list))
		}
		_, total, err = c.svc.ListRequests(ctx, c.treasury, useradmin.Filter{Q: "2025/00010"}, store.Page{})
		if err != nil || total != store.ExactTotal(10) { // 000100 … 000109
			t.Fatalf("search total = %+v, %v", total, err)
		}
		// A search every request matches (through the trigram indexes)
		// says "more than" too, from its own limit, and its pages come
		// newest first.
		list, total, err = c.svc.ListRequests(ctx, c.treasury, useradmin.Filter{Q: "pemohon"}, store.Page{Number: 2, Size: 10})
		if err != nil || total.Exact || total.N != store.SearchCountLimit || len(list) != 10 || list[0].ID <= list[9].ID || list[0].ID != list[9].ID+9 {
			t.Fatalf("search page 2: %d rows, total %+v, %v", len(list), total, err)
		}
		// Pages on both sides of the counted ids are the same list, with a
		// search, a name of words and a reference's start every request
		// matches too (read by id within the counted ids, newest first past
		// them), to the last row, for the treasury (on PostgreSQL, the
		// search table alone) and the PTJ's officer (joined to the
		// requests).
		var ids []int64
		if err := db.IDB().NewSelect().Table("requests").Column("id").OrderExpr("id DESC").Scan(ctx, &ids); err != nil {
			t.Fatal(err)
		}
		last := (len(ids) + 9) / 10
		for _, f := range []useradmin.Filter{{}, {Q: "pemohon"}, {Q: "pemohon bin ujian"}, {Q: "bpp/2025/"}} {
			for _, n := range []int{1, 20, 21, 99, 100, 101, last, last + 1} {
				for _, viewer := range []*store.User{c.treasury, c.officer} {
					list, _, err := c.svc.ListRequests(ctx, viewer, f, store.Page{Number: n, Size: 10})
					if err != nil {
						t.Fatal(err)
					}
					if got, want := requestIDs(list), pageOf(ids, n, 10); !slices.Equal(got, want) {
						t.Fatalf("%s: %+v, page %d = %v, want %v", viewer.Login, f, n, got, want)
					}
				}
			}
		}
		// The officer's inbox card stops counting there too.
		counts, all, err := c.svc.InboxCounts(ctx, c.officer)
		if err != nil || all.Exact || counts[workflow.Submitted] != (store.Total{N: store.CountLimit}) {
			t.Fatalf("inbox counts = %v, %+v, %v", counts, all, err)
		}
	})
}

// A name that only old requests hold, more of them than a search counts,
// says "more than", and its pages come newest first to the last, as the
// table read directly: a name of several words (through the table of
// names: one name, or more names than PostgreSQL lists; not read where
// every request has a name of its own) and one word of it (through the
// trigram indexes; on SQLite the FTS5 table, read newest first), each with
// the planner's choice of how to read them.
func TestSearchOfANameTheNewestRarelyHold(t *testing.T) {
	for _, tc := range []struct {
		name      string
		subject   string // SQL of the oldest requests' name
		held      int    // how many of the 2,500 hold it, the oldest
		readNames bool   // whether "siti binti" is looked up in the table of names
	}{
		{"one name", "'Siti Binti Ujian'", 300, true},
		{"a name each", "'Siti Binti Ujian ' || id", 300, true},
		{"every request a name of its own", "'Siti Binti Ujian ' || id", 2500, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				c := newCast(t, db)
				seedWaiting(t, c, 2500, time.Date(2026, 11, 2, 2, 0, 0, 0, time.UTC))
				if _, err := db.IDB().NewUpdate().Table("requests").Set("subject_name = "+tc.subject).Where("id < (SELECT MIN(id) + ? FROM requests)", tc.held).Exec(ctx); err != nil {
					t.Fatal(err)
				}
				// PostgreSQL's counts of the names and the requests are
				// its estimates, which ANALYZE takes.
				if _, err := db.IDB().ExecContext(ctx, "ANALYZE"); err != nil {
					t.Fatal(err)
				}
				var ids []int64
				if err := db.IDB().NewSelect().Table("requests").Column("id").Where("subject_name LIKE 'Siti Binti Ujian%'").OrderExpr("id DESC").Scan(ctx, &ids); err != nil || len(ids) != tc.held {
					t.Fatalf("%d of Siti's, %v", len(ids), err)
				}
				names := &namesReads{}
				db.ReadIDB().(*bun.DB).AddQueryHook(names)
				for _, q := range []string{"siti binti", "siti"} {
					for _, n := range []int{1, 2, 20, 21, 30, 31} {
						list, total, err := c.svc.ListRequests(ctx, c.treasury, useradmin.Filter{Q: q}, store.Page{Number: n, Size: 10})
						if err != nil {
							t.Fatal(err)
						}
						if total.Exact || total.N != store.SearchCountLimit {
							t.Fatalf("%q: total = %+v, want more than %d", q, total, store.SearchCountLimit)
						}
						if got, want := requestIDs(list), pageOf(ids, n, 10); !slices.Equal(got, want) {
							t.Fatalf("%q: page %d = %v, want %v", q, n, got, want)
						}
					}
				}
				if got := names.n.Load() > 0; got != tc.readNames {
					t.Errorf("names read: %v (%d times), want %v", got, names.n.Load(), tc.readNames)
				}
			})
		})
	}
}

// namesReads counts the reads of the table of names (the store's
// readNames, the one query that selects name_joined).
type namesReads struct{ n atomic.Int64 }

func (h *namesReads) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h *namesReads) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.HasPrefix(e.Query, `SELECT "name_joined"`) {
		h.n.Add(1)
	}
}

// requestIDs are the ids of list, in its order.
func requestIDs(list []store.Request) []int64 {
	var ids []int64
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

// pageOf is page n (from 1) of ids, size to a page.
func pageOf(ids []int64, n, size int) []int64 {
	return ids[min((n-1)*size, len(ids)):min(n*size, len(ids))]
}
