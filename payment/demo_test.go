package payment

import (
	"bytes"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestDemoFileImports: the made-up file keeps every rule, holds every
// status, and pays the employees given.
func TestDemoFileImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		var buf bytes.Buffer
		o := DemoOptions{Vouchers: 400, PTJs: []string{"12010101", "12020202"}, Today: testNow, Seed: 7, History: true,
			Employees: []DemoPayee{{"800101045011", "NORAINI BINTI HASSAN"}, {"750202045023", "RAZAK BIN OMAR"}}}
		if err := WriteDemoFile(&buf, o); err != nil {
			t.Fatal(err)
		}
		imp, err := s.Import(ctx, nil, "demo.csv", &buf)
		if err != nil {
			t.Fatalf("%v", err)
		}
		if imp.Vouchers != 400 || imp.Lines <= 400 {
			t.Fatalf("import %+v", imp)
		}
		for _, st := range Statuses() {
			if count(t, db, "payments", "status = ?", st) == 0 {
				t.Errorf("no payment %s", st)
			}
		}
		if n := count(t, db, "payments", "payee_id = ?", "800101045011"); n < 5 {
			t.Errorf("%d payments to an employee", n)
		}
		// Without history: one line a voucher.
		buf.Reset()
		o.History, o.Prefix = false, "W"
		if err := WriteDemoFile(&buf, o); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(buf.String(), "\n"); n != 401 {
			t.Fatalf("%d lines", n)
		}
	})
}
