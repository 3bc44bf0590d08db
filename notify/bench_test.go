package notify

import (
	"context"
	"log/slog"
	"testing"
)

// BenchmarkDeliverBacklog drains a backlog of 10,000 notifications from the
// in-memory outbox into a local SMTP server that counts and discards them:
// rendering, building the MIME message and the SMTP dialogue, without the
// database. "reuse" is the Worker as built (a connection per sending
// goroutine); "dial-per-message" hides the session support of the SMTP
// sender to show what reusing connections saves.
//
//	go test ./notify -run '^$' -bench DeliverBacklog -benchtime 1x
func BenchmarkDeliverBacklog(b *testing.B) {
	const backlog = 10_000
	cases := []struct {
		name string
		wrap func(Sender) Sender
	}{
		{"reuse", func(s Sender) Sender { return s }},
		{"dial-per-message", func(s Sender) Sender { return plainSender{s} }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			cs := startCountServer(b)
			sender := c.wrap(newSMTPTestSender(b, cs.url()))
			var delivered int64
			for range b.N {
				b.StopTimer()
				o := newFakeOutbox(newFakeClock())
				for range backlog {
					o.add(KindRequestSubmitted, testRecipient, testData("ms"))
				}
				w, _ := newTestWorker(b, o, sender)
				w.Log = slog.New(slog.DiscardHandler)
				before := cs.messages.Load()
				b.StartTimer()

				sent, retried, failed, err := w.DrainOnce(context.Background())

				b.StopTimer()
				if err != nil || sent != backlog || retried+failed != 0 {
					b.Fatalf("DrainOnce = %d, %d, %d, %v", sent, retried, failed, err)
				}
				if n := cs.messages.Load() - before; n != backlog {
					b.Fatalf("server counted %d messages, want %d", n, backlog)
				}
				delivered += backlog
				b.StartTimer()
			}
			b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
