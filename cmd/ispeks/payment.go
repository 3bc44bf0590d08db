package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/payment"
	"github.com/perbendaharaan/ispeks/store"
)

// runImportPayments imports the accounting system's payment statuses from
// FILE (eMaklum). The file is the command's one argument, after any flags.
func runImportPayments(e *env, fs *flag.FlagSet, args []string) error {
	check := e.cfg.FlagSet(fs, e.getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("name one file, after the flags: ispeks import payments FILE")}
	}
	if err := check(); err != nil {
		return err
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot open %s: %v", path, errors.Unwrap(err))
	}
	defer f.Close()
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	imp, err := a.pay.Import(e.ctx, nil, filepath.Base(path), f)
	var bad *payment.ImportError
	if errors.As(err, &bad) {
		return fmt.Errorf("%s not imported, nothing saved (import %d): %v", filepath.Base(path), bad.ImportID, bad)
	}
	if errors.Is(err, store.ErrUnfinished) {
		return fmt.Errorf("%s checked, and its saving stopped midway (import %d, shown as saving): `ispeks serve` finishes it within a minute, or the next import does: %w",
			filepath.Base(path), imp.ID, err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "import %d: %d lines, %d vouchers (%d new, %d moved), %d history rows, %d mails queued; sha256 %s\n",
		imp.ID, imp.Lines, imp.Vouchers, imp.Created, imp.Updated, imp.Events, imp.Mails, imp.SHA256)
	return nil
}

// runAbandonPayments abandons an eMaklum import stopped midway that the
// server cannot finish (it logs why each minute; /metrics shows it in
// ispeks_jobs_applying): the vouchers it brought go, those it moved are
// put back, and its file is to be imported again.
func runAbandonPayments(e *env, fs *flag.FlagSet, args []string) error {
	return runAbandon(e, fs, args, "on the eMaklum import page", func(a *app, id int64) (string, error) {
		undone, err := a.pay.AbandonImport(e.ctx, store.CLI, id)
		return fmt.Sprintf("abandoned payment import #%d: %d vouchers it brought removed, %d it moved put back as they were; import its file again",
			id, undone.Removed, undone.Restored), err
	})
}

// demoEmployees are the demo users paid claims in the demo's payments: those
// granted eMaklum.
func demoEmployees() []payment.DemoPayee {
	var out []payment.DemoPayee
	for _, u := range demoUsers {
		for _, m := range u.modules {
			if m == forms.ModuleMaklum {
				out = append(out, payment.DemoPayee{MyKad: u.login, Name: u.name})
			}
		}
	}
	return out
}

// demoPayments imports a few hundred made-up payments in every status,
// some of them claims of the demo's employees (whose mail is queued).
func demoPayments(e *env, a *app) error {
	var codes []string
	for _, p := range demoPTJs {
		codes = append(codes, p.Code)
	}
	var buf bytes.Buffer
	if err := payment.WriteDemoFile(&buf, payment.DemoOptions{Vouchers: 300, PTJs: codes, Employees: demoEmployees(),
		Today: a.db.Now(), Seed: 2026, History: true}); err != nil {
		return err
	}
	_, err := a.pay.Import(e.ctx, nil, "demo-payments.csv", &buf)
	return err
}
