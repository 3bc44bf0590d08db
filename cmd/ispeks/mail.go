package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/useradmin"
)

// mailer is the mail delivery of one process: the worker draining the
// outbox and the daily reminders, stopped together.
type mailer struct {
	worker *notify.Worker
	wg     sync.WaitGroup
}

// startMail starts delivering the outbox of db with workers parallel sends,
// and the reminder sweep, until ctx ends (then wait for them with stop).
func startMail(ctx context.Context, e *env, a *app, log *slog.Logger, workers int) (*mailer, error) {
	sender, err := notify.NewSender(e.cfg.SMTPURL, e.cfg.MailFrom, e.cfg.DataDir, log)
	if err != nil {
		return nil, err
	}
	renderer, err := notify.NewRenderer(a.keys)
	if err != nil {
		return nil, err
	}
	m := &mailer{worker: &notify.Worker{Outbox: a.db.Outbox(), Renderer: renderer, Sender: sender, Log: log, Concurrency: workers}}
	m.wg.Add(2)
	go func() {
		defer m.wg.Done()
		if err := m.worker.Run(ctx); err != nil && ctx.Err() == nil {
			log.Error("mail worker stopped", "error", err)
		}
	}()
	go func() {
		defer m.wg.Done()
		remind(ctx, a.admin, e.cfg.ReminderDays, log, m.worker.Wake)
	}()
	log.Info("mail delivery running", "sender", sender, "workers", workers)
	return m, nil
}

// stop waits for the mail goroutines after their context ended.
func (m *mailer) stop() { m.wg.Wait() }

// remind sweeps the open requests for reminders every hour (and at start).
// The service reminds of each request at most once a day, claims each
// reminder with a conditional update, and sweeps in one process at a time
// (a lease in the database), so that several processes send nothing twice
// and split no approver's count.
func remind(ctx context.Context, admin *useradmin.Service, days int, log *slog.Logger, wake func()) {
	every(ctx, time.Hour, func() {
		if n, err := admin.SendReminders(ctx, days); err != nil {
			if ctx.Err() == nil {
				log.Error("reminders", "error", err)
			}
		} else if n > 0 {
			log.Info("reminders queued", "mails", n)
			wake()
		}
	})
}

// runWorker delivers mail and reminders without serving pages: for
// deployments that keep delivery on separate machines.
func runWorker(e *env, fs *flag.FlagSet, args []string) error {
	n := fs.Int("concurrency", 4, "parallel mail sends")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *n < 1 || *n > 64 {
		return usageError{fmt.Errorf("--concurrency: %d is not between 1 and 64", *n)}
	}
	log := e.logger()
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := startMail(e.ctx, e, a, log, *n)
	if err != nil {
		return err
	}
	stopAudit, err := startAuditKeepers(e.ctx, e, a, log)
	if err != nil {
		return err
	}
	<-e.ctx.Done()
	log.Info("worker stopping")
	m.stop()
	stopAudit()
	return nil
}
