// Package auth is who may come in and stay: logins and the lockout policy
// (JPA: three wrong passwords lock an account), sessions for browsers and
// API clients, passwords (changes, one-time set-password links, temporary
// passwords) and unlocking. It decides; package store keeps the rows.
package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
)

// Settings are the treasury's rules for logging in.
type Settings struct {
	LockAfter      int             // consecutive failures that lock an account (JPA: 3)
	LockFor        []time.Duration // how long the n-th lock in a row lasts, the last repeating; 0: until a reset or a sysadmin unlocks
	SessionIdle    time.Duration   // a session ends after this long unused
	SessionMax     time.Duration   // and this long after login, whatever happens
	LinkTTL        time.Duration   // one-time links and temporary passwords
	ThrottleMax    int             // failed logins from one address for one login …
	ThrottleWindow time.Duration   // … within this window before it must wait
	Policy         password.Policy

	// SelfService lets users ask for a set-password link themselves
	// (ForgotPassword), at most ForgotPerLogin times per login and
	// ForgotPerAddress times per client address within ForgotWindow; the
	// link lasts ForgotLinkTTL (or LinkTTL if shorter).
	SelfService      bool
	ForgotPerLogin   int
	ForgotPerAddress int
	ForgotWindow     time.Duration
	ForgotLinkTTL    time.Duration
}

// DefaultSettings are the settings of config.Default.
func DefaultSettings() Settings {
	return Settings{
		LockAfter: 3, LockFor: []time.Duration{15 * time.Minute, time.Hour, 0},
		SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour,
		LinkTTL: 72 * time.Hour, ThrottleMax: 20, ThrottleWindow: 15 * time.Minute,
		Policy:      password.DefaultPolicy(),
		SelfService: true, ForgotPerLogin: 3, ForgotPerAddress: 30, ForgotWindow: time.Hour, ForgotLinkTTL: time.Hour,
	}
}

// SettingsOf turns the portal's settings into the login rules.
func SettingsOf(cfg *config.Config) Settings {
	set := DefaultSettings()
	set.LockAfter = cfg.LockAfter
	set.LockFor = cfg.LockFor
	set.ThrottleMax = cfg.LoginThrottle
	set.SessionIdle = cfg.SessionIdle
	set.SessionMax = cfg.SessionMax
	set.LinkTTL = cfg.LinkTTL
	set.Policy.RequireComposition = cfg.Composition
	set.Policy.Words = strings.Fields(strings.ToLower(cfg.TreasuryName))
	set.SelfService = cfg.PasswordSelfService
	return set
}

// Service applies the login rules on a database.
type Service struct {
	db   *store.DB
	set  Settings
	keys *secret.Keyring
	// lockMail is the mail that tells a profile's owner it was locked
	// (MailLocks); nil sends none.
	lockMail func(u *store.User, until *time.Time) store.Mail
	// forgotMail carries the link a user asked for (MailForgotten); nil:
	// self-service cannot mail and is off.
	forgotMail func(u *store.User, l Link) store.Mail
}

// MailLocks makes every lock mail the profile's owner, in the lock's
// transaction, the mail mail returns (until is the lock's end; nil: until
// an unlock). Only the owner learns that the account is locked, and how to
// get it back: the login page tells everybody the same, so that nobody
// learns from it which logins exist or are locked. The user administration
// service, which owns the portal's mail, sets it.
func (s *Service) MailLocks(mail func(u *store.User, until *time.Time) store.Mail) { s.lockMail = mail }

// New returns the login service of db under set; keys derives the tokens of
// one-time links, which the database never holds.
func New(db *store.DB, set Settings, keys *secret.Keyring) *Service {
	return &Service{db: db, set: set, keys: keys}
}

// Settings are the rules the service applies.
func (s *Service) Settings() Settings { return s.set }

// ErrLoginFailed is the one answer to every failed login — unknown login,
// wrong password, locked or inactive profile, expired temporary password —
// so that the answer does not tell which logins exist.
var ErrLoginFailed = apperr.New(apperr.Unauthorized, "login.error.failed")

// ErrThrottled answers a wrong password for a login that failed too often
// from one address: it says nothing of any account, and asks the user to
// wait. The right password still logs in (an office behind one address is
// not locked out by one of its members); the account's own lock still
// holds.
var ErrThrottled = apperr.New(apperr.Unauthorized, "login.error.throttled")

// ErrLoginFailedLast is ErrLoginFailed with a warning: one more wrong
// password locks the account. It answers the failure before the one that
// would lock an account, and, so that it tells nothing of which logins
// exist, the same failure of a login without a profile (or locked), counted
// over the throttle's window from every address.
var ErrLoginFailedLast = apperr.New(apperr.Unauthorized, "login.error.failed_last")

// errLocked tells the holder of the right password of a locked account
// that it is locked, until when, and how to get back in. Only the right
// password hears it, so that a stranger cannot learn from the login page
// which logins exist or are locked.
func errLocked(until *time.Time) error {
	if until == nil {
		return apperr.New(apperr.Unauthorized, "login.error.locked")
	}
	return apperr.New(apperr.Unauthorized, "login.error.locked_until", "Until", malaysia.DateTime(*until))
}

// errTemporaryExpired tells the holder of a temporary password that its
// time has run out.
var errTemporaryExpired = apperr.New(apperr.Unauthorized, "login.error.temporary_expired")

// system is the actor of what the rules do by themselves (a lock).
var system = store.Actor{Login: "system"}

// Login checks login and pw and, when they are right, starts a session of
// kind for the user, returning the session's token (to hand to the client,
// never stored) and the user.
//
// Every failure answers ErrLoginFailed (or ErrThrottled) after exactly one
// argon2 verification, whatever the reason — unknown or malformed login, no
// password yet, a locked, inactive or expired account, a wrong password —
// so that neither the answer nor its time tells which logins exist or what
// state they are in. Three answers say more, each only where it tells a
// stranger nothing: the failure before the one that would lock the account
// warns of the lock (ErrLoginFailedLast; a login without a profile, or a
// locked one, is warned alike, by its failures over the throttle's window);
// the right password of a locked account is told of the lock and until
// when (errLocked), and that of an expired temporary password of its
// expiry. The attempt is counted twice before the password is
// checked, each in one step, so that parallel guesses cannot pass a limit
// between them: against the throttle of (ip, login) (recorded and counted
// under a lock), and against the account (a conditional UPDATE; the guess
// that uses the last try and fails
// locks the account, for as long as the lock schedule says). A server too
// busy to verify answers password.ErrBusy and counts nothing. A good login
// is kept among the user's sign-ins.
func (s *Service) Login(ctx context.Context, login, pw, ip, kind string) (string, *store.User, error) {
	now := s.db.Now()
	key, _, err := forms.ParseLogin(login)
	if err != nil {
		key = "" // malformed logins from one address share one count
	}
	attempt, failures, err := s.db.RecordLoginAttempt(ctx, ip, key, now.Add(-s.set.ThrottleWindow))
	if err != nil {
		return "", nil, err
	}
	failed := ErrLoginFailed
	if failures > int64(s.set.ThrottleMax) {
		failed = ErrThrottled
	}
	busy := func(userID int64) error {
		_ = s.db.ForgetLoginAttempt(ctx, attempt)
		if userID != 0 {
			_ = s.db.UncountAttempt(ctx, userID)
		}
		return password.ErrBusy
	}
	u, err := s.countAttempt(ctx, key)
	if err != nil {
		return "", nil, err
	}
	if u == nil {
		return "", nil, s.notCounted(ctx, key, pw, failed, busy)
	}
	if u.PasswordHash == "" || !password.Readable(u.PasswordHash) {
		// Nothing to check against: spend what a check spends.
		if err := password.VerifyDummy(pw); err != nil {
			return "", nil, busy(0)
		}
		return "", nil, s.warnBeforeLock(u.FailedAttempts, failed)
	}
	ok, _, verr := password.Verify(pw, u.PasswordHash)
	if errors.Is(verr, password.ErrBusy) {
		return "", nil, busy(u.ID)
	}
	if verr != nil || !ok {
		if u.FailedAttempts >= s.set.LockAfter {
			if err := s.lock(ctx, u); err != nil {
				return "", nil, err
			}
		}
		return "", nil, s.warnBeforeLock(u.FailedAttempts, failed)
	}
	// Right password: the account must still be usable.
	if !u.Active() {
		return "", nil, failed
	}
	if u.PasswordExpiresAt != nil && !now.Before(*u.PasswordExpiresAt) {
		return "", nil, errTemporaryExpired
	}
	var token string
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if err := tx.ForgetLoginAttempt(ctx, attempt); err != nil {
			return err
		}
		if err := tx.ResetAttempts(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.RecordSignIn(ctx, u.ID, kind, ip); err != nil {
			return err
		}
		token, err = s.newSession(ctx, tx, u.ID, kind, ip)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	s.upgradeHash(ctx, u, pw)
	full, err := s.db.UserByID(ctx, u.ID)
	return token, full, err
}

// notCounted answers a login whose attempt could not be counted on an
// account: the login is unknown, malformed ("") or locked. A locked
// account's password is checked: only its right password is told of the
// lock (errLocked). Anything else spends what a check spends and answers
// failed, with the warning before a lock when the login's failures over the
// throttle's window, from every address, stand one short of a lock — as an
// account's count would, so that the warning does not tell which logins
// exist.
func (s *Service) notCounted(ctx context.Context, key, pw string, failed error, busy func(int64) error) error {
	var locked *store.User
	if key != "" {
		var err error
		if locked, err = s.db.LockedUser(ctx, key); err != nil {
			return err
		}
	}
	if locked != nil && locked.PasswordHash != "" && password.Readable(locked.PasswordHash) {
		ok, _, verr := password.Verify(pw, locked.PasswordHash)
		if errors.Is(verr, password.ErrBusy) {
			return busy(0)
		}
		if verr == nil && ok && locked.Active() {
			return errLocked(locked.LockedUntil)
		}
	} else if err := password.VerifyDummy(pw); err != nil {
		return busy(0)
	}
	if key == "" || failed != ErrLoginFailed {
		return failed
	}
	n, err := s.db.CountLoginFailuresOf(ctx, key, s.db.Now().Add(-s.set.ThrottleWindow))
	if err != nil {
		return err
	}
	return s.warnBeforeLock(int(n), failed)
}

// warnBeforeLock is the answer to a failed login that made attempts
// failures in a row: failed, or, when the next failure would lock the
// account, ErrLoginFailedLast (unless failed is the throttle's answer).
func (s *Service) warnBeforeLock(attempts int, failed error) error {
	if failed == ErrLoginFailed && s.set.LockAfter > 1 && attempts == s.set.LockAfter-1 {
		return ErrLoginFailedLast
	}
	return failed
}

// upgradeHash stores, after a good login, the hash of the normalised
// password in place of one made before passwords were normalised, so that
// the same password keeps working however it is typed. A failure only
// postpones it to the next login.
func (s *Service) upgradeHash(ctx context.Context, u *store.User, pw string) {
	if password.Normalized(u.PasswordHash) {
		return
	}
	if h, err := password.Hash(pw); err == nil {
		_ = s.db.Rehash(ctx, u.ID, u.PasswordHash, h)
	}
}

// lock locks u after its last allowed failure, for as long as the lock
// schedule gives the n-th lock in a row, audits it and mails the owner, in
// one transaction.
func (s *Service) lock(ctx context.Context, u *store.User) error {
	return s.db.Tx(ctx, func(tx store.Conn) error {
		n, err := tx.LockUser(ctx, u.ID)
		if err != nil {
			return err
		}
		var until *time.Time
		if d := s.lockFor(n); d > 0 {
			t := s.db.Now().Add(d)
			until = &t
			if err := tx.SetLockEnd(ctx, u.ID, until); err != nil {
				return err
			}
		}
		detail := map[string]any{"failed_attempts": u.FailedAttempts, "lock": n, "until": "unlock"}
		if until != nil {
			detail["until"] = until.UTC().Format(time.RFC3339)
		}
		if err := tx.Audit(ctx, system, "user.lock", "user", u.Login, detail); err != nil {
			return err
		}
		if s.lockMail == nil {
			return nil
		}
		owner, err := tx.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		return tx.Enqueue(ctx, s.lockMail(owner, until))
	})
}

// lockFor is how long the n-th lock in a row lasts (0: until an unlock).
func (s *Service) lockFor(n int) time.Duration {
	if len(s.set.LockFor) == 0 {
		return 0
	}
	return s.set.LockFor[min(max(n, 1), len(s.set.LockFor))-1]
}

// countAttempt counts one login attempt for the normalised login and
// returns the user with the count after it, or nil when the login is
// unknown, malformed ("") or locked (no attempt may be made).
func (s *Service) countAttempt(ctx context.Context, login string) (*store.User, error) {
	if login == "" {
		return nil, nil
	}
	// A timed lock that has run out ends before this attempt.
	if err := s.db.EndExpiredLock(ctx, login); err != nil {
		return nil, err
	}
	return s.db.CountAttempt(ctx, login, s.set.LockAfter)
}

// newSession stores a new session for user and returns its token.
func (s *Service) newSession(ctx context.Context, c store.Conn, userID int64, kind, ip string) (string, error) {
	token, hash := password.NewToken()
	now := s.db.Now()
	sess := &store.Session{ID: hash, UserID: userID, Kind: kind, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.set.SessionMax), IP: ip}
	return token, c.InsertSession(ctx, sess)
}

// NewSession starts a session for a user already proven (after a password
// change or a one-time link), returning its token.
func (s *Service) NewSession(ctx context.Context, userID int64, kind, ip string) (string, error) {
	return s.newSession(ctx, s.db.Conn, userID, kind, ip)
}

var errNoSession = apperr.New(apperr.Unauthorized, "login.error.session_ended")

// touchWait is how long a request waits to note its session's use. On
// SQLite the note waits for the one writer, which a long job holds for its
// length (a first import of a million payments, 40 s; a year's Borang EC,
// 18): every page of every user would wait with it. Past touchWait the
// note is left for a later request, which makes it: the session idles out
// after SessionIdle (30 minutes), not after a missed note.
const touchWait = 200 * time.Millisecond

// SessionUser returns the session of token and its user, if the session has
// neither idled out nor passed its absolute end and the profile is active.
// It notes the use at most once a minute, to spare the database a write per
// request, and waits for that note touchWait at most.
func (s *Service) SessionUser(ctx context.Context, token string) (*store.Session, *store.User, error) {
	now := s.db.Now()
	sess, u, err := s.db.LiveSession(ctx, password.HashToken(token), now.Add(-s.set.SessionIdle))
	if err != nil {
		return nil, nil, err
	}
	if sess == nil {
		return nil, nil, errNoSession
	}
	if !u.Active() {
		return nil, nil, errNoSession
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		seen := sess.LastSeenAt
		sess.LastSeenAt = now
		tctx, cancel := context.WithTimeout(ctx, touchWait)
		err := s.db.TouchSession(tctx, sess)
		waited := tctx.Err() != nil && ctx.Err() == nil
		cancel()
		switch {
		case err != nil && waited:
			sess.LastSeenAt = seen // the writer is busy: a later request notes it
		case err != nil:
			return nil, nil, err
		}
	}
	return sess, u, nil
}

// EndSession ends the session of token (logout); an unknown token is fine.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.db.DeleteSession(ctx, password.HashToken(token))
}

// Locked reports whether u is locked now.
func (s *Service) Locked(u *store.User, now time.Time) bool {
	if u.LockedAt == nil {
		return false
	}
	return u.LockedUntil == nil || now.Before(*u.LockedUntil)
}

// Unlock clears the lock of a profile (a sysadmin's action) and audits it.
// It returns the profile's login.
func (s *Service) Unlock(ctx context.Context, actor store.Actor, userID int64) (string, error) {
	var login string
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		var err error
		if login, err = tx.UnlockUser(ctx, userID); err != nil {
			return err
		}
		return tx.Audit(ctx, actor, "user.unlock", "user", login, nil)
	})
	return login, err
}
