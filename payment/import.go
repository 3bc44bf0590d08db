package payment

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/store"
)

// An import reads the file once, as a stream: each line is parsed and
// checked on its own (ParseLine) and loaded into a staging table in the
// import's transaction — PostgreSQL's COPY, SQLite's prepared statement —
// so that a file of a million lines is never held in memory. The rules
// that need a voucher's history are then checked by set-based statements
// over the whole staging table at once, against the lines before in the
// file and the vouchers in the database; a file with any bad line imports
// nothing, and every problem is named by line, field and reason. A good
// file then lands: the payees' names, the vouchers as they stand at their
// last line, a history row for every line that moved one, the mail to
// employees whose own payment was credited, failed or was cancelled, the
// import's record and its audit record — on PostgreSQL in the same
// transaction, on SQLite a part of the file at a time when a write waits
// for its one writer (RunImport, store.DB.RunJob), and after a crash
// finished by FinishImports.

// States of an import.
const (
	ImportRunning = "running"
	// ImportApplying: the file was checked and is being written; on
	// SQLite a part at a time, its vouchers so far visible, and finished
	// by FinishImports if its process died.
	ImportApplying = "applying"
	ImportDone     = "done"
	ImportRejected = "rejected" // bad lines: nothing imported
	ImportFailed   = "failed"   // an internal error: nothing imported
	// ImportInterrupted is never stored: it is how a running import shows
	// when the process that ran it is gone.
	ImportInterrupted = "interrupted"
)

// ImportStates lists every state an import shows.
func ImportStates() []string {
	return []string{ImportRunning, ImportApplying, ImportDone, ImportRejected, ImportFailed, ImportInterrupted}
}

// MaxLineErrors is how many problems a rejected import lists; the count
// of all of them is kept beside.
const MaxLineErrors = 1000

// Import is the record of one import file.
type Import struct {
	bun.BaseModel `bun:"table:payment_imports"`

	ID          int64      `bun:"id,pk,autoincrement"`
	FileName    string     `bun:"file_name"`
	SHA256      string     `bun:"sha256"`
	State       string     `bun:"state"`
	Lines       int64      `bun:"lines"`
	Vouchers    int64      `bun:"vouchers"`
	Created     int64      `bun:"created"`
	Updated     int64      `bun:"updated"`
	Events      int64      `bun:"events"`
	ErrorCount  int64      `bun:"error_count"`
	ErrorsJSON  string     `bun:"errors"`
	UserID      *int64     `bun:"user_id"`
	ActorLogin  string     `bun:"actor_login"`
	StartedAt   time.Time  `bun:"started_at"`
	HeartbeatAt *time.Time `bun:"heartbeat_at"`
	FinishedAt  *time.Time `bun:"finished_at"`

	// Errors are the problems of a rejected import (the first
	// MaxLineErrors of ErrorCount).
	Errors []LineError `bun:"-"`
	// Mails is how many mails the import queued.
	Mails int `bun:"-"`
	// Stopped says that the import's saving stopped midway with no
	// process saving it (store.DB.JobStopped): the server resumes it, or,
	// if it cannot, an operator abandons it (AbandonImport).
	Stopped bool `bun:"-"`
}

// LineError is a problem of one line of an import file: its number (the
// header is line 1), the column (or "line" for the line as a whole) and
// the reason.
type LineError struct {
	Line  int64
	Field string
	Text  i18n.Text
	words map[string]string // a stored problem: its words per language
}

// Message is the reason in lang.
func (e LineError) Message(lang string) string {
	if e.words != nil {
		return e.words[i18n.Norm(lang)]
	}
	return e.Text.In(lang)
}

// ImportError is a rejected import: its problems, the first MaxLineErrors
// of Count, in the order of the file.
type ImportError struct {
	ImportID int64
	Errors   []LineError
	Count    int64
}

func (e *ImportError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems in the file", e.Count)
	for _, le := range e.Errors {
		fmt.Fprintf(&b, "; line %d %s: %s", le.Line, le.Field, le.Message(i18n.EN))
	}
	if more := e.Count - int64(len(e.Errors)); more > 0 {
		fmt.Fprintf(&b, "; and %d more", more)
	}
	return b.String()
}

// progress is what a running import has read so far.
type progress struct{ lines atomic.Int64 }

// track marks import id as running in this process (from StartImport, so
// that its page shows it running before RunImport begins) and returns its
// progress.
func (s *Service) track(id int64) *progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.running[id]
	if !ok {
		p = &progress{}
		s.running[id] = p
	}
	return p
}

func (s *Service) untrack(id int64) {
	s.mu.Lock()
	delete(s.running, id)
	s.mu.Unlock()
}

// errImportForbidden answers an import by anyone but a system administrator.
var errImportForbidden = apperr.New(apperr.Forbidden, "payment.error.import_forbidden")

// mayImport reports whether by may import: a system administrator, or the
// command line (nil).
func mayImport(by *store.User) bool { return by == nil || by.HasRole(forms.RoleSysadmin) }

// Import imports the file read from r, called name, for by (nil for the
// command line), and returns its record. A file with any bad line imports
// nothing: the error is Invalid and holds an *ImportError with every
// problem (errors.As).
func (s *Service) Import(ctx context.Context, by *store.User, name string, r io.Reader) (*Import, error) {
	id, err := s.StartImport(ctx, by, name)
	if err != nil {
		return nil, err
	}
	return s.RunImport(ctx, by, id, r)
}

// StartImport records an import of the file called name as running and
// returns its id, for RunImport, which the caller must then run; a page can
// show its progress from now on.
func (s *Service) StartImport(ctx context.Context, by *store.User, name string) (int64, error) {
	if !mayImport(by) {
		return 0, errImportForbidden
	}
	a := actor(by)
	imp := &Import{FileName: cleanFileName(name), State: ImportRunning, ActorLogin: a.Login, StartedAt: s.now()}
	if by != nil {
		imp.UserID = &by.ID
	}
	if _, err := s.db.IDB().NewInsert().Model(imp).Returning("id").Exec(ctx); err != nil {
		return 0, fmt.Errorf("start import: %w", err)
	}
	s.track(imp.ID)
	return imp.ID, nil
}

// cleanFileName keeps the base name of an uploaded file, printable and short.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	if name == "" || name == "." || name == "/" {
		name = "payments.csv"
	}
	return name
}

// errRejected ends an import's transaction when the file has bad lines.
var errRejected = errors.New("import rejected")

// problems gathers an import's line problems, keeping the first
// MaxLineErrors and counting all.
type problems struct {
	list  []LineError
	count int64
}

func (p *problems) add(line int64, field string, t i18n.Text) {
	p.count++
	if len(p.list) < MaxLineErrors {
		p.list = append(p.list, LineError{Line: line, Field: field, Text: t})
	}
}

// RunImport imports the file read from r into import id (StartImport),
// for by; see Import. An apply that stopped midway (store.ErrUnfinished)
// returns the import, applying, with the error: it will be finished.
func (s *Service) RunImport(ctx context.Context, by *store.User, id int64, r io.Reader) (*Import, error) {
	if !mayImport(by) {
		return nil, errImportForbidden
	}
	prog := s.track(id)
	defer s.untrack(id)
	stopBeat := s.heartbeat(ctx, id, prog)
	defer stopBeat()

	imp := &Import{ID: id}
	if err := s.db.ReadIDB().NewSelect().Model(imp).WherePK().Scan(ctx); err != nil {
		return nil, fmt.Errorf("import %d: %w", id, err)
	}
	if s.db.Dialect == store.SQLite {
		s.importing.Lock()
		defer s.importing.Unlock()
	}
	h := sha256.New()
	in := bufio.NewReaderSize(io.TeeReader(r, h), 256<<10)
	var bad problems
	// The file is read and checked first, then applied (store.RunJob): on
	// SQLite the reading and the checks run beside the one writer, which
	// other writes wait for, and the apply holds it a part of the file at a
	// time. The file is read once, so the staging is never repeated: what
	// the check read must not change before the apply. In this process,
	// importing keeps other imports out; an import by another process (a
	// command beside the server) that began its apply meanwhile, or was
	// applying when this file was checked, is seen in the imports' states,
	// and this file is then refused whole, to be imported again.
	var mark importsMark
	job := s.applyJob(ctx, imp)
	job.Stage = func(b store.Bulk) (err error) {
		if err := s.load(ctx, b, in, prog, &bad); err != nil {
			return err
		}
		// The whole file has been read: its hash is known.
		if _, err := io.Copy(io.Discard, in); err != nil {
			return fmt.Errorf("read the file: %w", err)
		}
		imp.SHA256, imp.Lines = hex.EncodeToString(h.Sum(nil)), prog.lines.Load()
		if err := s.check(ctx, b, &bad); err != nil {
			return err
		}
		if bad.count > 0 {
			return errRejected
		}
		if err := countChecked(ctx, b.IDB(), imp); err != nil {
			return err
		}
		bulk, err := s.loadsBulk(ctx, b.IDB())
		if err != nil {
			return err
		}
		if bulk {
			job.Unindexed = []string{"payment_payees", "payments"}
		}
		if mark, err = importsBegun(ctx, b.IDB()); err != nil {
			return err
		}
		if s.staged != nil {
			s.staged()
		}
		return nil
	}
	job.Begin = func(b store.Bulk) (int64, error) {
		stopBeat()
		now, err := importsBegun(ctx, b.IDB())
		if err != nil {
			return 0, err
		}
		if now != mark || mark.Applying > 0 {
			bad.add(1, ColLine, i18n.Of("payment.import.raced"))
			return 0, errRejected
		}
		imp.State = ImportApplying
		if _, err := b.IDB().NewUpdate().Model(imp).
			Column("sha256", "state", "lines", "vouchers", "created", "updated", "events").WherePK().Exec(ctx); err != nil {
			return 0, fmt.Errorf("import record: %w", err)
		}
		if len(job.Unindexed) > 0 {
			// Written without the indexes, a line costs a fraction of
			// what it costs with them: larger parts, fewer commits.
			return bulkParts * s.opt.PartRows, nil
		}
		return s.opt.PartRows, nil
	}
	// An import that a process left half applied is finished first: this
	// file is checked against the vouchers as that import leaves them. One
	// that another process is applying makes this file's apply refuse it.
	_, err := s.finishImports(ctx)
	if err == nil || errors.Is(err, store.ErrJobBusy) {
		err = s.db.RunJob(ctx, &job)
	}
	if errors.Is(err, store.ErrUnfinished) {
		// The apply began and stopped: the import stays applying, its
		// parts so far in place, and FinishImports finishes it (the next
		// import, or the server every minute). Its record says so.
		return imp, fmt.Errorf("import payments: %w", err)
	}
	if err == nil {
		return imp, nil
	}
	// Nothing was imported; the record says why. The caller's context may
	// be what ended the import: the record is written regardless.
	rctx := context.WithoutCancel(ctx)
	if errors.Is(err, errRejected) {
		slices.SortStableFunc(bad.list, func(a, b LineError) int { return int(a.Line - b.Line) })
		imp.Errors, imp.ErrorCount = bad.list, bad.count
		if rerr := s.finishRejected(rctx, by, imp, ImportRejected, h); rerr != nil {
			return nil, rerr
		}
		ie := &ImportError{ImportID: id, Errors: bad.list, Count: bad.count}
		return imp, apperr.Wrap(apperr.Invalid, ie, "payment.import.rejected", "Count", bad.count)
	}
	if rerr := s.finishRejected(rctx, by, imp, ImportFailed, h); rerr != nil {
		return nil, errors.Join(fmt.Errorf("import payments: %w", err), rerr)
	}
	return nil, fmt.Errorf("import payments: %w", err)
}

// bulkParts is how many times Options.PartRows lines a part of a file
// written without the vouchers' indexes applies (loadsBulk).
var bulkParts int64 = 10

// importsMark is what a file's check relied on of the other imports: how
// many had begun their apply (only an apply moves vouchers), and how many
// were still applying, their vouchers moved in part (SQLite applies in
// parts).
type importsMark struct {
	Begun    int64 `bun:"begun"`
	Applying int64 `bun:"applying"`
}

func importsBegun(ctx context.Context, idb bun.IDB) (importsMark, error) {
	var m importsMark
	if err := idb.NewRaw(`SELECT COUNT(*) AS begun, COALESCE(SUM(CASE WHEN state = ? THEN 1 ELSE 0 END), 0) AS applying
		FROM payment_imports WHERE state IN (?)`, ImportApplying, bun.In([]string{ImportApplying, ImportDone})).Scan(ctx, &m); err != nil {
		return m, fmt.Errorf("import: the imports begun: %w", err)
	}
	return m, nil
}

// storedError is a problem as a rejected import's record keeps it: in
// words of both languages, since its arguments do not survive JSON.
type storedError struct {
	Line  int64             `json:"line"`
	Field string            `json:"field"`
	Words map[string]string `json:"words"`
}

// finishRejected records that import imp imported nothing (state rejected
// or failed) and audits it, in a transaction of its own.
func (s *Service) finishRejected(ctx context.Context, by *store.User, imp *Import, state string, h hash.Hash) error {
	imp.State = state
	if imp.SHA256 == "" {
		imp.SHA256 = hex.EncodeToString(h.Sum(nil)) // of what was read
	}
	stored := make([]storedError, len(imp.Errors))
	for i, e := range imp.Errors {
		stored[i] = storedError{Line: e.Line, Field: e.Field, Words: map[string]string{}}
		for _, l := range i18n.Langs {
			stored[i].Words[l] = e.Message(l)
		}
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	imp.ErrorsJSON = string(b)
	now := s.now()
	imp.FinishedAt = &now
	return s.db.Tx(ctx, func(tx store.Conn) error {
		if _, err := tx.IDB().NewUpdate().Model(imp).
			Column("sha256", "state", "lines", "error_count", "errors", "finished_at").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("import record: %w", err)
		}
		return tx.Audit(ctx, actor(by), "payment.import_"+state, "payment_import", strconv.FormatInt(imp.ID, 10), map[string]any{
			"file": imp.FileName, "sha256": imp.SHA256, "lines": imp.Lines, "problems": imp.ErrorCount,
		})
	})
}

// heartbeat writes a running import's progress into its record every few
// seconds, so that a page served by another instance shows it; it returns
// the function that stops it. SQLite has one writer, which the import
// holds, and one instance: its pages read the progress from memory.
func (s *Service) heartbeat(ctx context.Context, id int64, prog *progress) func() {
	if s.db.Dialect != store.Postgres {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(heartbeatEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				_, _ = s.db.IDB().NewRaw("UPDATE payment_imports SET lines = ?, heartbeat_at = ? WHERE id = ? AND state = ?",
					prog.lines.Load(), s.now(), id, ImportRunning).Exec(ctx)
			}
		}
	}()
	var once atomic.Bool
	return func() {
		if once.CompareAndSwap(false, true) {
			close(stop)
			<-done
		}
	}
}

// heartbeatEvery is how often a running import records its progress, and
// heartbeatLost how long without one before it shows as interrupted.
const (
	heartbeatEvery = 3 * time.Second
	heartbeatLost  = time.Minute
)

// GetImport returns import id with its problems; a running import shows
// how many lines it has read, and one whose process is gone shows as
// interrupted. Only system administrators see imports.
func (s *Service) GetImport(ctx context.Context, viewer *store.User, id int64) (*Import, error) {
	if !mayImport(viewer) {
		return nil, errImportNotFound
	}
	imp := new(Import)
	if err := s.db.ReadIDB().NewSelect().Model(imp).Where("id = ?", id).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errImportNotFound
		}
		return nil, fmt.Errorf("import %d: %w", id, err)
	}
	s.live(imp)
	if imp.State == ImportApplying {
		var err error
		if imp.Stopped, err = s.db.JobStopped(ctx, importJob(id)); err != nil {
			return nil, err
		}
	}
	if imp.ErrorsJSON != "" {
		var stored []storedError
		if err := json.Unmarshal([]byte(imp.ErrorsJSON), &stored); err != nil {
			return nil, fmt.Errorf("import %d problems: %w", id, err)
		}
		for _, e := range stored {
			imp.Errors = append(imp.Errors, LineError{Line: e.Line, Field: e.Field, words: e.Words})
		}
	}
	return imp, nil
}

// live fills a running import's progress from this process, or marks it
// interrupted when no process runs it any more.
func (s *Service) live(imp *Import) {
	if imp.State != ImportRunning {
		return
	}
	s.mu.Lock()
	p, here := s.running[imp.ID]
	s.mu.Unlock()
	switch {
	case here:
		imp.Lines = p.lines.Load()
	case s.db.Dialect == store.Postgres:
		last := imp.StartedAt
		if imp.HeartbeatAt != nil {
			last = *imp.HeartbeatAt
		}
		if s.now().Sub(last) > heartbeatLost {
			imp.State = ImportInterrupted
		}
	default:
		imp.State = ImportInterrupted
	}
}

var errImportNotFound = apperr.New(apperr.NotFound, "payment.error.import_not_found")

// Imports lists the latest imports, newest first (a page of them).
func (s *Service) Imports(ctx context.Context, viewer *store.User, p store.Page) ([]Import, error) {
	if !mayImport(viewer) {
		return nil, errImportForbidden
	}
	var list []Import
	if err := s.db.ReadIDB().NewSelect().Model(&list).ExcludeColumn("errors").
		OrderExpr("id DESC").Limit(p.Limit()).Offset(p.Offset()).Scan(ctx); err != nil {
		return nil, fmt.Errorf("imports: %w", err)
	}
	for i := range list {
		s.live(&list[i])
	}
	return list, nil
}
