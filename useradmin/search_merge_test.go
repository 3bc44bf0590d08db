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

// The search indexes are merged in steps until a step finds nothing left
// to merge (on SQLite; PostgreSQL has nothing to merge), and a search finds
// the same requests after as before: of a word (the requests' index) and
// of a name of words (the names').
func TestMergeSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		// Six transactions, six names: six segments in each FTS5 table.
		for i, family := range []string{"Salleh", "Sallehuddin", "Salleha", "Sallehin", "Sallehan", "Sallehi"} {
			if _, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, fmt.Sprintf("98010114%04d", i), "Kamarul Bin "+family), false); err != nil {
				t.Fatal(err)
			}
		}
		search := func() [][]int64 {
			t.Helper()
			var found [][]int64
			for _, q := range []string{"amarul", "amarul bin sal"} {
				list, _, err := c.svc.ListRequests(ctx, c.treasury, useradmin.Filter{Q: q}, store.Page{})
				if err != nil {
					t.Fatal(err)
				}
				if len(list) != 6 {
					t.Fatalf("%q finds %d of 6", q, len(list))
				}
				found = append(found, requestIDs(list))
			}
			return found
		}
		before := search()
		steps, err := db.MergeSearch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// At least a step in each of SQLite's two tables.
		if db.Dialect == store.SQLite && steps < 2 || db.Dialect == store.Postgres && steps != 0 {
			t.Errorf("%d steps merged", steps)
		}
		if again, err := db.MergeSearch(ctx); err != nil || again != 0 {
			t.Errorf("merged again: %d steps, %v; want nothing left", again, err)
		}
		if after := search(); !slices.EqualFunc(after, before, slices.Equal) {
			t.Errorf("after merging the search finds %v, before %v", after, before)
		}
	})
}
