package store

import (
	"context"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/workflow"
)

// Delegation (pemangku) lets Delegate act for Principal, a controlling
// officer of PTJCode, on the dates FromDate..ToDate (inclusive, calendar dates
// in Malaysia, "2026-12-01"). Actions then read "X on behalf of Y".
type Delegation struct {
	bun.BaseModel `bun:"table:delegations"`

	ID          int64      `bun:"id,pk,autoincrement"`
	PTJCode     string     `bun:"ptj_code"`
	PrincipalID int64      `bun:"principal_id"`
	DelegateID  int64      `bun:"delegate_id"`
	FromDate    string     `bun:"from_date"`
	ToDate      string     `bun:"to_date"`
	CreatedAt   time.Time  `bun:"created_at"`
	RevokedAt   *time.Time `bun:"revoked_at"`

	Principal *User `bun:"rel:belongs-to,join:principal_id=id"`
	Delegate  *User `bun:"rel:belongs-to,join:delegate_id=id"`
}

const dateLayout = "2006-01-02"

func dateField(field, s string) (time.Time, *apperr.FieldError) {
	t, err := time.ParseInLocation(dateLayout, strings.TrimSpace(s), malaysia.KL)
	if err != nil {
		fe := apperr.Field(field, "date.invalid")
		return time.Time{}, &fe
	}
	return t, nil
}

// AddDelegation records that by, a controlling officer, names the user with
// delegateLogin (an active profile of the same PTJ, not by) as delegate from
// from to to (dates, inclusive; to not before today).
func (db *DB) AddDelegation(ctx context.Context, by *User, delegateLogin, from, to string) (*Delegation, error) {
	var ptj string
	for _, r := range by.Roles {
		if r.Role == forms.RoleControllingOfficer && r.PTJCode != nil {
			ptj = *r.PTJCode
		}
	}
	if ptj == "" {
		return nil, apperr.New(apperr.Forbidden, "delegation.error.officer_only")
	}
	var fields []apperr.FieldError
	fromT, fe := dateField("from", from)
	if fe != nil {
		fields = append(fields, *fe)
	}
	toT, fe2 := dateField("to", to)
	if fe2 != nil {
		fields = append(fields, *fe2)
	}
	today := db.Now().In(malaysia.KL).Format(dateLayout)
	if fe == nil && fe2 == nil {
		if toT.Before(fromT) {
			fields = append(fields, apperr.Field("to", "delegation.error.end_before_start"))
		} else if toT.Format(dateLayout) < today {
			fields = append(fields, apperr.Field("to", "delegation.error.end_passed"))
		}
	}
	login, _, err := forms.ParseLogin(delegateLogin)
	var d *User
	if err != nil {
		fields = append(fields, forms.Field("delegate_login", err))
	} else if d, err = db.UserByLogin(ctx, login); err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		fields = append(fields, apperr.Field("delegate_login", "delegation.error.no_profile"))
	} else if d.ID == by.ID {
		fields = append(fields, apperr.Field("delegate_login", "delegation.error.self"))
	} else if d.PTJCode != ptj || !d.Active() {
		fields = append(fields, apperr.Field("delegate_login", "delegation.error.other_ptj"))
	}
	if len(fields) > 0 {
		return nil, apperr.Fields(fields...)
	}
	del := &Delegation{PTJCode: ptj, PrincipalID: by.ID, DelegateID: d.ID,
		FromDate: fromT.Format(dateLayout), ToDate: toT.Format(dateLayout), CreatedAt: db.Now(), Principal: by, Delegate: d}
	err = db.Tx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(del).Returning("id").Exec(ctx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, Actor{UserID: by.ID, Login: by.Login}, "delegation.add", "user", d.Login,
			map[string]any{"ptj": ptj, "from": del.FromDate, "to": del.ToDate})
	})
	return del, err
}

// RevokeDelegation ends delegation id, named by by, at once.
func (db *DB) RevokeDelegation(ctx context.Context, by *User, id int64) error {
	return db.Tx(ctx, func(tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*Delegation)(nil)).Set("revoked_at = ?", db.Now()).
			Where("id = ? AND principal_id = ? AND revoked_at IS NULL", id, by.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.NotFound, "delegation.error.not_found")
		}
		return db.appendAudit(ctx, tx, Actor{UserID: by.ID, Login: by.Login}, "delegation.revoke", "delegation", itoa(id), nil)
	})
}

// ListDelegations returns the delegations user named or received that have
// not ended, soonest first.
func (db *DB) ListDelegations(ctx context.Context, userID int64) ([]Delegation, error) {
	var list []Delegation
	today := db.Now().In(malaysia.KL).Format(dateLayout)
	err := db.NewSelect().Model(&list).Relation("Principal").Relation("Delegate").
		Where("(?TableAlias.principal_id = ? OR ?TableAlias.delegate_id = ?)", userID, userID).
		Where("?TableAlias.revoked_at IS NULL AND ?TableAlias.to_date >= ?", today).
		OrderExpr("?TableAlias.from_date, ?TableAlias.id").Scan(ctx)
	return list, err
}

// IsDelegate reports whether userID covers a controlling officer today.
func (db *DB) IsDelegate(ctx context.Context, userID int64) (bool, error) {
	ds, err := db.delegationsTo(ctx, db.DB, userID)
	for _, d := range ds {
		if d.Covers(d.PTJCode, db.Now()) {
			return true, err
		}
	}
	return false, err
}

// delegationsTo returns the unrevoked, unexpired delegations naming userID as
// delegate, whose principal is still an active controlling officer of the
// PTJ, as the workflow sees them (the workflow checks the dates).
func (db *DB) delegationsTo(ctx context.Context, idb bun.IDB, userID int64) ([]workflow.Delegation, error) {
	var list []Delegation
	today := db.Now().In(malaysia.KL).Format(dateLayout)
	err := idb.NewSelect().Model(&list).Relation("Principal").
		Where("?TableAlias.delegate_id = ? AND ?TableAlias.revoked_at IS NULL AND ?TableAlias.to_date >= ?", userID, today).
		Where("EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = ?TableAlias.principal_id AND ur.role = ? AND ur.ptj_code = ?TableAlias.ptj_code)",
			forms.RoleControllingOfficer).
		Scan(ctx)
	if err != nil {
		return nil, err
	}
	var out []workflow.Delegation
	for _, d := range list {
		if d.Principal == nil || !d.Principal.Active() {
			continue
		}
		from, _ := time.ParseInLocation(dateLayout, d.FromDate, malaysia.KL)
		to, _ := time.ParseInLocation(dateLayout, d.ToDate, malaysia.KL)
		out = append(out, workflow.Delegation{Principal: person(d.Principal), PTJCode: d.PTJCode, FromDate: from, ToDate: to})
	}
	return out, nil
}

// setTemporaryPassword gives u a random password that must be changed at
// first login and stops working after the link lifetime; it is returned once
// and only its hash is kept.
func (db *DB) setTemporaryPassword(ctx context.Context, tx bun.Tx, as AuthSettings, u *User) (string, error) {
	pw := password.TemporaryPassword()
	hash, err := password.Hash(pw)
	if err != nil {
		return "", err
	}
	ttl := as.LinkTTL
	if ttl <= 0 {
		ttl = DefaultAuthSettings().LinkTTL
	}
	expires := db.Now().Add(ttl)
	_, err = tx.NewUpdate().Model((*User)(nil)).
		Set("password_hash = ?", hash).Set("must_change = ?", true).Set("password_expires_at = ?", expires).
		Set("failed_attempts = 0").Set("locked_at = NULL").Set("updated_at = ?", db.Now()).
		Where("id = ?", u.ID).Exec(ctx)
	return pw, err
}

// Holiday is a public holiday (cuti umum) on which reminders do not count.
type Holiday struct {
	bun.BaseModel `bun:"table:holidays"`

	Day  string `bun:"day,pk"` // 2026-08-31
	Name string `bun:"name"`
}

// AddHoliday records a public holiday and audits it.
func (db *DB) AddHoliday(ctx context.Context, actor Actor, day, name string) error {
	t, fe := dateField("day", day)
	if fe != nil {
		return apperr.Fields(*fe)
	}
	h := &Holiday{Day: t.Format(dateLayout), Name: strings.TrimSpace(name)}
	return db.Tx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(h).On("CONFLICT (day) DO UPDATE").Set("name = EXCLUDED.name").Exec(ctx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, actor, "holiday.add", "holiday", h.Day, map[string]any{"name": h.Name})
	})
}

// Calendar returns the working-day calendar with the treasury's holidays.
func (db *DB) Calendar(ctx context.Context) (workflow.Calendar, error) {
	var hs []Holiday
	if err := db.NewSelect().Model(&hs).Scan(ctx); err != nil {
		return workflow.Calendar{}, err
	}
	c := workflow.Calendar{Holidays: map[string]bool{}}
	for _, h := range hs {
		c.Holidays[h.Day] = true
	}
	return c, nil
}
