// Package useradmin is the workflow-driven user administration service:
// it runs the Borang Pentadbiran Pengguna iSPEKS. Where package workflow
// decides what may happen to a request (pure rules), this package makes it
// happen: each action is one database transaction holding the decision,
// the new state, the history row, the audit record, the provisioning effect
// on the profile and the mail to whoever must hear (outbox rows). It also
// holds who sees which request, delegations, the working-day calendar's
// holidays and reminders, and the bootstrap of PTJs and profiles.
package useradmin

import (
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/store"
)

// Links builds the portal's addresses that mail leads to. The web layer,
// which owns the routes, hands one in.
type Links interface {
	Home() string
	Inbox() string
	Request(id int64) string
	// SetPassword is the set-password page with token; SetPassword("") is
	// the address the token is appended to.
	SetPassword(token string) string
}

// Service runs user administration on a database.
type Service struct {
	db     *store.DB
	auth   *auth.Service
	links  Links
	limits AttachmentLimits
	// domains are the treasury's official mail domains: a Borang's
	// e-mail must be under one (none: any).
	domains []string
}

// Option configures a Service beyond its required dependencies.
type Option func(*Service)

// OfficialDomains makes the service accept, in a Borang's e-mail field,
// only addresses under domains (subdomains included; forms.CheckOfficialEmail);
// an empty list accepts any.
func OfficialDomains(domains []string) Option { return func(s *Service) { s.domains = domains } }

// New returns the service on db, provisioning passwords through a and
// linking mail with links.
//
// It also makes a's locks mail the locked profile's owner (auth.MailLocks),
// and the links users ask for themselves go to them (auth.MailForgotten):
// the portal's mail is this service's.
func New(db *store.DB, a *auth.Service, links Links, opts ...Option) *Service {
	s := &Service{db: db, auth: a, links: links, limits: DefaultAttachmentLimits}
	for _, o := range opts {
		o(s)
	}
	if a != nil {
		a.MailLocks(s.lockMail)
		a.MailForgotten(s.forgotMail)
	}
	return s
}

func (s *Service) now() time.Time { return s.db.Now() }

// ErrRequestNotFound answers a request that does not exist or that the
// viewer may not see: the same answer, so that ids tell nothing.
var ErrRequestNotFound = apperr.New(apperr.NotFound, "request.error.not_found")

// actor is the store's audit actor for a user.
func actor(u *store.User) store.Actor { return store.Actor{UserID: u.ID, Login: u.Login} }
