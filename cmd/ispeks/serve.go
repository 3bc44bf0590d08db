package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/web"
)

func runServe(e *env, fs *flag.FlagSet, args []string) error {
	if err := e.parse(fs, args); err != nil {
		return err
	}
	config.TuneGC(e.getenv)
	log := e.logger()
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	gin.SetMode(gin.ReleaseMode) // no route listing on the console
	// The port first: one in use is said before anything starts.
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("ISPEKS_ADDR: cannot listen on %s: %v", e.cfg.Addr, err)
	}
	defer ln.Close() // when the server did not take it over
	// The background tasks end with the server, whatever ends it: a
	// signal, or a failure to start (a port in use, found after them, used
	// to leave them running and serve waiting for them for ever).
	bg, stopBackground := context.WithCancel(e.ctx)
	var waits []func()
	defer func() {
		stopBackground()
		for _, wait := range slices.Backward(waits) {
			wait()
		}
	}()
	var opts []web.Option
	if e.cfg.MailWorkers > 0 {
		m, err := startMail(bg, e, a, log, e.cfg.MailWorkers)
		if err != nil {
			return err
		}
		waits = append(waits, m.stop)
		opts = append(opts, web.WithMailWaker(m.worker.Wake))
	}
	stopAudit, err := startAuditKeepers(bg, e, a, log)
	if err != nil {
		return err
	}
	waits = append(waits, stopAudit, startSearchMerger(bg, a.db, log), startImportFinisher(bg, a, log))
	srv, err := web.NewServer(&e.cfg, log, web.Services{DB: a.db, Auth: a.auth, Admin: a.admin, Payslip: a.slips, Payment: a.pay, Statement: a.ec}, opts...)
	if err != nil {
		return err
	}
	log.Info("iSPEKS portal serving", "addr", ln.Addr().String(), "base_url", e.cfg.BaseURL, "database", string(a.db.Dialect), "gogc", config.GCTarget())
	return srv.Run(e.ctx, ln)
}

func runMigrate(e *env, fs *flag.FlagSet, args []string) error {
	if err := e.parse(fs, args); err != nil {
		return err
	}
	db, err := store.Open(e.ctx, e.cfg.Database, e.cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(e.ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stdout, "database is up to date")
		return nil
	}
	for _, name := range applied {
		fmt.Fprintln(e.stdout, "applied", name)
	}
	return nil
}

// startSearchMerger merges the search index (store.DB.MergeSearch) at
// start and every hour until ctx ends, in short steps that take their
// turns among the portal's writes; the returned function waits for it.
func startSearchMerger(ctx context.Context, db *store.DB, log *slog.Logger) func() {
	return inBackground(func() {
		every(ctx, time.Hour, func() {
			if n, err := db.MergeSearch(ctx); err != nil {
				if ctx.Err() == nil {
					log.Error("search index merge", "error", err)
				}
			} else if n > 0 {
				log.Info("search index merged", "steps", n)
			}
		})
	})
}

// startImportFinisher finishes, at start and every minute, a payroll or
// eMaklum import whose apply stopped between two of its parts (SQLite)
// when its process died: its months stand half saved, or its vouchers
// half moved, until then.
func startImportFinisher(ctx context.Context, a *app, log *slog.Logger) func() {
	finishers := []struct {
		module string
		finish func(context.Context) ([]int64, error)
	}{{"payroll", a.slips.FinishImports}, {"payment", a.pay.FinishImports}}
	return inBackground(func() {
		every(ctx, time.Minute, func() {
			for _, f := range finishers {
				done, err := f.finish(ctx)
				for _, id := range done {
					log.Info(f.module+" import finished after a stop", "import", id)
				}
				if err != nil && !errors.Is(err, store.ErrJobBusy) && ctx.Err() == nil {
					log.Error("finish "+f.module+" imports", "error", err)
				}
			}
		})
	})
}

// inBackground runs fn in a goroutine and returns the function that waits
// for it.
func inBackground(fn func()) (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	return func() { <-done }
}

// every runs fn now and then every interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
