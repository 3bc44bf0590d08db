package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// A preparedQuery is one of the portal's commonest queries, parsed and
// planned once on each connection instead of at every call. bun writes a
// query's values into its text, so to PostgreSQL every call was a new
// statement: the session's read, which every page and API call makes,
// cost about 0.25 ms of the server's CPU planned afresh and 0.06 prepared
// (pgbench with it at 8 clients: 7,800 a second against 32,000), and an
// approval's reads and writes spent nearly as long being planned as being
// run.
//
// build writes the query's text once per database, with bun, with arg(n)
// where its n-th value goes.
type preparedQuery struct {
	build func(c Conn, arg func(n int) bun.Safe) string
}

func prepared(build func(c Conn, arg func(n int) bun.Safe) string) *preparedQuery {
	return &preparedQuery{build: build}
}

// argList is a prepared query's parameters first to last, written by
// arg and separated by commas: a row of VALUES.
func argList(arg func(n int) bun.Safe, first, last int) string {
	list := make([]string, 0, last-first+1)
	for n := first; n <= last; n++ {
		list = append(list, string(arg(n)))
	}
	return strings.Join(list, ", ")
}

// stmtKey names one prepared query on one pool.
type stmtKey struct {
	q    *preparedQuery
	pool *sql.DB
}

// paramMarker is the n-th parameter in the dialect's SQL.
func (d Dialect) paramMarker(n int) bun.Safe {
	if d == Postgres {
		return bun.Safe("$" + strconv.Itoa(n))
	}
	return bun.Safe("?" + strconv.Itoa(n)) // SQLite's numbered parameter
}

// stmt returns q prepared on pool (database/sql prepares it again on each
// connection the first time it runs there).
func (c Conn) stmt(ctx context.Context, q *preparedQuery, pool *sql.DB) (*sql.Stmt, error) {
	k := stmtKey{q, pool}
	if s, ok := c.db.stmts.Load(k); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := pool.PrepareContext(ctx, q.build(c, c.db.Dialect.paramMarker))
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if prev, loaded := c.db.stmts.LoadOrStore(k, s); loaded {
		_ = s.Close() // another caller prepared it meanwhile
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// on returns q's statement for the handle h: the pool's outside a
// transaction, the transaction's inside one. A transaction never waits for
// a connection of its pool to prepare q there: the first ones to need it
// prepare it on their own connection, for themselves, while the pool's
// statement is prepared beside them (SQLite's one writer, or every
// connection of PostgreSQL's pool held by a transaction, would otherwise
// wait for itself).
func (c Conn) on(ctx context.Context, q *preparedQuery, h bun.IDB) (*sql.Stmt, error) {
	switch h := h.(type) {
	case *bun.DB:
		return c.stmt(ctx, q, h.DB)
	case bun.Tx:
		pool := c.db.bun.DB
		if s, ok := c.db.stmts.Load(stmtKey{q, pool}); ok {
			return h.Tx.StmtContext(ctx, s.(*sql.Stmt)), nil
		}
		if _, busy := c.db.preparing.LoadOrStore(q, true); !busy {
			go func() {
				defer c.db.preparing.Delete(q)
				_, _ = c.db.stmt(context.WithoutCancel(ctx), q, pool) // failing, the next transaction tries again
			}()
		}
		return h.Tx.PrepareContext(ctx, q.build(c, c.db.Dialect.paramMarker))
	}
	return nil, fmt.Errorf("prepared query on %T", h)
}

// queryPrepared runs the read q with args on c's read handle.
func (c Conn) queryPrepared(ctx context.Context, q *preparedQuery, args ...any) (*sql.Rows, error) {
	s, err := c.on(ctx, q, c.rd)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, c.params(args)...)
}

// scanPrepared runs the read q with args and scans every row into dest
// (a slice), as bun scans a model.
func (c Conn) scanPrepared(ctx context.Context, q *preparedQuery, dest any, args ...any) error {
	rows, err := c.queryPrepared(ctx, q, args...)
	if err != nil {
		return err
	}
	return c.db.bun.ScanRows(ctx, rows, dest) // it closes rows
}

// execPrepared runs the write q with args on c's write handle.
func (c Conn) execPrepared(ctx context.Context, q *preparedQuery, args ...any) (sql.Result, error) {
	s, err := c.on(ctx, q, c.idb)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(ctx, c.params(args)...)
}

// execEach runs the write q once for each of n rows, with the arguments
// row gives for the i-th: how SQLite writes a batch (the mails, the audit
// records and their seal), where a prepared statement of one row runs in
// the process for less than one statement of them all costs to parse.
func (c Conn) execEach(ctx context.Context, q *preparedQuery, n int, row func(i int) []any) error {
	for i := range n {
		if _, err := c.execPrepared(ctx, q, row(i)...); err != nil {
			return err
		}
	}
	return nil
}

// scanOne reads the one row of rows into dest, as bun scans a model, and
// closes rows; false when there is none (bun's own ScanRows then leaves dest
// as it was and says nothing).
func (c Conn) scanOne(ctx context.Context, rows *sql.Rows, dest any) (bool, error) {
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := c.db.bun.ScanRow(ctx, rows, dest); err != nil {
		return false, err
	}
	return true, rows.Close()
}

// params are args as the query's text would have had them from bun: on
// SQLite, whose times are text compared as text, a time is written as bun
// writes it (the driver's own format has nine decimals, bun's six).
func (c Conn) params(args []any) []any {
	if c.db.Dialect != SQLite {
		return args
	}
	for i, a := range args {
		if t, ok := a.(time.Time); ok {
			args[i] = t.UTC().Format(sqliteTime)
		}
	}
	return args
}

// sqliteTime is how bun writes a time into SQLite's text.
const sqliteTime = "2006-01-02 15:04:05.999999-07:00"

// pgArray writes a PostgreSQL array's text form, one element at a time:
// each quoted, its quotes and backslashes escaped, or NULL. A prepared
// statement takes a batch of rows as one array a column (enqueueRows,
// appendAudit, sealRecords), whatever their number.
type pgArray struct{ b []byte }

func (a *pgArray) sep() {
	if len(a.b) == 0 {
		a.b = append(a.b, '{')
	} else {
		a.b = append(a.b, ',')
	}
}

func (a *pgArray) add(s string) {
	a.sep()
	a.b = append(a.b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			a.b = append(a.b, '\\')
		}
		a.b = append(a.b, s[i])
	}
	a.b = append(a.b, '"')
}

func (a *pgArray) addID(id *int64) {
	if id == nil {
		a.sep()
		a.b = append(a.b, "NULL"...)
		return
	}
	a.add(strconv.FormatInt(*id, 10))
}

func (a *pgArray) String() string {
	if len(a.b) == 0 {
		return "{}"
	}
	return string(a.b) + "}"
}
