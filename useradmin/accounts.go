package useradmin

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
)

// Passwords outside the Borang: the link a user asks for themselves
// ("Lupa kata laluan?", decided by auth.ForgotPassword) and a system
// administrator's direct reset from the user's page, the seed's own
// procedure for a user who calls the treasury. The Borang's password reset
// stays for an e-mail that is wrong or lost.

var (
	mailForgotLink  = notify.Register("password_forgot_link", sampleAccountMail)  // to the user who asked: a one-time link
	mailResetDirect = notify.Register("password_reset_direct", sampleAccountMail) // to the user a sysadmin reset: a link, or word of the temporary password
)

// accountMail tells a user about their own password: when it happened, to
// which login, and the one-time link (its nonce, never its token) when
// there is one; without a link, where to log in.
type accountMail struct {
	At       time.Time `json:"at"`
	Login    string    `json:"login"` // masked
	Password *linkRef  `json:"password,omitempty"`
	URL      string    `json:"url,omitempty"`
}

var sampleAccountMail = accountMail{At: time.Unix(0, 0), Login: "900101-**-***9",
	Password: &linkRef{Base: "https://ispeks.example/password/set?token=", Nonce: "n", Expires: time.Unix(3600, 0)}}

func (m accountMail) Args(lang string) []any {
	args := []any{"At", malaysia.LongDateTime(m.At, lang), "Login", m.Login, "Expires", ""}
	if m.Password != nil {
		args[len(args)-1] = malaysia.LongDateTime(m.Password.Expires, lang)
	}
	return args
}

func (m accountMail) Link(keys *secret.Keyring) string {
	if m.Password != nil {
		return m.Password.Base + keys.Token(auth.LinkPurpose, m.Password.Nonce)
	}
	return m.URL
}

func (m accountMail) Details(string) notify.Details { return notify.Details{} }

// forgotMail is the mail auth queues when a user asks for a link
// (auth.MailForgotten).
func (s *Service) forgotMail(u *store.User, l auth.Link) store.Mail {
	return store.Mail{Kind: mailForgotLink, To: u, Content: accountMail{At: s.now(), Login: forms.MaskLogin(u.Login),
		Password: &linkRef{Base: s.links.SetPassword(""), Nonce: l.Nonce, Expires: l.Expires}}}
}

// DirectReset is a system administrator's reset of a user's password from
// the user's page, after the user called the treasury.
type DirectReset struct {
	// IdentityChecked is the sysadmin's word that the caller's identity
	// was checked (MyKad, position, PTJ) before the reset.
	IdentityChecked bool
	// Reason is why, for the audit log (at most MaxResetReason characters).
	Reason string
	// Temporary hands over a temporary password, shown once to the
	// sysadmin, instead of mailing a one-time link to the profile's e-mail.
	Temporary bool
	// Stamp is the profile's PasswordStamp as the sysadmin's page showed
	// it: a reset of a profile whose password changed meanwhile (a second
	// click, a reload) is a conflict and changes nothing.
	Stamp string
}

// MaxResetReason is the longest reason of a direct reset, in characters.
const MaxResetReason = 500

// ResetResult is what a direct reset did.
type ResetResult struct {
	User *store.User // the profile, as before the reset
	// TemporaryPassword is shown once and never stored in clear; it stops
	// working at TemporaryExpires.
	TemporaryPassword string
	TemporaryExpires  time.Time
	// MailedTo is the masked address the link or the word of the reset
	// went to ("" when the profile has none).
	MailedTo string
}

// PasswordStamp is a fingerprint of u's password state (its hash, end,
// must-change flag and last change of the profile): it changes with every
// reset, so that a page can name the state its form was made for.
func PasswordStamp(u *store.User) string {
	var expires string
	if u.PasswordExpiresAt != nil {
		expires = u.PasswordExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s|%s|%t|%s", u.PasswordHash, expires, u.MustChange, u.UpdatedAt.UTC().Format(time.RFC3339Nano)))
	return hex.EncodeToString(sum[:8])
}

var (
	errResetSelf     = apperr.New(apperr.Forbidden, "account.reset.self")
	errResetInactive = apperr.New(apperr.Conflict, "account.reset.inactive")
	errResetStale    = apperr.New(apperr.Conflict, "account.reset.stale")
	errNotSysadmin   = apperr.New(apperr.Forbidden, "error.forbidden_page")
)

// ResetPassword resets the password of profile userID for by, a system
// administrator, in one transaction: the password, the lock, every session
// and unused link end; then either a one-time link goes to the profile's
// e-mail, or a temporary password (returned once, to be changed at first
// login) is set and the user is mailed that their password was reset; and
// it is audited (user.password_reset, with the reason and the way). The
// mail goes through the outbox: a mail server that is down delays it and
// loses nothing.
//
// Refused before anything is written: a caller who is not a sysadmin, a
// reset of one's own password (the password page is for that), an
// unticked identity check or a missing or too long reason (every field at
// once), an inactive profile, a link for a profile without an e-mail, and
// a stale stamp (the password changed since the page was shown).
func (s *Service) ResetPassword(ctx context.Context, by *store.User, userID int64, r DirectReset) (*ResetResult, error) {
	if !by.HasRole(forms.RoleSysadmin) {
		return nil, errNotSysadmin
	}
	if by.ID == userID {
		return nil, errResetSelf
	}
	r.Reason = strings.TrimSpace(r.Reason)
	var fields []apperr.FieldError
	if !r.IdentityChecked {
		fields = append(fields, apperr.Field("identity_checked", "account.reset.identity_needed"))
	}
	switch n := utf8.RuneCountInString(r.Reason); {
	case n == 0:
		fields = append(fields, apperr.Field("reason", "account.reset.reason_needed"))
	case n > MaxResetReason:
		fields = append(fields, apperr.Field("reason", "field.too_long", "Label", i18n.Of("account.reset.reason"), "Max", MaxResetReason, "Now", n))
	}
	if len(fields) > 0 {
		return nil, apperr.Fields(fields...)
	}
	res := &ResetResult{}
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		switch {
		case !u.Active():
			return errResetInactive
		case r.Stamp != PasswordStamp(u):
			return errResetStale
		case !r.Temporary && u.Email == "":
			return apperr.Fields(apperr.Field("temporary", "account.reset.no_email"))
		}
		res.User = u
		if err := s.auth.ClearPassword(ctx, tx, u.ID); err != nil {
			return err
		}
		m := accountMail{At: s.now(), Login: forms.MaskLogin(u.Login), URL: s.links.Home()}
		way := "link"
		if r.Temporary {
			way = "temporary_password"
			if res.TemporaryPassword, res.TemporaryExpires, err = s.auth.SetTemporaryPassword(ctx, tx, u.ID); err != nil {
				return err
			}
		} else {
			l, err := s.auth.IssueLink(ctx, tx, u.ID)
			if err != nil {
				return err
			}
			m.Password = &linkRef{Base: s.links.SetPassword(""), Nonce: l.Nonce, Expires: l.Expires}
		}
		if err := tx.Audit(ctx, actor(by), "user.password_reset", "user", u.Login,
			map[string]any{"way": way, "reason": r.Reason, "identity_checked": true}); err != nil {
			return err
		}
		if u.Email == "" {
			return nil
		}
		res.MailedTo = malaysia.MaskEmail(u.Email)
		return tx.Enqueue(ctx, store.Mail{Kind: mailResetDirect, To: u, Content: m})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
