package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// A job that asks for parts applies them on SQLite in one write
// transaction until a write waits for the writer: the parts so far then
// land, and the write goes before the next part. One stopped between two
// parts is finished by Resume from where it stopped, each row applied
// once. PostgreSQL applies it whole, in one transaction.
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
		sqlite := db.Dialect == store.SQLite
		// writeDuring, in the first parts, has a write wait for the writer
		// (on SQLite), and checks that the last part's write went first.
		var parts, ends, ended, failAt, writeIn int
		writes := map[int]chan error{}
		writeDuring := func(b store.Bulk) error {
			if prev, ok := writes[parts-1]; ok {
				if err := <-prev; err != nil {
					return err
				}
				var n int
				if err := b.IDB().NewRaw("SELECT COUNT(*) FROM ptj WHERE code = ?", fmt.Sprintf("130000%02d", parts-1)).Scan(ctx, &n); err != nil || n != 1 {
					return fmt.Errorf("part %d: the write that waited during part %d: %d rows, %v", parts, parts-1, n, err)
				}
			}
			if !sqlite || parts > writeIn {
				return nil
			}
			done, code := make(chan error, 1), fmt.Sprintf("130000%02d", parts)
			writes[parts] = done
			go func() {
				done <- db.Tx(ctx, func(tx store.Conn) error {
					return tx.InsertPTJ(ctx, &store.PTJ{Code: code, Name: "Baharu", CreatedAt: time.Now()})
				})
			}()
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
				if _, waiting, _ := db.Transactions(); waiting > 0 {
					return nil
				}
			}
			return errors.New("the write never waited")
		}
		// The job upper-cases the PTJs' names, three a part, and ends by
		// adding a PTJ; part fails when told to.
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
				if err := writeDuring(b); err != nil {
					return err
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

		// A write comes during each of the first two parts: three
		// transactions land, rows 1–3, 4–6, and 7–10 with the end.
		var landed []string
		restore := store.SetPartLanded(func(name string, through int64) {
			landed = append(landed, fmt.Sprintf("%d:%d", through, upper()))
		})
		defer restore()
		writeIn = 2
		if err := db.RunJob(ctx, &job); err != nil {
			t.Fatal(err)
		}
		want, wantParts := "[3:3 6:6 10:10]", 4
		if !sqlite {
			want, wantParts = "[]", 1
		}
		if fmt.Sprint(landed) != want || parts != wantParts || ends != 1 || upper() != 10 {
			t.Fatalf("landed %v (want %s), %d parts (want %d), %d ends, %d names upper", landed, want, parts, wantParts, ends, upper())
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

		// Stopped at its third part, after writes came during the first
		// two: two parts landed, the job is under way, its file kept;
		// another process holding it keeps Resume off.
		if _, err := db.IDB().ExecContext(ctx, "UPDATE ptj SET name = 'Jabatan ' || substr(code, 7) WHERE code LIKE '120101%'; "+
			"DELETE FROM ptj WHERE code LIKE '130000%'"); err != nil {
			t.Fatal(err)
		}
		job.Name, parts, ends, failAt, writes = "ptj-upper-again", 0, 0, 3, map[int]chan error{}
		err := db.RunJob(ctx, &job)
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
		// Resumed with no write waiting: its last two parts in one
		// transaction.
		if err := <-writes[2]; err != nil {
			t.Fatal(err)
		}
		parts, failAt, writeIn, writes = 0, 0, 0, map[int]chan error{}
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
		if err := db.RunJob(ctx, &job); err == nil || errors.Is(err, store.ErrUnfinished) {
			t.Fatalf("a refused job: %v", err)
		}
		noneLeft("refused")
	})
}

// A job may write its rows without a table's secondary indexes
// (Job.Unindexed): they are dropped with its Begin and built again from
// their own definitions before its End, on SQLite each in a transaction of
// its own, so that a write beside them waits for one build. Stopped
// midway, the job builds the rest when it is resumed, or when it is
// abandoned (its rows undone a share a transaction); on PostgreSQL a
// failure undoes the drop with the rest.
func TestJobBuildsItsIndexesApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		sqlite := db.Dialect == store.SQLite
		for _, q := range []string{
			"CREATE TABLE job_rows (id BIGINT PRIMARY KEY, k VARCHAR(10) NOT NULL, v VARCHAR(100) NOT NULL)",
			"CREATE INDEX job_rows_k ON job_rows (k)",
			"CREATE INDEX IF NOT EXISTS job_rows_v ON job_rows (v, id)", // as a migration may write it
		} {
			if _, err := db.IDB().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 10 {
			if err := db.InsertPTJ(ctx, &store.PTJ{Code: fmt.Sprintf("120101%02d", i), Name: fmt.Sprintf("Jabatan %d", i), CreatedAt: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
		// indexes are job_rows's secondary indexes' definitions, as idb
		// sees them.
		indexes := func(idb bun.IDB) string {
			q := "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'job_rows' AND sql IS NOT NULL ORDER BY name"
			if !sqlite {
				q = "SELECT indexdef FROM pg_indexes WHERE tablename = 'job_rows' AND indexname <> 'job_rows_pkey' ORDER BY indexname"
			}
			var defs []string
			if err := idb.NewRaw(q).Scan(ctx, &defs); err != nil {
				t.Fatal(err)
			}
			return strings.Join(defs, "; ")
		}
		built := indexes(db.IDB())
		var during string
		var failPart, waitIn, parts int
		var failEnd bool
		job := store.Job{
			Name: "rows",
			Stage: func(b store.Bulk) error {
				return b.CreateStaging(ctx, "rows_staged", "AS SELECT code AS k, name AS v FROM ptj WHERE code LIKE '120101%' ORDER BY code")
			},
			Begin:     func(store.Bulk) (int64, error) { return 3, nil },
			Table:     "rows_staged",
			Unindexed: []string{"job_rows"},
			Part: func(b store.Bulk, p store.Part) error {
				if parts++; parts == failPart {
					return errors.New("the disk is full")
				}
				if waitIn == parts {
					storetest.WaitingWrite(t, db) // so that this part lands before the next
				}
				during = indexes(b.IDB())
				_, err := b.IDB().ExecContext(ctx, "INSERT INTO job_rows (id, k, v) SELECT CAST(SUBSTR(s.k, 7) AS BIGINT), s.k, s.v FROM rows_staged s WHERE "+p.Rows("s"))
				return err
			},
			End: func(store.Bulk) error {
				if failEnd {
					return errors.New("the mail queue is full")
				}
				return nil
			},
		}
		rows := func() int { return storetest.Count(t, db, "job_rows", "1 = 1") }
		left := func() int { return storetest.Count(t, db, "jobs_indexes", "1 = 1") }

		// Its End fails: PostgreSQL undoes it all, the indexes kept; on
		// SQLite the rows and the first index have landed, the job is
		// under way.
		failEnd = true
		err := db.RunJob(ctx, &job)
		if during != "" {
			t.Fatalf("the parts saw the indexes %q", during)
		}
		if !sqlite {
			if err == nil || indexes(db.IDB()) != built || rows() != 0 || left() != 0 {
				t.Fatalf("a failed job on PostgreSQL: %v; indexes %q, %d rows, %d to build", err, indexes(db.IDB()), rows(), left())
			}
			failEnd = false
			if err := db.RunJob(ctx, &job); err != nil {
				t.Fatal(err)
			}
			if during != "" || indexes(db.IDB()) != built || rows() != 10 || left() != 0 {
				t.Fatalf("the job on PostgreSQL: indexes during %q, after %q, %d rows, %d to build", during, indexes(db.IDB()), rows(), left())
			}
			return
		}
		if !errors.Is(err, store.ErrUnfinished) || !strings.Contains(err.Error(), "the mail queue is full") {
			t.Fatalf("an End that failed: %v, want ErrUnfinished with its cause", err)
		}
		if got := indexes(db.IDB()); rows() != 10 || !strings.Contains(got, "job_rows_k") || strings.Contains(got, "job_rows_v") || left() != 1 {
			t.Fatalf("stopped at its End: %d rows, indexes %q, %d to build", rows(), got, left())
		}
		failEnd = false
		if err := db.Resume(ctx, job); err != nil {
			t.Fatal(err)
		}
		if indexes(db.IDB()) != built || rows() != 10 || left() != 0 {
			t.Fatalf("resumed: indexes %q (want %q), %d rows, %d to build", indexes(db.IDB()), built, rows(), left())
		}
		if names, err := db.JobsApplying(ctx, ""); err != nil || len(names) > 0 || len(store.StagingFiles(db)) > 0 {
			t.Fatalf("after the job: jobs applying %v, %v, files %v", names, err, store.StagingFiles(db))
		}

		// Stopped in its second part and abandoned: its rows go, its
		// indexes come back.
		if _, err := db.IDB().ExecContext(ctx, "DELETE FROM job_rows"); err != nil {
			t.Fatal(err)
		}
		job.Name, parts, failPart, waitIn = "rows-abandoned", 0, 2, 1
		if err := db.RunJob(ctx, &job); !errors.Is(err, store.ErrUnfinished) {
			t.Fatalf("a part that failed: %v, want ErrUnfinished", err)
		}
		if got := indexes(db.IDB()); got != "" || rows() != 3 || left() != 2 {
			t.Fatalf("stopped in its second part: indexes %q, %d rows, %d to build", got, rows(), left())
		}
		// A share of two rows a transaction: its three rows in two.
		defer store.SetAbandonShare(2)()
		var shares []int64
		err = db.AbandonJob(ctx, job.Name, func(b store.Bulk) (bool, error) {
			n, all, err := b.DeleteShare(ctx, "job_rows", "id", "k LIKE ?", "120101%")
			shares = append(shares, n)
			return all, err
		})
		if err != nil || fmt.Sprint(shares) != "[2 1]" || indexes(db.IDB()) != built || rows() != 0 || left() != 0 {
			t.Fatalf("abandoned: %v; shares %v, indexes %q, %d rows, %d to build", err, shares, indexes(db.IDB()), rows(), left())
		}
	})
}

// A job abandoned between ResumeJobs's list and its read of the job's own
// row (an import's, gone with the abandonment) is not an error of the
// finishing loop: there is nothing to finish.
func TestResumeJobsSkipsAJobAbandonedMeanwhile(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	if _, err := db.IDB().ExecContext(ctx, `INSERT INTO jobs_applying (name, file, part_rows, through, last, started_at)
		VALUES ('gone-7', '/nowhere', 2000, 2000, 90000, ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	done, err := db.ResumeJobs(ctx, "gone-", func(id int64) (store.Job, error) {
		return store.Job{}, fmt.Errorf("import %d: %w", id, sql.ErrNoRows)
	})
	if err != nil || len(done) > 0 {
		t.Fatalf("a job abandoned meanwhile: finished %v, %v", done, err)
	}
}

// A backup waits while a job's apply is under way: a copy of it would hold
// the job half applied without the staging file that finishes it.
func TestBackupWaitsForAJobApplying(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	ctx := context.Background()
	defer store.SetBackupPoll(5 * time.Millisecond)()
	if _, err := db.IDB().ExecContext(ctx, `INSERT INTO jobs_applying (name, file, part_rows, through, last, started_at)
		VALUES ('payment-import-7', '/nowhere', 2000, 2000, 90000, ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	done := make(chan error, 1)
	go func() { done <- db.Backup(ctx, path) }()
	select {
	case err := <-done:
		t.Fatalf("a backup while a job applies: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a copy was left while the job applies")
	}
	if _, err := db.IDB().ExecContext(ctx, "DELETE FROM jobs_applying"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no copy once the job ended: %v", err)
	}
}

// A job's parts on SQLite leave the writer free at least every jobSlice,
// for a while, even when no write of their process waits, while another
// process has the file open: its write, which waits in SQLite's busy
// handler unseen, lands before the job ends. Alone, the job's parts share
// one transaction.
func TestJobYieldsToAnotherProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ispeks.db")
	open := func() *store.DB {
		db, err := store.Open(ctx, "sqlite:"+path, dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	defer db.Close()
	for i := range 10 {
		if err := db.InsertPTJ(ctx, &store.PTJ{Code: fmt.Sprintf("120101%02d", i), Name: "Jabatan", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	defer store.SetJobSlice(50*time.Millisecond, 150*time.Millisecond)()
	landed := 0
	defer store.SetPartLanded(func(string, int64) { landed++ })()
	var other *store.DB
	wrote := make(chan error, 1)
	parts := 0
	job := func(name string) *store.Job {
		parts = 0
		return &store.Job{
			Name: name,
			Stage: func(b store.Bulk) error {
				return b.CreateStaging(ctx, "ptj_staged", "AS SELECT code FROM ptj WHERE code LIKE '120101%' ORDER BY code")
			},
			Begin: func(store.Bulk) (int64, error) { return 1, nil },
			Table: "ptj_staged",
			Part: func(b store.Bulk, p store.Part) error {
				if parts++; parts == 1 && other != nil {
					go func() {
						wrote <- other.Tx(ctx, func(tx store.Conn) error {
							return tx.InsertPTJ(ctx, &store.PTJ{Code: "13000000", Name: "Proses lain", CreatedAt: time.Now()})
						})
					}()
				}
				time.Sleep(30 * time.Millisecond) // a part's work
				_, err := b.IDB().ExecContext(ctx, "UPDATE ptj SET name = 'JABATAN' WHERE code IN (SELECT code FROM ptj_staged s WHERE "+p.Rows("s")+")")
				return err
			},
			End: func(b store.Bulk) error {
				if other == nil {
					return nil
				}
				var n int
				if err := b.IDB().NewRaw("SELECT COUNT(*) FROM ptj WHERE code = '13000000'").Scan(ctx, &n); err != nil {
					return err
				}
				if n != 1 {
					return errors.New("the other process's write has not landed by the job's end")
				}
				return nil
			},
		}
	}
	if err := db.RunJob(ctx, job("alone")); err != nil || parts != 10 || landed != 1 {
		t.Fatalf("alone: %v, %d parts in %d transactions, want 10 in 1", err, parts, landed)
	}

	other = open()
	defer other.Close()
	if err := db.RunJob(ctx, job("beside")); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatalf("the other process's write: %v", err)
	}
	if parts != 10 {
		t.Fatalf("%d parts, want 10", parts)
	}
}

// A write waits for another process's write lock (a job of `ispeks import`
// applied whole beside `serve`) longer than SQLite's usual 10 s busy
// timeout, in line, instead of failing with "database is locked".
func TestWriterWaitsForAnotherProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "ispeks.db")
	var dbs []*store.DB
	for range 2 {
		db, err := store.Open(ctx, "sqlite:"+path, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, db)
	}
	release := storetest.HoldWriter(t, dbs[0])
	wrote := make(chan error, 1)
	go func() {
		wrote <- dbs[1].Tx(ctx, func(tx store.Conn) error {
			return tx.InsertPTJ(ctx, &store.PTJ{Code: "13000000", Name: "Proses lain", CreatedAt: time.Now()})
		})
	}()
	time.Sleep(10500 * time.Millisecond) // past the old busy timeout
	release()
	if err := <-wrote; err != nil {
		t.Fatalf("a write that waited for another process's lock: %v", err)
	}
	if n := storetest.Count(t, dbs[0], "ptj", "code = '13000000'"); n != 1 {
		t.Fatalf("%d rows of the waiting write", n)
	}
}
