package useradmin_test

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// BenchmarkDeliverOutbox drains a backlog of 10,000 queued notifications from
// the real outbox table (claim, render, send, record) into a local SMTP
// server that counts them, on each database: the figure the README quotes.
// notify's BenchmarkDeliverBacklog measures the same without a database.
//
//	bash scripts/test ./useradmin/ -run '^$' -bench DeliverOutbox -benchtime 1x
func BenchmarkDeliverOutbox(b *testing.B) {
	const backlog = 10_000
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			var count atomic.Int64
			addr := countingSMTP(b, &count)
			sender, err := notify.NewSender("smtp+insecure://"+addr, "iSPEKS <noreply@ispeks.localhost>", b.TempDir(), slog.New(slog.DiscardHandler))
			if err != nil {
				b.Fatal(err)
			}
			renderer, err := notify.NewRenderer(secret.Random())
			if err != nil {
				b.Fatal(err)
			}
			var delivered int64
			for range b.N {
				b.StopTimer()
				rows := make([]store.Notification, backlog)
				now := time.Now().UTC()
				for i := range rows {
					rows[i] = store.Notification{Kind: "request_submitted", ToEmail: "pegawai" + strconv.Itoa(i) + "@melaka.gov.my",
						ToName: "Pegawai", Lang: "ms", State: store.OutboxQueued, NextAttemptAt: now, CreatedAt: now,
						Data: `{"ref":"BPP/2026/000001","kind":"registration","ptj":"12010101","url":"https://ispeks.example.gov.my/requests/1"}`}
				}
				for i := 0; i < backlog; i += 1000 {
					chunk := rows[i:min(i+1000, backlog)]
					if _, err := db.IDB().NewInsert().Model(&chunk).Exec(ctx); err != nil {
						b.Fatal(err)
					}
				}
				w := &notify.Worker{Outbox: db.Outbox(), Renderer: renderer, Sender: sender, Log: slog.New(slog.DiscardHandler), Batch: 200, Concurrency: 4}
				before := count.Load()
				b.StartTimer()
				sent, _, failed, err := w.DrainOnce(context.Background())
				b.StopTimer()
				if err != nil || sent != backlog || failed != 0 || count.Load()-before != backlog {
					b.Fatalf("sent %d failed %d err %v; server got %d", sent, failed, err, count.Load()-before)
				}
				delivered += backlog
				b.StartTimer()
			}
			b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// countingSMTP starts an SMTP server that accepts and counts every message.
func countingSMTP(b *testing.B, count *atomic.Int64) string {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &countSession{count: count}, nil }))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	b.Cleanup(func() { srv.Close() })
	return l.Addr().String()
}

type countSession struct{ count *atomic.Int64 }

func (s *countSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *countSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *countSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	s.count.Add(1)
	return err
}
func (s *countSession) Reset()        {}
func (s *countSession) Logout() error { return nil }
