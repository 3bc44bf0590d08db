package useradmin_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/useradmin"
)

// The search index is merged in steps until a step finds nothing left to
// merge (on SQLite; PostgreSQL has nothing to merge), and a search finds
// the same requests after as before.
func TestMergeSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		for i := range 6 { // six transactions: six segments for FTS5
			if _, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, fmt.Sprintf("98010114%04d", i), "Kamarul Bin Salleh"), false); err != nil {
				t.Fatal(err)
			}
		}
		search := func() []int64 {
			t.Helper()
			list, _, err := c.svc.ListRequests(ctx, c.treasury, useradmin.Filter{Q: "amarul bin sal"}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return requestIDs(list)
		}
		before := search()
		if len(before) != 6 {
			t.Fatalf("the search finds %d of 6", len(before))
		}
		steps, err := db.MergeSearch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if db.Dialect == store.SQLite && steps == 0 || db.Dialect == store.Postgres && steps != 0 {
			t.Errorf("%d steps merged", steps)
		}
		if again, err := db.MergeSearch(ctx); err != nil || again != 0 {
			t.Errorf("merged again: %d steps, %v; want nothing left", again, err)
		}
		if after := search(); !slices.Equal(after, before) {
			t.Errorf("after merging the search finds %v, before %v", after, before)
		}
	})
}
