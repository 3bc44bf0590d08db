// Package payment is eMaklum: where a payment (a voucher, baucar) stands.
// It imports the accounting system's status events (CSV) into a voucher
// per record and the history of its statuses, answers searches within
// what each viewer may see, mails an employee when a payment to them is
// credited, fails at the bank or is cancelled, and serves the public
// status check that needs no login.
//
// Who sees what: a user granted the emaklum module sees the payments made
// to them (payee id = their MyKad), and, holding a PTJ role (ptj_rep or
// controlling_officer), their PTJ's; treasury approvers and system
// administrators see every payment. A voucher outside one's scope is not
// found, not forbidden, so that voucher numbers tell nothing.
package payment

import (
	"embed"
	"sync"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { store.RegisterMigrations("payment", migrationFiles) }

// Links builds the portal's addresses that mail leads to. The web layer,
// which owns the routes, hands one in.
type Links interface {
	// Voucher is the page of one voucher.
	Voucher(no string) string
}

// Options are the service's settings; the zero value of a field means its
// default.
type Options struct {
	// CheckWindow is the window of the public status check's throttle
	// (default 15 minutes); CheckPerAddress and CheckPerPayee are the
	// checks one client address (default 30) and one payee id (default 10)
	// may make within it.
	CheckWindow     time.Duration
	CheckPerAddress int
	CheckPerPayee   int
	// MailBatch is how many mails one statement queues (default 500).
	MailBatch int
	// NamePayees is how many payees a part of a name may match before a
	// search reads the payments in date order instead of by payee
	// (default 500).
	NamePayees int
	// BulkLoad is the fewest new vouchers an import writes without the
	// search indexes (building them afterwards), when they also outnumber
	// the vouchers held (default 50,000).
	BulkLoad int64
	// PartRows is how many lines of a checked file SQLite applies before it
	// lets a write that waits for its one writer go first (default 2,000:
	// 0.4–0.6 s at a million payments; store.DB.RunJob). Parts that yield
	// cost more: each commit writes out every index page its part touched,
	// and a new voucher touches a page of each index whose keys fall at
	// random (payee, invoice, reference).
	PartRows int64
}

func (o Options) withDefaults() Options {
	if o.CheckWindow <= 0 {
		o.CheckWindow = 15 * time.Minute
	}
	if o.CheckPerAddress <= 0 {
		o.CheckPerAddress = 30
	}
	if o.CheckPerPayee <= 0 {
		o.CheckPerPayee = 10
	}
	if o.MailBatch <= 0 {
		o.MailBatch = 500
	}
	if o.NamePayees <= 0 {
		o.NamePayees = 500
	}
	if o.BulkLoad <= 0 {
		o.BulkLoad = 50_000
	}
	if o.PartRows <= 0 {
		o.PartRows = 2_000
	}
	return o
}

// Service is eMaklum on a database.
type Service struct {
	db    *store.DB
	links Links
	opt   Options

	mu      sync.Mutex
	running map[int64]*progress // imports this process is running, by id

	// importing keeps a second import of this process out on SQLite
	// while one runs: an import's file is checked beside the writer,
	// against the vouchers as they stand, and what it checked must still
	// hold when it is applied (PostgreSQL: the import's LOCK TABLE; another
	// process: the imports' states, RunImport). It also keeps FinishImports
	// from resuming an import while a file is checked.
	importing sync.Mutex
	// staged, when set (by the tests), runs at the end of each import's
	// staging, before its apply; partDone at the end of each part of an
	// apply, in its transaction, and may fail it.
	staged   func()
	partDone func(p store.Part) error
}

// New returns the service on db, linking mail with links.
func New(db *store.DB, links Links, opt Options) *Service {
	return &Service{db: db, links: links, opt: opt.withDefaults(), running: map[int64]*progress{}}
}

func (s *Service) now() time.Time { return s.db.Now() }

// ErrNotFound answers a voucher that does not exist or that the viewer may
// not see: the same answer, so that voucher numbers tell nothing.
var ErrNotFound = apperr.New(apperr.NotFound, "payment.error.not_found")

// errNoAccess answers a user who may see no payment at all: neither the
// module nor a treasury role.
var errNoAccess = apperr.New(apperr.Forbidden, "payment.error.no_access")

// actor is the store's audit actor for a user (the command line without one).
func actor(u *store.User) store.Actor {
	if u == nil {
		return store.CLI
	}
	return store.Actor{UserID: u.ID, Login: u.Login}
}
