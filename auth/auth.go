// Package auth is who may come in and stay: logins and the lockout policy
// (JPA: three wrong passwords lock an account), sessions for browsers and
// API clients, passwords (changes, one-time set-password links, temporary
// passwords) and unlocking. It decides; package store keeps the rows.
package auth

import (
	"context"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
)

// Settings are the treasury's rules for logging in.
type Settings struct {
	LockAfter      int           // consecutive failures that lock an account (JPA: 3)
	LockFor        time.Duration // 0: until a reset or a sysadmin unlocks
	SessionIdle    time.Duration // a session ends after this long unused
	SessionMax     time.Duration // and this long after login, whatever happens
	LinkTTL        time.Duration // one-time links and temporary passwords
	ThrottleMax    int           // failed logins from one address …
	ThrottleWindow time.Duration // … within this window before it must wait
	Policy         password.Policy
}

// DefaultSettings are the settings of config.Default.
func DefaultSettings() Settings {
	return Settings{
		LockAfter: 3, SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour,
		LinkTTL: 72 * time.Hour, ThrottleMax: 20, ThrottleWindow: 15 * time.Minute,
		Policy: password.DefaultPolicy(),
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
	return set
}

// Service applies the login rules on a database.
type Service struct {
	db   *store.DB
	set  Settings
	keys *secret.Keyring
}

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

// ErrThrottled answers an address that failed too often: it says nothing of
// any account, and asks the user to wait.
var ErrThrottled = apperr.New(apperr.Unauthorized, "login.error.throttled")

// system is the actor of what the rules do by themselves (a lock).
var system = store.Actor{Login: "system"}

// Login checks login and pw and, when they are right, starts a session of
// kind for the user, returning the session's token (to hand to the client,
// never stored) and the user.
//
// Every failure answers ErrLoginFailed after the same amount of hashing work.
// The attempt is counted before the password is checked, in one conditional
// UPDATE, so that parallel guesses cannot get past LockAfter between them;
// the guess that uses the last try and fails locks the account.
func (s *Service) Login(ctx context.Context, login, pw, ip, kind string) (string, *store.User, error) {
	now := s.db.Now()
	failures, err := s.db.CountLoginFailures(ctx, ip, now.Add(-s.set.ThrottleWindow))
	if err != nil {
		return "", nil, err
	}
	if failures >= int64(s.set.ThrottleMax) {
		return "", nil, ErrThrottled
	}
	u, err := s.countAttempt(ctx, login, now)
	if err != nil {
		return "", nil, err
	}
	if u == nil {
		password.VerifyDummy(pw)
		return "", nil, s.failed(ctx, ip)
	}
	ok, _, verr := password.Verify(pw, u.PasswordHash)
	if verr != nil || !ok {
		if u.FailedAttempts >= s.set.LockAfter {
			if err := s.db.Tx(ctx, func(tx store.Conn) error {
				if err := tx.LockUser(ctx, u.ID); err != nil {
					return err
				}
				return tx.Audit(ctx, system, "user.lock", "user", u.Login, map[string]any{"failed_attempts": u.FailedAttempts})
			}); err != nil {
				return "", nil, err
			}
		}
		return "", nil, s.failed(ctx, ip)
	}
	// Right password: the account must still be usable.
	if !u.Active() || (u.PasswordExpiresAt != nil && !now.Before(*u.PasswordExpiresAt)) {
		return "", nil, s.failed(ctx, ip)
	}
	var token string
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if err := tx.ResetAttempts(ctx, u.ID); err != nil {
			return err
		}
		token, err = s.newSession(ctx, tx, u.ID, kind, ip)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	full, err := s.db.UserByID(ctx, u.ID)
	return token, full, err
}

// countAttempt counts one login attempt for login and returns the user with
// the count after it, or nil when the login is unknown, malformed or locked
// (no attempt may be made).
func (s *Service) countAttempt(ctx context.Context, login string, now time.Time) (*store.User, error) {
	norm, _, err := forms.ParseLogin(login)
	if err != nil {
		return nil, nil
	}
	if s.set.LockFor > 0 {
		// A timed lock that has run out ends before this attempt.
		if err := s.db.EndExpiredLock(ctx, norm, now.Add(-s.set.LockFor)); err != nil {
			return nil, err
		}
	}
	return s.db.CountAttempt(ctx, norm, s.set.LockAfter)
}

func (s *Service) failed(ctx context.Context, ip string) error {
	if err := s.db.InsertLoginFailure(ctx, ip); err != nil {
		return err
	}
	return ErrLoginFailed
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

// SessionUser returns the session of token and its user, if the session has
// neither idled out nor passed its absolute end and the profile is active.
// It notes the use at most once a minute, to spare the database a write per
// request.
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
		sess.LastSeenAt = now
		if err := s.db.TouchSession(ctx, sess); err != nil {
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
	return s.set.LockFor == 0 || now.Before(u.LockedAt.Add(s.set.LockFor))
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
