package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
)

// A Job is a long job (an import of a million lines) that reads much and
// writes much. Its Stage reads the portal's tables and writes only staging
// tables (made with CreateStaging); its apply then writes the portal's
// tables from them: Begin, then Part over the rows of its staging Table,
// then End.
//
// On PostgreSQL the whole job runs in one transaction (BulkTx): there
// writers wait only for the rows they share. On SQLite every write of the
// process waits for its one writer, which a job of a million rows held for
// its whole length. There RunJob stages beside the writer, on a connection
// of its own that reads the portal as it stood when Stage began (WAL) and
// writes a staging file next to the database; the apply alone takes the
// writer, with that file attached. When Begin asks for parts, the apply is
// shared out in parts of that many staging rows, which follow one another
// in one write transaction until another write waits for the writer: the
// parts so far then land, and that write goes before the next part, so
// that it waits for one part and not for the job. The job's row in
// jobs_applying, written with Begin and removed with End, says how far it
// got, so that a job whose process died between two parts is finished by
// Resume, from the staging file it kept. Once parts have landed, readers
// see the job's rows so far: a job that asks for parts must leave the
// portal whole (if not yet up to date) after each of them.
type Job struct {
	// Name names a job that may apply in parts, among the jobs whose apply
	// is under way (at most 64 characters, never reused: an import's id in
	// it). A job applied whole needs none. Begin may set it (through the
	// *Job that RunJob was given) when its first write makes the id.
	Name string
	// Stage reads the portal and writes the staging tables, and the rows
	// that name an id it reserved (Bulk.ReserveID, PostgreSQL alone).
	Stage func(b Bulk) error
	// Begin starts the apply under the writer: it checks what Stage relied
	// on (returning an error, ErrStale or its own, leaves everything as it
	// was) and may write. It returns how many rows of Table each part
	// applies, the longest another write may wait for; 0 applies the whole
	// job in Begin's transaction.
	Begin func(b Bulk) (partRows int64, err error)
	// Table is the staging table whose rows the parts share out.
	Table string
	// Part applies the rows of Table that p selects; nil when Begin does
	// all.
	Part func(b Bulk, p Part) error
	// End finishes the apply, in the last part's transaction; may be nil.
	End func(b Bulk) error
	// Unindexed names the tables whose secondary indexes the apply drops
	// after Begin, to write many rows without them, and builds again from
	// their own definitions after the last part, before End: sorted once,
	// an index is built many times faster than written row by row. On
	// SQLite each is built in a transaction of its own (a write beside it
	// waits for one index's build); readers meanwhile find the tables'
	// rows without them, slowly. Stage may set it (through the *Job that
	// RunJob was given); a job with Unindexed needs a Name.
	Unindexed []string
	// PageCacheMB is the page cache (SQLite) of each of the job's
	// transactions, in MB; 0 keeps SQLite's 2 MB. A job that sorts and
	// indexes many rows of the portal runs faster with more (eMaklum's
	// import, eEC's generation: 64); one that appends (the payroll import)
	// only grows.
	PageCacheMB int
}

// Part is the share of a Job's staging table that one transaction
// applies: the rows from and to by rowid, or the whole table.
type Part struct{ from, to int64 }

// Whole reports whether p is the whole staging table, as on PostgreSQL
// always.
func (p Part) Whole() bool { return p.to == 0 }

// Rows is the condition that keeps p's rows of the staging table called
// (or aliased) t.
func (p Part) Rows(t string) string {
	if p.Whole() {
		return "1 = 1"
	}
	return fmt.Sprintf("%s.rowid BETWEEN %d AND %d", t, p.from, p.to)
}

// ErrUnfinished is what RunJob returns, wrapping the cause, when a job's
// apply failed after its Begin had landed: the job is under way, the parts
// that landed in the portal, and Resume finishes it.
var ErrUnfinished = errors.New("store: the job stopped between two parts of its apply and is to be resumed")

// ErrJobBusy is what Resume returns when another process is applying the
// job (it holds the job's lease).
var ErrJobBusy = errors.New("store: another process is applying the job")

// jobLease is how long a job's apply holds its lease past its last part:
// a process that died holding it frees the job for Resume when it ends.
const jobLease = 2 * time.Minute

// RunJob runs job j: its staging, then its apply, whole or in parts (see
// Job). An error from Stage or Begin leaves the portal as it was; an
// error after a Begin that asked for parts landed is ErrUnfinished.
func (db *DB) RunJob(ctx context.Context, j *Job) error {
	if db.sqlitePath == "" { // PostgreSQL, or SQLite in memory: one pool
		return db.BulkTx(ctx, func(b Bulk) error {
			if err := j.Stage(b); err != nil {
				return err
			}
			if err := b.onlyStaged(); err != nil {
				return err
			}
			if _, err := j.Begin(b); err != nil {
				return err
			}
			if err := b.dropIndexes(ctx, j.Name, j.Unindexed); err != nil {
				return err
			}
			return j.finish(ctx, b, Part{})
		})
	}
	file := db.sqlitePath + stagingPrefix + rand.Text()
	parted := false
	defer func() {
		if !parted {
			os.Remove(file)
		}
	}()
	jt := jobTx{file: file, cacheMB: j.PageCacheMB}
	if err := db.stageBeside(ctx, jt, j.Stage); err != nil {
		return err
	}
	if j.Part != nil {
		// A job that may run in parts outlives its process in this file.
		if err := syncFile(file); err != nil {
			return err
		}
	}
	holder := rand.Text()
	var w applying
	err := db.bulkTx(ctx, db.bun, &jt, func(b Bulk) error {
		rows, err := j.Begin(b)
		if err != nil {
			return err
		}
		if err := b.dropIndexes(ctx, j.Name, j.Unindexed); err != nil {
			return err
		}
		var last int64
		if rows > 0 {
			if err := b.IDB().NewRaw("SELECT COALESCE(MAX(rowid), 0) FROM stage."+j.Table).Scan(ctx, &last); err != nil {
				return fmt.Errorf("job %s: %w", j.Name, err)
			}
		}
		if last <= rows { // applied whole
			return j.finish(ctx, b, Part{})
		}
		parted = true
		w = applying{Name: j.Name, File: file, PartRows: rows, Last: last, StartedAt: db.Now()}
		if _, err := b.IDB().NewInsert().Model(&w).Exec(ctx); err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
		return b.holdJob(ctx, j.Name, holder)
	})
	if err != nil {
		parted = false
		return err
	}
	if !parted {
		return nil
	}
	return db.applyParts(ctx, *j, &w, holder)
}

// applying is a job's row in jobs_applying: its staging file, how many rows
// each part applies, and the last row applied (through) of the last.
type applying struct {
	bun.BaseModel `bun:"table:jobs_applying"`

	Name      string    `bun:"name,pk"`
	File      string    `bun:"file"`
	PartRows  int64     `bun:"part_rows"`
	Through   int64     `bun:"through"`
	Last      int64     `bun:"last"`
	StartedAt time.Time `bun:"started_at"`
}

// finish applies p of the job, builds the indexes it dropped and ends it,
// in b's transaction.
func (j Job) finish(ctx context.Context, b Bulk, p Part) error {
	if j.Part != nil {
		if err := j.Part(b, p); err != nil {
			return err
		}
	}
	if len(j.Unindexed) > 0 {
		if _, err := b.buildIndexes(ctx, j.Name, 0); err != nil {
			return err
		}
	}
	if j.End != nil {
		return j.End(b)
	}
	return nil
}

// holdJob takes (or keeps) the lease of job name's apply for holder, in
// b's transaction: a lease someone else took means this apply lost it.
func (b Bulk) holdJob(ctx context.Context, name, holder string) error {
	held, err := b.TakeLease(ctx, "job:"+name, holder, b.now().Add(jobLease))
	if err != nil {
		return err
	}
	if !held {
		return fmt.Errorf("job %s: %w", name, ErrJobBusy)
	}
	return nil
}

// jobSlice is the longest a job's parts hold SQLite's writer in one
// transaction while another process has the file open (othersWrite) and
// no write of this process waits: a write of that process (`serve`
// beside `ispeks import`, or the other way round) waits in SQLite's busy
// handler, which this process cannot see, and fails past its busy
// timeout. jobPause is how long the job then leaves the writer free before
// its next part: longer than the busy handler's longest sleep between two
// tries (100 ms), so that such a write gets in. Alone, a job does not
// slice: each commit costs (a later eMaklum file of 100,000 lines took
// 18–21 s sliced, 14 s not).
var jobSlice, jobPause = time.Second, 150 * time.Millisecond

// applyParts applies the parts of job j from the one after w.Through,
// builds the indexes it dropped (Job.Unindexed), and then ends it (End,
// and the job's row and lease removed). Parts follow one another in one
// write transaction until a write of this process waits for the writer,
// or for jobSlice while another process is there: the transaction then
// records how far it got and commits, and the write goes before the next
// part (after jobPause, for another process's). A part's lines cost
// several times what they cost in a longer transaction (each commit
// writes out every index page the part touched), so the job yields only
// when it must. Each index is built in a transaction of its own, the last
// with End. The staging file goes at the end.
func (db *DB) applyParts(ctx context.Context, j Job, w *applying, holder string) error {
	unfinished := func(err error) error {
		// Free the job for Resume now, not when the lease runs out.
		_ = db.ReleaseLease(context.WithoutCancel(ctx), "job:"+j.Name, holder)
		return fmt.Errorf("%w: job %s, past row %d: %w", ErrUnfinished, j.Name, w.Through, err)
	}
	unbuilt, err := db.indexesToBuild(ctx, j.Name)
	if err != nil {
		return unfinished(err)
	}
	// land runs fn in one of the job's write transactions, under its lease
	// (renewed: no other process's Resume takes the job while the
	// transaction lasts, nor after it).
	land := func(fn func(b Bulk) error) error {
		err := db.bulkTx(ctx, db.bun, &jobTx{file: w.File, cacheMB: j.PageCacheMB}, func(b Bulk) error {
			if err := b.holdJob(ctx, j.Name, holder); err != nil {
				return err
			}
			return fn(b)
		})
		if err != nil {
			return unfinished(err)
		}
		return nil
	}
	// pause leaves the writer free for another process's write.
	pause := func() {
		select {
		case <-ctx.Done():
		case <-time.After(jobPause):
		}
	}
	ended := false
	for w.Through < w.Last {
		through, sliced := w.Through, false
		slice := time.Duration(math.MaxInt64)
		if db.othersWrite(ctx) {
			slice = jobSlice
		}
		err := land(func(b Bulk) error {
			waited, began := db.bun.Stats().WaitCount, time.Now()
			for first := true; ; first = false {
				if !first {
					if err := b.holdJob(ctx, j.Name, holder); err != nil {
						return err
					}
				}
				p := Part{from: through + 1, to: min(through+w.PartRows, w.Last)}
				if err := j.Part(b, p); err != nil {
					return err
				}
				through = p.to
				if through == w.Last && unbuilt == 0 {
					ended = true
					return db.endJob(ctx, b, j, holder)
				}
				waiting := db.txWaiting.Load() > 0 || db.bun.Stats().WaitCount > waited
				sliced = !waiting && time.Since(began) >= slice
				if through == w.Last || waiting || sliced {
					_, err := b.IDB().NewUpdate().Model((*applying)(nil)).Set("through = ?", through).Where("name = ?", j.Name).Exec(ctx)
					return err
				}
			}
		})
		if err != nil {
			return err
		}
		w.Through = through
		if partLanded != nil {
			partLanded(j.Name, through)
		}
		if sliced {
			pause()
		}
	}
	// The indexes the job dropped, one a transaction: a write waits for
	// one index's build, not for them all.
	for !ended {
		err := land(func(b Bulk) error {
			if unbuilt > 0 {
				left, err := b.buildIndexes(ctx, j.Name, 1)
				if err != nil {
					return err
				}
				if unbuilt = left; left > 0 {
					return nil
				}
			}
			ended = true
			return db.endJob(ctx, b, j, holder)
		})
		if err != nil {
			return err
		}
		if !ended && db.othersWrite(ctx) {
			pause()
		}
	}
	os.Remove(w.File)
	return nil
}

// endJob ends job j in b's transaction: its End, its row, its lease.
func (db *DB) endJob(ctx context.Context, b Bulk, j Job, holder string) error {
	if j.End != nil {
		if err := j.End(b); err != nil {
			return err
		}
	}
	if _, err := b.IDB().NewDelete().Model((*applying)(nil)).Where("name = ?", j.Name).Exec(ctx); err != nil {
		return err
	}
	return b.EndLease(ctx, "job:"+j.Name, holder)
}

// JobsApplying lists the names of the jobs, starting with prefix, whose
// apply is under way: in another process now, or stopped between two parts
// when its process died, for Resume.
func (db *DB) JobsApplying(ctx context.Context, prefix string) ([]string, error) {
	var names []string
	if err := db.read.NewSelect().Model((*applying)(nil)).Column("name").
		Where("name LIKE ?", prefix+"%").Order("name").Scan(ctx, &names); err != nil {
		return nil, fmt.Errorf("jobs applying: %w", err)
	}
	return names, nil
}

// Resume finishes the apply of job j.Name (its Part and End; neither Stage
// nor Begin runs again) from the part after the last that landed, if it is
// under way and no other process holds it (ErrJobBusy).
func (db *DB) Resume(ctx context.Context, j Job) error {
	// The lease first: where the job got to is read once no other
	// process may move it on.
	holder := rand.Text()
	held, err := db.TakeLease(ctx, "job:"+j.Name, holder, db.Now().Add(jobLease))
	if err != nil {
		return err
	}
	if !held {
		return fmt.Errorf("resume job %s: %w", j.Name, ErrJobBusy)
	}
	var w applying
	if err := db.bun.NewSelect().Model(&w).Where("name = ?", j.Name).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) { // ended meanwhile
			return db.EndLease(ctx, "job:"+j.Name, holder)
		}
		_ = db.ReleaseLease(context.WithoutCancel(ctx), "job:"+j.Name, holder)
		return fmt.Errorf("resume job %s: %w", j.Name, err)
	}
	if _, err := os.Stat(w.File); err != nil {
		// Free it at once: the next try (or AbandonJob) need not wait for
		// the lease to run out.
		_ = db.ReleaseLease(context.WithoutCancel(ctx), "job:"+j.Name, holder)
		return fmt.Errorf("resume job %s: its staging file: %w", j.Name, err)
	}
	return db.applyParts(ctx, j, &w, holder)
}

// ErrNotApplying is what AbandonJob returns for a job whose apply is not
// under way (ended, or never begun).
var ErrNotApplying = errors.New("store: the job's apply is not under way")

// AbandonJob ends the apply of job name without finishing it, for one that
// cannot be finished (its staging file gone), under the job's lease
// (ErrJobBusy while another process applies it). undo removes what the
// job's parts wrote a share at a time (Bulk.DeleteShare): each call runs
// in a transaction of its own and says whether it is done, so that on
// SQLite a write waits for one share, not for the whole undo; the last
// call's transaction also builds the indexes the job dropped and removes
// the job's row. Stopped midway, the job is still under way and may be
// abandoned again: undo starts over from what the shares before left. Its
// staging file, if any, goes after.
func (db *DB) AbandonJob(ctx context.Context, name string, undo func(b Bulk) (done bool, err error)) error {
	holder := rand.Text()
	held, err := db.TakeLease(ctx, "job:"+name, holder, db.Now().Add(jobLease))
	if err != nil {
		return err
	}
	if !held {
		return fmt.Errorf("abandon job %s: %w", name, ErrJobBusy)
	}
	var w applying
	for done := false; !done; {
		err = db.BulkTx(ctx, func(b Bulk) error {
			if err := b.holdJob(ctx, name, holder); err != nil {
				return err
			}
			err := b.IDB().NewSelect().Model(&w).Where("name = ?", name).Scan(ctx)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("abandon job %s: %w", name, ErrNotApplying)
			}
			if err != nil {
				return err
			}
			if done, err = undo(b); err != nil || !done {
				return err
			}
			if _, err := b.buildIndexes(ctx, name, 0); err != nil {
				return err
			}
			if _, err := b.IDB().NewDelete().Model((*applying)(nil)).Where("name = ?", name).Exec(ctx); err != nil {
				return err
			}
			return b.EndLease(ctx, "job:"+name, holder)
		})
		if err != nil {
			_ = db.ReleaseLease(context.WithoutCancel(ctx), "job:"+name, holder)
			return err
		}
	}
	os.Remove(w.File)
	return nil
}

// AbandonRefusal is err, an abandonment of import id by AbandonJob, as its
// operator reads it: refused for an import not being saved
// (ErrNotApplying) or one another process saves (ErrJobBusy), in the words
// both modules' imports share; any other error wrapped as what failed.
func AbandonRefusal(err error, what string, id int64) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotApplying):
		return apperr.New(apperr.NotFound, "import.error.not_saving", "ID", id)
	case errors.Is(err, ErrJobBusy):
		return apperr.New(apperr.Conflict, "import.error.busy", "ID", id)
	}
	return fmt.Errorf("%s %d: %w", what, id, err)
}

// abandonShare is how many rows Bulk.DeleteShare deletes at most: at a
// million eMaklum vouchers, 20,000 of them with their six indexes in
// about half a second.
var abandonShare = 20000

// DeleteShare deletes at most a share of the rows of table that where
// selects (with args), each known by the columns of key (its primary
// key, "a, b"), for an abandonment (AbandonJob): how many it deleted, and
// whether they were all that were left.
func (b Bulk) DeleteShare(ctx context.Context, table, key, where string, args ...any) (n int64, all bool, err error) {
	q := fmt.Sprintf("DELETE FROM %s WHERE (%s) IN (SELECT %s FROM %s WHERE %s LIMIT %d)", table, key, key, table, where, abandonShare)
	res, err := b.IDB().NewRaw(q, args...).Exec(ctx)
	if err == nil {
		n, err = res.RowsAffected()
	}
	if err != nil {
		return 0, false, fmt.Errorf("delete from %s: %w", table, err)
	}
	return n, n < int64(abandonShare), nil
}

// Share is how many rows an abandonment's step handles in one
// transaction at most (DeleteShare's), for a step that is not a delete.
func Share() int { return abandonShare }

// JobStopped reports whether the apply of job name is under way with no
// process applying it: its process died or a part failed, and no other
// holds its lease. `serve` resumes such a job within a minute (its
// finishing loop); one that stays stopped cannot be finished (its staging
// file lost) and waits for AbandonJob.
func (db *DB) JobStopped(ctx context.Context, name string) (bool, error) {
	n, err := db.read.NewSelect().Model((*applying)(nil)).Where("name = ?", name).
		Where("NOT EXISTS (SELECT 1 FROM job_leases l WHERE l.name = ? AND l.until > ?)", "job:"+name, db.Now().UTC()).Count(ctx)
	if err != nil {
		return false, fmt.Errorf("job %s: %w", name, err)
	}
	return n > 0, nil
}

// JobName names the job of kind prefix ("payroll-import-") for the row
// id its Begin wrote (an import's): ResumeJobs reads the id back.
func JobName(prefix string, id int64) string { return prefix + strconv.FormatInt(id, 10) }

// ResumeJobs finishes, with Resume, every job named by JobName(prefix, …)
// whose apply is under way, the job of each made by job from its id, and
// returns the ids of those it finished. One that another process is
// applying is left to it: ErrJobBusy, once the others are done.
func (db *DB) ResumeJobs(ctx context.Context, prefix string, job func(id int64) (Job, error)) ([]int64, error) {
	names, err := db.JobsApplying(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var done []int64
	var busy error
	for _, name := range names {
		id, err := strconv.ParseInt(strings.TrimPrefix(name, prefix), 10, 64)
		if err != nil {
			return done, fmt.Errorf("resume job %s: %w", name, err)
		}
		j, err := job(id)
		if err == nil {
			err = db.Resume(ctx, j)
		}
		switch {
		case errors.Is(err, ErrJobBusy):
			busy = err
		case errors.Is(err, sql.ErrNoRows):
			// What job reads of it went since the list was read: the job
			// was abandoned meanwhile (AbandonJob), nothing to finish.
		case err != nil:
			return done, fmt.Errorf("resume job %s: %w", name, err)
		default:
			done = append(done, id)
		}
	}
	return done, busy
}

// partLanded, when set (by a test), is called after each transaction of a
// job's parts lands, with the writer free.
var partLanded func(job string, through int64)

// syncFile makes the file at path durable.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}

// filesOfJobsApplying lists the staging files of the jobs under way, which
// must outlive the day that removeStaleStaging gives others; none on a
// database not yet migrated.
func filesOfJobsApplying(ctx context.Context, db *DB) []string {
	var files []string
	_ = db.bun.NewSelect().Model((*applying)(nil)).Column("file").Scan(ctx, &files)
	return files
}
