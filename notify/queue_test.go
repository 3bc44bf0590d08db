package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	netmail "net/mail"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/perbendaharaan/ispeks/secret"
)

// fakeClock is the worker's and the fake outbox's clock; it moves only when
// a test moves it, so leases and retry times are exact.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeOutbox is an in-memory Outbox with the semantics of the outbox table:
// Claim leases due rows and counts the attempt; Retry and Fail apply to
// queued rows only. Tests wait for its changes with waitUntil.
type fakeOutbox struct {
	now func() time.Time

	mu       sync.Mutex
	changed  *sync.Cond
	rows     []*fakeRow // row i has ID i+1
	claims   int        // Claim calls
	sentErrs int        // Sent fails this many more times, as if the worker crashed before recording
}

type fakeRow struct {
	p           Pending // Attempts unused: see attempts
	state       string  // queued, sent, failed
	attempts    int     // claims so far
	due         time.Time
	lockedUntil time.Time
	lastErr     string
	sentCalls   int
}

func newFakeOutbox(clock *fakeClock) *fakeOutbox {
	o := &fakeOutbox{now: clock.Now}
	o.changed = sync.NewCond(&o.mu)
	return o
}

// add enqueues a notification, due now, and returns its ID.
func (o *fakeOutbox) add(kind Kind, to Address, d testMail) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := int64(len(o.rows) + 1)
	now := o.now()
	o.rows = append(o.rows, &fakeRow{
		p:     Pending{ID: id, Kind: kind, To: to, Lang: d.Lang, Data: d.json(), Created: now},
		state: "queued", due: now,
	})
	o.changed.Broadcast()
	return id
}

// row returns a copy of row id.
func (o *fakeOutbox) row(id int64) fakeRow {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *o.rows[id-1]
}

// waitUntil blocks until cond (called with the lock held) holds. It has no
// time limit of its own: a hang is a failure that go test's -timeout reports
// with every goroutine's stack.
func (o *fakeOutbox) waitUntil(cond func(o *fakeOutbox) bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for !cond(o) {
		o.changed.Wait()
	}
}

func (o *fakeOutbox) Claim(ctx context.Context, limit int, lease time.Duration) ([]Pending, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	defer o.changed.Broadcast()
	o.claims++
	now := o.now()
	var out []Pending
	for _, r := range o.rows {
		if len(out) == limit {
			break
		}
		if r.state != "queued" || r.due.After(now) || r.lockedUntil.After(now) {
			continue
		}
		r.lockedUntil = now.Add(lease)
		r.attempts++
		p := r.p
		p.Attempts = r.attempts - 1
		out = append(out, p)
	}
	return out, nil
}

func (o *fakeOutbox) Sent(ctx context.Context, id int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	defer o.changed.Broadcast()
	if o.sentErrs > 0 {
		o.sentErrs--
		return errors.New("database connection lost")
	}
	r := o.rows[id-1]
	r.state, r.lockedUntil, r.lastErr = "sent", time.Time{}, ""
	r.sentCalls++
	return nil
}

func (o *fakeOutbox) Retry(ctx context.Context, id int64, lastErr string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	defer o.changed.Broadcast()
	if r := o.rows[id-1]; r.state == "queued" {
		r.due, r.lockedUntil, r.lastErr = at, time.Time{}, lastErr
	}
	return nil
}

func (o *fakeOutbox) Fail(ctx context.Context, id int64, lastErr string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	defer o.changed.Broadcast()
	if r := o.rows[id-1]; r.state == "queued" {
		r.state, r.lockedUntil, r.lastErr = "failed", time.Time{}, lastErr
	}
	return nil
}

// lockedBuffer collects log output written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestWorker returns a Worker on o and s with the clock of o and its log
// (JSON lines) in the returned buffer.
func newTestWorker(t testing.TB, o *fakeOutbox, s Sender) (*Worker, *lockedBuffer) {
	t.Helper()
	r, err := NewRenderer(secret.Random())
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	return &Worker{
		Outbox:   o,
		Renderer: r,
		Sender:   s,
		Log:      slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:      o.now,
	}, logs
}

// newSMTPTestSender is newTestSender for tests and benchmarks alike.
func newSMTPTestSender(t testing.TB, url string) Sender {
	t.Helper()
	s, err := NewSender(url, testFrom, t.TempDir(), nil, WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	testRecipient = Address{Name: "Siti binti Ahmad", Email: "siti@jabatan.example.gov.my"}
	testLink      = "https://ispeks.example.gov.my/requests/123"
)

func testData(lang string) testMail {
	d := sampleData(lang)
	d.URL = testLink
	return d
}

// setServer changes a testServer's behaviour between deliveries. The lock
// orders the change before the next session's MAIL (which takes it) in the
// race detector's eyes.
func setServer(ts *testServer, f func(ts *testServer)) {
	ts.mu.Lock()
	f(ts)
	ts.mu.Unlock()
}

// parseMail returns the headers of a delivered message and its parts by
// content type, with quoted-printable decoded and LF line ends.
func parseMail(t *testing.T, data []byte) (netmail.Header, map[string]string) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v)", msg.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p)
		parts[ct] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	return msg.Header, parts
}

// A claimed notification arrives rendered in its language, to its
// recipient, with the Message-ID of its row and the Date of its enqueueing.
func TestWorkerDelivers(t *testing.T) {
	for _, lang := range []string{"ms", "en"} {
		t.Run(lang, func(t *testing.T) {
			ts := startServer(t, plainServer, nil, nil)
			clock := newFakeClock()
			o := newFakeOutbox(clock)
			id := o.add(KindRequestSubmitted, testRecipient, testData(lang))
			created := clock.Now()
			clock.Advance(time.Hour) // the Date must be the enqueue time, not the send time
			w, logs := newTestWorker(t, o, newSMTPTestSender(t, ts.url("smtp+insecure")))

			sent, retried, failed, err := w.DrainOnce(context.Background())
			if err != nil || sent != 1 || retried != 0 || failed != 0 {
				t.Fatalf("DrainOnce = %d, %d, %d, %v; want 1 sent", sent, retried, failed, err)
			}
			if r := o.row(id); r.state != "sent" || r.sentCalls != 1 {
				t.Errorf("row state %q, Sent called %d times", r.state, r.sentCalls)
			}
			got, _ := ts.got()
			if len(got) != 1 {
				t.Fatalf("server received %d messages, want 1", len(got))
			}
			if strings.Join(got[0].To, ",") != testRecipient.Email {
				t.Errorf("RCPT TO %v", got[0].To)
			}
			h, parts := parseMail(t, got[0].Data)
			wantSubject, _, _, err := render(w.Renderer, KindRequestSubmitted, testData(lang), testRecipient.Name)
			if err != nil {
				t.Fatal(err)
			}
			subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
			to, _ := h.AddressList("To")
			date, _ := h.Date()
			checks := []struct{ name, got, want string }{
				{"Subject", subject, wantSubject},
				{"To", func() string {
					if len(to) != 1 {
						return ""
					}
					return to[0].Name + " <" + to[0].Address + ">"
				}(), testRecipient.Name + " <" + testRecipient.Email + ">"},
				{"Message-ID", h.Get("Message-ID"), MessageID("n-"+strconv.FormatInt(id, 10), "ispeks.example.gov.my")},
				{"Date", date.UTC().String(), created.UTC().String()},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
				}
			}
			for _, ct := range []string{"text/plain", "text/html"} {
				if !strings.Contains(parts[ct], testLink) {
					t.Errorf("%s part lacks the link:\n%s", ct, parts[ct])
				}
			}

			// One log line for the message, which names it but never shows
			// the recipient's mailbox or the link.
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], `"outcome":"sent"`) ||
				!strings.Contains(lines[0], `"id":1`) || !strings.Contains(lines[0], `"kind":"request_submitted"`) ||
				!strings.Contains(lines[0], `"to":"s***@jabatan.example.gov.my"`) {
				t.Errorf("log = %s", logs)
			}
			if strings.Contains(logs.String(), "siti@") || strings.Contains(logs.String(), testLink) {
				t.Errorf("log shows the recipient or the link: %s", logs)
			}
		})
	}
}

// Each rule of the worker for one attempt: what is recorded, what the last
// error says, and that the log line never shows an address.
func TestWorkerOutcomes(t *testing.T) {
	temporary := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	permanent := &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	rejected := &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"}
	cases := []struct {
		name      string
		server    func(*testServer)
		kind      Kind
		to        string
		attempts  int    // attempts before this one
		outcome   string // sent, retry or failed
		state     string
		lastErr   string // part of the recorded error
		delivered int    // messages the server stored
		mails     int    // MAIL commands the server saw
	}{
		{name: "accepted", outcome: "sent", state: "sent", delivered: 1, mails: 1},
		{name: "451 at RCPT", server: func(ts *testServer) { ts.rcptErr = temporary },
			outcome: "retry", state: "queued", lastErr: "451", mails: 1},
		{name: "451 at end of DATA", server: func(ts *testServer) { ts.dataErr = temporary },
			outcome: "retry", state: "queued", lastErr: "451", mails: 1},
		{name: "550 at RCPT", server: func(ts *testServer) { ts.rcptErr = permanent },
			outcome: "failed", state: "failed", lastErr: "550", mails: 1},
		{name: "554 at end of DATA", server: func(ts *testServer) { ts.dataErr = rejected },
			outcome: "failed", state: "failed", lastErr: "554", mails: 1},
		{name: "451 at the last attempt", server: func(ts *testServer) { ts.rcptErr = temporary }, attempts: 7,
			outcome: "failed", state: "failed", lastErr: "451", mails: 1},
		{name: "451 before the last attempt", server: func(ts *testServer) { ts.rcptErr = temporary }, attempts: 6,
			outcome: "retry", state: "queued", lastErr: "451", mails: 1},
		{name: "unknown kind does not render", kind: "no_such_kind",
			outcome: "failed", state: "failed", lastErr: "unknown notification kind"},
		{name: "invalid address", to: "Siti <siti@jabatan.example.gov.my>",
			outcome: "failed", state: "failed", lastErr: "invalid email address"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := startServer(t, plainServer, nil, c.server)
			clock := newFakeClock()
			o := newFakeOutbox(clock)
			to, kind := testRecipient, KindRequestSubmitted
			if c.to != "" {
				to.Email = c.to
			}
			if c.kind != "" {
				kind = c.kind
			}
			id := o.add(kind, to, testData("ms"))
			o.rows[id-1].attempts = c.attempts
			w, logs := newTestWorker(t, o, newSMTPTestSender(t, ts.url("smtp+insecure")))

			sent, retried, failed, err := w.DrainOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			counts := map[string]int{"sent": sent, "retry": retried, "failed": failed}
			for outcome, n := range counts {
				want := 0
				if outcome == c.outcome {
					want = 1
				}
				if n != want {
					t.Errorf("%s = %d, want %d", outcome, n, want)
				}
			}
			r := o.row(id)
			if r.state != c.state {
				t.Errorf("state %q, want %q", r.state, c.state)
			}
			if c.outcome == "retry" {
				want := clock.Now().Add(DefaultBackoff(c.attempts + 1))
				if !r.due.Equal(want) {
					t.Errorf("due again at %v, want %v", r.due, want)
				}
			}
			if c.lastErr == "" && r.lastErr != "" || !strings.Contains(r.lastErr, c.lastErr) {
				t.Errorf("last error %q, want it to contain %q", r.lastErr, c.lastErr)
			}
			if strings.Contains(r.lastErr, "siti@") {
				t.Errorf("last error shows the address: %q", r.lastErr)
			}
			got, mails := ts.got()
			if len(got) != c.delivered || mails != c.mails {
				t.Errorf("server stored %d messages and saw %d MAIL, want %d and %d", len(got), mails, c.delivered, c.mails)
			}
			lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], `"outcome":"`+c.outcome+`"`) {
				t.Errorf("want one log line with outcome %s, got: %s", c.outcome, logs)
			}
			if strings.Contains(logs.String(), "siti@") || strings.Contains(logs.String(), testLink) {
				t.Errorf("log shows the recipient or the link: %s", logs)
			}
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	cases := []struct {
		attempt int
		want    time.Duration
	}{
		{0, 30 * time.Second}, {1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute},
		{7, 32 * time.Minute}, {8, time.Hour}, {9, time.Hour}, {1000, time.Hour},
	}
	for _, c := range cases {
		if got := DefaultBackoff(c.attempt); got != c.want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", c.attempt, got, c.want)
		}
	}
}

// A message the server refuses for a while is retried on the backoff
// schedule until it is accepted, or failed after MaxAttempts; it is never
// lost and never delivered twice.
func TestWorkerRetrySchedule(t *testing.T) {
	queueFull := &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "queue full"}
	cases := []struct {
		name        string
		maxAttempts int
		refusals    int      // the server refuses this many attempts, then accepts
		rounds      []string // outcome of each attempt
		state       string
		delivered   int
	}{
		{"accepted after two refusals", 8, 2, []string{"retry", "retry", "sent"}, "sent", 1},
		{"refused until MaxAttempts", 3, 100, []string{"retry", "retry", "failed"}, "failed", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := startServer(t, plainServer, nil, nil)
			clock := newFakeClock()
			o := newFakeOutbox(clock)
			id := o.add(KindRequestReturned, testRecipient, testData("ms"))
			w, _ := newTestWorker(t, o, newSMTPTestSender(t, ts.url("smtp+insecure")))
			w.MaxAttempts = c.maxAttempts

			for i, want := range c.rounds {
				attempt := i + 1
				setServer(ts, func(ts *testServer) {
					ts.dataErr = nil
					if attempt <= c.refusals {
						ts.dataErr = queueFull
					}
				})
				sent, retried, failed, err := w.DrainOnce(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				got := map[[3]int]string{{1, 0, 0}: "sent", {0, 1, 0}: "retry", {0, 0, 1}: "failed"}[[3]int{sent, retried, failed}]
				if got != want {
					t.Fatalf("attempt %d: sent %d, retried %d, failed %d; want %s", attempt, sent, retried, failed, want)
				}
				r := o.row(id)
				if want != "retry" {
					break
				}
				if wantDue := clock.Now().Add(DefaultBackoff(attempt)); !r.due.Equal(wantDue) {
					t.Errorf("attempt %d: due again at %v, want %v", attempt, r.due, wantDue)
				}
				// Not due yet: a drain now must leave it alone.
				clock.Advance(DefaultBackoff(attempt) - time.Second)
				if s, rt, f, _ := w.DrainOnce(context.Background()); s+rt+f != 0 {
					t.Fatalf("attempt %d: row was claimed before it was due", attempt)
				}
				clock.Advance(time.Second)
			}
			r := o.row(id)
			if r.state != c.state || r.attempts != len(c.rounds) {
				t.Errorf("state %q after %d attempts, want %q after %d", r.state, r.attempts, c.state, len(c.rounds))
			}
			if c.state == "failed" && !strings.Contains(r.lastErr, "451") {
				t.Errorf("last error %q", r.lastErr)
			}
			got, mails := ts.got()
			if len(got) != c.delivered || mails != len(c.rounds) {
				t.Errorf("server stored %d and saw %d MAIL, want %d and %d", len(got), mails, c.delivered, len(c.rounds))
			}
		})
	}
}

// A worker that sends and then cannot record it (a crash, a lost database
// connection) leaves the row leased; after the lease the row is sent again,
// and the copy is byte for byte the same message, Message-ID included.
func TestWorkerResendsSameMessageAfterLostRecord(t *testing.T) {
	ts := startServer(t, plainServer, nil, nil)
	clock := newFakeClock()
	o := newFakeOutbox(clock)
	o.sentErrs = 1
	id := o.add(KindWelcomeSetPassword, testRecipient, testData("ms"))
	w, logs := newTestWorker(t, o, newSMTPTestSender(t, ts.url("smtp+insecure")))

	sent, _, _, err := w.DrainOnce(context.Background())
	if err == nil || !strings.Contains(err.Error(), "database connection lost") || sent != 0 {
		t.Fatalf("DrainOnce = %d sent, %v; want the store error and nothing counted", sent, err)
	}
	if !strings.Contains(logs.String(), "not recorded") {
		t.Errorf("store error not logged: %s", logs)
	}
	// Within the lease nobody may take it again.
	clock.Advance(defaultLease - time.Second)
	if s, rt, f, err := w.DrainOnce(context.Background()); s+rt+f != 0 || err != nil {
		t.Fatalf("row claimed again within its lease (%d, %d, %d, %v)", s, rt, f, err)
	}
	clock.Advance(time.Second)
	if sent, _, _, err := w.DrainOnce(context.Background()); sent != 1 || err != nil {
		t.Fatalf("after the lease: %d sent, %v", sent, err)
	}

	if r := o.row(id); r.state != "sent" || r.attempts != 2 {
		t.Errorf("state %q after %d attempts", r.state, r.attempts)
	}
	got, _ := ts.got()
	if len(got) != 2 {
		t.Fatalf("server stored %d messages, want 2 copies", len(got))
	}
	h0, _ := parseMail(t, got[0].Data)
	h1, _ := parseMail(t, got[1].Data)
	if id0, id1 := h0.Get("Message-ID"), h1.Get("Message-ID"); id0 != id1 || id0 != "<n-1@ispeks.example.gov.my>" {
		t.Errorf("Message-IDs %q and %q", id0, id1)
	}
	if !bytes.Equal(got[0].Data, got[1].Data) {
		t.Errorf("the copy differs:\n%s\n----\n%s", got[0].Data, got[1].Data)
	}
}

// A worker starts no send late in its lease, when another worker could
// claim the row before the send ends; the rows wait for their lease instead.
func TestWorkerLeavesRowsWhenLeaseRunsOut(t *testing.T) {
	ts := startServer(t, plainServer, nil, nil)
	clock := newFakeClock()
	o := newFakeOutbox(clock)
	for range 3 {
		o.add(KindRequestProvisioned, testRecipient, testData("en"))
	}
	slow := &clockSender{Sender: newSMTPTestSender(t, ts.url("smtp+insecure")), clock: clock, step: defaultLease/2 + time.Second}
	w, logs := newTestWorker(t, o, slow)
	w.Concurrency = 1

	sent, retried, failed, err := w.DrainOnce(context.Background())
	if err != nil || sent != 1 || retried+failed != 0 {
		t.Fatalf("DrainOnce = %d, %d, %d, %v; want only the first sent", sent, retried, failed, err)
	}
	if n := strings.Count(logs.String(), `"outcome":"deferred"`); n != 2 {
		t.Errorf("%d deferred log lines, want 2: %s", n, logs)
	}
	slow.step = 0
	clock.Advance(defaultLease)
	if sent, _, _, err := w.DrainOnce(context.Background()); sent != 2 || err != nil {
		t.Fatalf("after the lease: %d sent, %v", sent, err)
	}
	if got, _ := ts.got(); len(got) != 3 {
		t.Errorf("server stored %d, want 3", len(got))
	}
}

// clockSender moves the clock by step at every send, like a slow server.
type clockSender struct {
	Sender
	clock *fakeClock
	step  time.Duration
}

func (s *clockSender) Send(ctx context.Context, m Message) error {
	s.clock.Advance(s.step)
	return s.Sender.Send(ctx, m)
}

// Wake never blocks, whether Run is running or not, and from any goroutine.
func TestWakeIsNonBlocking(t *testing.T) {
	var w Worker
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				w.Wake()
			}
		})
	}
	wg.Wait()
}

// Run drains, waits, and claims again at Wake without waiting for Poll; it
// carries on after failed sends and stops when its context is cancelled.
func TestRun(t *testing.T) {
	ts := startServer(t, plainServer, nil, func(ts *testServer) {
		ts.rcptErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	})
	clock := newFakeClock()
	o := newFakeOutbox(clock)
	w, _ := newTestWorker(t, o, newSMTPTestSender(t, ts.url("smtp+insecure")))
	w.Poll = 24 * time.Hour // only Wake can start another drain
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()

	// The first drain found nothing; Run now waits for Poll or Wake.
	o.waitUntil(func(o *fakeOutbox) bool { return o.claims >= 1 })
	bad := o.add(KindRequestRejected, testRecipient, testData("ms"))
	w.Wake()
	o.waitUntil(func(o *fakeOutbox) bool { return o.rows[bad-1].state == "failed" })

	// Run survived the failed send: the server now accepts, and a Wake
	// delivers the next message.
	setServer(ts, func(ts *testServer) { ts.rcptErr = nil })
	good := o.add(KindRequestProvisioned, testRecipient, testData("ms"))
	w.Wake()
	o.waitUntil(func(o *fakeOutbox) bool { return o.rows[good-1].state == "sent" })

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run returned %v, want context.Canceled", err)
	}
	if got, _ := ts.got(); len(got) != 1 {
		t.Errorf("server stored %d messages, want 1", len(got))
	}
}

// A Worker without its parts says so instead of panicking.
func TestWorkerNeedsItsParts(t *testing.T) {
	var w Worker
	if _, _, _, err := w.DrainOnce(context.Background()); err == nil {
		t.Error("DrainOnce without Outbox, Renderer and Sender succeeded")
	}
	if err := w.Run(context.Background()); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v", err)
	}
}

// Workers draining one outbox side by side, as several processes on one
// PostgreSQL do, deliver every row exactly once.
func TestWorkersNeverSendRowTwice(t *testing.T) {
	const rows, workers = 300, 3
	ts := startServer(t, plainServer, nil, nil)
	clock := newFakeClock()
	o := newFakeOutbox(clock)
	for range rows {
		o.add(KindRequestAwaitingTreasury, testRecipient, testData("ms"))
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		w, _ := newTestWorker(t, o, newSMTPTestSender(t, ts.url("smtp+insecure")))
		w.Batch, w.Concurrency = 7, 3
		wg.Go(func() {
			sent, retried, failed, err := w.DrainOnce(context.Background())
			if err != nil || retried+failed != 0 {
				t.Errorf("DrainOnce = %d, %d, %d, %v", sent, retried, failed, err)
			}
			total.Add(int64(sent))
		})
	}
	wg.Wait()
	if total.Load() != rows {
		t.Errorf("workers sent %d in all, want %d", total.Load(), rows)
	}
	for id := int64(1); id <= rows; id++ {
		if r := o.row(id); r.state != "sent" || r.sentCalls != 1 || r.attempts != 1 {
			t.Fatalf("row %d: state %q, Sent %d times, %d attempts", id, r.state, r.sentCalls, r.attempts)
		}
	}
	got, _ := ts.got()
	seen := map[string]int{}
	for _, g := range got {
		msg, err := netmail.ReadMessage(bytes.NewReader(g.Data))
		if err != nil {
			t.Fatal(err)
		}
		seen[msg.Header.Get("Message-ID")]++
	}
	if len(got) != rows || len(seen) != rows {
		t.Errorf("server stored %d messages with %d distinct Message-IDs, want %d", len(got), len(seen), rows)
	}
}

// countServer is a go-smtp server that counts connections and messages and
// throws the data away, for the benchmark and connection reuse tests.
type countServer struct {
	port     int
	conns    atomic.Int64
	messages atomic.Int64
	refuse   atomic.Bool // answer 451 to RCPT TO

	mu   sync.Mutex
	open []*smtp.Conn
}

func startCountServer(t testing.TB) *countServer {
	t.Helper()
	cs := &countServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		cs.conns.Add(1)
		cs.mu.Lock()
		cs.open = append(cs.open, c)
		cs.mu.Unlock()
		return countSession{cs}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cs.port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return cs
}

func (cs *countServer) url() string { return "smtp+insecure://127.0.0.1:" + strconv.Itoa(cs.port) }

// dropAll closes every connection, as a server does with idle ones.
func (cs *countServer) dropAll() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, c := range cs.open {
		c.Conn().Close()
	}
	cs.open = nil
}

type countSession struct{ cs *countServer }

func (s countSession) Mail(string, *smtp.MailOptions) error { return nil }

func (s countSession) Rcpt(string, *smtp.RcptOptions) error {
	if s.cs.refuse.Load() {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	}
	return nil
}

func (s countSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.cs.messages.Add(1)
	return nil
}

func (s countSession) Reset()        {}
func (s countSession) Logout() error { return nil }

// plainSender hides the session support of the Sender it wraps, so that
// every message gets its own connection.
type plainSender struct{ Sender }

// The worker keeps one connection per sending goroutine for a backlog.
func TestWorkerReusesConnections(t *testing.T) {
	const rows = 40
	cases := []struct {
		name      string
		wrap      func(Sender) Sender
		wantConns func(n int64) bool
	}{
		{"SMTP sender: a connection per goroutine", func(s Sender) Sender { return s },
			func(n int64) bool { return n >= 1 && n <= 2 }},
		{"other Sender: a connection per message", func(s Sender) Sender { return plainSender{s} },
			func(n int64) bool { return n == rows }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs := startCountServer(t)
			o := newFakeOutbox(newFakeClock())
			for range rows {
				o.add(KindReminder, testRecipient, testData("ms"))
			}
			w, _ := newTestWorker(t, o, c.wrap(newSMTPTestSender(t, cs.url())))
			w.Concurrency, w.Batch = 2, 5
			if sent, _, _, err := w.DrainOnce(context.Background()); sent != rows || err != nil {
				t.Fatalf("sent %d, %v", sent, err)
			}
			if n := cs.messages.Load(); n != rows {
				t.Errorf("server received %d messages, want %d", n, rows)
			}
			if n := cs.conns.Load(); !c.wantConns(n) {
				t.Errorf("%d connections", n)
			}
		})
	}
}

// A session survives what happens to long-lived connections: a server that
// closed it while idle costs a new connection and no error; a refused
// message costs its error, and the next message a new connection.
func TestSMTPSessionRecovers(t *testing.T) {
	cases := []struct {
		name      string
		between   func(*countServer) // after the first message
		after     func(*countServer) // after the second
		secondErr bool
		delivered int64
		conns     int64
	}{
		{"connection reused", func(*countServer) {}, func(*countServer) {}, false, 3, 1},
		{"server closed the idle connection", (*countServer).dropAll, func(*countServer) {}, false, 3, 2},
		{"message refused", func(cs *countServer) { cs.refuse.Store(true) }, func(cs *countServer) { cs.refuse.Store(false) }, true, 2, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cs := startCountServer(t)
			session := newSMTPTestSender(t, cs.url()).(sessionSender).session()
			defer session.Close()
			if err := send(session, testMessage("n-1")); err != nil {
				t.Fatal(err)
			}
			c.between(cs)
			err := send(session, testMessage("n-2"))
			if (err != nil) != c.secondErr {
				t.Fatalf("second message: err %v, want error %v", err, c.secondErr)
			}
			if err != nil && (IsPermanent(err) || strings.Contains(err.Error(), "pp@")) {
				t.Errorf("second message: IsPermanent %v, err %v", IsPermanent(err), err)
			}
			c.after(cs)
			if err := send(session, testMessage("n-3")); err != nil {
				t.Fatal(err)
			}
			if err := session.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if n := cs.messages.Load(); n != c.delivered {
				t.Errorf("server received %d messages, want %d", n, c.delivered)
			}
			if n := cs.conns.Load(); n != c.conns {
				t.Errorf("%d connections, want %d", n, c.conns)
			}
		})
	}
}
