package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

// parseFile is parse for a command that takes one file besides its flags,
// with the flags before or after it.
func (e *env) parseFile(fs *flag.FlagSet, args []string) (string, error) {
	return e.parseArg(fs, args, "name the payroll file: ispeks import payroll FILE [--replace]")
}

// parseArg is parse for a command that takes one argument besides its
// flags, before or after them; missing says how to give it.
func (e *env) parseArg(fs *flag.FlagSet, args []string, missing string) (string, error) {
	check := e.cfg.FlagSet(fs, e.getenv)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return "", err
			}
			return "", usageError{err}
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(pos) == 0:
		return "", usageError{errors.New(missing)}
	case len(pos) > 1:
		return "", usageError{fmt.Errorf("unexpected argument %q", pos[1])}
	}
	return pos[0], check()
}

// runImportPayroll imports a payroll file. The bad lines of a refused file
// are its report on standard output, one per line; the error is one line
// on standard error, and nothing is imported.
func runImportPayroll(e *env, fs *flag.FlagSet, args []string) error {
	replace := fs.Bool("replace", false, "replace the months of the file that were imported before (published ones are told again)")
	path, err := e.parseFile(fs, args)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("cannot read the payroll file: %v", err)
	}
	defer f.Close()
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.slips.Import(e.ctx, store.CLI, filepath.Base(path), f, *replace)
	var bad *payslip.BadFile
	if errors.As(err, &bad) {
		printLineErrors(e.stdout, bad.Errors, bad.Count)
		return err
	}
	if errors.Is(err, store.ErrUnfinished) {
		return fmt.Errorf("%s checked, and its saving stopped midway (import #%d, months %s shown as importing): `ispeks serve` finishes it within a minute, or the next import does: %w",
			filepath.Base(path), res.ID, strings.Join(res.Months, ", "), err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "imported %s as import #%d: %d lines, %d employees, %d slips, months %s (sha256 %s)\n",
		res.FileName, res.ID, res.Lines, res.Employees, res.Slips, strings.Join(res.Months, ", "), res.SHA256)
	if len(res.Replaced) > 0 {
		fmt.Fprintf(e.stdout, "replaced %s; %d employees of published months told again\n", strings.Join(res.Replaced, ", "), res.Mailed)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(e.stdout, "warning, line %d: %s\n", w.Line, malaysia.MaskText(w.Text.In(i18n.EN)))
	}
	if more := res.WarningCount - len(res.Warnings); more > 0 {
		fmt.Fprintf(e.stdout, "… and %d more warnings\n", more)
	}
	return nil
}

// runPublishPayroll publishes a pay month.
func runPublishPayroll(e *env, fs *flag.FlagSet, args []string) error {
	month := fs.String("month", "", "the pay month, YYYY-MM")
	from := fs.String("visible-from", "", "the day employees may see it from, YYYY-MM-DD (default: at once)")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *month == "" {
		return usageError{errors.New("--month is required")}
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.slips.Publish(e.ctx, store.CLI, *month, *from)
	if err != nil {
		return err
	}
	when := "at once"
	if res.VisibleFrom != nil {
		when = "from " + malaysia.Day(*res.VisibleFrom)
	}
	fmt.Fprintf(e.stdout, "published %s, visible %s; %d employees told by mail\n", res.Month, when, res.Mailed)
	return nil
}

// runAbandonPayroll abandons a payroll import stopped midway that the
// server cannot finish (it logs why each minute; /metrics shows it in
// ispeks_jobs_applying): what it saved goes, and its months are to be
// imported again.
func runAbandonPayroll(e *env, fs *flag.FlagSet, args []string) error {
	return runAbandon(e, fs, args, "#N on the payroll page", func(a *app, id int64) (string, error) {
		months, err := a.slips.AbandonImport(e.ctx, store.CLI, id)
		return fmt.Sprintf("abandoned payroll import #%d; import the months %s again", id, strings.Join(months, ", ")), err
	})
}

// runAbandon is an abandon command: it reads the import's number
// (--import, where is where a user finds it), opens the portal, abandons
// the import and prints what abandon says it did.
func runAbandon(e *env, fs *flag.FlagSet, args []string, where string, abandon func(a *app, id int64) (string, error)) error {
	id := fs.Int64("import", 0, "the import's number ("+where+")")
	if err := e.parse(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		return usageError{errors.New("--import is required")}
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	done, err := abandon(a, *id)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, done)
	return nil
}

// printLineErrors is a refused file's report: its bad lines, one per line,
// and how many more there were (count is every bad line).
func printLineErrors(w io.Writer, errs []payslip.LineError, count int) {
	for _, le := range errs {
		fmt.Fprintf(w, "line %d, %s: %s\n", le.Line, le.Field, le.Message(i18n.EN))
	}
	if more := count - len(errs); more > 0 {
		fmt.Fprintf(w, "… and %d more\n", more)
	}
}
