// Package payslip is the ePayslip module (slip gaji): it imports the
// payroll system's monthly file, publishes a month to its employees, and
// serves each employee their own slips on screen and as password-protected
// PDFs. It owns its tables (payroll_imports, payroll_months, payslips,
// payslip_items, payslip_notices) and its mail kinds.
//
// The rules it keeps:
//   - an import is all or nothing: one bad line and nothing is written; a
//     checked file that lands in parts (SQLite) keeps its months "being
//     saved" — not published, not imported again — until its last part;
//   - a month already imported is replaced only when asked;
//   - an employee sees a month only once it is published and its
//     visible_from has come, and only their own: slips are looked up by the
//     viewer's login (their MyKad), never by an id another could send;
//   - nobody else reads a person's amounts: operators see that slips exist
//     and totals per PTJ;
//   - every viewing and download is audited.
package payslip

import (
	"embed"
	"fmt"
	"sync"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

//go:embed migrations/*.sql
var migrations embed.FS

func init() { store.RegisterMigrations("payslip", migrations) }

// Links builds the addresses the module's mail leads to; the web layer,
// which owns the routes, hands one in.
type Links interface {
	// Payslip is the page of one month's slip (YYYY-MM).
	Payslip(month string) string
}

// PasswordRule chooses the password that opens a slip's PDF.
type PasswordRule string

const (
	// PasswordMyKad opens the PDF with the employee's MyKad number, 12
	// digits without dashes (the default).
	PasswordMyKad PasswordRule = "mykad"
	// PasswordNone leaves the PDF unprotected.
	PasswordNone PasswordRule = "none"
)

// Options are the module's settings.
type Options struct {
	// PDFPassword is the rule of the PDFs' password ("" is PasswordMyKad).
	PDFPassword PasswordRule
	// RetentionMonths is how many months back employees see, counting the
	// current one; 0 keeps every month.
	RetentionMonths int
	// Treasury is the heading of every PDF.
	Treasury string
	// MailBatch is how many employees one publishing transaction mails
	// (default 1000).
	MailBatch int
	// PartSlips is how many slips, with their items, a part of an
	// import's apply writes on SQLite (default PartSlips): the longest
	// another write waits for the import.
	PartSlips int
}

// Service runs the module on a database.
type Service struct {
	db    *store.DB
	links Links
	opts  Options
	jobs  *jobs
	// audits writes the records of viewings, concurrent ones together.
	audits *store.Auditor

	// partDone, when set (by a test), ends each part of an import's apply.
	partDone func() error

	// published caches the published months (see visibleMonths).
	published struct {
		mu   sync.Mutex
		read time.Time
		list []publishedMonth
	}
}

// New returns the module on db, linking mail with links.
func New(db *store.DB, links Links, opts Options) *Service {
	if opts.PDFPassword == "" {
		opts.PDFPassword = PasswordMyKad
	}
	if opts.MailBatch <= 0 {
		opts.MailBatch = 1000
	}
	if opts.PartSlips <= 0 {
		opts.PartSlips = PartSlips
	}
	if opts.Treasury == "" {
		opts.Treasury = "Perbendaharaan Negeri"
	}
	return &Service{db: db, links: links, opts: opts, jobs: newJobs(), audits: store.NewAuditor(db)}
}

// PasswordRule is the rule the PDFs are protected by, for the pages and
// mail that state it.
func (s *Service) PasswordRule() PasswordRule { return s.opts.PDFPassword }

func (s *Service) now() time.Time { return s.db.Now() }

// ErrNotFound answers a month that is not there for the viewer: missing,
// not published, not visible yet, past retention, or someone else's. The
// same answer for all, so that it tells nothing.
var ErrNotFound = apperr.New(apperr.NotFound, "payslip.error.not_found")

var errNoModule = apperr.New(apperr.Forbidden, "payslip.error.no_module")

// employee checks that viewer may read slips at all: an active profile
// granted the module. The route checks it too; a module does not rely on
// its callers for the rule that protects amounts.
func employee(viewer *store.User) error {
	if viewer == nil || !viewer.Active() || !viewer.HasModule(forms.ModulePayslip) {
		return errNoModule
	}
	return nil
}

func actorOf(u *store.User) store.Actor { return store.Actor{UserID: u.ID, Login: u.Login} }

// ParseDay parses a date written YYYY-MM-DD as the start of that day in
// Malaysia.
func ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, malaysia.KL)
	if err != nil {
		return time.Time{}, apperr.New(apperr.Invalid, "payslip.error.day")
	}
	return t, nil
}

// monthOf is the pay month of t in Malaysia.
func monthOf(t time.Time) string { return t.In(malaysia.KL).Format("2006-01") }

// addMonths moves a valid month by n months.
func addMonths(month string, n int) string {
	t, _ := time.Parse("2006-01", month)
	return t.AddDate(0, n, 0).Format("2006-01")
}

// wrap names the operation of an unexpected error.
func wrap(op string, err error) error {
	if err == nil || apperr.CodeOf(err) != apperr.Internal {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
