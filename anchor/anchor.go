// Package anchor anchors the audit log's hash chain outside the database.
//
// The chain (store.Conn.Audit) shows any record altered or removed in the
// middle, but whoever can write to the database can delete the newest
// records and set the head back, or rewrite the log from some record on
// and recompute every hash after it: the chain is then whole again. An
// anchor is what such a person cannot redo: a checkpoint — the head's
// sequence number and hash, and the time — signed with a key the database
// never holds (the master key's "audit-checkpoint" key, package secret),
// appended to a file under the data directory and written to the log.
// Verify compares the log with every checkpoint and says whether records
// were deleted from the end (truncated) or the log was rewritten.
//
// A Writer writes a checkpoint every Every records and at least once a day
// (MaxAge), from a loop outside every transaction: it reads the head as
// committed, so it never slows an action down nor writes a file inside one.
package anchor

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
)

// Purpose is the keyring purpose of checkpoint signatures.
const Purpose = "audit-checkpoint"

// FileName is the checkpoint file's name under the data directory.
const FileName = "audit-checkpoints.jsonl"

// Checkpoint vouches that the audit log held record Seq with hash Hash at
// time At. Sig is the hex HMAC-SHA256 of the other three under the key of
// Purpose. It is one line of JSON in the checkpoint file.
type Checkpoint struct {
	Seq  int64     `json:"seq"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
	Sig  string    `json:"sig"`
}

// message is what the signature covers, each field on its own line under
// a version tag, so that no two checkpoints sign alike.
func (c Checkpoint) message() []byte {
	return []byte("ispeks-audit-checkpoint/1\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" + c.At.UTC().Format(time.RFC3339Nano))
}

// Sign returns the checkpoint of record seq with hash at time at, signed
// with keys.
func Sign(keys *secret.Keyring, seq int64, hash string, at time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hash, At: at.UTC()}
	c.Sig = hex.EncodeToString(keys.Sign(Purpose, c.message()))
	return c
}

// Valid reports whether c was signed with keys.
func (c Checkpoint) Valid(keys *secret.Keyring) bool {
	sig, err := hex.DecodeString(c.Sig)
	return err == nil && hmac.Equal(sig, keys.Sign(Purpose, c.message()))
}

// Writer appends checkpoints of a database's audit log to a file.
type Writer struct {
	db   *store.DB
	keys *secret.Keyring
	path string
	log  *slog.Logger
	// Every is how many records may pass without a checkpoint, MaxAge how
	// long (the log is anchored at least daily even when nothing happens).
	Every  int64
	MaxAge time.Duration

	mu   sync.Mutex
	last *Checkpoint // the newest in the file
}

// NewWriter returns a writer of checkpoints of db's audit log to the file
// at path (created, mode 0600, if missing), resuming after the newest
// checkpoint the file holds.
func NewWriter(db *store.DB, keys *secret.Keyring, path string, log *slog.Logger) (*Writer, error) {
	w := &Writer{db: db, keys: keys, path: path, log: log, Every: 100, MaxAge: 24 * time.Hour}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return w, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit checkpoints %s: %w", path, err)
	}
	defer f.Close()
	cps, _ := read(f)
	for i := len(cps) - 1; i >= 0; i-- {
		if cps[i].err == nil && cps[i].cp.Valid(keys) {
			w.last = &cps[i].cp
			break
		}
	}
	return w, nil
}

// Check writes a checkpoint when Every records were added since the last
// one, or it is older than MaxAge (or there is none), and reports whether
// it wrote. A head behind the last checkpoint — records deleted since it —
// writes nothing and is an error (and logged as one): the next verify will
// name it.
func (w *Writer) Check(ctx context.Context) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	seq, hash, err := w.db.AuditHead(ctx)
	if err != nil {
		return false, err
	}
	now := w.db.Now()
	if last := w.last; last != nil {
		if seq < last.Seq {
			w.log.Error("audit log shorter than its last checkpoint: records were deleted", "head", seq, "checkpoint", last.Seq, "at", last.At)
			return false, fmt.Errorf("audit log ends at record %d, but the checkpoint of %s vouches for record %d", seq, last.At.Format(time.RFC3339), last.Seq)
		}
		if seq < last.Seq+w.Every && now.Sub(last.At) < w.MaxAge {
			return false, nil
		}
	} else if seq == 0 {
		return false, nil // nothing to anchor yet
	}
	cp := Sign(w.keys, seq, hash, now)
	if err := w.append(cp); err != nil {
		return false, err
	}
	w.last = &cp
	w.log.Info("audit checkpoint", "seq", cp.Seq, "hash", cp.Hash, "at", cp.At.Format(time.RFC3339Nano), "sig", cp.Sig)
	return true, nil
}

// append writes cp as one line at the end of the file and syncs it.
func (w *Writer) append(cp Checkpoint) error {
	line, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(w.path), 0o700); err != nil {
		return fmt.Errorf("audit checkpoints: %w", err)
	}
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("audit checkpoints: %w", err)
	}
	_, err = f.Write(append(line, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("audit checkpoints %s: %w", w.path, err)
	}
	return nil
}

// Run checks at once and then every interval until ctx ends, logging what
// fails (a database down only delays the checkpoint).
func (w *Writer) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := w.Check(ctx); err != nil && ctx.Err() == nil {
			w.log.Warn("audit checkpoint", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// line is one line of a checkpoint file as read.
type line struct {
	n   int
	cp  Checkpoint
	err error
}

// read parses every non-empty line of a checkpoint file.
func read(r io.Reader) ([]line, error) {
	var out []line
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		l := line{n: n}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		l.err = dec.Decode(&l.cp)
		out = append(out, l)
	}
	return out, sc.Err()
}

// Finding is something the checkpoints show about the log, as a catalogue
// text.
type Finding struct {
	Kind string // "truncated", "rewritten", "bad_checkpoint"
	Text i18n.Text
}

// Message is the finding in lang.
func (f Finding) Message(lang string) string { return f.Text.In(lang) }

// Report is what Verify found: the chain's own verdict and the anchors'.
type Report struct {
	Records     int64             // records whose chain links were checked
	Break       *store.AuditBreak // the chain's first break, nil when whole
	Checkpoints int               // valid checkpoints compared
	Newest      *Checkpoint       // the newest valid checkpoint
	Findings    []Finding         // what the checkpoints show; none: they match
}

// Whole reports whether the chain is whole and matches every checkpoint.
func (r *Report) Whole() bool { return r.Break == nil && len(r.Findings) == 0 }

// Verify walks db's audit chain and compares it with the checkpoints read
// from cps: a checkpoint beyond the log's last record means records were
// deleted from the end (truncated); one whose record has another hash
// means the log was rewritten from that record or before (rewritten); a
// line that is not a checkpoint signed with keys is reported
// (bad_checkpoint) and not trusted.
func Verify(ctx context.Context, db *store.DB, keys *secret.Keyring, cps io.Reader) (*Report, error) {
	n, brk, err := db.VerifyAudit(ctx)
	if err != nil {
		return nil, err
	}
	last, err := db.AuditLastSeq(ctx)
	if err != nil {
		return nil, err
	}
	rep := &Report{Records: n, Break: brk}
	lines, err := read(cps)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoints: %w", err)
	}
	var good []Checkpoint
	for _, l := range lines {
		if l.err != nil || !l.cp.Valid(keys) {
			rep.Findings = append(rep.Findings, Finding{"bad_checkpoint", i18n.Of("audit.anchor.bad_checkpoint", "Line", l.n)})
			continue
		}
		good = append(good, l.cp)
	}
	rep.Checkpoints = len(good)
	var seqs []int64
	var beyond *Checkpoint
	for i := range good {
		c := &good[i]
		if rep.Newest == nil || c.Seq > rep.Newest.Seq || (c.Seq == rep.Newest.Seq && c.At.After(rep.Newest.At)) {
			rep.Newest = c
		}
		if c.Seq > last {
			if beyond == nil || c.Seq > beyond.Seq {
				beyond = c
			}
			continue
		}
		seqs = append(seqs, c.Seq)
	}
	hashes, err := db.AuditHashes(ctx, seqs)
	if err != nil {
		return nil, err
	}
	var rewritten *Checkpoint
	for i := range good {
		c := &good[i]
		if c.Seq > last {
			continue
		}
		if h, ok := hashes[c.Seq]; (!ok || h != c.Hash) && (rewritten == nil || c.Seq < rewritten.Seq) {
			rewritten = c
		}
	}
	if rewritten != nil {
		rep.Findings = append(rep.Findings, Finding{"rewritten", i18n.Of("audit.anchor.rewritten",
			"Seq", rewritten.Seq, "At", rewritten.At.Format(time.RFC3339))})
	}
	if beyond != nil {
		rep.Findings = append(rep.Findings, Finding{"truncated", i18n.Of("audit.anchor.truncated",
			"Last", last, "Seq", beyond.Seq, "At", beyond.At.Format(time.RFC3339))})
	}
	return rep, nil
}
