package main

import (
	"flag"
	"fmt"
	"net"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/web"
)

func runServe(e *env, fs *flag.FlagSet, args []string) error {
	if err := e.parse(fs, args); err != nil {
		return err
	}
	log := e.logger()
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	gin.SetMode(gin.ReleaseMode) // no route listing on the console
	var opts []web.Option
	if e.cfg.MailWorkers > 0 {
		m, err := startMail(e.ctx, e, a, log, e.cfg.MailWorkers)
		if err != nil {
			return err
		}
		defer m.stop()
		opts = append(opts, web.WithMailWaker(m.worker.Wake))
	}
	stopAudit, err := startAuditKeepers(e.ctx, e, a, log)
	if err != nil {
		return err
	}
	defer stopAudit()
	srv, err := web.NewServer(&e.cfg, log, web.Services{DB: a.db, Auth: a.auth, Admin: a.admin, Payslip: a.slips, Payment: a.pay, Statement: a.ec}, opts...)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("ISPEKS_ADDR: cannot listen on %s: %v", e.cfg.Addr, err)
	}
	log.Info("iSPEKS portal serving", "addr", ln.Addr().String(), "base_url", e.cfg.BaseURL, "database", string(a.db.Dialect))
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
