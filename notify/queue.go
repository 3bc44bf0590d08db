package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/perbendaharaan/ispeks/malaysia"
)

// Pending is one notification claimed for delivery.
type Pending struct {
	ID       int64 // outbox row id; the Message ID is "n-<ID>" so every attempt has the same Message-ID
	Kind     Kind
	To       Address
	Lang     string    // the recipient's language
	Data     []byte    // the kind's Content, as JSON
	Attempts int       // attempts made before this one
	Created  time.Time // the Message's Date (set at enqueue, never at send time)
}

// Outbox is the durable queue the worker drains. Claim must be safe with several
// workers on one PostgreSQL: a claimed row is leased until now+lease and no other
// Claim returns it before the lease ends (so a worker that crashed after sending and before
// recording makes the row due again after the lease — and then the SAME message, same Message-ID, is sent).
type Outbox interface {
	Claim(ctx context.Context, limit int, lease time.Duration) ([]Pending, error)
	Sent(ctx context.Context, id int64) error
	Retry(ctx context.Context, id int64, lastErr string, at time.Time) error // due again at `at`
	Fail(ctx context.Context, id int64, lastErr string) error                // final: failed, with last error
}

// Worker delivers notifications from an Outbox.
//
// Delivery is at least once: a message is recorded as sent only after the
// server accepted it, so a crash or a store error in between sends it again
// later, with the same Message-ID and bytes, which lets receiving servers and
// mail clients recognise the copy.
//
// Only the lease keeps other workers off a claimed row, so a worker starts
// no send after half of the lease has passed; such rows wait for a later
// claim. A send that has started runs to its end (each SMTP command is
// bounded by the sender's timeout), and its outcome is recorded even when
// the context is cancelled meanwhile.
//
// A Worker must not be copied after first use. Several Workers, in one
// process or many, may drain the same Outbox.
type Worker struct {
	Outbox      Outbox
	Renderer    *Renderer
	Sender      Sender
	Log         *slog.Logger
	Batch       int                             // rows per claim (default 50)
	Lease       time.Duration                   // default 2 min
	MaxAttempts int                             // default 8; then Fail
	Backoff     func(attempt int) time.Duration // default exponential: 30s * 2^(attempt-1), capped at 1h, with no jitter needed
	Poll        time.Duration                   // idle wait between claims when nothing is due (default 5s); Wake() cuts it short
	Now         func() time.Time                // default time.Now
	Concurrency int                             // parallel sends (default 4)

	wakeOnce sync.Once
	wakeCh   chan struct{}
}

const (
	defaultBatch       = 50
	defaultLease       = 2 * time.Minute
	defaultMaxAttempts = 8
	defaultPoll        = 5 * time.Second
	defaultConcurrency = 4

	firstBackoff = 30 * time.Second
	maxBackoff   = time.Hour

	// storeTimeout bounds recording an outcome. Recording ignores the
	// cancellation of the drain's context: a message that went out while
	// the worker was being stopped must still be marked sent, or it would be
	// sent again after the lease.
	storeTimeout = 30 * time.Second
)

// DefaultBackoff is the wait before attempt+1 after attempt failed:
// 30 s, 1 min, 2 min, … doubling up to 1 h. A few workers and one mail
// server need no jitter: retries are spread by the times messages first failed.
func DefaultBackoff(attempt int) time.Duration {
	d := firstBackoff
	for i := 1; i < attempt && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// settings is a Worker's configuration with the defaults filled in.
type settings struct {
	log         *slog.Logger
	batch       int
	lease       time.Duration
	maxAttempts int
	backoff     func(int) time.Duration
	poll        time.Duration
	now         func() time.Time
	concurrency int
}

func (w *Worker) settings() (settings, error) {
	if w.Outbox == nil || w.Renderer == nil || w.Sender == nil {
		return settings{}, errors.New("notify: Worker needs an Outbox, a Renderer and a Sender")
	}
	s := settings{
		log: w.Log, batch: w.Batch, lease: w.Lease, maxAttempts: w.MaxAttempts,
		backoff: w.Backoff, poll: w.Poll, now: w.Now, concurrency: w.Concurrency,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.batch <= 0 {
		s.batch = defaultBatch
	}
	if s.lease <= 0 {
		s.lease = defaultLease
	}
	if s.maxAttempts <= 0 {
		s.maxAttempts = defaultMaxAttempts
	}
	if s.backoff == nil {
		s.backoff = DefaultBackoff
	}
	if s.poll <= 0 {
		s.poll = defaultPoll
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.concurrency <= 0 {
		s.concurrency = defaultConcurrency
	}
	return s, nil
}

// Wake makes a waiting Run claim at once instead of at the end of its Poll
// wait, e.g. after a transaction that enqueued mail committed. It never
// blocks: a nudge given while Run is busy, or before Run starts, is kept
// (one at most) and makes Run claim once more when it is done.
func (w *Worker) Wake() {
	select {
	case w.wake() <- struct{}{}:
	default: // a nudge is already pending; one is enough
	}
}

func (w *Worker) wake() chan struct{} {
	w.wakeOnce.Do(func() { w.wakeCh = make(chan struct{}, 1) })
	return w.wakeCh
}

// Run drains the outbox, waits Poll or until Wake, and again, until ctx is
// done; then it returns ctx.Err(). Failed sends and store errors are logged,
// never returned: the outbox keeps every message until it is recorded. Run
// returns another error only when the Worker lacks an Outbox, Renderer or
// Sender.
func (w *Worker) Run(ctx context.Context) error {
	s, err := w.settings()
	if err != nil {
		return err
	}
	wake := w.wake()
	for {
		sent, retried, failed, err := w.DrainOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil {
			s.log.Error("notify: outbox drain incomplete", "sent", sent, "retried", retried, "failed", failed, "error", err)
		} else if sent+retried+failed > 0 {
			s.log.Debug("notify: outbox drained", "sent", sent, "retried", retried, "failed", failed)
		}
		t := time.NewTimer(s.poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// DrainOnce claims and delivers batches until no row is due, and returns how
// many messages it recorded as sent, to be retried and failed.
//
// A message whose outcome could not be recorded (Sent, Retry or Fail failed)
// is not counted: each such store error is logged on the message's line, and
// the first is returned once the rest has been delivered. The row stays
// leased and comes back after the lease, which the stable Message-ID makes
// harmless. Rows claimed but not yet sent when ctx is done are left to their
// lease too. Sessions (connections) opened for the drain are closed before
// DrainOnce returns, so an idle worker holds no connection.
func (w *Worker) DrainOnce(ctx context.Context) (sent, retried, failed int, err error) {
	s, err := w.settings()
	if err != nil {
		return 0, 0, 0, err
	}
	d := &drain{w: w, s: s}
	// The claiming loop hands rows to the senders one by one and claims the
	// next batch as soon as the last row of a batch is taken, so that the
	// senders rarely wait for the database.
	jobs := make(chan claimed)
	var wg sync.WaitGroup
	for range s.concurrency {
		wg.Go(func() { d.sendAll(ctx, jobs) })
	}
	claimErr := d.claimAll(ctx, jobs)
	close(jobs)
	wg.Wait()
	return d.sent, d.retried, d.failed, errors.Join(claimErr, d.storeError())
}

// claimed is a claimed row and a time no later than the start of its lease.
type claimed struct {
	p  Pending
	at time.Time
}

// drain is the state of one DrainOnce.
type drain struct {
	w *Worker
	s settings

	mu                    sync.Mutex
	sent, retried, failed int
	storeErr              error
	storeErrs             int
}

func (d *drain) claimAll(ctx context.Context, jobs chan<- claimed) error {
	for ctx.Err() == nil {
		// Taken before Claim, so that the worker's idea of the lease ends no
		// later than the store's.
		at := d.s.now()
		batch, err := d.w.Outbox.Claim(ctx, d.s.batch, d.s.lease)
		if err != nil {
			return fmt.Errorf("notify: claim from outbox: %w", err)
		}
		if len(batch) == 0 {
			return nil
		}
		for _, p := range batch {
			select {
			case jobs <- claimed{p: p, at: at}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	return ctx.Err()
}

// sendAll delivers rows from jobs until it is closed, over one connection
// when the Sender can keep one open.
func (d *drain) sendAll(ctx context.Context, jobs <-chan claimed) {
	sender := d.w.Sender
	if ss, ok := sender.(sessionSender); ok {
		session := ss.session()
		defer session.Close()
		sender = session
	}
	for j := range jobs {
		d.deliver(ctx, sender, j)
	}
}

// deliver renders, sends and records one claimed row, and logs one line.
func (d *drain) deliver(ctx context.Context, sender Sender, j claimed) {
	p, s := j.p, d.s
	attempt := p.Attempts + 1
	log := s.log.With("id", p.ID, "kind", p.Kind, "to", malaysia.MaskEmail(p.To.Email), "attempt", attempt)
	if ctx.Err() != nil {
		return // stopping: the row comes back after its lease
	}
	// Only the lease keeps other workers off this row. A send that starts
	// late in the lease could still be running when another worker claims
	// the row and sends it too, so leave the row to a later claim instead.
	if s.now().Sub(j.at) > s.lease/2 {
		log.Warn("notify: mail deferred: lease running out", "outcome", "deferred")
		return
	}

	var permanentErr bool
	m, err := d.w.message(p)
	if err != nil {
		permanentErr = true // the same data renders the same way next time
	} else {
		err = sender.Send(ctx, m)
		permanentErr = IsPermanent(err)
	}
	if err != nil && ctx.Err() != nil {
		// Most likely the cancellation itself interrupted the send: it says
		// nothing about the message, so spend no retry on it.
		log.Warn("notify: mail interrupted: worker stopping", "outcome", "interrupted", "error", maskAddresses(err.Error()))
		return
	}

	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	var (
		outcome  string
		storeErr error
		errText  string
		attrs    []any
	)
	if err != nil {
		// SMTPSender masks addresses already; this covers any other Sender.
		errText = maskAddresses(err.Error())
		attrs = append(attrs, "error", errText)
	}
	switch {
	case err == nil:
		outcome, storeErr = "sent", d.w.Outbox.Sent(rctx, p.ID)
	case permanentErr || attempt >= s.maxAttempts:
		outcome, storeErr = "failed", d.w.Outbox.Fail(rctx, p.ID, errText)
	default:
		next := s.now().Add(s.backoff(attempt))
		outcome, storeErr = "retry", d.w.Outbox.Retry(rctx, p.ID, errText, next)
		attrs = append(attrs, "next_attempt", next)
	}
	attrs = append(attrs, "outcome", outcome)

	if storeErr != nil {
		log.Error("notify: mail outcome not recorded; it will be sent again after the lease",
			append(attrs, "store_error", maskAddresses(storeErr.Error()))...)
	} else {
		switch outcome {
		case "sent":
			log.Info("notify: mail sent", attrs...)
		case "retry":
			log.Warn("notify: mail not sent, will retry", attrs...)
		default:
			log.Error("notify: mail failed", attrs...)
		}
	}
	d.record(p.ID, outcome, storeErr)
}

// record counts an outcome, or keeps the store error that lost it.
func (d *drain) record(id int64, outcome string, storeErr error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if storeErr != nil {
		d.storeErrs++
		if d.storeErr == nil {
			d.storeErr = fmt.Errorf("notify: record %s for outbox row %d: %w", outcome, id, storeErr)
		}
		return
	}
	switch outcome {
	case "sent":
		d.sent++
	case "retry":
		d.retried++
	default:
		d.failed++
	}
}

// storeError is the first store error of the drain, saying how many there were.
func (d *drain) storeError() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.storeErrs > 1 {
		return fmt.Errorf("%w (%d outcomes not recorded)", d.storeErr, d.storeErrs)
	}
	return d.storeErr
}

// message renders p into the Message every attempt sends: same ID, same
// Date, same text, so the same bytes.
func (w *Worker) message(p Pending) (Message, error) {
	subject, text, html, err := w.Renderer.Render(p.Kind, p.Lang, p.To.Name, p.Data)
	if err != nil {
		return Message{}, err
	}
	return Message{
		ID:      fmt.Sprintf("n-%d", p.ID),
		To:      []Address{p.To},
		Subject: subject,
		Text:    text,
		HTML:    html,
		Created: p.Created,
	}, nil
}
