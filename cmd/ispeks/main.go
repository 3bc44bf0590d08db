// Command ispeks is the iSPEKS portal in one binary: the web server and the
// operator's commands. It holds wiring only; the work is in the packages.
//
//	ispeks serve                      run the portal (applies migrations first)
//	ispeks migrate                    apply database migrations
//	ispeks worker                     deliver mail and reminders (no pages)
//	ispeks ptj add --code … --name …  add a PTJ
//	ispeks user create …              bootstrap a user (password on stdin)
//	ispeks import payroll FILE        import a payroll file
//	ispeks publish payroll --month …  publish a pay month
//	ispeks audit verify               check the audit log's chain and checkpoints
//	ispeks audit checkpoint           sign the audit log's head now
//	ispeks demo                       fill an empty database with demo data
//	ispeks import payments FILE       import payment statuses (eMaklum)
//	ispeks ec mapping import FILE     replace the Borang EC mapping of item codes
//	ispeks ec generate YYYY           make a year's Borang EC from its published slips
//	ispeks ec publish YYYY            publish a year's Borang EC to its employees
//	ispeks abandon payroll|payments --import N
//	                                  abandon an import stopped midway that cannot be finished
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/payment"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/web"
)

// command is one subcommand: its name (with its group, as "ptj add"), what it
// does, and its run function, which registers its own flags on fs.
type command struct {
	name  string
	usage string
	run   func(env *env, fs *flag.FlagSet, args []string) error
}

// env is what a command runs with: its streams, the environment and the
// settings (filled by parse).
type env struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	cfg    config.Config
}

var commands = []command{
	{"serve", "run the portal web server", runServe},
	{"migrate", "apply database migrations", runMigrate},
	{"worker", "deliver queued mail and reminders without serving pages: [--concurrency N]", runWorker},
	{"ptj add", "add a PTJ: --code CODE --name NAME [--department NAME]", runPTJAdd},
	{"user create", "create a user: --login --name --email --ptj --role ROLE[,ROLE] [--module MOD[,MOD]] --password-stdin", runUserCreate},
	{"user unlock", "unlock a profile locked by failed logins: --login LOGIN", runUserUnlock},
	{"holiday add", "add a public holiday (reminders skip it): --day YYYY-MM-DD --name NAME", runHolidayAdd},
	{"ceiling set", "set the ceiling of approval limits for a role: --role ROLE --rm AMOUNT", runCeilingSet},
	{"import payroll", "import a payroll file (CSV): FILE [--replace]", runImportPayroll},
	{"publish payroll", "publish a pay month to its employees: --month YYYY-MM [--visible-from YYYY-MM-DD]", runPublishPayroll},
	{"abandon payroll", "abandon a payroll import stopped midway that cannot be finished (its staging file gone), removing what it saved: --import ID", runAbandonPayroll},
	{"abandon payments", "abandon an eMaklum import stopped midway that cannot be finished (its staging file gone), putting its vouchers back as they were: --import ID", runAbandonPayments},
	{"audit verify", "check the audit log's hash chain and its signed checkpoints: [--checkpoints FILE]", runAuditVerify},
	{"audit checkpoint", "sign the audit log's head now into <data-dir>/audit-checkpoints.jsonl (serve does it every 100 records and daily)", runAuditCheckpoint},
	{"backup", "copy the SQLite database to FILE while the portal serves: --to FILE (PostgreSQL: pg_dump)", runBackup},
	{"demo", "fill an empty database with a small demo and print its logins", runDemo},
	{"import payments", "import payment statuses (eMaklum) from the accounting system's CSV: [flags] FILE", runImportPayments},
	{"ec mapping import", "replace the Borang EC mapping of pay item codes (CSV item_code,ec_line): FILE", runECMappingImport},
	{"ec generate", "make (or remake) a year's Borang EC from its published pay slips: YYYY", runECGenerate},
	{"ec publish", "publish a year's Borang EC and tell its employees by mail: YYYY", runECPublish},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the exit code: 0 on
// success, 2 for a command line that is not understood, 1 for anything else.
// Every failure is one line on stderr.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	cmd, rest := findCommand(args)
	if cmd == nil {
		if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			usage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "ispeks: unknown command %q (run 'ispeks help' for the list)\n", strings.Join(args[:min(2, len(args))], " "))
		return 2
	}
	fs := flag.NewFlagSet("ispeks "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	err := cmd.run(e, fs, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stdout)
		fmt.Fprintf(stdout, "usage: ispeks %s\n  %s\n\n", cmd.name, cmd.usage)
		fs.PrintDefaults()
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "ispeks %s: %v\n", cmd.name, err)
		return 2
	}
	fmt.Fprintf(stderr, "ispeks %s: %s\n", cmd.name, describe(err))
	return 1
}

// usageError is a command line that is not understood.
type usageError struct{ error }

// parse registers the settings on fs, parses args and checks the settings.
// Positional arguments are refused: every command takes flags only.
func (e *env) parse(fs *flag.FlagSet, args []string) error {
	check := e.cfg.FlagSet(fs, e.getenv)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	return check()
}

// app is the portal wired together: the database and the domain on it.
type app struct {
	db    *store.DB
	keys  *secret.Keyring
	auth  *auth.Service
	admin *useradmin.Service
	slips *payslip.Service
	pay   *payment.Service
	ec    *statement.Service
}

// Close closes the database.
func (a *app) Close() error { return a.db.Close() }

// open connects to the configured database, applies migrations and builds
// the domain on it.
func (e *env) open() (*app, error) {
	keys, err := secret.Load(e.cfg.SecretKey, e.cfg.SecretKeyFile)
	if err != nil {
		return nil, err
	}
	if e.cfg.ECEmployerNo != "" {
		if e.cfg.ECEmployerNo, err = forms.ParseEmployerNo(e.cfg.ECEmployerNo); err != nil {
			return nil, fmt.Errorf("%s: %s", config.EnvName("ec-employer-no"), describe(err))
		}
	}
	db, err := store.Open(e.ctx, e.cfg.Database, e.cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(e.ctx); err != nil {
		db.Close()
		return nil, err
	}
	a := &app{db: db, keys: keys, auth: auth.New(db, auth.SettingsOf(&e.cfg), keys)}
	links := web.NewLinks(e.cfg.BaseURL)
	a.admin = useradmin.New(db, a.auth, links, useradmin.WithAttachmentLimits(attachmentLimits(&e.cfg)),
		useradmin.OfficialDomains(e.cfg.OfficialEmailDomains))
	a.slips = payslip.New(db, links, payslipOptions(&e.cfg))
	a.pay = payment.New(db, links, payment.Options{})
	a.ec = statement.New(db, links, statementOptions(&e.cfg))
	return a, nil
}

// payslipOptions are the ePayslip module's settings.
func payslipOptions(cfg *config.Config) payslip.Options {
	return payslip.Options{PDFPassword: payslip.PasswordRule(cfg.PayslipPDFPassword),
		RetentionMonths: cfg.PayslipRetentionMonths, Treasury: cfg.TreasuryName}
}

// statementOptions are the eEC module's settings: the pay slips' PDF
// password rule, and the employer number (checked when a year is made).
func statementOptions(cfg *config.Config) statement.Options {
	return statement.Options{EmployerNo: cfg.ECEmployerNo, PDFPassword: payslip.PasswordRule(cfg.PayslipPDFPassword),
		Treasury: cfg.TreasuryName}
}

// logger returns the structured logger at the configured level.
func (e *env) logger() *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(e.cfg.LogLevel))
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// describe renders err for the operator in one line: an application error
// as its English message with the fields named.
func describe(err error) string {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return strings.ReplaceAll(err.Error(), "\n", " ")
	}
	msg := ae.Message("en")
	if ae.Code == apperr.Internal {
		msg = strings.ReplaceAll(err.Error(), "\n", " ")
	}
	if len(ae.Fields) > 0 {
		var parts []string
		for _, f := range ae.Fields {
			parts = append(parts, "--"+strings.ReplaceAll(f.Field, "_", "-")+": "+f.Message("en"))
		}
		msg = strings.Join(parts, "; ")
	}
	return msg
}

func findCommand(args []string) (*command, []string) {
	for i := range commands {
		words := strings.Fields(commands[i].name)
		if len(args) >= len(words) && strings.Join(args[:len(words)], " ") == commands[i].name {
			return &commands[i], args[len(words):]
		}
	}
	return nil, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "ispeks — the iSPEKS portal (ePayslip, eEC, eMaklum and user administration)")
	fmt.Fprintln(w, "\nusage: ispeks COMMAND [flags]   (ispeks COMMAND -h for its flags)")
	names := make([]string, 0, len(commands))
	byName := map[string]string{}
	width := 0 // the longest name's, so that every usage starts in one column
	for _, c := range commands {
		names = append(names, c.name)
		byName[c.name] = c.usage
		width = max(width, len(c.name))
	}
	sort.Strings(names)
	fmt.Fprintln(w, "\ncommands:")
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, byName[n])
	}
	fmt.Fprintln(w, "\nEvery setting is a flag and an environment variable ISPEKS_<NAME>; see README.md.")
}

// attachmentLimits are the Borang's attachment settings.
func attachmentLimits(cfg *config.Config) useradmin.AttachmentLimits {
	return useradmin.AttachmentLimits{Each: cfg.AttachmentMaxSize, Total: cfg.AttachmentMaxTotal}
}
