package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// A job that asks for parts applies on SQLite in short write transactions,
// with the writer free between them; one stopped between two parts is
// finished by Resume from where it stopped, each row applied once.
// PostgreSQL applies it whole, in one transaction.
func TestJobInParts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i := range 10 {
			if err := db.InsertPTJ(ctx, &store.PTJ{Code: fmt.Sprintf("120101%02d", i), Name: fmt.Sprintf("Jabatan %d", i), CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		upper := func() int {
			// SQLite's LIKE ignores case.
			return storetest.Count(t, db, "ptj", "name = UPPER(name) AND name LIKE 'JABATAN%'")
		}
		// The job upper-cases the PTJs' names, three a part, and ends by
		// adding a PTJ; part fails when told to.
		var parts, ends, ended int
		var failAt int
		job := store.Job{
			Name: "ptj-upper",
			Stage: func(b store.Bulk) error {
				return b.CreateStaging(ctx, "ptj_staged", "AS SELECT code, UPPER(name) AS name FROM ptj WHERE code LIKE '120101%' ORDER BY code")
			},
			Begin: func(store.Bulk) (int64, error) { return 3, nil },
			Table: "ptj_staged",
			Part: func(b store.Bulk, p store.Part) error {
				if parts++; parts == failAt {
					return errors.New("the disk is full")
				}
				_, err := b.IDB().ExecContext(ctx, "UPDATE ptj SET name = (SELECT s.name FROM ptj_staged s WHERE s.code = ptj.code) "+
					"WHERE code IN (SELECT s.code FROM ptj_staged s WHERE "+p.Rows("s")+")")
				return err
			},
			End: func(b store.Bulk) error {
				ends++
				ended++
				return b.InsertPTJ(ctx, &store.PTJ{Code: fmt.Sprintf("999999%02d", ended), Name: "Akhir", CreatedAt: time.Now()})
			},
		}
		sqlite := db.Dialect == store.SQLite

		// Between two parts the writer is free and readers see the parts
		// so far.
		var between []string
		restore := store.SetPartLanded(func(name string, through int64) {
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			code := fmt.Sprintf("130000%02d", through)
			if err := db.InsertPTJ(wctx, &store.PTJ{Code: code, Name: "Baharu", CreatedAt: time.Now()}); err != nil {
				t.Errorf("a write after rows 1–%d: %v", through, err)
			}
			between = append(between, fmt.Sprintf("%d:%d", through, upper()))
		})
		defer restore()
		if err := db.RunJob(ctx, job); err != nil {
			t.Fatal(err)
		}
		want, wantParts := "[3:3 6:6 9:9 10:10]", 4
		if !sqlite {
			want, wantParts = "[]", 1
		}
		if fmt.Sprint(between) != want || parts != wantParts || ends != 1 || upper() != 10 {
			t.Fatalf("between parts %v (want %s), %d parts (want %d), %d ends, %d names upper", between, want, parts, wantParts, ends, upper())
		}
		noneLeft := func(when string) {
			t.Helper()
			if files := store.StagingFiles(db); len(files) > 0 {
				t.Fatalf("%s: staging files left: %v", when, files)
			}
			if names, err := db.JobsApplying(ctx, ""); err != nil || len(names) > 0 {
				t.Fatalf("%s: jobs applying %v, %v", when, names, err)
			}
		}
		noneLeft("after the job")
		if !sqlite {
			return
		}
		restore()

		// Stopped at its third part: two parts landed, the job is under
		// way, its file kept; another process holding it keeps Resume off.
		if _, err := db.IDB().ExecContext(ctx, "UPDATE ptj SET name = 'Jabatan ' || substr(code, 7) WHERE code LIKE '120101%'"); err != nil {
			t.Fatal(err)
		}
		job.Name, parts, ends, failAt = "ptj-upper-again", 0, 0, 3
		err := db.RunJob(ctx, job)
		if !errors.Is(err, store.ErrUnfinished) || !strings.Contains(err.Error(), "the disk is full") {
			t.Fatalf("a part that failed: %v, want ErrUnfinished with its cause", err)
		}
		if names, err := db.JobsApplying(ctx, "ptj-"); err != nil || fmt.Sprint(names) != "[ptj-upper-again]" {
			t.Fatalf("jobs applying: %v, %v", names, err)
		}
		if upper() != 6 || ends != 0 || len(store.StagingFiles(db)) != 1 {
			t.Fatalf("after the failed part: %d names upper (want 6), %d ends, files %v", upper(), ends, store.StagingFiles(db))
		}
		if ok, err := db.TakeLease(ctx, "job:ptj-upper-again", "another process", time.Now().Add(time.Minute)); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if err := db.Resume(ctx, job); !errors.Is(err, store.ErrJobBusy) {
			t.Fatalf("resume of a job another process holds: %v, want ErrJobBusy", err)
		}
		if err := db.ReleaseLease(ctx, "job:ptj-upper-again", "another process"); err != nil {
			t.Fatal(err)
		}
		parts, failAt = 0, 0
		if err := db.Resume(ctx, job); err != nil {
			t.Fatal(err)
		}
		if upper() != 10 || parts != 2 || ends != 1 {
			t.Fatalf("resumed: %d names upper (want 10), %d parts (want 2), %d ends", upper(), parts, ends)
		}
		noneLeft("resumed")
		if n := storetest.Count(t, db, "job_leases", "name LIKE 'job:%'"); n != 0 {
			t.Fatalf("%d leases of jobs left after them", n)
		}
		if err := db.Resume(ctx, job); err != nil || parts != 2 {
			t.Fatalf("a job resumed again: %v, %d parts", err, parts)
		}

		// A Begin that refuses leaves everything as it was.
		job.Name = "ptj-refused"
		job.Begin = func(store.Bulk) (int64, error) { return 0, errors.New("refused") }
		if err := db.RunJob(ctx, job); err == nil || errors.Is(err, store.ErrUnfinished) {
			t.Fatalf("a refused job: %v", err)
		}
		noneLeft("refused")
	})
}
