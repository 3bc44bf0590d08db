package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// A staged job stages from the portal's tables and applies from its
// staging tables; on SQLite other writes go on while it stages, and its
// staging file is gone after it, whatever its end.
func TestStaged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ptjNames := func() map[string]string {
			var rows []store.PTJ
			if err := db.IDB().NewSelect().Model(&rows).Scan(ctx); err != nil {
				t.Fatal(err)
			}
			m := map[string]string{}
			for _, p := range rows {
				m[p.Code] = p.Name
			}
			return m
		}
		if err := db.InsertPTJ(ctx, &store.PTJ{Code: "12010101", Name: "Perbendaharaan", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		// stage copies the PTJs' names, upper-cased, into a staging table,
		// writing a PTJ of its own through the writer meanwhile.
		stage := func(during func(b store.Bulk) error) func(b store.Bulk) error {
			return func(b store.Bulk) error {
				if err := b.CreateStaging(ctx, "ptj_staged", "AS SELECT code, UPPER(name) AS name FROM ptj"); err != nil {
					return err
				}
				if during != nil {
					return during(b)
				}
				return nil
			}
		}
		apply := func(b store.Bulk) error {
			_, err := b.IDB().ExecContext(ctx, "UPDATE ptj SET name = (SELECT s.name FROM ptj_staged s WHERE s.code = ptj.code) "+
				"WHERE code IN (SELECT code FROM ptj_staged)")
			return err
		}
		applyFails := func(b store.Bulk) error {
			if err := apply(b); err != nil {
				return err
			}
			return errors.New("apply fails")
		}
		staleOnce := func() func(b store.Bulk) error {
			tries := 0
			return func(b store.Bulk) error {
				if tries++; tries == 1 {
					return fmt.Errorf("the PTJs changed: %w", store.ErrStale)
				}
				return apply(b)
			}
		}
		writeBeside := func(store.Bulk) error {
			// On SQLite a write that waited for the writer would wait for
			// the job, which waits for this: the deadline names that.
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return db.Tx(wctx, func(tx store.Conn) error {
				return tx.InsertPTJ(wctx, &store.PTJ{Code: "12020202", Name: "Jabatan Kerja Raya", CreatedAt: time.Now()})
			})
		}
		steps := []struct {
			name   string
			during func(b store.Bulk) error
			apply  func(b store.Bulk) error
			want   map[string]string
			err    bool
		}{
			{"apply fails: nothing written", nil, applyFails, map[string]string{"12010101": "Perbendaharaan"}, true},
			{"stage fails: nothing written", func(store.Bulk) error { return errors.New("stage fails") }, apply,
				map[string]string{"12010101": "Perbendaharaan"}, true},
			{"stage audits: refused", func(b store.Bulk) error {
				return b.Audit(ctx, store.CLI, "ptj.rename", "ptj", "12010101", nil)
			}, apply, map[string]string{"12010101": "Perbendaharaan"}, true},
			{"staged and applied", nil, apply, map[string]string{"12010101": "PERBENDAHARAAN"}, false},
			{"stale once: staged again", nil, staleOnce(), map[string]string{"12010101": "PERBENDAHARAAN"}, false},
			{"a write while staging", writeBeside, apply,
				map[string]string{"12010101": "PERBENDAHARAAN", "12020202": "Jabatan Kerja Raya"}, false},
		}
		for _, s := range steps {
			err := db.Staged(ctx, stage(s.during), s.apply)
			if (err != nil) != s.err {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got := ptjNames(); fmt.Sprint(got) != fmt.Sprint(s.want) {
				t.Fatalf("%s: PTJs %v, want %v", s.name, got, s.want)
			}
			if files := store.StagingFiles(db); len(files) > 0 {
				t.Fatalf("%s: staging files left: %v", s.name, files)
			}
		}
		tries := 0
		err := db.Staged(ctx, stage(func(store.Bulk) error { tries++; return nil }), func(store.Bulk) error { return store.ErrStale })
		if !errors.Is(err, store.ErrStale) || tries != 3 {
			t.Fatalf("always stale: %v after %d stagings, want ErrStale after 3", err, tries)
		}
	})
}

// A staging file that a process which died during a job left is removed by
// the next start a day later; a newer one, perhaps a running job's, stays,
// and so does one of a job whose apply is under way, however old.
func TestStaleStagingRemovedAtStart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ispeks.db")
	old, fresh, applying := path+".stage-OLD", path+".stage-FRESH", path+".stage-APPLYING"
	db, err := store.Open(ctx, "sqlite:"+path, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IDB().ExecContext(ctx, `INSERT INTO jobs_applying (name, file, part_rows, through, last, started_at)
		VALUES ('payment-import-7', ?, 5000, 5000, 90000, ?)`, applying, time.Now().Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	dayAgo := time.Now().Add(-25 * time.Hour)
	for _, f := range []string{old, fresh, applying} {
		if err := os.WriteFile(f, []byte("staged rows"), 0o600); err != nil {
			t.Fatal(err)
		}
		if f != fresh {
			if err := os.Chtimes(f, dayAgo, dayAgo); err != nil {
				t.Fatal(err)
			}
		}
	}
	if db, err = store.Open(ctx, "sqlite:"+path, dir); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if files := store.StagingFiles(db); fmt.Sprint(files) != fmt.Sprint([]string{applying, fresh}) {
		t.Fatalf("staging files after start: %v, want %s and %s", files, applying, fresh)
	}
}
