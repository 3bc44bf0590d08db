package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/password"
)

// AuthSettings are the treasury's rules for logging in.
type AuthSettings struct {
	LockAfter      int           // consecutive failures that lock an account (JPA: 3)
	LockFor        time.Duration // 0: until a reset or a sysadmin unlocks
	SessionIdle    time.Duration // a session ends after this long unused
	SessionMax     time.Duration // and this long after login, whatever happens
	LinkTTL        time.Duration // one-time links and temporary passwords
	ThrottleMax    int           // failed logins from one address …
	ThrottleWindow time.Duration // … within this window before it must wait
	Policy         password.Policy
}

// DefaultAuthSettings are the settings of config.Default.
func DefaultAuthSettings() AuthSettings {
	return AuthSettings{
		LockAfter: 3, SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour,
		LinkTTL: 72 * time.Hour, ThrottleMax: 20, ThrottleWindow: 15 * time.Minute,
		Policy: password.DefaultPolicy(),
	}
}

// Session is a logged-in user's session: a browser's cookie or an API token.
// Only the token's hash is stored.
type Session struct {
	bun.BaseModel `bun:"table:sessions"`

	ID         string    `bun:"id,pk"` // SHA-256 of the token
	UserID     int64     `bun:"user_id"`
	Kind       string    `bun:"kind"` // SessionWeb or SessionAPI
	CreatedAt  time.Time `bun:"created_at"`
	LastSeenAt time.Time `bun:"last_seen_at"`
	ExpiresAt  time.Time `bun:"expires_at"`
	IP         string    `bun:"ip"`
}

// Session kinds.
const (
	SessionWeb = "web"
	SessionAPI = "api"
)

// PasswordToken is a one-time set-password link: single use, short-lived.
type PasswordToken struct {
	bun.BaseModel `bun:"table:password_tokens"`

	ID        string     `bun:"id,pk"` // SHA-256 of the token in the link
	UserID    int64      `bun:"user_id"`
	CreatedAt time.Time  `bun:"created_at"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
}

// ErrLoginFailed is the one answer to every failed login — unknown login,
// wrong password, locked or inactive profile, expired temporary password —
// so that the answer does not tell which logins exist.
var ErrLoginFailed = apperr.New(apperr.Unauthorized, "login.error.failed")

// ErrThrottled answers an address that failed too often: it says nothing of
// any account, and asks the user to wait.
var ErrThrottled = apperr.New(apperr.Unauthorized, "login.error.throttled")

// Login checks login and pw and, when they are right, starts a session of
// kind for the user, returning the session's token (to hand to the client,
// never stored) and the user.
//
// Every failure answers ErrLoginFailed after the same amount of hashing work.
// The attempt is counted before the password is checked, in one conditional
// UPDATE, so that parallel guesses cannot get past LockAfter between them;
// the guess that uses the last try and fails locks the account.
func (db *DB) Login(ctx context.Context, as AuthSettings, login, pw, ip, kind string) (string, *User, error) {
	now := db.Now()
	failures, err := db.NewSelect().Table("login_failures").Where("ip = ? AND at > ?", ip, now.Add(-as.ThrottleWindow)).Count(ctx)
	if err != nil {
		return "", nil, err
	}
	if failures >= int64(as.ThrottleMax) {
		return "", nil, ErrThrottled
	}
	u, err := db.reserveAttempt(ctx, as, login, now)
	if err != nil {
		return "", nil, err
	}
	if u == nil {
		password.VerifyDummy(pw)
		return "", nil, db.loginFailed(ctx, ip, now)
	}
	ok, _, verr := password.Verify(pw, u.PasswordHash)
	if verr != nil || !ok {
		if err := db.Tx(ctx, func(tx bun.Tx) error {
			if u.FailedAttempts >= as.LockAfter {
				if _, err := tx.NewUpdate().Model((*User)(nil)).Set("locked_at = ?", now).Where("id = ?", u.ID).Exec(ctx); err != nil {
					return err
				}
				return db.appendAudit(ctx, tx, Actor{Login: "system"}, "user.lock", "user", u.Login, map[string]any{"failed_attempts": u.FailedAttempts})
			}
			return nil
		}); err != nil {
			return "", nil, err
		}
		return "", nil, db.loginFailed(ctx, ip, now)
	}
	// Right password: the account must still be usable.
	if !u.Active() || (u.PasswordExpiresAt != nil && !now.Before(*u.PasswordExpiresAt)) {
		return "", nil, db.loginFailed(ctx, ip, now)
	}
	var token string
	err = db.Tx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*User)(nil)).Set("failed_attempts = 0").Where("id = ?", u.ID).Exec(ctx); err != nil {
			return err
		}
		token, err = db.newSession(ctx, tx, as, u.ID, kind, ip)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	full, err := db.UserByID(ctx, u.ID)
	return token, full, err
}

// reserveAttempt counts one login attempt for login and returns the user with
// the count after it, or nil when the login is unknown, malformed or locked
// (no attempt may be made).
func (db *DB) reserveAttempt(ctx context.Context, as AuthSettings, login string, now time.Time) (*User, error) {
	norm, _, err := forms.ParseLogin(login)
	if err != nil {
		return nil, nil
	}
	if as.LockFor > 0 {
		// A timed lock that has run out ends before this attempt.
		if _, err := db.NewUpdate().Model((*User)(nil)).
			Set("failed_attempts = 0").Set("locked_at = NULL").
			Where("login = ? AND locked_at IS NOT NULL AND locked_at <= ?", norm, now.Add(-as.LockFor)).
			Exec(ctx); err != nil {
			return nil, err
		}
	}
	u := new(User)
	err = db.NewRaw(`UPDATE users SET failed_attempts = failed_attempts + 1
		WHERE login = ? AND locked_at IS NULL AND failed_attempts < ?
		RETURNING id, login, password_hash, status, failed_attempts, password_expires_at`, norm, as.LockAfter).Scan(ctx, u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return u, err
}

func (db *DB) loginFailed(ctx context.Context, ip string, now time.Time) error {
	if _, err := db.NewRaw("INSERT INTO login_failures (ip, at) VALUES (?, ?)", ip, now).Exec(ctx); err != nil {
		return err
	}
	return ErrLoginFailed
}

// newSession stores a new session for user and returns its token.
func (db *DB) newSession(ctx context.Context, tx bun.IDB, as AuthSettings, userID int64, kind, ip string) (string, error) {
	token, hash := password.NewToken()
	now := db.Now()
	s := &Session{ID: hash, UserID: userID, Kind: kind, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(as.SessionMax), IP: ip}
	_, err := tx.NewInsert().Model(s).Exec(ctx)
	return token, err
}

// NewSession starts a session for a user already proven (after a password
// change or a one-time link), returning its token.
func (db *DB) NewSession(ctx context.Context, as AuthSettings, userID int64, kind, ip string) (string, error) {
	return db.newSession(ctx, db.DB, as, userID, kind, ip)
}

var errNoSession = apperr.New(apperr.Unauthorized, "login.error.session_ended")

// SessionUser returns the session of token and its user, if the session has
// neither idled out nor passed its absolute end and the profile is active.
// It notes the use at most once a minute, to spare the database a write per
// request.
func (db *DB) SessionUser(ctx context.Context, as AuthSettings, token string) (*Session, *User, error) {
	now := db.Now()
	s := new(Session)
	err := db.NewSelect().Model(s).
		Where("id = ? AND expires_at > ? AND last_seen_at > ?", password.HashToken(token), now, now.Add(-as.SessionIdle)).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, errNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	u, err := db.UserByID(ctx, s.UserID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil, errNoSession
		}
		return nil, nil, err
	}
	if !u.Active() {
		return nil, nil, errNoSession
	}
	if now.Sub(s.LastSeenAt) > time.Minute {
		s.LastSeenAt = now
		if _, err := db.NewUpdate().Model(s).Column("last_seen_at").WherePK().Exec(ctx); err != nil {
			return nil, nil, err
		}
	}
	return s, u, nil
}

// EndSession ends the session of token (logout); an unknown token is fine.
func (db *DB) EndSession(ctx context.Context, token string) error {
	_, err := db.NewDelete().Model((*Session)(nil)).Where("id = ?", password.HashToken(token)).Exec(ctx)
	return err
}

// endSessions ends every session of a user, inside tx.
func endSessions(ctx context.Context, tx bun.IDB, userID int64) error {
	_, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx)
	return err
}

// ChangePassword replaces u's password after checking the current one and
// the policy, clears the must-change flag, ends all of u's sessions and
// audits the change. The caller starts a fresh session if it wants one.
func (db *DB) ChangePassword(ctx context.Context, as AuthSettings, userID int64, current, next string) error {
	u, err := db.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	ok, _, err := password.Verify(current, u.PasswordHash)
	if err != nil || !ok {
		return apperr.Fields(apperr.Field("current_password", "password.error.current_wrong"))
	}
	return db.setPassword(ctx, as, u, next, "user.password_change")
}

// setPassword checks next against the policy and makes it u's password, in
// one transaction with the end of u's sessions and the audit record.
func (db *DB) setPassword(ctx context.Context, as AuthSettings, u *User, next, action string, extra ...func(tx bun.Tx) error) error {
	pc := password.Context{Login: u.Login, Name: u.Name, CurrentHash: u.PasswordHash}
	if _, isMyKad, _ := forms.ParseLogin(u.Login); isMyKad {
		pc.ICNumber = u.Login
	}
	if err := as.Policy.Check(next, pc); err != nil {
		return err
	}
	hash, err := password.Hash(next)
	if err != nil {
		return err
	}
	now := db.Now()
	return db.Tx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*User)(nil)).
			Set("password_hash = ?", hash).Set("must_change = ?", false).
			Set("password_expires_at = NULL").Set("password_changed_at = ?", now).
			Set("failed_attempts = 0").Set("locked_at = NULL").Set("updated_at = ?", now).
			Where("id = ?", u.ID).Exec(ctx); err != nil {
			return err
		}
		if err := endSessions(ctx, tx, u.ID); err != nil {
			return err
		}
		for _, fn := range extra {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, Actor{UserID: u.ID, Login: u.Login}, action, "user", u.Login, nil)
	})
}

// IssuePasswordToken creates a one-time set-password link token for user
// inside tx and returns the token (for the link) and when it expires.
func (db *DB) IssuePasswordToken(ctx context.Context, tx bun.IDB, as AuthSettings, userID int64) (string, time.Time, error) {
	token, hash := password.NewToken()
	now := db.Now()
	pt := &PasswordToken{ID: hash, UserID: userID, CreatedAt: now, ExpiresAt: now.Add(as.LinkTTL)}
	_, err := tx.NewInsert().Model(pt).Exec(ctx)
	return token, pt.ExpiresAt, err
}

var errBadLink = apperr.New(apperr.Invalid, "password.error.bad_link")

// UsePasswordToken sets the password of the link's user, once: the token is
// marked used in the same transaction, so that a second use (or a second
// click) fails, and every session of the user ends.
func (db *DB) UsePasswordToken(ctx context.Context, as AuthSettings, token, next string) (*User, error) {
	now := db.Now()
	pt := new(PasswordToken)
	err := db.NewSelect().Model(pt).Where("id = ? AND used_at IS NULL AND expires_at > ?", password.HashToken(token), now).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errBadLink
	}
	if err != nil {
		return nil, err
	}
	u, err := db.UserByID(ctx, pt.UserID)
	if err != nil {
		return nil, err
	}
	if !u.Active() {
		return nil, errBadLink
	}
	err = db.setPassword(ctx, as, u, next, "user.password_set_by_link", func(tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*PasswordToken)(nil)).Set("used_at = ?", now).
			Where("id = ? AND used_at IS NULL", pt.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errBadLink // used by a parallel request a moment ago
		}
		// The other links of the user die with this one.
		_, err = tx.NewUpdate().Model((*PasswordToken)(nil)).Set("used_at = ?", now).
			Where("user_id = ? AND used_at IS NULL", u.ID).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Unlock clears the lock of a profile (a sysadmin's action) and audits it.
func (db *DB) Unlock(ctx context.Context, actor Actor, userID int64) error {
	return db.Tx(ctx, func(tx bun.Tx) error {
		var login string
		err := tx.NewRaw("UPDATE users SET failed_attempts = 0, locked_at = NULL, updated_at = ? WHERE id = ? RETURNING login", db.Now(), userID).Scan(ctx, &login)
		if errors.Is(err, sql.ErrNoRows) {
			return errUserNotFound
		}
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, actor, "user.unlock", "user", login, nil)
	})
}

// Locked reports whether u is locked now under as.
func (u *User) Locked(as AuthSettings, now time.Time) bool {
	if u.LockedAt == nil {
		return false
	}
	return as.LockFor == 0 || now.Before(u.LockedAt.Add(as.LockFor))
}
