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
// asks it: three round trips (session, profile, roles and modules).
func (c Conn) LiveSession(ctx context.Context, hash string, idleSince time.Time) (*Session, *User, error) {
	s := new(Session)
	err := c.rd.NewSelect().Model(s).
		Where("id = ? AND expires_at > ? AND last_seen_at > ?", hash, c.now(), idleSince).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read session: %w", err)
	}
	u, err := c.UserByID(ctx, s.UserID)
	if errors.Is(err, ErrUserNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return s, u, nil
}

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

// UsablePasswordToken returns the unused, unexpired token with hash; nil
// when there is none.
func (c Conn) UsablePasswordToken(ctx context.Context, hash string) (*PasswordToken, error) {
	t := new(PasswordToken)
	err := c.rd.NewSelect().Model(t).Where("id = ? AND used_at IS NULL AND expires_at > ?", hash, c.now()).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read password token: %w", err)
	}
	return t, nil
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

// CountLoginFailures returns how many failed logins came from ip after since.
func (c Conn) CountLoginFailures(ctx context.Context, ip string, since time.Time) (int64, error) {
	n, err := c.rd.NewSelect().Table("login_failures").Where("ip = ? AND at > ?", ip, since).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count login failures: %w", err)
	}
	return n, nil
}

// InsertLoginFailure records a failed login from ip.
func (c Conn) InsertLoginFailure(ctx context.Context, ip string) error {
	if _, err := c.idb.NewRaw("INSERT INTO login_failures (ip, at) VALUES (?, ?)", ip, c.now()).Exec(ctx); err != nil {
		return fmt.Errorf("record login failure: %w", err)
	}
	return nil
}

// EndExpiredLock clears the lock of login when it was taken before before.
func (c Conn) EndExpiredLock(ctx context.Context, login string, before time.Time) error {
	_, err := c.idb.NewUpdate().Model((*User)(nil)).
		Set("failed_attempts = 0").Set("locked_at = NULL").
		Where("login = ? AND locked_at IS NOT NULL AND locked_at <= ?", login, before).Exec(ctx)
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
		RETURNING id, login, name, password_hash, status, failed_attempts, password_expires_at`, login, max).Scan(ctx, u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("count login attempt: %w", err)
	}
	return u, nil
}

// ResetAttempts sets a user's failed attempts back to zero.
func (c Conn) ResetAttempts(ctx context.Context, userID int64) error {
	if _, err := c.idb.NewUpdate().Model((*User)(nil)).Set("failed_attempts = 0").Where("id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("reset attempts: %w", err)
	}
	return nil
}

// LockUser locks a user's profile from now.
func (c Conn) LockUser(ctx context.Context, userID int64) error {
	if _, err := c.idb.NewUpdate().Model((*User)(nil)).Set("locked_at = ?", c.now()).Where("id = ?", userID).Exec(ctx); err != nil {
		return fmt.Errorf("lock user: %w", err)
	}
	return nil
}

// UnlockUser clears a profile's lock and returns its login.
func (c Conn) UnlockUser(ctx context.Context, userID int64) (string, error) {
	var login string
	err := c.idb.NewRaw("UPDATE users SET failed_attempts = 0, locked_at = NULL, updated_at = ? WHERE id = ? RETURNING login",
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
// lock, as every new password does.
func (c Conn) SetPassword(ctx context.Context, userID int64, ch PasswordChange) error {
	now := c.now()
	q := c.idb.NewUpdate().Model((*User)(nil)).
		Set("password_hash = ?", ch.Hash).Set("must_change = ?", ch.MustChange).
		Set("password_expires_at = ?", ch.ExpiresAt).
		Set("failed_attempts = 0").Set("locked_at = NULL").Set("updated_at = ?", now).
		Where("id = ?", userID)
	if ch.Changed {
		q = q.Set("password_changed_at = ?", now)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}
