package main

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestWorkerDeliversOverSMTP runs `ispeks worker` (delivery without pages)
// against an SMTP server inside the test: every mail the demo queued arrives
// once, with a Message-ID, and the worker stops cleanly on SIGTERM.
func TestWorkerDeliversOverSMTP(t *testing.T) {
	c := cli{t: t, dsn: storetest.DSN(t, store.Postgres), dir: t.TempDir()}
	c.ok("", "demo")
	db, err := store.Open(context.Background(), c.dsn, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queued, _ := db.IDB().NewSelect().TableExpr("outbox").Count(context.Background())

	inbox := &mailbox{ids: map[string]int{}}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: inbox}, nil }))
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	defer srv.Close()

	cmd := exec.Command(binary, "worker", "--concurrency", "2")
	cmd.Env = append(os.Environ(), "ISPEKS_DATABASE="+c.dsn, "ISPEKS_DATA_DIR="+c.dir,
		"ISPEKS_SMTP_URL=smtp+insecure://"+l.Addr().String())
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// A deadline for the worker, not a timing assertion.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && int64(inbox.count()) < queued; {
		time.Sleep(100 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("worker exit: %v\n%s", err, logs.String())
	}
	if int64(inbox.count()) != queued {
		t.Fatalf("%d mails arrived of %d queued\n%s", inbox.count(), queued, logs.String())
	}
	for id, n := range inbox.ids {
		if id == "" || n != 1 {
			t.Fatalf("Message-ID %q arrived %d times", id, n)
		}
	}
	if !slices.ContainsFunc(inbox.mails, func(m string) bool {
		return strings.Contains(m, "http://localhost:8080/") && strings.Contains(m, "Jabatan Kerja Raya")
	}) {
		// Links are made when the action queues the mail, with the base URL
		// of the process that ran it (here the demo's default).
		t.Fatalf("no mail with a portal link and a PTJ name:\n%s", inbox.mails[0])
	}
	counts, _ := db.OutboxCounts(context.Background())
	if counts[store.OutboxSent] != queued {
		t.Fatalf("outbox counts after delivery: %v", counts)
	}
}

type mailbox struct {
	mu    sync.Mutex
	ids   map[string]int
	mails []string
}

func (b *mailbox) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, v := range b.ids {
		n += v
	}
	return n
}

type mailSession struct{ box *mailbox }

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *mailSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	var id string
	for _, line := range strings.Split(string(data), "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "message-id:") {
			id = strings.TrimSpace(line[len("message-id:"):])
		}
	}
	s.box.mu.Lock()
	s.box.ids[id]++
	s.box.mails = append(s.box.mails, strings.ReplaceAll(string(data), "=\r\n", "")) // undo quoted-printable soft breaks
	s.box.mu.Unlock()
	return nil
}
func (s *mailSession) Reset()        {}
func (s *mailSession) Logout() error { return nil }
