package store_test

import (
	"context"
	"testing"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

var ctx = context.Background()

func countRows(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	n, err := db.IDB().NewSelect().TableExpr(table).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrateTwiceIsANoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

func TestAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i := 0; i < 5; i++ {
			if err := db.Tx(ctx, func(tx store.Conn) error {
				return tx.Audit(ctx, store.CLI, "test.event", "thing", "x", map[string]int{"i": i})
			}); err != nil {
				t.Fatal(err)
			}
		}
		n, brk, err := db.VerifyAudit(ctx)
		if err != nil || brk != nil || n != 5 {
			t.Fatalf("verify whole chain: n=%d brk=%v err=%v", n, brk, err)
		}
		// The table refuses changes through the portal's own connection.
		if _, err := db.IDB().ExecContext(ctx, "UPDATE audit_log SET detail = 'x' WHERE seq = 3"); err == nil {
			t.Fatal("audit_log accepted an UPDATE")
		}
		if _, err := db.IDB().ExecContext(ctx, "DELETE FROM audit_log WHERE seq = 5"); err == nil {
			t.Fatal("audit_log accepted a DELETE")
		}
		// An operator who disables the guard and edits by hand is caught.
		storetest.TamperAudit(t, db, "UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3")
		_, brk, err = db.VerifyAudit(ctx)
		if err != nil || brk == nil || brk.Seq != 3 {
			t.Fatalf("after tampering: brk=%v err=%v, want a break at 3", brk, err)
		}
	})
}

func TestAuditChainDeletedTail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i := 0; i < 3; i++ {
			if err := db.Tx(ctx, func(tx store.Conn) error { return tx.Audit(ctx, store.CLI, "test.event", "thing", "x", nil) }); err != nil {
				t.Fatal(err)
			}
		}
		storetest.TamperAudit(t, db, "DELETE FROM audit_log WHERE seq = 3")
		_, brk, err := db.VerifyAudit(ctx)
		if err != nil || brk == nil || brk.Seq != 3 {
			t.Fatalf("deleted last record: brk=%v err=%v", brk, err)
		}
	})
}

// SQLite's connections, the writer's and the readers', read the file
// mapped into memory (a gigabyte or more of it), not copied page by page
// into caches of their own.
func TestSQLiteReadsItsFileMapped(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	for name, h := range map[string]bun.IDB{"writer": db.IDB(), "reader": db.ReadIDB()} {
		var n int64
		if err := h.NewRaw("PRAGMA mmap_size").Scan(ctx, &n); err != nil {
			t.Fatal(err)
		}
		if n < 1<<30 {
			t.Errorf("the %s maps %d bytes, want a gigabyte or more", name, n)
		}
	}
}
