package store

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// TxConn runs fn inside one transaction, as Tx does, on a connection kept
// for it alone, and hands fn that connection too: for bulk loads whose
// statements need the driver itself yet must land in the transaction —
// PostgreSQL's COPY (pgdriver.CopyFrom takes a bun.Conn) — and for
// temporary tables that later statements of the transaction read.
// Statements on conn run inside the transaction.
func (db *DB) TxConn(ctx context.Context, fn func(conn bun.Conn, tx Conn) error) error {
	conn, err := db.bun.Conn(ctx)
	if err != nil {
		return fmt.Errorf("reserve a connection: %w", err)
	}
	defer conn.Close()
	return conn.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return fn(conn, Conn{db: db, idb: tx})
	})
}
