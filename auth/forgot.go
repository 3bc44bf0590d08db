package auth

import (
	"context"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// A forgotten password, the user's own way ("Lupa kata laluan?"): a
// one-time set-password link to the e-mail of their approved profile.

var (
	// ErrSelfServiceOff answers a request for a link when the treasury
	// has turned self-service off (--password-self-service=false).
	ErrSelfServiceOff = apperr.New(apperr.Forbidden, "account.forgot.off")
	// ErrForgotThrottled answers a request past the limits of a login or
	// an address. It is counted alike for logins with and without a
	// profile, so it tells nothing of which exist.
	ErrForgotThrottled = apperr.New(apperr.TooManyRequests, "account.forgot.throttled")
)

// MailForgotten makes ForgotPassword queue, in its transaction, the mail
// mail returns for a user and the link they asked for. The user
// administration service, which owns the portal's mail, sets it; without
// it self-service is off.
func (s *Service) MailForgotten(mail func(u *store.User, l Link) store.Mail) { s.forgotMail = mail }

// SelfService reports whether users may ask for a link themselves.
func (s *Service) SelfService() bool { return s.set.SelfService && s.forgotMail != nil }

// ForgotPassword takes a request from ip for a set-password link for
// login. It answers the same whether or not the login has a profile: nil
// when the request was taken, ErrForgotThrottled past the limits (counted
// in the database before anything else, per login and per address, so that
// they hold across instances), ErrSelfServiceOff when self-service is off,
// and an Invalid error for a login that is not one (empty, not a MyKad or
// a service login), which tells nothing of any profile.
//
// A request taken is audited (user.password_forgot, with whether a link
// went out and the address) in one transaction with, for an active profile
// with an e-mail, the link and its mail to that address, which holds the
// nonce the link's token is derived from (never the token). The current
// password keeps working until the link is used, so that a stranger's
// request locks nobody out; using it also ends a lock.
func (s *Service) ForgotPassword(ctx context.Context, login, ip string) error {
	key, _, err := forms.ParseLogin(login)
	if err != nil {
		return apperr.Fields(forms.Field("login", err))
	}
	if !s.SelfService() {
		return ErrSelfServiceOff
	}
	byLogin, byIP, err := s.db.RecordForgotRequest(ctx, ip, key, s.db.Now().Add(-s.set.ForgotWindow))
	if err != nil {
		return err
	}
	if byLogin > int64(s.set.ForgotPerLogin) || byIP > int64(s.set.ForgotPerAddress) {
		return ErrForgotThrottled
	}
	u, err := s.db.UserByLogin(ctx, key)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	detail := map[string]any{"ip": ip, "sent": false}
	switch {
	case u == nil:
		detail["reason"] = "unknown"
	case !u.Active():
		detail["reason"] = "inactive"
	case u.Email == "":
		detail["reason"] = "no_email"
	default:
		detail["sent"] = true
	}
	return s.db.Tx(ctx, func(tx store.Conn) error {
		actor := store.Actor{Login: key}
		if u != nil {
			actor.UserID = u.ID
		}
		if err := tx.Audit(ctx, actor, "user.password_forgot", "user", key, detail); err != nil {
			return err
		}
		if detail["sent"] != true {
			return nil
		}
		l, err := s.issueLink(ctx, tx, u.ID, min(s.set.ForgotLinkTTL, s.set.LinkTTL))
		if err != nil {
			return err
		}
		return tx.Enqueue(ctx, s.forgotMail(u, l))
	})
}

// ForgotRetryAfter is how long a throttled request should wait.
func (s *Service) ForgotRetryAfter() time.Duration { return s.set.ForgotWindow }

// The answers of a link that cannot set a password, each telling its
// holder what to do next.
var (
	errLinkUnknown = apperr.New(apperr.Invalid, "password.error.bad_link")
	errLinkUsed    = apperr.New(apperr.Invalid, "account.link.used")
	errLinkExpired = apperr.New(apperr.Invalid, "account.link.expired")
)

// LinkHolder returns whose account the one-time link of token sets the
// password of, before anything is typed, so that the page can say so; or
// why it cannot be used: never issued or taken back by a later reset, used
// already, expired (each an Invalid error with its own message). A link of
// an inactive profile cannot be used either.
func (s *Service) LinkHolder(ctx context.Context, token string) (*store.User, error) {
	if token == "" {
		return nil, errLinkUnknown
	}
	pt, err := s.db.PasswordTokenByHash(ctx, hashToken(token))
	switch {
	case err != nil:
		return nil, err
	case pt == nil:
		return nil, errLinkUnknown
	case pt.UsedAt != nil:
		return nil, errLinkUsed
	case !s.db.Now().Before(pt.ExpiresAt):
		return nil, errLinkExpired
	}
	u, err := s.db.UserByID(ctx, pt.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, errLinkUnknown
	}
	return u, nil
}
