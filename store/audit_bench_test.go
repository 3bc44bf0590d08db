package store_test

import (
	"testing"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// BenchmarkAuditedAction is a transaction that writes one audit record and
// has it sealed, as every action does: on SQLite inside the transaction,
// on PostgreSQL just after its commit (here by the committer: no sealer
// runs in the benchmark).
//
//	go test ./store -run '^$' -bench AuditedAction
func BenchmarkAuditedAction(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			for b.Loop() {
				if err := db.Tx(ctx, func(tx store.Conn) error {
					return tx.Audit(ctx, store.CLI, "bench.event", "thing", "1", map[string]int{"version": 2})
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
