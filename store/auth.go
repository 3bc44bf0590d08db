package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

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

	// User is read with the session, in the same query (LiveSession).
	User *User `bun:"rel:belongs-to,join:user_id=id"`
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

// InsertSession stores s.
func (c Conn) InsertSession(ctx context.Context, s *Session) error {
	if _, err := c.idb.NewInsert().Model(s).Exec(ctx); err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// LiveSession returns the session with hash that has not passed its
// absolute end and was used after idleSince, and its user with their roles
// and modules; nil when there is none. Every request of a logged-in user
// asks it, in one round trip.
func (c Conn) LiveSession(ctx context.Context, hash string, idleSince time.Time) (*Session, *User, error) {
	rows, err := c.queryPrepared(ctx, liveSessionQuery, hash, c.now(), idleSince)
	if err != nil {
		return nil, nil, fmt.Errorf("read session: %w", err)
	}
	var row liveSession
	found, err := c.scanOne(ctx, rows, &row)
	if err != nil {
		return nil, nil, fmt.Errorf("read session: %w", err)
	}
	if !found || row.U.ID == 0 {
		return nil, nil, nil
	}
	s, u := row.Session, row.U
	return &s, &u, u.decodeAccess()
}

// liveSession is a row of liveSessionQuery: the session and its user.
type liveSession struct {
	Session `bun:",extend"`
	U       User `bun:"embed:user__"`
}

// liveSessionQuery names the session's columns rather than "session".*: a
// prepared statement whose result gains a column (a migration run by
// another instance) fails until it is prepared again.
var liveSessionQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	return c.rd.NewSelect().Model((*Session)(nil)).Relation("User").ColumnExpr("?TableColumns").ColumnExpr("? AS user__access", c.accessColumn()).
		Where("?TableAlias.id = ? AND ?TableAlias.expires_at > ? AND ?TableAlias.last_seen_at > ?", arg(1), arg(2), arg(3)).String()
})

// TouchSession notes that s was used at s.LastSeenAt.
func (c Conn) TouchSession(ctx context.Context, s *Session) error {
	if _, err := c.idb.NewUpdate().Model(s).Column("last_seen_at").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession ends the session with hash; an unknown one is fine.
func (c Conn) DeleteSession(ctx context.Context, hash string) error {
	if _, err := c.idb.NewDelete().Model((*Session)(nil)).Where("id = ?", hash).Exec(ctx); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions ends every session of a user.
func (c Conn) DeleteUserSessions(ctx context.Context, userID int64) error {
	if _, err := c.idb.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("delete sessions: %w", err)
	}
	return nil
}

// InsertPasswordToken stores t.
func (c Conn) InsertPasswordToken(ctx context.Context, t *PasswordToken) error {
	if _, err := c.idb.NewInsert().Model(t).Exec(ctx); err != nil {
		return fmt.Errorf("insert password token: %w", err)
	}
	return nil
}

// UsePasswordToken marks the token with hash used, if it was not; it
// reports whether this call did (a parallel use loses).
func (c Conn) UsePasswordToken(ctx context.Context, hash string) (bool, error) {
	res, err := c.idb.NewUpdate().Model((*PasswordToken)(nil)).Set("used_at = ?", c.now()).
		Where("id = ? AND used_at IS NULL", hash).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("use password token: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// UseUserPasswordTokens marks every unused token of a user used.
func (c Conn) UseUserPasswordTokens(ctx context.Context, userID int64) error {
	_, err := c.idb.NewUpdate().Model((*PasswordToken)(nil)).Set("used_at = ?", c.now()).
		Where("user_id = ? AND used_at IS NULL", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("use password tokens: %w", err)
	}
	return nil
}

// DeleteUnusedPasswordTokens removes a user's unused links.
func (c Conn) DeleteUnusedPasswordTokens(ctx context.Context, userID int64) error {
	_, err := c.idb.NewDelete().Model((*PasswordToken)(nil)).Where("user_id = ? AND used_at IS NULL", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete password tokens: %w", err)
	}
	return nil
}

// RecordLoginAttempt records a login attempt from ip for login as a failure
// before it is judged, and returns its id and how many failures (and
// attempts not yet judged) from ip for login came after since, this one
// included. Counting and recording are one step — in one transaction that
// holds a lock on (ip, login): a PostgreSQL advisory lock; SQLite's write
// lock — so that the n-th of many parallel attempts counts exactly n, and
// no more attempts than a limit are let through (ForgetLoginAttempt takes
// back one that succeeded).
func (db *DB) RecordLoginAttempt(ctx context.Context, ip, login string, since time.Time) (id, n int64, err error) {
	err = db.Tx(ctx, func(tx Conn) error {
		if db.Dialect == Postgres {
			if _, err := tx.idb.NewRaw("SELECT pg_advisory_xact_lock(hashtext(?))", "login:"+ip+"|"+login).Exec(ctx); err != nil {
				return err
			}
		}
		if err := tx.idb.NewRaw("INSERT INTO login_failures (ip, login, at) VALUES (?, ?, ?) RETURNING id", ip, login, tx.now()).Scan(ctx, &id); err != nil {
			return err
		}
		n, err = tx.CountLoginFailures(ctx, ip, login, since)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("record login attempt: %w", err)
	}
	return id, n, nil
}

// ForgetLoginAttempt removes the attempt with id: it was no failure.
func (c Conn) ForgetLoginAttempt(ctx context.Context, id int64) error {
	if _, err := c.idb.NewRaw("DELETE FROM login_failures WHERE id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("forget login attempt: %w", err)
	}
	return nil
}

// CountLoginFailures returns how many failed logins (and attempts not yet
// judged) came from ip for login after since.
func (c Conn) CountLoginFailures(ctx context.Context, ip, login string, since time.Time) (int64, error) {
	n, err := c.rd.NewSelect().Table("login_failures").Where("ip = ? AND login = ? AND at > ?", ip, login, since).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count login failures: %w", err)
	}
	return n, nil
}

// EndExpiredLock clears the lock of login when its end has come (a lock
// without an end lasts until an unlock). The count of locks in a row stays:
// the next lock is longer.
func (c Conn) EndExpiredLock(ctx context.Context, login string) error {
	_, err := c.idb.NewUpdate().Model((*User)(nil)).
		Set("failed_attempts = 0").Set("locked_at = NULL").Set("locked_until = NULL").
		Where("login = ? AND locked_at IS NOT NULL AND locked_until IS NOT NULL AND locked_until <= ?", login, c.now()).Exec(ctx)
	if err != nil {
		return fmt.Errorf("end lock: %w", err)
	}
	return nil
}

// CountAttempt counts one login attempt for login, in one conditional
// UPDATE so that parallel attempts cannot pass max between them, and
// returns the user with the count after it (id, login, password hash,
// status, failed attempts, temporary password's end); nil when the login is
// unknown or locked, or already has max attempts.
func (c Conn) CountAttempt(ctx context.Context, login string, max int) (*User, error) {
	u := new(User)
	err := c.idb.NewRaw(`UPDATE users SET failed_attempts = failed_attempts + 1
		WHERE login = ? AND locked_at IS NULL AND failed_attempts < ?
		RETURNING id, login, name, password_hash, status, failed_attempts, password_expires_at, lock_count`, login, max).Scan(ctx, u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("count login attempt: %w", err)
	}
	return u, nil
}

// UncountAttempt takes back an attempt CountAttempt counted that was never
// judged (the server was too busy to check the password).
func (c Conn) UncountAttempt(ctx context.Context, userID int64) error {
	_, err := c.idb.NewRaw("UPDATE users SET failed_attempts = failed_attempts - 1 WHERE id = ? AND failed_attempts > 0", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("uncount login attempt: %w", err)
	}
	return nil
}

// ResetAttempts sets a user's failed attempts, and the count of locks in a
// row, back to zero (a good login).
func (c Conn) ResetAttempts(ctx context.Context, userID int64) error {
	if _, err := c.idb.NewUpdate().Model((*User)(nil)).Set("failed_attempts = 0").Set("lock_count = 0").Where("id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("reset attempts: %w", err)
	}
	return nil
}

// LockUser locks a user's profile from now and returns how many locks in a
// row this one makes (1 for the first since the last good login).
func (c Conn) LockUser(ctx context.Context, userID int64) (int, error) {
	var n int
	err := c.idb.NewRaw("UPDATE users SET locked_at = ?, locked_until = NULL, lock_count = lock_count + 1 WHERE id = ? RETURNING lock_count",
		c.now(), userID).Scan(ctx, &n)
	if err != nil {
		return 0, fmt.Errorf("lock user: %w", err)
	}
	return n, nil
}

// SetLockEnd sets when the lock of a profile ends (nil: until an unlock).
func (c Conn) SetLockEnd(ctx context.Context, userID int64, until *time.Time) error {
	if _, err := c.idb.NewUpdate().Model((*User)(nil)).Set("locked_until = ?", until).Where("id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("set lock end: %w", err)
	}
	return nil
}

// UnlockUser clears a profile's lock, its failed attempts and its count of
// locks in a row, and returns its login.
func (c Conn) UnlockUser(ctx context.Context, userID int64) (string, error) {
	var login string
	err := c.idb.NewRaw("UPDATE users SET failed_attempts = 0, locked_at = NULL, locked_until = NULL, lock_count = 0, updated_at = ? WHERE id = ? RETURNING login",
		c.now(), userID).Scan(ctx, &login)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrUserNotFound
	}
	if err != nil {
		return "", fmt.Errorf("unlock user: %w", err)
	}
	return login, nil
}

// PasswordChange is what setting a password writes on a profile.
type PasswordChange struct {
	Hash       string     // PHC hash; "" clears the password (a reset)
	MustChange bool       // chosen by someone else: change at next login
	ExpiresAt  *time.Time // a temporary password's end
	Changed    bool       // the user chose it: note the time of the change
}

// SetPassword writes ch on a profile and clears its failed attempts and
// lock, as every new password does. The hash it replaces joins the
// profile's password history (the newest HistoryKept are kept).
func (c Conn) SetPassword(ctx context.Context, userID int64, ch PasswordChange) error {
	now := c.now()
	if _, err := c.idb.NewRaw(`INSERT INTO password_history (user_id, hash, created_at)
		SELECT id, password_hash, ? FROM users WHERE id = ? AND password_hash <> ''`, now, userID).Exec(ctx); err != nil {
		return fmt.Errorf("set password: keep history: %w", err)
	}
	if _, err := c.idb.NewRaw(`DELETE FROM password_history WHERE user_id = ? AND id NOT IN
		(SELECT id FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?)`, userID, userID, HistoryKept).Exec(ctx); err != nil {
		return fmt.Errorf("set password: trim history: %w", err)
	}
	q := c.idb.NewUpdate().Model((*User)(nil)).
		Set("password_hash = ?", ch.Hash).Set("must_change = ?", ch.MustChange).
		Set("password_expires_at = ?", ch.ExpiresAt).
		Set("failed_attempts = 0").Set("locked_at = NULL").Set("locked_until = NULL").Set("lock_count = 0").
		Set("updated_at = ?", now).
		Where("id = ?", userID)
	if ch.Changed {
		q = q.Set("password_changed_at = ?", now)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// HistoryKept is how many earlier password hashes a profile keeps: enough
// for the policy's history (password.History counts the current one too).
const HistoryKept = 4

// PasswordHistory returns the hashes of a profile's earlier passwords,
// newest first.
func (c Conn) PasswordHistory(ctx context.Context, userID int64) ([]string, error) {
	var hashes []string
	err := c.rd.NewRaw("SELECT hash FROM password_history WHERE user_id = ? ORDER BY id DESC LIMIT ?", userID, HistoryKept).Scan(ctx, &hashes)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read password history: %w", err)
	}
	return hashes, nil
}

// Rehash replaces a profile's password hash old by new, unless it changed
// meanwhile (the same password, hashed again after a good login).
func (c Conn) Rehash(ctx context.Context, userID int64, old, new string) error {
	_, err := c.idb.NewRaw("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", new, userID, old).Exec(ctx)
	if err != nil {
		return fmt.Errorf("rehash password: %w", err)
	}
	return nil
}
