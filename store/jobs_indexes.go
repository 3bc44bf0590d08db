package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// unindexedIndex is a row of jobs_indexes: an index that job dropped, and
// the statement that builds it again.
type unindexedIndex struct {
	bun.BaseModel `bun:"table:jobs_indexes"`

	Job        string `bun:"job,pk"`
	Seq        int    `bun:"seq,pk"`
	Name       string `bun:"index_name"`
	Definition string `bun:"definition"`
}

// dropIndexes drops the secondary indexes of tables (not the primary key
// nor a unique one, which the rows' writes rely on) for job's apply, in
// b's transaction, and records each one's definition, read from the
// catalogue so that the migrations stay their one source, to be built
// again by buildIndexes, in the order they were made (on PostgreSQL their
// oids', on SQLite their rows' in its catalogue).
func (b Bulk) dropIndexes(ctx context.Context, job string, tables []string) error {
	if len(tables) == 0 {
		return nil
	}
	if job == "" {
		return fmt.Errorf("drop indexes of %v: the job has no name", tables)
	}
	idb := b.IDB()
	seq := 0
	for _, table := range tables {
		var defs []string
		q := "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY rowid"
		if b.db.Dialect == Postgres {
			q = `SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
				WHERE i.indrelid = ?::regclass AND NOT i.indisprimary AND NOT i.indisunique ORDER BY i.indexrelid`
		}
		if err := idb.NewRaw(q, table).Scan(ctx, &defs); err != nil {
			return fmt.Errorf("indexes of %s: %w", table, err)
		}
		for _, d := range defs {
			// CREATE INDEX [IF NOT EXISTS] name ON …
			f := strings.Fields(d)
			if len(f) > 5 && strings.EqualFold(f[2], "IF") {
				f = append(f[:2], f[5:]...)
			}
			if len(f) < 3 || !strings.EqualFold(f[1], "INDEX") {
				return fmt.Errorf("indexes of %s: cannot read %q", table, d)
			}
			seq++
			ix := unindexedIndex{Job: job, Seq: seq, Name: f[2], Definition: d}
			if _, err := idb.NewInsert().Model(&ix).Exec(ctx); err != nil {
				return fmt.Errorf("drop index %s: %w", ix.Name, err)
			}
			if _, err := idb.ExecContext(ctx, "DROP INDEX "+ix.Name); err != nil {
				return fmt.Errorf("drop index %s: %w", ix.Name, err)
			}
		}
	}
	return nil
}

// buildIndexes builds again, in b's transaction, up to n (all if n is 0)
// of the indexes job dropped, and returns how many are left to build.
func (b Bulk) buildIndexes(ctx context.Context, job string, n int) (left int, err error) {
	var todo []unindexedIndex
	if err := b.IDB().NewSelect().Model(&todo).Where("job = ?", job).Order("seq").Scan(ctx); err != nil {
		return 0, fmt.Errorf("indexes of job %s: %w", job, err)
	}
	if n == 0 || n > len(todo) {
		n = len(todo)
	}
	if n > 0 && b.db.Dialect == Postgres {
		// Sorted in memory, not in temporary files.
		if _, err := b.IDB().ExecContext(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
			return 0, err
		}
	}
	for _, ix := range todo[:n] {
		if _, err := b.IDB().ExecContext(ctx, ix.Definition); err != nil {
			return 0, fmt.Errorf("build index %s: %w", ix.Name, err)
		}
		if _, err := b.IDB().NewDelete().Model(&ix).WherePK().Exec(ctx); err != nil {
			return 0, fmt.Errorf("build index %s: %w", ix.Name, err)
		}
	}
	return len(todo) - n, nil
}

// indexesToBuild is how many indexes job dropped and has yet to build.
func (db *DB) indexesToBuild(ctx context.Context, job string) (int, error) {
	n, err := db.bun.NewSelect().Model((*unindexedIndex)(nil)).Where("job = ?", job).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("indexes of job %s: %w", job, err)
	}
	return int(n), nil
}
