package payslip

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/perbendaharaan/ispeks/store"
)

// An import started from the upload page runs in the background, so that
// the page can show its progress (a status page that refreshes itself, no
// script needed) and the operator's browser is not kept waiting on one
// request for the minutes a large file takes. The jobs live in the process
// that runs them: behind a load balancer, the upload and status pages need
// the same instance (sticky sessions), and a finished import is also on
// its own page, read from the database.

// Job is an import running or finished in the background.
type Job struct {
	ID       string
	ByID     int64
	FileName string
	Size     int64 // bytes of the file
	Started  time.Time

	read     atomic.Int64
	mu       sync.Mutex
	finished time.Time
	result   *ImportResult
	err      error
}

// JobStatus is a Job seen at one moment.
type JobStatus struct {
	ID       string
	FileName string
	Size     int64
	Read     int64 // bytes read so far
	Percent  int   // of the file read
	Done     bool
	Result   *ImportResult // when done without error
	Err      error         // when done with one (a *BadFile for bad lines)
}

type jobs struct {
	mu   sync.Mutex
	byID map[string]*Job
}

func newJobs() *jobs { return &jobs{byID: map[string]*Job{}} }

// jobKeep is how long a finished job's status stays to be read.
const jobKeep = time.Hour

// StartImport imports the file at path (a spooled upload, removed when the
// import ends) in the background and returns the job's id at once. done,
// if not nil, is called with the import's outcome when it has ended (the
// web layer counts it and wakes the mail workers).
func (s *Service) StartImport(by store.Actor, name, path string, replace bool, done func(error)) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return "", err
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	j := &Job{ID: hex.EncodeToString(b[:]), ByID: by.UserID, FileName: name, Size: st.Size(), Started: time.Now()}
	s.jobs.mu.Lock()
	for id, old := range s.jobs.byID {
		old.mu.Lock()
		stale := !old.finished.IsZero() && time.Since(old.finished) > jobKeep
		old.mu.Unlock()
		if stale {
			delete(s.jobs.byID, id)
		}
	}
	s.jobs.byID[j.ID] = j
	s.jobs.mu.Unlock()
	go func() {
		defer os.Remove(path)
		defer f.Close()
		res, err := s.Import(context.Background(), by, name, &countingReader{r: f, n: &j.read}, replace)
		j.mu.Lock()
		j.result, j.err, j.finished = res, err, time.Now()
		j.mu.Unlock()
		if done != nil {
			done(err)
		}
	}()
	return j.ID, nil
}

// JobStatus returns the status of job id started by the user byID; false
// when there is no such job of theirs.
func (s *Service) JobStatus(id string, byID int64) (JobStatus, bool) {
	s.jobs.mu.Lock()
	j, ok := s.jobs.byID[id]
	s.jobs.mu.Unlock()
	if !ok || j.ByID != byID {
		return JobStatus{}, false
	}
	st := JobStatus{ID: j.ID, FileName: j.FileName, Size: j.Size, Read: j.read.Load()}
	if j.Size > 0 {
		st.Percent = int(st.Read * 100 / j.Size)
	}
	j.mu.Lock()
	st.Done, st.Result, st.Err = !j.finished.IsZero(), j.result, j.err
	j.mu.Unlock()
	return st, true
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}
