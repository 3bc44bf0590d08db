package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// The rows of accounts in daily use: a user's own requests for a
// set-password link, the sign-ins a user's page lists, and the reads the
// login rules need beyond the lockout's counters (auth.go).

// RecordForgotRequest records a request from ip for a set-password link for
// login (normalised; "" for none) and returns how many such requests, this
// one included, came after since for login (from any address) and from ip
// (for any login). Recording and counting are one step — in a transaction
// that holds one lock for every such request (a PostgreSQL advisory lock;
// SQLite's write lock) — so that parallel requests, on any instance, cannot
// pass a limit between them. Such requests are rare: one lock for all is
// no queue.
func (db *DB) RecordForgotRequest(ctx context.Context, ip, login string, since time.Time) (byLogin, byIP int64, err error) {
	err = db.Tx(ctx, func(tx Conn) error {
		if db.Dialect == Postgres {
			if _, err := tx.idb.NewRaw("SELECT pg_advisory_xact_lock(hashtext('password-forgot'))").Exec(ctx); err != nil {
				return err
			}
		}
		// The requests of this login and this address past the window
		// count no more: they go, so that the table keeps only what counts.
		if _, err := tx.idb.NewRaw("DELETE FROM password_forgot_requests WHERE (login = ? OR ip = ?) AND at <= ?", login, ip, since).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.idb.NewRaw("INSERT INTO password_forgot_requests (ip, login, at) VALUES (?, ?, ?)", ip, login, tx.now()).Exec(ctx); err != nil {
			return err
		}
		n, err := tx.idb.NewSelect().Table("password_forgot_requests").Where("login = ? AND at > ?", login, since).Count(ctx)
		if err != nil {
			return err
		}
		m, err := tx.idb.NewSelect().Table("password_forgot_requests").Where("ip = ? AND at > ?", ip, since).Count(ctx)
		byLogin, byIP = int64(n), int64(m)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("record password request: %w", err)
	}
	return byLogin, byIP, nil
}

// SignIn is one good login of a user: when, from where, by the login form
// (SessionWeb) or the API (SessionAPI).
type SignIn struct {
	bun.BaseModel `bun:"table:sign_ins"`

	ID     int64     `bun:"id,pk,autoincrement"`
	UserID int64     `bun:"user_id"`
	At     time.Time `bun:"at"`
	Kind   string    `bun:"kind"`
	IP     string    `bun:"ip"`
}

// SignInsKept is how many of a user's newest sign-ins are kept.
const SignInsKept = 20

// RecordSignIn stores a good login of userID of kind from ip, now, and
// drops the user's sign-ins older than the newest SignInsKept.
func (c Conn) RecordSignIn(ctx context.Context, userID int64, kind, ip string) error {
	s := &SignIn{UserID: userID, At: c.now(), Kind: kind, IP: ip}
	if _, err := c.idb.NewInsert().Model(s).Exec(ctx); err != nil {
		return fmt.Errorf("record sign-in: %w", err)
	}
	if _, err := c.idb.NewRaw(`DELETE FROM sign_ins WHERE user_id = ? AND id NOT IN
		(SELECT id FROM sign_ins WHERE user_id = ? ORDER BY id DESC LIMIT ?)`, userID, userID, SignInsKept).Exec(ctx); err != nil {
		return fmt.Errorf("record sign-in: trim: %w", err)
	}
	return nil
}

// SignIns returns a user's newest sign-ins, newest first, at most n.
func (c Conn) SignIns(ctx context.Context, userID int64, n int) ([]SignIn, error) {
	var list []SignIn
	if err := c.rd.NewSelect().Model(&list).Where("user_id = ?", userID).OrderExpr("id DESC").Limit(int64(n)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read sign-ins: %w", err)
	}
	return list, nil
}

// CountLoginFailuresOf returns how many failed logins (and attempts not yet
// judged) of login, from any address, came after since.
func (c Conn) CountLoginFailuresOf(ctx context.Context, login string, since time.Time) (int64, error) {
	n, err := c.rd.NewSelect().Table("login_failures").Where("login = ? AND at > ?", login, since).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count login failures: %w", err)
	}
	return int64(n), nil
}

// LockedUser returns the profile with login while it is locked (id, login,
// name, password hash, status, lock's end, temporary password's end); nil
// when there is none or it is not locked.
func (c Conn) LockedUser(ctx context.Context, login string) (*User, error) {
	u := new(User)
	err := c.rd.NewSelect().Model(u).Column("id", "login", "name", "password_hash", "status", "locked_at", "locked_until", "password_expires_at").
		Where("login = ? AND locked_at IS NOT NULL", login).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read locked profile: %w", err)
	}
	return u, nil
}

// PasswordTokenByHash returns the one-time link with hash, used, expired
// or not; nil when there is none (never issued, or taken back by a later
// reset).
func (c Conn) PasswordTokenByHash(ctx context.Context, hash string) (*PasswordToken, error) {
	t := new(PasswordToken)
	err := c.rd.NewSelect().Model(t).Where("id = ?", hash).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read password token: %w", err)
	}
	return t, nil
}
