package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// The audit log as the audit page and its export read it. Every query of
// the log for people lives here, and every one of them orders and pages
// through auditKeyset: the log's order is the records' arrival number
// (id), which a record has from its insert — its place in the chain (seq)
// comes only when it is sealed, just after commit — so that a record shows
// as soon as its action committed.

// AuditFilter selects audit records. Zero fields select everything.
type AuditFilter struct {
	From, To   time.Time // at or after From, before To
	ActorLogin string    // the actor's login, exactly
	ActorName  string    // a part of the actor's profile name (any case); with ActorLogin, either matches
	Action     string    // exactly
	ObjectID   string    // the record's subject (a reference, a login, a month), exactly
}

// AuditCursor is a position in the log for keyset paging: records older
// than Before, or newer than After; neither is the newest page.
type AuditCursor struct {
	Before, After int64
}

// AuditPage is one page of the log, newest first.
type AuditPage struct {
	Records []AuditRecord
	// Newer and Older say whether records of the filter lie before the
	// first and after the last of this page.
	Newer, Older bool
	Total        Total // counted up to CountLimit; by an actor's name, SearchCountLimit
}

// First and Last are the cursors of the page's first and last record, for
// the links to the newer and the older page.
func (p *AuditPage) First() int64 { return auditKey(&p.Records[0]) }
func (p *AuditPage) Last() int64  { return auditKey(&p.Records[len(p.Records)-1]) }

// auditKey is a record's position in the log's order.
func auditKey(r *AuditRecord) int64 { return r.ID }

// auditKeyset orders sel, a query of audit_log, in the log's order from
// the cursor: newest first from Before (or from the newest record), oldest
// first from After; and takes limit rows.
func auditKeyset(sel *bun.SelectQuery, cur AuditCursor, limit int) *bun.SelectQuery {
	if cur.After > 0 {
		return sel.Where("?TableAlias.id > ?", cur.After).OrderExpr("?TableAlias.id ASC").Limit(int64(limit))
	}
	if cur.Before > 0 {
		sel = sel.Where("?TableAlias.id < ?", cur.Before)
	}
	return sel.OrderExpr("?TableAlias.id DESC").Limit(int64(limit))
}

// where narrows sel, a query of audit_log, to what f selects. Each filter
// has an index ending in the log's order, id (audit_log_actor, _action,
// _object) or, for dates, its own (audit_log_at).
func (f AuditFilter) where(c Conn, sel *bun.SelectQuery) *bun.SelectQuery {
	if !f.From.IsZero() {
		sel = sel.Where("?TableAlias.at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		sel = sel.Where("?TableAlias.at < ?", f.To.UTC())
	}
	// An actor given both ways (a word that may be a service login or a
	// name) is either.
	if name := strings.TrimSpace(f.ActorName); f.ActorLogin != "" || name != "" {
		sel = sel.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			if f.ActorLogin != "" {
				q = q.WhereOr("?TableAlias.actor_login = ?", f.ActorLogin)
			}
			if name != "" {
				// Profiles are few beside the log: their ids first, then the log by them.
				q = q.WhereOr("?TableAlias.actor_id IN (?)", c.profileMatches(name, false, profileName))
			}
			return q
		})
	}
	if f.Action != "" {
		sel = sel.Where("?TableAlias.action = ?", f.Action)
	}
	if f.ObjectID != "" {
		sel = sel.Where("?TableAlias.object_id = ?", f.ObjectID)
	}
	return sel
}

// ListAudit returns the page of records f selects from cur, newest first,
// with size records at most.
func (c Conn) ListAudit(ctx context.Context, f AuditFilter, cur AuditCursor, size int) (*AuditPage, error) {
	read := func(cur AuditCursor) ([]AuditRecord, error) {
		var recs []AuditRecord
		err := auditKeyset(f.where(c, c.rd.NewSelect().Model(&recs)), cur, size+1).Scan(ctx)
		return recs, err
	}
	recs, err := read(cur)
	if err != nil {
		return nil, fmt.Errorf("audit list: %w", err)
	}
	p := &AuditPage{}
	switch {
	case cur.After > 0 && len(recs) <= size:
		// Back at the newest records: the newest page, full, as its own link shows it.
		if recs, err = read(AuditCursor{}); err != nil {
			return nil, fmt.Errorf("audit list: %w", err)
		}
		p.Older = len(recs) > size
		recs = recs[:min(len(recs), size)]
	case cur.After > 0:
		p.Newer, p.Older = true, true
		recs = recs[:size]
		for i, j := 0, len(recs)-1; i < j; i, j = i+1, j-1 {
			recs[i], recs[j] = recs[j], recs[i]
		}
	default:
		p.Newer, p.Older = cur.Before > 0, len(recs) > size
		recs = recs[:min(len(recs), size)]
	}
	p.Records = recs
	// An actor's name is a search of text, counted as one (SearchCountLimit):
	// a common name's records are many, and the count walks the log until
	// it has them (at 490,000 records and 50,000 profiles, "aisyah", 4% of
	// the log: counting to 1,001 took 8.0 ms of PostgreSQL's page and 12.6
	// of SQLite's; to 201, EXPLAIN ANALYZE walked 4,969 records).
	var limit int64 = CountLimit
	if strings.TrimSpace(f.ActorName) != "" {
		limit = SearchCountLimit
	}
	if p.Total, err = c.countTo(ctx, f.where(c, c.rd.NewSelect().Model((*AuditRecord)(nil)).ColumnExpr("1")), limit); err != nil {
		return nil, fmt.Errorf("audit count: %w", err)
	}
	return p, nil
}

// EachAudit calls fn for every record f selects, newest first, a batch at a
// time (for the CSV export, never the whole log in memory).
func (c Conn) EachAudit(ctx context.Context, f AuditFilter, fn func([]AuditRecord) error) error {
	const batch = 1000
	var cur AuditCursor
	for {
		var recs []AuditRecord
		if err := auditKeyset(f.where(c, c.rd.NewSelect().Model(&recs)), cur, batch).Scan(ctx); err != nil {
			return fmt.Errorf("audit export: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		if err := fn(recs); err != nil {
			return err
		}
		if len(recs) < batch {
			return nil
		}
		cur = AuditCursor{Before: auditKey(&recs[len(recs)-1])}
	}
}

// AuditPeople returns the profile names of the records' actors (by id) and
// of the logins named (a record's subject, the officer a delegate acted
// for), in one query: what the audit page shows instead of bare logins.
func (c Conn) AuditPeople(ctx context.Context, ids []int64, logins []string) (byID map[int64]string, byLogin map[string]string, err error) {
	byID, byLogin = map[int64]string{}, map[string]string{}
	if len(ids) == 0 && len(logins) == 0 {
		return byID, byLogin, nil
	}
	var rows []struct {
		ID    int64  `bun:"id"`
		Login string `bun:"login"`
		Name  string `bun:"name"`
	}
	sel := c.rd.NewSelect().Table("users").Column("id", "login", "name")
	if len(ids) > 0 {
		sel = sel.WhereOr("id IN (?)", bun.In(ids))
	}
	if len(logins) > 0 {
		sel = sel.WhereOr("login IN (?)", bun.In(logins))
	}
	if err := sel.Scan(ctx, &rows); err != nil {
		return nil, nil, fmt.Errorf("audit people: %w", err)
	}
	for _, r := range rows {
		byID[r.ID], byLogin[r.Login] = r.Name, r.Name
	}
	return byID, byLogin, nil
}
