package store

import (
	"context"
	"fmt"
)

// mergeStepPages is how many pages one step of MergeSearch writes at most:
// a step is one short write transaction (a few tens of milliseconds), and
// other writers take their turns between steps.
const mergeStepPages = 500

// searchTables are SQLite's FTS5 tables: the requests', the names'
// (migration 20261223000001) and the profiles' (20261224000001).
var searchTables = []string{"requests_search", "request_names_search", "users_search"}

// MergeSearch merges the segments of SQLite's FTS5 search tables (see the
// migration search_merged_in_pairs), a bounded step per transaction, until
// a step finds nothing to merge, and returns how many steps did work.
// PostgreSQL needs nothing of the kind: its trigram indexes keep no pending
// list and autovacuum tends them.
func (db *DB) MergeSearch(ctx context.Context) (int, error) {
	if db.Dialect != SQLite {
		return 0, nil
	}
	var steps int
	for _, table := range searchTables {
		for {
			worked, err := db.mergeStep(ctx, table)
			if err != nil {
				return steps, fmt.Errorf("merge the search index %s: %w", table, err)
			}
			if !worked {
				break
			}
			steps++
		}
	}
	return steps, nil
}

// mergeStep runs one step of FTS5's merge of table in a transaction of its
// own, and reports whether it merged anything.
func (db *DB) mergeStep(ctx context.Context, table string) (worked bool, err error) {
	err = db.Tx(ctx, func(tx Conn) error {
		// FTS5 reports no count of its own: a step that merged
		// something changed two rows or more (FTS5's documentation).
		var before, after int64
		if err := tx.idb.QueryRowContext(ctx, "SELECT total_changes()").Scan(&before); err != nil {
			return err
		}
		// table is one of searchTables, never the user's.
		if _, err := tx.idb.ExecContext(ctx, "INSERT INTO "+table+"("+table+", rank) VALUES('merge', ?)", mergeStepPages); err != nil {
			return err
		}
		if err := tx.idb.QueryRowContext(ctx, "SELECT total_changes()").Scan(&after); err != nil {
			return err
		}
		worked = after-before >= 2
		return nil
	})
	return worked, err
}
