package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestAuditorGroupCommit: records sent at once by many viewers are all in
// the chain, each under its own object type, when Record returns, and the
// chain holds.
func TestAuditorGroupCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := store.NewAuditor(db)
		var wg sync.WaitGroup
		errs := make(chan error, 300)
		for i := range 300 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				kind := []string{"payslip", "statement"}[i%2]
				errs <- a.Record(ctx, store.Actor{Login: "viewer"}, kind+".view", kind, fmt.Sprint(i), map[string]int{"i": i})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, kind := range []string{"payslip", "statement"} {
			n, err := db.IDB().NewSelect().TableExpr("audit_log").Where("object_type = ? AND action = ?", kind, kind+".view").Count(ctx)
			if err != nil || n != 150 {
				t.Fatalf("%s records: %d, %v", kind, n, err)
			}
		}
		if _, brk, err := db.VerifyAudit(ctx); err != nil || brk != nil {
			t.Fatalf("chain after group commits: %v %v", brk, err)
		}
	})
}
