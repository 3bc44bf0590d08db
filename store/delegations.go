package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/forms"
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

// InsertDelegation stores d (its ID is set).
func (c Conn) InsertDelegation(ctx context.Context, d *Delegation) error {
	if _, err := c.idb.NewInsert().Model(d).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert delegation: %w", err)
	}
	return nil
}

// RevokeDelegation ends delegation id of principal now; it reports whether
// there was such a delegation still in force.
func (c Conn) RevokeDelegation(ctx context.Context, id, principalID int64) (bool, error) {
	res, err := c.idb.NewUpdate().Model((*Delegation)(nil)).Set("revoked_at = ?", c.now()).
		Where("id = ? AND principal_id = ? AND revoked_at IS NULL", id, principalID).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("revoke delegation: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DelegationsOf returns the unrevoked delegations userID named or received
// that end on or after today, soonest first, with both people.
func (c Conn) DelegationsOf(ctx context.Context, userID int64, today string) ([]Delegation, error) {
	var list []Delegation
	err := c.rd.NewSelect().Model(&list).Relation("Principal").Relation("Delegate").
		Where("(?TableAlias.principal_id = ? OR ?TableAlias.delegate_id = ?)", userID, userID).
		Where("?TableAlias.revoked_at IS NULL AND ?TableAlias.to_date >= ?", today).
		OrderExpr("?TableAlias.from_date, ?TableAlias.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list delegations: %w", err)
	}
	return list, nil
}

// DelegationsTo returns the unrevoked delegations naming userID as delegate
// that end on or after today and whose principal still holds the
// controlling officer's role for the PTJ, with the principal.
func (c Conn) DelegationsTo(ctx context.Context, userID int64, today string) ([]Delegation, error) {
	var rows []delegationRow
	if err := c.scanPrepared(ctx, delegationsToQuery, &rows, userID, today); err != nil {
		return nil, fmt.Errorf("delegations to user: %w", err)
	}
	list := make([]Delegation, len(rows))
	for i := range rows {
		list[i] = rows[i].Delegation
		list[i].Principal = &rows[i].P
	}
	return list, nil
}

// delegationRow is a row of delegationsToQuery: a delegation and its
// principal.
type delegationRow struct {
	Delegation `bun:",extend"`
	P          User `bun:"embed:principal__"`
}

// delegationsToQuery is asked by every inbox and every action that a
// delegation may concern.
var delegationsToQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	return c.rd.NewSelect().Model((*Delegation)(nil)).Relation("Principal").
		Where("?TableAlias.delegate_id = ? AND ?TableAlias.revoked_at IS NULL AND ?TableAlias.to_date >= ?", arg(1), arg(2)).
		Where("EXISTS (SELECT 1 FROM user_roles ur WHERE ur.user_id = ?TableAlias.principal_id AND ur.role = ? AND ur.ptj_code = ?TableAlias.ptj_code)",
			forms.RoleControllingOfficer).String()
})

// ActiveDelegatesOn returns the active profiles a delegation of ptj covers
// on day (a KL date), read as addresseeColumns: they are mailed.
func (c Conn) ActiveDelegatesOn(ctx context.Context, ptj, day string) ([]User, error) {
	var list []User
	err := c.rd.NewSelect().Model(&list).Apply(addresseeColumns).
		Where("?TableAlias.status = ?", StatusActive).
		Where("?TableAlias.id IN (SELECT d.delegate_id FROM delegations d WHERE d.ptj_code = ? AND d.revoked_at IS NULL AND d.from_date <= ? AND d.to_date >= ?)",
			ptj, day, day).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("delegates of %s: %w", ptj, err)
	}
	return list, nil
}

// Holiday is a public holiday (cuti umum) on which reminders do not count.
type Holiday struct {
	bun.BaseModel `bun:"table:holidays"`

	Day  string `bun:"day,pk"` // 2026-08-31
	Name string `bun:"name"`
}

// UpsertHoliday records h, replacing the name of a day already recorded.
func (c Conn) UpsertHoliday(ctx context.Context, h *Holiday) error {
	if _, err := c.idb.NewInsert().Model(h).On("CONFLICT (day) DO UPDATE").Set("name = EXCLUDED.name").Exec(ctx); err != nil {
		return fmt.Errorf("add holiday: %w", err)
	}
	return nil
}

// Holidays returns every recorded public holiday.
func (c Conn) Holidays(ctx context.Context) ([]Holiday, error) {
	var hs []Holiday
	if err := c.rd.NewSelect().Model(&hs).Scan(ctx); err != nil {
		return nil, fmt.Errorf("read holidays: %w", err)
	}
	return hs, nil
}
