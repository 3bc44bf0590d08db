package store

import (
	"context"
	"fmt"
)

// mergeStepPages is how many pages one step of MergeSearch writes at most:
// a step is one short write transaction (a few tens of milliseconds), and
// other writers take their turns between steps.
const mergeStepPages = 500

// MergeSearch merges the segments of SQLite's FTS5 search table (see the
// migration search_merged_in_pairs), a bounded step per transaction, until
// a step finds nothing to merge, and returns how many steps did work.
// PostgreSQL needs nothing of the kind: its trigram indexes keep no pending
// list and autovacuum tends them.
func (db *DB) MergeSearch(ctx context.Context) (int, error) {
	if db.Dialect != SQLite {
		return 0, nil
	}
	for steps := 0; ; steps++ {
		var worked bool
		err := db.Tx(ctx, func(tx Conn) error {
			// FTS5 reports no count of its own: a step that merged
			// something changed two rows or more (FTS5's documentation).
			var before, after int64
			if err := tx.idb.QueryRowContext(ctx, "SELECT total_changes()").Scan(&before); err != nil {
				return err
			}
			if _, err := tx.idb.ExecContext(ctx, "INSERT INTO requests_search(requests_search, rank) VALUES('merge', ?)", mergeStepPages); err != nil {
				return err
			}
			if err := tx.idb.QueryRowContext(ctx, "SELECT total_changes()").Scan(&after); err != nil {
				return err
			}
			worked = after-before >= 2
			return nil
		})
		if err != nil {
			return steps, fmt.Errorf("merge the search index: %w", err)
		}
		if !worked {
			return steps, nil
		}
	}
}
