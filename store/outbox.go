package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/notify"
)

// Outbox states. A row is queued until a worker sends it (sent) or gives up
// on it (failed, with the last error); a sysadmin may queue a failed one again.
const (
	OutboxQueued = "queued"
	OutboxSent   = "sent"
	OutboxFailed = "failed"
)

// Notification is one mail waiting in, or gone from, the outbox.
type Notification struct {
	bun.BaseModel `bun:"table:outbox"`

	ID            int64       `bun:"id,pk,autoincrement"`
	Kind          notify.Kind `bun:"kind"`
	ToUserID      *int64      `bun:"to_user_id"`
	ToEmail       string      `bun:"to_email"`
	ToName        string      `bun:"to_name"`
	Lang          string      `bun:"lang"`
	Data          string      `bun:"data"` // JSON of the kind's notify.Content
	RequestID     *int64      `bun:"request_id"`
	State         string      `bun:"state"`
	Attempts      int         `bun:"attempts"`
	NextAttemptAt time.Time   `bun:"next_attempt_at"`
	LockedUntil   *time.Time  `bun:"locked_until"`
	LastError     string      `bun:"last_error"`
	CreatedAt     time.Time   `bun:"created_at"`
	SentAt        *time.Time  `bun:"sent_at"`
}

// Mail is one notification to queue: its kind, to whom, what it says, and
// the request it is about (if any).
type Mail struct {
	Kind      notify.Kind
	To        *User
	RequestID *int64
	Content   notify.Content
}

// Recipient is whom a module's mail goes to, as its own query reads them
// from users (id, login, email, name, lang); modules embed it beside what
// else they read of each person.
type Recipient struct {
	ID    int64  `bun:"id"`
	Login string `bun:"login"`
	Email string `bun:"email"`
	Name  string `bun:"name"`
	Lang  string `bun:"lang"`
}

// User is the recipient as a Mail's To.
func (r Recipient) User() *User {
	return &User{ID: r.ID, Login: r.Login, Email: r.Email, Name: r.Name, Lang: r.Lang}
}

// Enqueue writes mails into the outbox in one statement, inside c's
// transaction: they exist exactly when the transaction commits. Each mail
// takes its recipient's address, name and language now.
func (c Conn) Enqueue(ctx context.Context, mails ...Mail) error {
	if len(mails) == 0 {
		return nil
	}
	now := c.now()
	rows := make([]Notification, len(mails))
	for i, m := range mails {
		data, err := json.Marshal(m.Content)
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", m.Kind, err)
		}
		rows[i] = Notification{Kind: m.Kind, ToUserID: &m.To.ID, ToEmail: m.To.Email, ToName: m.To.Name, Lang: m.To.Lang,
			Data: string(data), RequestID: m.RequestID, State: OutboxQueued, NextAttemptAt: now, CreatedAt: now}
	}
	if err := c.enqueueRows(ctx, rows, now); err != nil {
		return fmt.Errorf("enqueue: %w", err)
	}
	return nil
}

// enqueueRows inserts rows through one prepared statement: on PostgreSQL
// once whatever their number, each column passed as an array (an
// approval's twenty mails written as values were the one statement of an
// approval that PostgreSQL parsed and planned every time); on SQLite, in
// the process, once a row (parsed whole, twenty rows were a third of an
// approval's time in the store there).
func (c Conn) enqueueRows(ctx context.Context, rows []Notification, now time.Time) error {
	if c.db.Dialect == SQLite {
		return c.execEach(ctx, enqueueQuery, len(rows), func(i int) []any {
			r := &rows[i]
			return []any{r.Kind, r.ToUserID, r.ToEmail, r.ToName, r.Lang, r.Data, r.RequestID, OutboxQueued, now}
		})
	}
	var kind, to, email, name, lang, data, request pgArray
	for _, r := range rows {
		kind.add(string(r.Kind))
		to.addID(r.ToUserID)
		email.add(r.ToEmail)
		name.add(r.ToName)
		lang.add(r.Lang)
		data.add(r.Data)
		request.addID(r.RequestID)
	}
	_, err := c.execPrepared(ctx, enqueueQuery, kind.String(), to.String(), email.String(), name.String(),
		lang.String(), data.String(), request.String(), OutboxQueued, now)
	return err
}

var enqueueQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	const columns = "INSERT INTO outbox (kind, to_user_id, to_email, to_name, lang, data, request_id, state, next_attempt_at, created_at)\n"
	if c.db.Dialect == SQLite {
		return columns + "VALUES (" + argList(arg, 1, 9) + ", " + string(arg(9)) + ")"
	}
	return columns + `SELECT m.kind, m.to_user_id, m.to_email, m.to_name, m.lang, m.data, m.request_id, ` + string(arg(8)) + `, ` + string(arg(9)) + `, ` + string(arg(9)) + `
FROM unnest(` + string(arg(1)) + `::varchar[], ` + string(arg(2)) + `::bigint[], ` + string(arg(3)) + `::varchar[], ` +
		string(arg(4)) + `::varchar[], ` + string(arg(5)) + `::varchar[], ` + string(arg(6)) + `::text[], ` + string(arg(7)) + `::bigint[])
AS m (kind, to_user_id, to_email, to_name, lang, data, request_id)`
})

// Outbox is the database side of the mail queue (notify.Outbox).
type Outbox struct{ db *DB }

// Outbox returns the mail queue kept in this database.
func (db *DB) Outbox() *Outbox { return &Outbox{db: db} }

func (o *Outbox) now() time.Time { return o.db.Now() }

var _ notify.Outbox = (*Outbox)(nil)

// Claim leases up to limit due notifications to the caller until now+lease.
// On PostgreSQL, SKIP LOCKED lets several workers claim side by side without
// ever taking the same row; SQLite's single writer does the same by queueing.
func (o *Outbox) Claim(ctx context.Context, limit int, lease time.Duration) ([]notify.Pending, error) {
	now := o.now()
	lock := ""
	if o.db.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var rows []Notification
	err := o.db.bun.NewRaw(`UPDATE outbox SET locked_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox
			WHERE state = ? AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
			ORDER BY id LIMIT ?`+lock+`)
		RETURNING *`, now.Add(lease), OutboxQueued, now, now, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("claim mail: %w", err)
	}
	out := make([]notify.Pending, 0, len(rows))
	for _, r := range rows {
		out = append(out, notify.Pending{ID: r.ID, Kind: r.Kind, To: notify.Address{Name: r.ToName, Email: r.ToEmail},
			Lang: r.Lang, Data: []byte(r.Data), Attempts: r.Attempts - 1, Created: r.CreatedAt})
	}
	return out, nil
}

// Sent records that notification id was delivered.
func (o *Outbox) Sent(ctx context.Context, id int64) error {
	_, err := o.db.bun.NewUpdate().Model((*Notification)(nil)).
		Set("state = ?", OutboxSent).Set("sent_at = ?", o.now()).Set("locked_until = NULL").Set("last_error = ''").
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record mail sent: %w", err)
	}
	return nil
}

// Retry makes notification id due again at at, keeping lastErr.
func (o *Outbox) Retry(ctx context.Context, id int64, lastErr string, at time.Time) error {
	_, err := o.db.bun.NewUpdate().Model((*Notification)(nil)).
		Set("next_attempt_at = ?", at.UTC()).Set("locked_until = NULL").Set("last_error = ?", lastErr).
		Where("id = ? AND state = ?", id, OutboxQueued).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record mail retry: %w", err)
	}
	return nil
}

// Fail gives up on notification id with lastErr.
func (o *Outbox) Fail(ctx context.Context, id int64, lastErr string) error {
	_, err := o.db.bun.NewUpdate().Model((*Notification)(nil)).
		Set("state = ?", OutboxFailed).Set("locked_until = NULL").Set("last_error = ?", lastErr).
		Where("id = ? AND state = ?", id, OutboxQueued).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record mail failed: %w", err)
	}
	return nil
}

// RetryFailed queues failed notification id again with a fresh count of
// attempts; it reports whether the mail was failed (a second click finds it
// queued already).
func (c Conn) RetryFailed(ctx context.Context, id int64) (bool, error) {
	res, err := c.idb.NewUpdate().Model((*Notification)(nil)).
		Set("state = ?", OutboxQueued).Set("attempts = 0").Set("next_attempt_at = ?", c.now()).
		Where("id = ? AND state = ?", id, OutboxFailed).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("retry mail: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// OutboxCounts returns how many notifications are in each state.
func (c Conn) OutboxCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		State string `bun:"state"`
		N     int64  `bun:"n"`
	}
	if err := c.rd.NewSelect().Table("outbox").ColumnExpr("state, COUNT(*) AS n").GroupExpr("state").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("count mail: %w", err)
	}
	m := map[string]int64{OutboxQueued: 0, OutboxSent: 0, OutboxFailed: 0}
	for _, r := range rows {
		m[r.State] = r.N
	}
	return m, nil
}

// OutboxWaiting returns how many notifications are queued and how many
// failed: what a monitor watches, counted through the (state, due) index,
// without the sent rows.
func (c Conn) OutboxWaiting(ctx context.Context) (queued, failed int64, err error) {
	var rows []struct {
		State string `bun:"state"`
		N     int64  `bun:"n"`
	}
	err = c.rd.NewSelect().Table("outbox").ColumnExpr("state, COUNT(*) AS n").
		Where("state IN (?)", bun.List([]string{OutboxQueued, OutboxFailed})).GroupExpr("state").Scan(ctx, &rows)
	if err != nil {
		return 0, 0, fmt.Errorf("count waiting mail: %w", err)
	}
	for _, r := range rows {
		if r.State == OutboxQueued {
			queued = r.N
		} else {
			failed = r.N
		}
	}
	return queued, failed, nil
}

// ListOutbox returns notifications in state (all when empty), newest first,
// without their content (an operator needs the envelope, not the words).
func (c Conn) ListOutbox(ctx context.Context, state string, page Page) ([]Notification, int64, error) {
	var list []Notification
	q := c.rd.NewSelect().Model(&list).ExcludeColumn("data").OrderExpr("id DESC")
	if state != "" {
		q = q.Where("state = ?", state)
	}
	total, err := q.Limit(page.Limit()).Offset(page.Offset()).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list mail: %w", err)
	}
	return list, total, nil
}
