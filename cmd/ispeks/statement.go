package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/web"
)

// runECMappingImport replaces the Borang EC mapping with FILE. The bad
// lines of a refused file are its report on standard output; the error is
// one line on standard error, and nothing is changed.
func runECMappingImport(e *env, fs *flag.FlagSet, args []string) error {
	path, err := e.parseArg(fs, args, "name the mapping file: ispeks ec mapping import FILE")
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read the mapping file: %v", errors.Unwrap(err))
	}
	defer f.Close()
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.ec.ImportMapping(e.ctx, store.CLI, filepath.Base(path), f)
	var bad *statement.BadMapping
	if errors.As(err, &bad) {
		printLineErrors(e.stdout, bad.Errors, bad.Count)
		return err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "mapping replaced from %s: %d item codes (%d added, %d changed, %d removed; sha256 %s)\n",
		res.FileName, res.Rows, res.Added, res.Changed, res.Removed, res.SHA256)
	return nil
}

// runECGenerate makes (or remakes) a year's Borang EC.
func runECGenerate(e *env, fs *flag.FlagSet, args []string) error {
	return e.runECYear(fs, args, "ec generate", (*statement.Service).Generate)
}

// runECPublish publishes a year's Borang EC; refused, with the list, while
// an item code paid in the year has no line.
func runECPublish(e *env, fs *flag.FlagSet, args []string) error {
	return e.runECYear(fs, args, "ec publish", (*statement.Service).Publish)
}

func (e *env) runECYear(fs *flag.FlagSet, args []string, name string,
	do func(*statement.Service, context.Context, store.Actor, string) (*statement.GenerateResult, error)) error {
	year, err := e.parseArg(fs, args, "name the year: ispeks "+name+" YYYY")
	if err != nil {
		return err
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := do(a.ec, e.ctx, store.CLI, year)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Borang EC %d from %d published months: %d statements (%d new, %d changed, %d removed)\n",
		res.Year, len(res.Months), res.Statements, res.New, res.Changed, res.Removed)
	if len(res.Unmapped) > 0 {
		codes := make([]string, len(res.Unmapped))
		for i, c := range res.Unmapped {
			codes[i] = c.Code + " (" + c.Name + ")"
		}
		fmt.Fprintf(e.stdout, "not on any line until mapped (the year cannot be published): %s\n", strings.Join(codes, ", "))
	}
	if res.Published {
		fmt.Fprintf(e.stdout, "published; %d employees told by mail\n", res.Mailed)
	}
	return nil
}

// demoEmployerNo is the employer number the demo's Borang EC carry when no
// ISPEKS_EC_EMPLOYER_NO is set: made up, as the demo's people are.
const demoEmployerNo = "E9100000001"

// demoStatements loads the default mapping and, when the demo's payroll
// covers the whole of last year, makes and publishes its Borang EC.
func demoStatements(e *env, a *app, months []string) error {
	if _, err := a.ec.LoadDefaultMapping(e.ctx, store.CLI); err != nil {
		return err
	}
	year := fmt.Sprint(a.db.Now().In(malaysia.KL).Year() - 1)
	if len(months) == 0 || months[0] > year+"-01" || months[len(months)-1] < year+"-12" {
		return nil
	}
	svc := a.ec
	if svc.EmployerNo() == "" {
		opts := statementOptions(&e.cfg)
		opts.EmployerNo = demoEmployerNo
		svc = statement.New(a.db, web.NewLinks(e.cfg.BaseURL), opts)
	}
	_, err := svc.Publish(e.ctx, store.CLI, year)
	return err
}
