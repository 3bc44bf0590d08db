package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// A form flash is what a refused form (or a done action) leaves for the
// page it redirects to: post/redirect/get, so that a reload or the back
// button never sends a form again, without putting what was typed in an
// address. It belongs to one session and one page, is read once, and
// expires within minutes; a session's end removes it (ON DELETE CASCADE).

// PutFlash keeps payload for the page path of session (the SHA-256 of its
// token) until expires, in place of any earlier one for that page.
func (c Conn) PutFlash(ctx context.Context, session, path, payload string, expires time.Time) error {
	_, err := c.idb.NewRaw(`INSERT INTO form_flashes (session_id, path, payload, expires_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (session_id, path) DO UPDATE SET payload = EXCLUDED.payload, expires_at = EXCLUDED.expires_at`,
		session, path, payload, expires.UTC()).Exec(ctx)
	if err != nil {
		return fmt.Errorf("keep flash: %w", err)
	}
	return nil
}

// TakeFlash returns the payload kept for path of session and removes it;
// "" when there is none or it expired. Most page views have none: they
// only read (a primary-key lookup), and write nothing, so that a page view
// never waits for SQLite's one writer.
func (c Conn) TakeFlash(ctx context.Context, session, path string) (string, error) {
	var flash flashRow
	rows, err := c.queryPrepared(ctx, flashQuery, session, path)
	found := false
	if err == nil {
		found, err = c.scanOne(ctx, rows, &flash)
	}
	if err == nil && found {
		_, err = c.idb.NewRaw(`DELETE FROM form_flashes WHERE session_id = ? AND path = ?`, session, path).Exec(ctx)
	}
	if err != nil {
		return "", fmt.Errorf("take flash: %w", err)
	}
	if !found || !flash.ExpiresAt.After(c.now()) {
		return "", nil
	}
	return flash.Payload, nil
}

// flashRow is a row of flashQuery.
type flashRow struct {
	Payload   string    `bun:"payload"`
	ExpiresAt time.Time `bun:"expires_at"`
}

var flashQuery = prepared(func(_ Conn, arg func(int) bun.Safe) string {
	return "SELECT payload, expires_at FROM form_flashes WHERE session_id = " + string(arg(1)) + " AND path = " + string(arg(2))
})
