package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
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
				r, err := db.CreateRequest(ctx, c.rep, form(forms.KindRegistration, ic, "Pemohon"), false)
				if err != nil {
					b.Fatal(err)
				}
				reqs[i] = r
			}
			b.ResetTimer()
			start := time.Now()
			for _, r := range reqs {
				if _, err := db.Act(ctx, c.as, c.officer, r.ID, workflow.Action{Event: workflow.Approve, Version: r.Version}, store.ActOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "approvals/s")
		})
	}
}

// benchCast is newCast for benchmarks.
func benchCast(b *testing.B, db *store.DB) *cast {
	b.Helper()
	c := &cast{db: db, as: store.DefaultAuthSettings()}
	for _, p := range []string{ptjA, ptjB} {
		if err := db.AddPTJ(ctx, store.CLI, store.PTJ{Code: p, Name: "PTJ " + p}); err != nil {
			b.Fatal(err)
		}
	}
	mk := func(login, name string, role forms.Role) *store.User {
		u, err := db.CreateUser(ctx, store.CLI, store.NewUser{Login: login, Name: name, Email: "x@kewangan.gov.my", PTJCode: ptjA,
			Roles: []forms.RoleGrant{{Role: role}}})
		if err != nil {
			b.Fatal(err)
		}
		u, _ = db.UserByID(ctx, u.ID)
		return u
	}
	c.rep = mk("800101141111", "Aminah Rep", forms.RolePTJRep)
	c.officer = mk("750202102222", "Badrul Officer", forms.RoleControllingOfficer)
	c.treasury = mk("700404144444", "Dayang Treasury", forms.RoleTreasuryApprover)
	return c
}
