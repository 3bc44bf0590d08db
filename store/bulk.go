package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"
)

// Bulk is a transaction for loading many rows at once (a payroll import):
// its Conn runs ordinary statements, and Load streams rows into a table
// inside the same transaction, so that what is loaded lands with the rest
// or not at all.
type Bulk struct {
	Conn
	conn bun.Conn
	tx   bun.Tx
	// beside: the transaction is a job's staging on SQLite (RunJob),
	// whose staging tables go to the attached staging file.
	beside bool
}

// BulkTx runs fn in one transaction on one dedicated connection, like Tx,
// and gives it Load. Temporary tables made inside it live on that one
// connection, so fn may stage rows in one and move them with INSERT … SELECT.
func (db *DB) BulkTx(ctx context.Context, fn func(b Bulk) error) error {
	return db.bulkTx(ctx, db.bun, nil, fn)
}

// jobTx is what a transaction of a job on SQLite (RunJob) gets besides
// BulkTx's: its staging file, attached as "stage", and its page cache.
type jobTx struct {
	file string
	// beside: the transaction is the job's staging beside the writer: it
	// writes no audit record, only its staging tables.
	beside  bool
	cacheMB int // Job.PageCacheMB
}

// bulkTx is BulkTx on a connection of pool, for a job's transaction on
// SQLite when job is not nil.
func (db *DB) bulkTx(ctx context.Context, pool *bun.DB, job *jobTx, fn func(b Bulk) error) (err error) {
	if pool == db.bun {
		// In line with the other transactions: a job's parts on SQLite
		// let the writes that came meanwhile go first.
		release, err := db.takeTurn(ctx)
		if err != nil {
			return err
		}
		defer release()
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("bulk: %w", err)
	}
	defer conn.Close()
	beside := false
	if job != nil {
		beside = job.beside
		if job.cacheMB > 0 {
			// For the transaction's length, set back before the
			// connection returns to its pool. Set per transaction, not
			// per part: a cache made smaller within a transaction writes
			// out the dirty pages it no longer holds.
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", job.cacheMB<<10)); err != nil {
				return fmt.Errorf("bulk: %w", err)
			}
			defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000") //nolint:errcheck
		}
		if err := attachStaging(ctx, conn, job.file); err != nil {
			return err
		}
		defer detachStaging(conn)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("bulk: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	c := Conn{db: db, idb: tx, rd: tx, st: &txState{}}
	b := Bulk{Conn: c, conn: conn, tx: tx, beside: beside}
	if err = fn(b); err != nil {
		return err
	}
	if beside {
		if err = b.onlyStaged(); err != nil {
			return err
		}
		return tx.Commit()
	}
	if err = b.dropStaging(ctx); err != nil {
		return err
	}
	// The audit records fn made are written last and sealed after the
	// commit, as Tx does.
	audited, err := c.writeAudit(ctx)
	if err != nil {
		return err
	}
	if err = tx.Commit(); err == nil && audited > 0 {
		db.sealAfterCommit(ctx)
	}
	return err
}

// RowWriter takes the rows of one Load, one call per row, its values in
// the order of Load's columns: string, int, int64 or nil (NULL).
type RowWriter interface {
	Row(vals ...any) error
}

// sqliteBatch is how many rows one prepared INSERT carries on SQLite: many
// rows per statement save a round through the driver per row, and 64 rows
// of 16 columns stay far below SQLite's limit of bound variables.
const sqliteBatch = 64

// Load streams the rows that produce writes into table's columns and
// returns how many it wrote. On PostgreSQL this is COPY … FROM STDIN
// (pgdriver.CopyFrom) on the transaction's connection, fed through a pipe
// while produce runs, so that no more than a buffer of rows is ever held;
// on SQLite, a prepared multi-row INSERT. When produce returns an error the
// rows stop, the copy is ended cleanly (so the connection stays usable) and
// the error is returned: the caller's transaction then rolls back.
func (b Bulk) Load(ctx context.Context, table string, columns []string, produce func(w RowWriter) error) (int64, error) {
	if b.db.Dialect == Postgres {
		return b.copyIn(ctx, table, columns, produce)
	}
	return b.insertPrepared(ctx, table, columns, produce)
}

// copyWriter writes rows in COPY's text format.
type copyWriter struct {
	w    *bufio.Writer
	cols int
	n    int64
	num  []byte
}

func (cw *copyWriter) Row(vals ...any) error {
	if len(vals) != cw.cols {
		return fmt.Errorf("bulk: row of %d values for %d columns", len(vals), cw.cols)
	}
	for i, v := range vals {
		if i > 0 {
			cw.w.WriteByte('\t')
		}
		switch x := v.(type) {
		case nil:
			cw.w.WriteString(`\N`)
		case string:
			writeCopyText(cw.w, x)
		case int64:
			cw.num = strconv.AppendInt(cw.num[:0], x, 10)
			cw.w.Write(cw.num)
		case int:
			cw.num = strconv.AppendInt(cw.num[:0], int64(x), 10)
			cw.w.Write(cw.num)
		default:
			return fmt.Errorf("bulk: value of type %T", v)
		}
	}
	cw.n++
	return cw.w.WriteByte('\n')
}

// writeCopyText escapes s for COPY's text format: backslash, tab, newline
// and carriage return are the characters it gives meaning to.
func writeCopyText(w *bufio.Writer, s string) {
	if !strings.ContainsAny(s, "\\\t\n\r") {
		w.WriteString(s)
		return
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			w.WriteString(`\\`)
		case '\t':
			w.WriteString(`\t`)
		case '\n':
			w.WriteString(`\n`)
		case '\r':
			w.WriteString(`\r`)
		default:
			w.WriteByte(c)
		}
	}
}

func (b Bulk) copyIn(ctx context.Context, table string, columns []string, produce func(w RowWriter) error) (int64, error) {
	pr, pw := io.Pipe()
	cw := &copyWriter{w: bufio.NewWriterSize(pw, 256<<10), cols: len(columns)}
	done := make(chan error, 1)
	go func() {
		err := produce(cw)
		if ferr := cw.w.Flush(); err == nil {
			err = ferr
		}
		// Always end the stream with EOF: an error from the reader would
		// leave the server waiting in COPY mode. The rows written so far
		// are copied and then rolled back with the transaction.
		pw.Close()
		done <- err
	}()
	query := "COPY " + table + " (" + strings.Join(columns, ", ") + ") FROM STDIN"
	_, cerr := pgdriver.CopyFrom(ctx, b.conn, pr, query)
	// If the copy failed first, let produce run out against a closed pipe.
	pr.CloseWithError(io.ErrClosedPipe)
	perr := <-done
	switch {
	case perr != nil && !errors.Is(perr, io.ErrClosedPipe):
		return cw.n, perr
	case cerr != nil:
		return cw.n, fmt.Errorf("bulk: copy into %s: %w", table, cerr)
	case perr != nil:
		return cw.n, perr
	}
	return cw.n, nil
}

// insertWriter buffers rows into batches of one prepared INSERT.
type insertWriter struct {
	ctx   context.Context
	b     Bulk
	table string
	cols  []string
	full  *sql.Stmt // INSERT of sqliteBatch rows, prepared once
	buf   []any
	n     int64
}

func (iw *insertWriter) Row(vals ...any) error {
	if len(vals) != len(iw.cols) {
		return fmt.Errorf("bulk: row of %d values for %d columns", len(vals), len(iw.cols))
	}
	iw.buf = append(iw.buf, vals...)
	iw.n++
	if len(iw.buf) == sqliteBatch*len(iw.cols) {
		if _, err := iw.full.ExecContext(iw.ctx, iw.buf...); err != nil {
			return fmt.Errorf("bulk: insert into %s: %w", iw.table, err)
		}
		iw.buf = iw.buf[:0]
	}
	return nil
}

// insertSQL is an INSERT of rows rows into table's cols.
func insertSQL(table string, cols []string, rows int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

func (b Bulk) insertPrepared(ctx context.Context, table string, columns []string, produce func(w RowWriter) error) (int64, error) {
	full, err := b.tx.Tx.PrepareContext(ctx, insertSQL(table, columns, sqliteBatch))
	if err != nil {
		return 0, fmt.Errorf("bulk: prepare insert into %s: %w", table, err)
	}
	defer full.Close()
	iw := &insertWriter{ctx: ctx, b: b, table: table, cols: columns, full: full,
		buf: make([]any, 0, sqliteBatch*len(columns))}
	if err := produce(iw); err != nil {
		return iw.n, err
	}
	if rest := len(iw.buf) / len(columns); rest > 0 {
		if _, err := b.tx.Tx.ExecContext(ctx, insertSQL(table, columns, rest), iw.buf...); err != nil {
			return iw.n, fmt.Errorf("bulk: insert into %s: %w", table, err)
		}
	}
	return iw.n, nil
}
