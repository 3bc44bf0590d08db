package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
)

// ErrStale is what a Staged job's apply returns when what its staging
// read has changed since: Staged then stages again.
var ErrStale = errors.New("store: what the staging read changed before it was applied")

// stagedTries is how many times Staged stages a job whose apply found its
// staging stale before it gives up with ErrStale.
const stagedTries = 3

// Staged runs a long job (an eEC year's generation) in two parts: stage
// reads the portal's tables and writes only staging tables (made with
// CreateStaging), and apply writes the portal's tables from them, in one
// transaction (a Job applied whole; see RunJob for where each part runs).
//
// What stage read may have changed by the time apply runs. A job keeps
// others of its kind out with a lock of its own, and apply re-reads under
// the writer what else it relies on, returning ErrStale (wrapped or not)
// if it changed: Staged then stages again, up to three times, after which
// the ErrStale is returned.
func (db *DB) Staged(ctx context.Context, stage, apply func(b Bulk) error) error {
	var err error
	for range stagedTries {
		err = db.RunJob(ctx, &Job{Stage: stage, Begin: func(b Bulk) (int64, error) { return 0, apply(b) }, PageCacheMB: 64})
		if !errors.Is(err, ErrStale) {
			return err
		}
	}
	return err
}

// stagingPrefix starts the names of the staging files beside a SQLite
// database.
const stagingPrefix = ".stage-"

// stageBeside runs job's stage in a transaction of a connection of its
// own, the staging file attached. Its BEGIN is deferred: the transaction
// writes the staging file alone, and never asks for the portal's write
// lock.
func (db *DB) stageBeside(ctx context.Context, job jobTx, stage func(b Bulk) error) error {
	side, err := openSQLite(db.sqlitePath, false, true)
	if err != nil {
		return fmt.Errorf("staging: %w", err)
	}
	defer side.Close()
	job.beside = true
	return db.bulkTx(ctx, bun.NewDB(side, sqlitedialect.New()), &job, stage)
}

// onlyStaged refuses a staging that audited: a job's staging writes its
// staging tables alone, and its apply the rest.
func (b Bulk) onlyStaged() error {
	if len(b.st.audit) > 0 {
		return errors.New("staging: a job's staging writes no audit record (its apply does)")
	}
	return nil
}

// attachStaging attaches the staging file to conn as "stage", creating it.
// Its journal is kept in memory and nothing is synced as it is written: a
// staging that fails is thrown away, and RunJob syncs the file of a job
// that may apply in parts, which outlives its process, once it is staged.
func attachStaging(ctx context.Context, conn bun.Conn, file string) error {
	if _, err := conn.ExecContext(ctx, "ATTACH DATABASE ? AS stage", file); err != nil {
		return fmt.Errorf("staging file: %w", err)
	}
	for _, q := range []string{"PRAGMA stage.journal_mode = MEMORY", "PRAGMA stage.synchronous = OFF"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("staging file: %w", err)
		}
	}
	return nil
}

// detachStaging detaches the staging file from conn before conn goes back
// to its pool; a connection that cannot detach it is closed instead, so
// that the next job's attach finds its name free.
func detachStaging(conn bun.Conn) {
	if _, err := conn.ExecContext(context.Background(), "DETACH DATABASE stage"); err != nil {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// CreateStaging makes the staging table name from def, either its columns
// ("(a INTEGER, …)") or a query ("AS SELECT …", with args): a temporary
// table on PostgreSQL (dropped at commit), a table of the staging file on
// SQLite when staging beside the writer (RunJob), and otherwise a temporary
// table that the end of b's transaction drops (SQLite keeps them past it).
// Queries name it without a schema.
func (b Bulk) CreateStaging(ctx context.Context, name, def string, args ...any) error {
	var q string
	switch {
	case b.beside:
		q = "CREATE TABLE stage." + name + " " + def
	case b.db.Dialect == Postgres && strings.HasPrefix(def, "AS "):
		q = "CREATE TEMP TABLE " + name + " ON COMMIT DROP " + def
	case b.db.Dialect == Postgres:
		q = "CREATE TEMP TABLE " + name + " " + def + " ON COMMIT DROP"
	default:
		q = "CREATE TEMP TABLE " + name + " " + def
		b.st.staging = append(b.st.staging, name)
	}
	if _, err := b.idb.NewRaw(q, args...).Exec(ctx); err != nil {
		return fmt.Errorf("staging table %s: %w", name, err)
	}
	return nil
}

// ReserveID reserves the id that the next row of table (its id from a
// sequence) will be inserted with, for a job whose staging writes rows
// that name that row before its Begin inserts it: on PostgreSQL, where
// the staging and the apply share one transaction, a staging may load its
// biggest table straight into place, sparing the second copy that a
// staging table costs. It returns 0 on SQLite, where only an insert under
// the writer makes an id: there such rows wait in a staging table.
func (b Bulk) ReserveID(ctx context.Context, table string) (int64, error) {
	if b.db.Dialect != Postgres {
		return 0, nil
	}
	var id int64
	if err := b.idb.NewRaw("SELECT nextval(pg_get_serial_sequence(?, 'id'))", table).Scan(ctx, &id); err != nil {
		return 0, fmt.Errorf("reserve an id of %s: %w", table, err)
	}
	return id, nil
}

// IndexStaging makes index name on columns ("a, b") of a staging table
// where the job's apply may go in parts (SQLite, staged beside the
// writer): a part that takes the rows of another staging table by a join
// finds them by it, instead of reading the whole table each part.
// Elsewhere the apply is whole, and one pass over the table is cheaper
// than the index.
func (b Bulk) IndexStaging(ctx context.Context, name, table, columns string) error {
	if !b.beside {
		return nil
	}
	if _, err := b.idb.NewRaw("CREATE INDEX stage." + name + " ON " + table + " (" + columns + ")").Exec(ctx); err != nil {
		return fmt.Errorf("staging index %s: %w", name, err)
	}
	return nil
}

// dropStaging drops the temporary staging tables of b's transaction, which
// SQLite would keep on the connection past it.
func (b Bulk) dropStaging(ctx context.Context) error {
	for _, t := range b.st.staging {
		if _, err := b.idb.ExecContext(ctx, "DROP TABLE temp."+t); err != nil {
			return fmt.Errorf("staging table %s: %w", t, err)
		}
	}
	b.st.staging = nil
	return nil
}

// removeStaleStaging removes the staging files beside the SQLite database
// at path that a process which died during a job left, a day old or more
// (a job still running is never that old), except those of jobs whose
// apply is under way (keep), which Resume finishes from them.
func removeStaleStaging(path string, keep []string) {
	old, _ := filepath.Glob(path + stagingPrefix + "*")
	for _, f := range old {
		if slices.Contains(keep, f) {
			continue
		}
		if fi, err := os.Stat(f); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
			_ = os.Remove(f)
		}
	}
}
