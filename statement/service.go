// Package statement is the eEC module: the yearly Borang EC (C.P.8C,
// Penyata Saraan Pekerja Sektor Awam, under section 83(1A) of the Income
// Tax Act 1967) built from the year's published pay slips of package
// payslip, shown to each employee on screen and as a protected PDF. It owns
// its tables (statement_mapping, statement_years, statements,
// statement_codes, statement_notices) and its mail kinds.
//
// The rules it keeps:
//   - every figure of a statement is the sum, to the sen, of the employee's
//     published pay-slip items of that year whose item code the treasury's
//     mapping puts on that line;
//   - a year is generated (and regenerated after a payroll correction) in
//     one set-based transaction; a statement's version grows only when
//     something on it changed, and each employee is told once per version;
//   - a year is not published, nor regenerated once published, while an
//     item code paid in it has no line in the mapping;
//   - an employee sees only their own statement of a published year,
//     looked up by their login, never by an id from the address;
//   - operators see per-PTJ totals and who has a statement, never one
//     person's figures; every viewing and download is audited.
package statement

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

func init() { store.RegisterMigrations("statement", migrations) }

// Links builds the addresses the module's mail leads to; the web layer,
// which owns the routes, hands one in.
type Links interface {
	// Statement is the page of the employee's Borang EC of year.
	Statement(year int) string
}

// Options are the module's settings.
type Options struct {
	// EmployerNo is the treasury's employer number with LHDN (E followed by
	// 10 digits, forms.ParseEmployerNo); no year is generated without it.
	EmployerNo string
	// PDFPassword is the rule of the PDFs' password, the pay slips' own
	// setting ("" is payslip.PasswordMyKad).
	PDFPassword payslip.PasswordRule
	// Treasury is the employer's name on every statement.
	Treasury string
	// MailBatch is how many employees one mailing transaction tells
	// (default 1000).
	MailBatch int
}

// Service runs the module on a database.
type Service struct {
	db     *store.DB
	links  Links
	opts   Options
	audits *store.Auditor

	// generating keeps a second generation of this process waiting on
	// SQLite while one runs, as lockGenerate does on PostgreSQL: the
	// second sums the year once the first has written it, instead of
	// summing it beside the first for nothing (its apply would find no
	// difference, or the year published and sum it again).
	generating sync.Mutex
	// staged, when set (by the tests), runs at the end of each
	// generation's staging, before its apply.
	staged func()
}

// New returns the module on db, linking mail with links.
func New(db *store.DB, links Links, opts Options) *Service {
	if opts.PDFPassword == "" {
		opts.PDFPassword = payslip.PasswordMyKad
	}
	if opts.MailBatch <= 0 {
		opts.MailBatch = 1000
	}
	if opts.Treasury == "" {
		opts.Treasury = "Perbendaharaan Negeri"
	}
	return &Service{db: db, links: links, opts: opts, audits: store.NewAuditor(db)}
}

// PasswordRule is the rule the PDFs are protected by, for the pages and
// mail that state it (the pay slips' rule).
func (s *Service) PasswordRule() payslip.PasswordRule { return s.opts.PDFPassword }

// EmployerNo is the employer number the next generation writes.
func (s *Service) EmployerNo() string { return s.opts.EmployerNo }

func (s *Service) now() time.Time { return s.db.Now() }

// Year states.
const (
	StateGenerated = "generated"
	StatePublished = "published"
)

// ErrNotFound answers a statement that is not there for the viewer:
// missing, its year not published, or someone else's. The same answer for
// all, so that it tells nothing.
var ErrNotFound = apperr.New(apperr.NotFound, "statement.error.not_found")

var (
	errNoModule = apperr.New(apperr.Forbidden, "statement.error.no_module")
	errYear     = apperr.New(apperr.Invalid, "statement.error.year")
)

// employee checks that viewer may read statements at all: an active
// profile granted eEC. The route checks it too; the module does not rely
// on its callers for the rule that protects amounts.
func employee(viewer *store.User) error {
	if viewer == nil || !viewer.Active() || !viewer.HasModule(forms.ModuleEC) {
		return errNoModule
	}
	return nil
}

func actorOf(u *store.User) store.Actor { return store.Actor{UserID: u.ID, Login: u.Login} }

// ParseYear parses a year written YYYY, 2000 to 2099.
func ParseYear(s string) (int, error) {
	t := strings.TrimSpace(s)
	if len(t) != 4 || !malaysia.AllDigits(t) {
		return 0, errYear
	}
	y, _ := strconv.Atoi(t)
	if y < 2000 || y > 2099 {
		return 0, errYear
	}
	return y, nil
}

// wrap names the operation of an unexpected error.
func wrap(op string, err error) error {
	if err == nil || apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
