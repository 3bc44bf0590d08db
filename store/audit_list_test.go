package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestAuditListPagesByArrival: the audit page's keyset pages run in the
// records' arrival order, an unsealed record among them (it shows as soon
// as its action committed), and the filters narrow them, on both
// databases.
func TestAuditListPagesByArrival(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i := 1; i <= 5; i++ {
			audit(t, db, i)
		}
		// A record committed and not yet sealed, as the sealer finds it.
		if _, err := db.IDB().ExecContext(ctx, "INSERT INTO audit_log (at, actor_login, action, object_id) VALUES (?, 'cli', 'test.event', '6')", time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		objects := func(p *store.AuditPage) string {
			var s string
			for _, r := range p.Records {
				s += r.ObjectID
				if r.ActorName != "" {
					t.Errorf("record %s of no profile read with an actor's name, %q", r.ObjectID, r.ActorName)
				}
			}
			return s
		}
		f := store.AuditFilter{Action: "test.event"}
		for _, tc := range []struct {
			name         string
			cur          store.AuditCursor
			want         string
			newer, older bool
		}{
			{"newest", store.AuditCursor{}, "65", false, true},
			{"older than 5", store.AuditCursor{Before: 5}, "43", true, true},
			{"oldest", store.AuditCursor{Before: 3}, "21", true, false},
			{"newer than 2", store.AuditCursor{After: 2}, "43", true, true},
			{"newer than 4: the newest page, full", store.AuditCursor{After: 4}, "65", false, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p, err := db.ListAudit(ctx, f, tc.cur, 2)
				if err != nil {
					t.Fatal(err)
				}
				if got := objects(p); got != tc.want || p.Newer != tc.newer || p.Older != tc.older || p.Total.N != 6 {
					t.Fatalf("got %s newer=%v older=%v total=%d", got, p.Newer, p.Older, p.Total.N)
				}
			})
		}
		for _, tc := range []struct {
			name string
			f    store.AuditFilter
			want int
		}{
			{"by object", store.AuditFilter{ObjectID: "3"}, 1},
			{"by login", store.AuditFilter{ActorLogin: "cli"}, 6},
			{"by login or name, neither", store.AuditFilter{ActorLogin: "nobody", ActorName: "nobody"}, 0},
			{"by another action", store.AuditFilter{Action: "other"}, 0},
			{"from tomorrow", store.AuditFilter{From: time.Now().Add(24 * time.Hour)}, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var n int
				if err := db.EachAudit(ctx, tc.f, func(recs []store.AuditRecord) error { n += len(recs); return nil }); err != nil {
					t.Fatal(err)
				}
				if n != tc.want {
					t.Fatalf("%d records, want %d", n, tc.want)
				}
			})
		}
	})
}

// The audit log's records of a profile are found by a part of its name, in
// any case, three characters or more (through the profiles' trigram
// indexes) or fewer, on both databases; another profile's are not; and
// they are counted as a search's matches are.
func TestAuditListByActorName(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		users := actors(t, db, "Jamilah Binti Osman", "Badrul Hisham", "Ahmad Sistem")
		for _, u := range users {
			if err := db.Tx(ctx, func(tx store.Conn) error {
				return tx.Audit(ctx, store.Actor{UserID: u.ID, Login: u.Login}, "request.approve", "request", u.Login, nil)
			}); err != nil {
				t.Fatal(err)
			}
		}
		// A service's record, by a login no profile has.
		if err := db.Tx(ctx, func(tx store.Conn) error {
			return tx.Audit(ctx, store.Actor{Login: "sistem"}, "reminder.sent", "request", "sistem", nil)
		}); err != nil {
			t.Fatal(err)
		}
		// A word given as a login and as a name (the audit page's one box)
		// finds the records of either, and of the name alone when no
		// record has that login.
		for _, tc := range []struct {
			f    store.AuditFilter
			want string
		}{
			{store.AuditFilter{ActorName: "JAMILAH binti"}, "900101015555"},
			{store.AuditFilter{ActorName: "ham"}, "900101015566"},
			{store.AuditFilter{ActorName: "la"}, "900101015555"},
			{store.AuditFilter{ActorName: "zainab"}, ""},
			{store.AuditFilter{ActorName: "ja%"}, ""},           // a wildcard is a character like others
			{store.AuditFilter{ActorName: `"jamilah`}, ""},      // so is a quote, to FTS5 as to LIKE
			{store.AuditFilter{ActorName: "jamilah%osman"}, ""}, // and in a long part, read profile by profile on PostgreSQL
			{store.AuditFilter{ActorName: "jamilah_binti"}, ""},
			{store.AuditFilter{ActorName: `"jamilah binti`}, ""},
			{store.AuditFilter{ActorName: "jamilah binti osman zz"}, ""},
			{store.AuditFilter{ActorName: "jamilah", ActorLogin: "jamilah"}, "900101015555"},
			{store.AuditFilter{ActorName: "sistem", ActorLogin: "sistem"}, "sistem900101015577"},
			{store.AuditFilter{ActorLogin: "sistem"}, "sistem"},
		} {
			var got string
			if err := db.EachAudit(ctx, tc.f, func(recs []store.AuditRecord) error {
				for _, r := range recs {
					got += r.ObjectID
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("%+v: %q, want %q", tc.f, got, tc.want)
			}
			p, err := db.ListAudit(ctx, tc.f, store.AuditCursor{}, 25)
			if err != nil {
				t.Fatal(err)
			}
			got = ""
			for _, r := range p.Records {
				got += r.ObjectID
			}
			if got != tc.want || p.Total.N != int64(len(p.Records)) {
				t.Errorf("%+v: page %q (total %+v), want %q", tc.f, got, p.Total, tc.want)
			}
		}
		// A name is a search of text, counted to SearchCountLimit; a login
		// is counted to CountLimit.
		if err := db.Tx(ctx, func(tx store.Conn) error {
			for range store.SearchCountLimit {
				if err := tx.Audit(ctx, store.Actor{UserID: users[0].ID, Login: users[0].Login}, "request.approve", "request", "x", nil); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f    store.AuditFilter
			want store.Total
		}{
			{store.AuditFilter{ActorName: "jamilah"}, store.Total{N: store.SearchCountLimit}},
			{store.AuditFilter{ActorName: "jamilah binti osman"}, store.Total{N: store.SearchCountLimit}},
			{store.AuditFilter{ActorLogin: users[0].Login}, store.Total{N: store.SearchCountLimit + 1, Exact: true}},
		} {
			p, err := db.ListAudit(ctx, tc.f, store.AuditCursor{}, 25)
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != tc.want || len(p.Records) != 25 {
				t.Errorf("%+v: total %+v and %d records, want %+v and 25", tc.f, p.Total, len(p.Records), tc.want)
			}
		}
	})
}

// A search by an actor's name pages through the name's records in the
// log's order, newer and older, whether its page gathers them through the
// actors' ids (a name of few records, or one whose walk finds no page
// within its bound), walks the log checking each record's actor among the
// name's profiles (one of many) or comparing its actor's name (on
// PostgreSQL, a name of many; on SQLite, a name many of the newest records
// hold), on both databases.
func TestAuditListByActorNamePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		users := actors(t, db, "Jamilah Binti Osman", "Jamilah Binti Yusof", "Badrul Hisham")
		// 240 records by the two Jamilahs in turn, one by Badrul after every
		// second, newest first in want.
		var want []string
		if err := db.Tx(ctx, func(tx store.Conn) error {
			for i := range 240 {
				obj := fmt.Sprintf("%03d", i)
				want = append([]string{obj}, want...)
				u := users[i%2]
				if err := tx.Audit(ctx, store.Actor{UserID: u.ID, Login: u.Login}, "request.approve", "request", obj, nil); err != nil {
					return err
				}
				if i%2 == 1 {
					if err := tx.Audit(ctx, store.Actor{UserID: users[2].ID, Login: users[2].Login}, "request.approve", "request", "-", nil); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// By the name alone, a walk's bound is counted in ids; beside another
		// filter (every record's action), in the records it selects. A short
		// part and a long one (store's trigramsApartFrom) each way.
		var filters []store.AuditFilter
		for _, name := range []string{"jamilah", "jamilah binti"} {
			filters = append(filters, store.AuditFilter{ActorName: name}, store.AuditFilter{ActorName: name, Action: "request.approve"})
		}
		const size = 25
		// Whether a read gathered, or read the name's profiles apart, seen
		// in its queries: the records are the same every way.
		gathers, aparts := &readsWith{text: ".id + 0"}, &readsWith{text: map[store.Dialect]string{store.SQLite: " UNION ALL ", store.Postgres: " LATERAL "}[db.Dialect]}
		db.ReadIDB().(*bun.DB).AddQueryHook(gathers)
		db.ReadIDB().(*bun.DB).AddQueryHook(aparts)
		for _, way := range []struct {
			name          string
			gather, past  int64
			window, bound int
			apart         int    // the most profiles read apart
			gathers       string // on every read, on one at least, or never
			apartReads    string // the same, of the reads apart
		}{
			{"gathered", 1000, 1000, neverNames, 4000, 1, "every", "never"},
			{"walked", 3, 1000, neverNames, 4000, 1, "never", "never"},
			{"walked within its bound", 3, 1000, neverNames, 100, 1, "never", "never"},
			{"walked past its bound, then profile by profile", 3, 3, neverNames, 5, 2, "never", "some"},
			{"walked past its bound, then gathered", 3, 1000, neverNames, 5, 1, "some", "never"},
			{"walked past its bound, on", 3, 3, neverNames, 5, 1, "never", "never"},
			{"names walked", 1000, 1000, 2000, 4000, 1, "never", "never"},
			{"gathered on SQLite, profile by profile on PostgreSQL", 1000, 1000, neverNames, 4000, 2, "every", "never"},
		} {
			t.Run(way.name, func(t *testing.T) {
				defer store.SetAuditGatherBelow(way.gather)()
				defer store.SetAuditGatherPast(way.past)()
				defer store.SetNamesWindow(way.window)()
				defer store.SetAuditWalkBound(way.bound)()
				defer store.SetAuditActorsApart(way.apart)()
				for _, f := range filters {
					reads, gathered, apart := 0, 0, 0
					read := func(cur store.AuditCursor) ([]string, *store.AuditPage) {
						t.Helper()
						gathers.n.Store(0)
						aparts.n.Store(0)
						p, err := db.ListAudit(ctx, f, cur, size)
						if err != nil {
							t.Fatal(err)
						}
						if reads++; gathers.n.Load() > 0 {
							gathered++
						}
						if aparts.n.Load() > 0 {
							apart++
						}
						var got []string
						for _, r := range p.Records {
							got = append(got, r.ObjectID)
							if !strings.HasPrefix(r.ActorName, "Jamilah Binti ") {
								t.Errorf("%+v: record %s read with its actor's name %q, want a Jamilah's", f, r.ObjectID, r.ActorName)
							}
						}
						if p.Total != (store.Total{N: store.SearchCountLimit}) {
							t.Errorf("%+v: total %+v, want more than %d", f, p.Total, store.SearchCountLimit)
						}
						return got, p
					}
					// Older pages to the oldest, then newer pages back.
					var got []string
					var pages []*store.AuditPage
					for cur := (store.AuditCursor{}); ; {
						s, p := read(cur)
						got = append(got, s...)
						pages = append(pages, p)
						if !p.Older {
							break
						}
						cur = store.AuditCursor{Before: p.Last()}
					}
					if !slices.Equal(got, want) {
						t.Fatalf("%+v: older pages %v, want %v", f, got, want)
					}
					if s, _ := read(store.AuditCursor{After: pages[2].First()}); !slices.Equal(s, want[size:2*size]) {
						t.Errorf("%+v: newer than the third page: %v, want %v", f, s, want[size:2*size])
					}
					if s, _ := read(store.AuditCursor{After: pages[1].First()}); !slices.Equal(s, want[:size]) {
						t.Errorf("%+v: newer than the second page: %v, want the newest %v", f, s, want[:size])
					}
					wantGathers, wantApart := way.gathers, way.apartReads
					switch {
					case db.Dialect == store.Postgres && way.apart > 1 && len(f.ActorName) >= 9:
						// A long part of so few profiles is read apart from its
						// first page, before any walk.
						wantGathers, wantApart = "never", "every"
					case db.Dialect == store.Postgres && way.apart > 1 && way.past >= 1000:
						wantApart = "never" // a short part is counted, and gathered
					case db.Dialect == store.Postgres && way.window != neverNames:
						wantGathers = "every" // names are walked on SQLite alone; PostgreSQL counts 240 and gathers
					}
					if ok := map[string]bool{"every": gathered == reads, "some": gathered > 0, "never": gathered == 0}[wantGathers]; !ok {
						t.Errorf("%+v: %d reads of %d gathered, want %s", f, gathered, reads, wantGathers)
					}
					if ok := map[string]bool{"every": apart == reads, "some": apart > 0, "never": apart == 0}[wantApart]; !ok {
						t.Errorf("%+v: %d reads of %d read the profiles apart, want %s", f, apart, reads, wantApart)
					}
				}
			})
		}
	})
}

// readsWith counts the queries that hold text: ".id + 0" sorts the log's
// records out of an order no index serves (store's auditSorted), a page
// gathered; " UNION ALL " merges the records of a name's profiles read
// apart (store's auditApart).
type readsWith struct {
	text string
	n    atomic.Int64
}

func (h *readsWith) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (h *readsWith) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	if strings.Contains(e.Query, h.text) {
		h.n.Add(1)
	}
}

// A name many of the newest records hold but no more than
// SearchCountLimit of the newest namesWindow is counted through its
// profiles, as any other name: here 30 of the newest 2,000, and 100 older.
func TestAuditListNameNewestFew(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		users := actors(t, db, "Jamilah Binti Osman", "Badrul Hisham")
		var want []string
		if err := db.Tx(ctx, func(tx store.Conn) error {
			for i := range 2100 {
				u, obj := users[1], "-"
				if i < 100 || i >= 2070 {
					u, obj = users[0], fmt.Sprint(i)
					want = append([]string{obj}, want...)
				}
				if err := tx.Audit(ctx, store.Actor{UserID: u.ID, Login: u.Login}, "request.approve", "request", obj, nil); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		p, err := db.ListAudit(ctx, store.AuditFilter{ActorName: "jamilah"}, store.AuditCursor{}, 25)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range p.Records {
			got = append(got, r.ObjectID)
		}
		if p.Total != store.ExactTotal(130) || !slices.Equal(got, want[:25]) {
			t.Errorf("total %+v and records %v, want 130 and %v", p.Total, got, want[:25])
		}
	})
}

// Beside a filter that selects fewer records than a tenth of namesWindow,
// a name's records are counted among them all; beside one that selects
// more, among the newest of them only when the name's are many there.
func TestAuditListNameBesideFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		users := actors(t, db, "Jamilah Binti Osman", "Badrul Hisham")
		// Reference A: 5 records, 2 by Jamilah. Reference B: 250 records,
		// Jamilah's 10 the oldest. Between them, 300 by Jamilah of others.
		by := func(u store.User, obj string, n int) func(tx store.Conn) error {
			return func(tx store.Conn) error {
				for range n {
					if err := tx.Audit(ctx, store.Actor{UserID: u.ID, Login: u.Login}, "request.approve", "request", obj, nil); err != nil {
						return err
					}
				}
				return nil
			}
		}
		for _, write := range []func(tx store.Conn) error{
			by(users[0], "B", 10), by(users[1], "B", 240), by(users[0], "C", 300),
			by(users[0], "A", 2), by(users[1], "A", 3),
		} {
			if err := db.Tx(ctx, write); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			ref  string
			want int64
		}{{"A", 2}, {"B", 10}, {"C", 200}} {
			p, err := db.ListAudit(ctx, store.AuditFilter{ActorName: "jamilah", ObjectID: tc.ref}, store.AuditCursor{}, 25)
			if err != nil {
				t.Fatal(err)
			}
			want := store.ExactTotal(tc.want)
			if tc.want == store.SearchCountLimit {
				want = store.Total{N: store.SearchCountLimit}
			}
			if p.Total != want || len(p.Records) != int(min(tc.want, 25)) {
				t.Errorf("reference %s: total %+v and %d records, want %+v", tc.ref, p.Total, len(p.Records), want)
			}
			for _, r := range p.Records {
				if r.ObjectID != tc.ref || r.ActorID == nil || *r.ActorID != users[0].ID {
					t.Errorf("reference %s: a record of %s by %v", tc.ref, r.ObjectID, r.ActorLogin)
				}
			}
		}
	})
}

// neverNames is a namesWindow whose first tenth cannot hold the 21
// records by a name that walking it takes.
const neverNames = 10

// actors adds a PTJ and a profile of each name in it, whose logins are
// 900101015555, 900101015566 and so on, in the names' order.
func actors(t *testing.T, db *store.DB, names ...string) []store.User {
	t.Helper()
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	if _, err := db.IDB().NewInsert().Model(&store.PTJ{Code: "12010101", Name: "Jabatan Ujian", CreatedAt: now}).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	users := make([]store.User, len(names))
	for i, name := range names {
		users[i] = store.User{Login: fmt.Sprintf("90010101%04d", 5555+11*i), Name: name, Email: fmt.Sprintf("pegawai%d@melaka.gov.my", i),
			PTJCode: "12010101", Status: store.StatusActive, Lang: "ms", CreatedAt: now, UpdatedAt: now}
	}
	if _, err := db.IDB().NewInsert().Model(&users).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	return users
}
