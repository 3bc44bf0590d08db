package useradmin_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// BenchmarkApprove measures the controlling officer's approval, the
// commonest action, through the whole transaction (lock, decide, state and
// version, history, audit chain, outbox rows for the treasury approvers), on
// each database. bench/approve prints actions per second.
func BenchmarkApprove(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			c := benchCast(b, db)
			reqs := make([]*store.Request, b.N)
			for i := range reqs {
				ic := fmt.Sprintf("99%02d%02d14%04d", 1+i/10000%12, 1+i/400%28, i%10000)
				r, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, ic, "Pemohon"), false)
				if err != nil {
					b.Fatal(err)
				}
				reqs[i] = r
			}
			b.ResetTimer()
			start := time.Now()
			for _, r := range reqs {
				if _, err := c.svc.Act(ctx, c.officer, r.ID, workflow.Action{Event: workflow.Approve, Version: r.Version}, useradmin.ActOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "approvals/s")
		})
	}
}

// benchCast is newCast for benchmarks: the few people an approval needs.
func benchCast(b *testing.B, db *store.DB) *cast {
	b.Helper()
	c := newBare(b, db)
	for _, p := range []string{ptjA, ptjB} {
		c.addPTJ(b, p)
	}
	c.rep = c.mkUser(b, "800101141111", "Aminah Rep", ptjA, forms.RolePTJRep)
	c.officer = c.mkUser(b, "750202102222", "Badrul Officer", ptjA, forms.RoleControllingOfficer)
	c.treasury = c.mkUser(b, "700404144444", "Dayang Treasury", ptjA, forms.RoleTreasuryApprover)
	return c
}
