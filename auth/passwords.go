package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/store"
)

// LinkPurpose is the keyring purpose of one-time link tokens: a mail that
// carries a link derives its token with it when it is sent.
const LinkPurpose = "password-link"

// ChangePassword replaces the user's password after checking the current
// one and the policy, clears the must-change flag, ends all of the user's
// sessions and audits the change. The caller starts a fresh session if it
// wants one.
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next string) error {
	u, err := s.db.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	ok, _, err := password.Verify(current, u.PasswordHash)
	if errors.Is(err, password.ErrBusy) {
		return err
	}
	if err != nil || !ok {
		return apperr.Fields(apperr.Field("current_password", "password.error.current_wrong"))
	}
	return s.setPassword(ctx, u, next, "user.password_change")
}

// setPassword checks next against the policy and makes it u's password, in
// one transaction with the end of u's sessions, anything extra, and the
// audit record.
func (s *Service) setPassword(ctx context.Context, u *store.User, next, action string, extra ...func(tx store.Conn) error) error {
	previous, err := s.db.PasswordHistory(ctx, u.ID)
	if err != nil {
		return err
	}
	pc := password.Context{Login: u.Login, Name: u.Name, CurrentHash: u.PasswordHash, Previous: previous}
	if _, isMyKad, _ := forms.ParseLogin(u.Login); isMyKad {
		pc.ICNumber = u.Login
	}
	if err := s.set.Policy.Check(next, pc); err != nil {
		return err
	}
	hash, err := password.Hash(next)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx store.Conn) error {
		if err := tx.SetPassword(ctx, u.ID, store.PasswordChange{Hash: hash, Changed: true}); err != nil {
			return err
		}
		if err := tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		for _, fn := range extra {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, store.Actor{UserID: u.ID, Login: u.Login}, action, "user", u.Login, nil)
	})
}

// Link is a one-time set-password link issued to a user: the nonce its
// token is derived from (the token itself is never stored) and its end.
type Link struct {
	Nonce   string
	Expires time.Time
}

// LinkToken is the token of link l, derived from its nonce with the key the
// database never holds: the same link always has the same token, so that a
// retried mail carries the same working link.
func (s *Service) LinkToken(nonce string) string { return s.keys.Token(LinkPurpose, nonce) }

// IssueLink creates a one-time set-password link for userID inside c: only
// the hash of its token is stored, and the mail derives the token again
// from the nonce when it is sent.
func (s *Service) IssueLink(ctx context.Context, c store.Conn, userID int64) (Link, error) {
	return s.issueLink(ctx, c, userID, s.set.LinkTTL)
}

// issueLink is IssueLink for a link that lasts ttl.
func (s *Service) issueLink(ctx context.Context, c store.Conn, userID int64, ttl time.Duration) (Link, error) {
	b := make([]byte, 18)
	rand.Read(b)
	l := Link{Nonce: base64.RawURLEncoding.EncodeToString(b)}
	now := s.db.Now()
	l.Expires = now.Add(ttl)
	pt := &store.PasswordToken{ID: hashToken(s.LinkToken(l.Nonce)), UserID: userID, CreatedAt: now, ExpiresAt: l.Expires}
	return l, c.InsertPasswordToken(ctx, pt)
}

// hashToken is what the database keeps of a token.
func hashToken(token string) string { return password.HashToken(token) }

// UsePasswordToken sets the password of the link's user, once: the token is
// marked used in the same transaction, so that a second use (or a second
// click) fails, and every session of the user ends. A link that cannot be
// used answers as LinkHolder says why.
func (s *Service) UsePasswordToken(ctx context.Context, token, next string) (*store.User, error) {
	u, err := s.LinkHolder(ctx, token)
	if err != nil {
		return nil, err
	}
	hash := hashToken(token)
	err = s.setPassword(ctx, u, next, "user.password_set_by_link", func(tx store.Conn) error {
		used, err := tx.UsePasswordToken(ctx, hash)
		if err != nil {
			return err
		}
		if !used {
			return errLinkUsed // used by a parallel request a moment ago
		}
		// The other links of the user die with this one.
		return tx.UseUserPasswordTokens(ctx, u.ID)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetTemporaryPassword gives u, inside c, a random password that must be
// changed at first login and stops working after the link lifetime; it is
// returned once and only its hash is kept.
func (s *Service) SetTemporaryPassword(ctx context.Context, c store.Conn, userID int64) (string, time.Time, error) {
	pw := password.TemporaryPassword()
	hash, err := password.Hash(pw)
	if err != nil {
		return "", time.Time{}, err
	}
	expires := s.db.Now().Add(s.set.LinkTTL)
	err = c.SetPassword(ctx, userID, store.PasswordChange{Hash: hash, MustChange: true, ExpiresAt: &expires})
	return pw, expires, err
}

// ClearPassword, inside c, takes away u's password and lock (a reset: the
// next password comes through a link or a temporary password) and ends
// every session and unused link of the user.
func (s *Service) ClearPassword(ctx context.Context, c store.Conn, userID int64) error {
	if err := c.SetPassword(ctx, userID, store.PasswordChange{MustChange: true}); err != nil {
		return err
	}
	return s.EndAccess(ctx, c, userID)
}

// EndAccess, inside c, ends every session, API token and unused link of a
// user at once (a deactivation, a reset).
func (s *Service) EndAccess(ctx context.Context, c store.Conn, userID int64) error {
	if err := c.DeleteUserSessions(ctx, userID); err != nil {
		return err
	}
	return c.DeleteUnusedPasswordTokens(ctx, userID)
}
