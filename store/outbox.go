package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/workflow"
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
	Data          string      `bun:"data"` // JSON of notify.Data
	RequestID     *int64      `bun:"request_id"`
	State         string      `bun:"state"`
	Attempts      int         `bun:"attempts"`
	NextAttemptAt time.Time   `bun:"next_attempt_at"`
	LockedUntil   *time.Time  `bun:"locked_until"`
	LastError     string      `bun:"last_error"`
	CreatedAt     time.Time   `bun:"created_at"`
	SentAt        *time.Time  `bun:"sent_at"`
}

// enqueue writes one notification for u inside tx: it exists exactly when
// the transaction commits.
func (db *DB) enqueue(ctx context.Context, tx bun.IDB, kind notify.Kind, u *User, requestID *int64, d notify.Data) error {
	d.Lang, d.RecipientName = u.Lang, u.Name
	data, err := json.Marshal(d)
	if err != nil {
		return err
	}
	now := db.Now()
	n := &Notification{Kind: kind, ToUserID: &u.ID, ToEmail: u.Email, ToName: u.Name, Lang: u.Lang,
		Data: string(data), RequestID: requestID, State: OutboxQueued, NextAttemptAt: now, CreatedAt: now}
	_, err = tx.NewInsert().Model(n).Exec(ctx)
	return err
}

// usersWithRole returns the active profiles holding role (for ptj when it is
// not empty): the addressees of a mail.
func (db *DB) usersWithRole(ctx context.Context, idb bun.IDB, role forms.Role, ptj string) ([]User, error) {
	var list []User
	q := idb.NewSelect().Model(&list).Where("?TableAlias.status = ?", StatusActive).OrderExpr("?TableAlias.id")
	if ptj == "" {
		q = q.Where("EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = ?TableAlias.id AND ur.role = ?)", role)
	} else {
		q = q.Where("EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = ?TableAlias.id AND ur.role = ? AND ur.ptj_code = ?)", role, ptj)
	}
	return list, q.Scan(ctx)
}

// officersOf returns the PTJ's controlling officers and the delegates
// covering one of them today.
func (db *DB) officersOf(ctx context.Context, idb bun.IDB, ptj string) ([]User, error) {
	list, err := db.usersWithRole(ctx, idb, forms.RoleControllingOfficer, ptj)
	if err != nil {
		return nil, err
	}
	today := db.Now().In(malaysia.KL).Format(dateLayout)
	var delegates []User
	err = idb.NewSelect().Model(&delegates).
		Where("?TableAlias.status = ?", StatusActive).
		Where("?TableAlias.id IN (SELECT d.delegate_id FROM delegations d WHERE d.ptj_code = ? AND d.revoked_at IS NULL AND d.from_date <= ? AND d.to_date >= ?)",
			ptj, today, today).Scan(ctx)
	return append(list, delegates...), err
}

// audienceOf resolves an audience of r to profiles, without duplicates and
// without the request's own subject among its approvers.
func (db *DB) audienceOf(ctx context.Context, tx bun.IDB, a workflow.Audience, r *Request) ([]User, error) {
	var list []User
	var err error
	switch a {
	case workflow.ToOfficers:
		list, err = db.officersOf(ctx, tx, r.PTJCode)
	case workflow.ToTreasury:
		list, err = db.usersWithRole(ctx, tx, forms.RoleTreasuryApprover, "")
	case workflow.ToSysadmins:
		list, err = db.usersWithRole(ctx, tx, forms.RoleSysadmin, "")
	case workflow.ToSubmitter:
		var u *User
		u, err = db.userWhere(ctx, tx, "id = ?", r.SubmitterID)
		if u != nil {
			list = []User{*u}
		}
	}
	if err != nil {
		return nil, err
	}
	seen := map[int64]bool{}
	out := list[:0]
	for _, u := range list {
		if seen[u.ID] || (a != workflow.ToSubmitter && u.Login == r.SubjectIC) {
			continue
		}
		seen[u.ID] = true
		out = append(out, u)
	}
	return out, nil
}

// approverKinds is the mail an approver audience gets when a request reaches it.
var approverKinds = map[workflow.Audience]notify.Kind{
	workflow.ToOfficers:  notify.KindRequestSubmitted,
	workflow.ToTreasury:  notify.KindRequestAwaitingTreasury,
	workflow.ToSysadmins: notify.KindRequestAwaitingProvision,
}

// submitterKinds is the mail the submitter gets after each event that tells them something.
var submitterKinds = map[workflow.Event]notify.Kind{
	workflow.Provision: notify.KindRequestProvisioned,
	workflow.Reject:    notify.KindRequestRejected,
	workflow.Return:    notify.KindRequestReturned,
}

// notifyTransition queues the mails of transition t on r inside tx and
// returns how many.
func (db *DB) notifyTransition(ctx context.Context, tx bun.IDB, r *Request, t workflow.Transition, subject *subjectMail) (int, error) {
	n := 0
	base := func(lang string) notify.Data {
		ptj := r.PTJCode
		if r.PTJ != nil {
			ptj += " " + r.PTJ.Name
		}
		return notify.Data{Reference: r.Reference, KindLabel: forms.KindLabel(r.Kind, lang), PTJ: ptj,
			Remarks: t.Remarks, Link: db.link("/requests/" + itoa(r.ID))}
	}
	for _, a := range t.Notify {
		if a == workflow.ToSubject {
			if subject == nil {
				continue
			}
			d := base(subject.user.Lang)
			d.Link, d.ExpiresAt, d.Remarks = subject.link, subject.expires, ""
			if subject.link == "" {
				d.Link = db.link("/")
			}
			if err := db.enqueue(ctx, tx, subject.kind, subject.user, &r.ID, d); err != nil {
				return n, err
			}
			n++
			continue
		}
		kind, ok := approverKinds[a]
		if t.Event == workflow.Withdraw {
			kind = notify.KindRequestWithdrawn // no longer waiting for them
		}
		if a == workflow.ToSubmitter {
			kind, ok = submitterKinds[t.Event]
		}
		if !ok {
			continue
		}
		users, err := db.audienceOf(ctx, tx, a, r)
		if err != nil {
			return n, err
		}
		for i := range users {
			if err := db.enqueue(ctx, tx, kind, &users[i], &r.ID, base(users[i].Lang)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// SendReminders queues, once a day, a reminder to the approvers of every
// request that has waited at its stage for at least days working days, one
// mail per approver with the number of requests. It returns how many mails.
func (db *DB) SendReminders(ctx context.Context, days int) (int, error) {
	cal, err := db.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	now := db.Now()
	type pending struct {
		user  *User
		count int
		days  int
	}
	n := 0
	err = db.Tx(ctx, func(tx bun.Tx) error {
		var open []Request
		if err := tx.NewSelect().Model(&open).Relation("PTJ").
			Where("?TableAlias.state IN (?)", bun.In([]workflow.State{workflow.Submitted, workflow.OfficerApproved, workflow.TreasuryApproved})).
			OrderExpr("?TableAlias.id").Scan(ctx); err != nil {
			return err
		}
		byUser := map[int64]*pending{}
		var order []int64
		for i := range open {
			r := &open[i]
			if !cal.ReminderDue(r.StateSince, r.LastRemindedAt, now, days) {
				continue
			}
			// Claim the reminder first: of two sweeps at once (two
			// processes), only the one whose update lands reminds.
			claim := tx.NewUpdate().Model((*Request)(nil)).Set("last_reminded_at = ?", now).
				Where("id = ? AND state = ? AND version = ?", r.ID, r.State, r.Version)
			if r.LastRemindedAt == nil {
				claim = claim.Where("last_reminded_at IS NULL")
			} else {
				claim = claim.Where("last_reminded_at = ?", *r.LastRemindedAt)
			}
			res, err := claim.Exec(ctx)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				continue
			}
			users, err := db.audienceOf(ctx, tx, workflow.Awaiting(r.State), r)
			if err != nil {
				return err
			}
			waited := cal.WorkingDaysBetween(r.StateSince, now)
			for j := range users {
				p := byUser[users[j].ID]
				if p == nil {
					p = &pending{user: &users[j]}
					byUser[users[j].ID] = p
					order = append(order, users[j].ID)
				}
				p.count++
				p.days = max(p.days, waited)
			}
		}
		for _, id := range order {
			p := byUser[id]
			d := notify.Data{Count: p.count, Days: p.days, Link: db.link("/inbox")}
			if err := db.enqueue(ctx, tx, notify.KindReminder, p.user, nil, d); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// Outbox is the database side of the mail queue (notify.Outbox).
type Outbox struct{ db *DB }

// Outbox returns the mail queue kept in this database.
func (db *DB) Outbox() *Outbox { return &Outbox{db: db} }

var _ notify.Outbox = (*Outbox)(nil)

// Claim leases up to limit due notifications to the caller until now+lease.
// On PostgreSQL, SKIP LOCKED lets several workers claim side by side without
// ever taking the same row; SQLite's single writer does the same by queueing.
func (o *Outbox) Claim(ctx context.Context, limit int, lease time.Duration) ([]notify.Pending, error) {
	now := o.db.Now()
	lock := ""
	if o.db.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var rows []Notification
	err := o.db.NewRaw(`UPDATE outbox SET locked_until = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM outbox
			WHERE state = ? AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
			ORDER BY id LIMIT ?`+lock+`)
		RETURNING *`, now.Add(lease), OutboxQueued, now, now, limit).Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make([]notify.Pending, 0, len(rows))
	for _, r := range rows {
		var d notify.Data
		if err := json.Unmarshal([]byte(r.Data), &d); err != nil {
			return nil, err
		}
		d.Lang = r.Lang
		out = append(out, notify.Pending{ID: r.ID, Kind: r.Kind, To: notify.Address{Name: r.ToName, Email: r.ToEmail},
			Data: d, Attempts: r.Attempts - 1, Created: r.CreatedAt})
	}
	return out, nil
}

// Sent records that notification id was delivered. A one-time link in it is
// wiped: once delivered, the database has no reason to keep it.
func (o *Outbox) Sent(ctx context.Context, id int64) error {
	return o.db.Tx(ctx, func(tx bun.Tx) error {
		var n Notification
		if err := tx.NewSelect().Model(&n).Where("id = ?", id).Scan(ctx); err != nil {
			return err
		}
		q := tx.NewUpdate().Model((*Notification)(nil)).
			Set("state = ?", OutboxSent).Set("sent_at = ?", o.db.Now()).Set("locked_until = NULL").Set("last_error = ''").
			Where("id = ?", id)
		if n.Kind == notify.KindWelcomeSetPassword || n.Kind == notify.KindPasswordResetLink {
			var d notify.Data
			if json.Unmarshal([]byte(n.Data), &d) == nil {
				d.Link = ""
				b, _ := json.Marshal(d)
				q = q.Set("data = ?", string(b))
			}
		}
		_, err := q.Exec(ctx)
		return err
	})
}

// Retry makes notification id due again at at, keeping lastErr.
func (o *Outbox) Retry(ctx context.Context, id int64, lastErr string, at time.Time) error {
	_, err := o.db.NewUpdate().Model((*Notification)(nil)).
		Set("next_attempt_at = ?", at.UTC()).Set("locked_until = NULL").Set("last_error = ?", lastErr).
		Where("id = ? AND state = ?", id, OutboxQueued).Exec(ctx)
	return err
}

// Fail gives up on notification id with lastErr.
func (o *Outbox) Fail(ctx context.Context, id int64, lastErr string) error {
	_, err := o.db.NewUpdate().Model((*Notification)(nil)).
		Set("state = ?", OutboxFailed).Set("locked_until = NULL").Set("last_error = ?", lastErr).
		Where("id = ? AND state = ?", id, OutboxQueued).Exec(ctx)
	return err
}

// RetryFailed queues failed notification id again with a fresh count of
// attempts, and audits it.
func (db *DB) RetryFailed(ctx context.Context, actor Actor, id int64) error {
	return db.Tx(ctx, func(tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*Notification)(nil)).
			Set("state = ?", OutboxQueued).Set("attempts = 0").Set("next_attempt_at = ?", db.Now()).
			Where("id = ? AND state = ?", id, OutboxFailed).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "mailops.error.not_failed")
		}
		return db.appendAudit(ctx, tx, actor, "outbox.retry", "outbox", itoa(id), nil)
	})
}

// OutboxCounts returns how many notifications are in each state.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		State string `bun:"state"`
		N     int64  `bun:"n"`
	}
	if err := db.NewSelect().Table("outbox").ColumnExpr("state, COUNT(*) AS n").GroupExpr("state").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	m := map[string]int64{OutboxQueued: 0, OutboxSent: 0, OutboxFailed: 0}
	for _, r := range rows {
		m[r.State] = r.N
	}
	return m, nil
}

// ListOutbox returns notifications in state (all when empty), newest first.
// Their data is not loaded: it may hold a one-time link.
func (db *DB) ListOutbox(ctx context.Context, state string, page Page) ([]Notification, int64, error) {
	var list []Notification
	q := db.NewSelect().Model(&list).ExcludeColumn("data").OrderExpr("id DESC")
	if state != "" {
		q = q.Where("state = ?", state)
	}
	total, err := q.Limit(page.Limit()).Offset(page.Offset()).ScanAndCount(ctx)
	return list, total, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
