package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/perbendaharaan/ispeks/anchor"
)

// checkpointFile is where this instance anchors the audit log.
func (e *env) checkpointFile() string { return filepath.Join(e.cfg.DataDir, anchor.FileName) }

// startAuditKeepers runs, until ctx ends, the two background tasks of the
// audit log: the sealer that chains records an action's own sealing left
// waiting (every second), and the writer of audit checkpoints (every 100
// records, at least daily; checked every minute, outside every
// transaction). The returned function waits for both.
func startAuditKeepers(ctx context.Context, e *env, a *app, log *slog.Logger) (func(), error) {
	w, err := anchor.NewWriter(a.db, a.keys, e.checkpointFile(), log)
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		w.Run(ctx, time.Minute)
	}()
	go func() {
		defer wg.Done()
		a.db.RunAuditSealer(ctx, time.Second, func(err error) { log.Error("audit seal", "error", err) })
	}()
	return wg.Wait, nil
}

func runAuditVerify(e *env, fs *flag.FlagSet, args []string) error {
	file := fs.String("checkpoints", "", "the signed checkpoint file to compare the log with (default <data-dir>/"+anchor.FileName+" when it exists)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	path := *file
	if path == "" {
		if _, err := os.Stat(e.checkpointFile()); err == nil {
			path = e.checkpointFile()
		}
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	if path == "" {
		n, brk, err := a.db.VerifyAudit(e.ctx)
		if err != nil {
			return err
		}
		if brk != nil {
			return fmt.Errorf("audit log BROKEN at %s (%d records before it are whole)", brk.Error(), n)
		}
		fmt.Fprintf(e.stdout, "audit log whole: %d records verified (no checkpoints: records deleted from the end would not show; see --checkpoints)\n", n)
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--checkpoints: %v", err)
	}
	defer f.Close()
	rep, err := anchor.Verify(e.ctx, a.db, a.keys, f)
	if err != nil {
		return err
	}
	var problems []string
	if rep.Break != nil {
		problems = append(problems, fmt.Sprintf("BROKEN at %s (%d records before it are whole)", rep.Break.Error(), rep.Records))
	}
	for _, fd := range rep.Findings {
		problems = append(problems, fd.Message("en"))
	}
	if len(problems) > 0 {
		return errors.New("audit log " + strings.Join(problems, "; "))
	}
	if rep.Newest == nil {
		return fmt.Errorf("--checkpoints: %s holds no checkpoint", path)
	}
	fmt.Fprintf(e.stdout, "audit log whole: %d records verified; %d checkpoints match (newest: record %d, %s)\n",
		rep.Records, rep.Checkpoints, rep.Newest.Seq, rep.Newest.At.Format(time.RFC3339))
	return nil
}

func runAuditCheckpoint(e *env, fs *flag.FlagSet, args []string) error {
	if err := e.parse(fs, args); err != nil {
		return err
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	w, err := anchor.NewWriter(a.db, a.keys, e.checkpointFile(), e.logger())
	if err != nil {
		return err
	}
	w.Every, w.MaxAge = 0, 0 // now, whatever the last one was
	wrote, err := w.Check(e.ctx)
	if err != nil {
		return err
	}
	if !wrote {
		fmt.Fprintln(e.stdout, "audit log empty: nothing to anchor")
		return nil
	}
	fmt.Fprintf(e.stdout, "audit checkpoint written to %s\n", e.checkpointFile())
	return nil
}
