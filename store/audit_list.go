package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"
)

// The audit log as the audit page and its export read it. Every query of
// the log for people lives here, and every one of them orders and pages
// through auditKeyset: the log's order is the records' arrival number
// (id), which a record has from its insert — its place in the chain (seq)
// comes only when it is sealed, just after commit — so that a record shows
// as soon as its action committed.

// auditAlias is the log's name in its queries (AuditRecord's alias), for
// what names its columns outside bun's own ?TableAlias.
const auditAlias = "audit_record"

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
// first from After; and takes limit rows. key is the order's expression:
// the id, or (auditSorted) an expression of it that no index holds in order.
func auditKeyset(sel *bun.SelectQuery, cur AuditCursor, limit int, key string) *bun.SelectQuery {
	switch {
	case cur.After > 0:
		sel = sel.Where("?TableAlias.id > ?", cur.After)
	case cur.Before > 0:
		sel = sel.Where("?TableAlias.id < ?", cur.Before)
	}
	return auditOrder(sel, cur, limit, key)
}

// auditOrder is auditKeyset's order and limit alone, for a query of
// records already past the cursor.
func auditOrder(sel *bun.SelectQuery, cur AuditCursor, limit int, key string) *bun.SelectQuery {
	if cur.After > 0 {
		return sel.OrderExpr(key + " ASC").Limit(int64(limit))
	}
	return sel.OrderExpr(key + " DESC").Limit(int64(limit))
}

const (
	auditInOrder = "?TableAlias.id"
	// auditSorted makes a query read its records by their filters' indexes
	// and sort them, where the id would let it walk the log in order.
	auditSorted = "?TableAlias.id + 0"
)

// auditGatherBelow is how many records a search by an actor's name must
// find for its page to walk the log, newest first, checking each record;
// with fewer, the page gathers the name's records through
// audit_log_actor_id and sorts them. A walk finds a page in about 26 ÷ the
// name's share of the log, gathering reads every record of the name, and
// the count that decides reads up to this many: at 490,000 records,
// "aisyah" (19,600 records) was walked in 650 records (2–3.5 ms on
// PostgreSQL) and gathered in 14 ms; a full name (784) was gathered in
// 2.4–3.3 ms and walked through 15,925 records in 30; counting to 5,001
// took 3.6–3.9 ms, to 1,001 1.9. Each database, left to choose, chose one
// way for both names (PostgreSQL walked, SQLite gathered). A variable only
// for the tests, which page both ways.
var auditGatherBelow int64 = 1000

// actorRead is how a query of the log finds the records of an actor's
// name.
type actorRead int

const (
	// throughActors reads the records of the name's profiles through
	// audit_log_actor_id.
	throughActors actorRead = iota
	// walkingActors walks the log in its order, checking each record's
	// actor among the name's profiles, gathered first: SQLite's walk, and
	// every walk past a bound (auditWalkBound). SQLite probes the ids'
	// ephemeral index (the unary plus keeps the query off
	// audit_log_actor_id); PostgreSQL a hash of them, built once, where as
	// a plain IN it joins the profiles and looks each record's actor up
	// in them (3.6 µs a record). Hashed, "binti" walked 48,000 records
	// past a publication's run in 25–43 ms, its 14,000 ids hashed in 6–14,
	// where comparing each record's actor's name (walkingNames) took
	// 105–117.
	walkingActors
	// walkingNames walks the log in its order, comparing each record's
	// actor's name in its profile (profileHolds): on SQLite, for a name so
	// many of the newest records hold (newestNamed) that gathering its
	// profiles costs more than the walk to a page: "binti", 14,000
	// profiles, took 10 ms to gather, twice a page, and its page is found
	// in 0.5 ms walking; on PostgreSQL, for every page that walks.
	walkingNames
)

// where narrows sel, a query of audit_log, to what f selects. Each filter
// has an index ending in the log's order, id (audit_log_actor, _action,
// _object) or, for dates, its own (audit_log_at); the actors' ids have
// audit_log_actor_id, which a walk keeps a query from using.
func (f AuditFilter) where(c Conn, sel *bun.SelectQuery, read actorRead) *bun.SelectQuery {
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
			switch {
			case name == "":
			case read == walkingNames:
				q = q.WhereOr("?", c.profileHolds(bun.Ident(auditAlias+".actor_id"), name, profileName))
			default:
				// Profiles are few beside the log: their ids first, then the log by them.
				in := "?TableAlias.actor_id IN (?)"
				switch {
				case read != walkingActors:
				case c.db.Dialect == SQLite:
					in = "+" + in
				default:
					// A test of the IN's value is a condition PostgreSQL does
					// not turn into a join: it hashes the ids once.
					in = "(" + in + ") IS TRUE"
				}
				q = q.WhereOr(in, c.profileMatches(name, false, profileName))
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

// narrowed is f without its login when a name is given too and no record
// was written by that login: a word that may be a service login or a name
// is, most often, a name. On PostgreSQL "by this login or by one of these
// profiles" is checked record by record, walking the log, where the
// profiles' records alone are found through audit_log_actor_id: a name
// 0.16% of the log's records hold walked 125,000 records to count to 201.
func (c Conn) narrowed(ctx context.Context, f AuditFilter) (AuditFilter, error) {
	if f.ActorLogin == "" || strings.TrimSpace(f.ActorName) == "" {
		return f, nil
	}
	var found []bool
	if err := c.scanPrepared(ctx, auditByLoginQuery, &found, f.ActorLogin); err != nil {
		return f, fmt.Errorf("audit actor: %w", err)
	}
	if len(found) == 0 || !found[0] {
		f.ActorLogin = ""
	}
	return f, nil
}

// auditByLoginQuery says whether a login wrote any record. It is prepared:
// every search of the log by a word that may be a service login asks it
// first, and planned afresh it cost PostgreSQL more than it takes to run
// (0.6 ms planned, 0.1 run, in EXPLAIN ANALYZE).
var auditByLoginQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	return "SELECT EXISTS (" + c.rd.NewSelect().Model((*AuditRecord)(nil)).ColumnExpr("1").Where("actor_login = ?", arg(1)).String() + ")"
})

// ListAudit returns the page of records f selects from cur, newest first,
// with size records at most.
func (c Conn) ListAudit(ctx context.Context, f AuditFilter, cur AuditCursor, size int) (*AuditPage, error) {
	f, err := c.narrowed(ctx, f)
	if err != nil {
		return nil, err
	}
	total, plan, err := c.auditCount(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("audit count: %w", err)
	}
	// gather reads a page of the name's records: their ids sorted out of
	// the name's, then their records.
	gather := func(cur AuditCursor) ([]AuditRecord, error) {
		var recs []AuditRecord
		ids := auditKeyset(f.where(c, c.rd.NewSelect().Model((*AuditRecord)(nil)).Column("id"), throughActors), cur, size+1, auditSorted)
		err := auditKeyset(c.auditRecords(&recs).Where("?TableAlias.id IN (?)", ids), cur, size+1, auditInOrder).Scan(ctx)
		return recs, err
	}
	read := func(cur AuditCursor) ([]AuditRecord, error) {
		switch {
		case plan.apart:
			return c.auditApart(ctx, f, cur, plan.profiles, size+1, "", 0)
		case plan.gather:
			return gather(cur)
		}
		var recs []AuditRecord
		sel := f.where(c, c.auditRecords(&recs), plan.check)
		if plan.walkBound == 0 {
			err := auditKeyset(sel, cur, size+1, auditInOrder).Scan(ctx)
			return recs, err
		}
		// Bounded, the walk stops at its bound's edge (auditEdge), read in
		// the same query.
		edge := c.auditEdge(f, cur, plan.walkBound)
		within, past, args := "?TableAlias.id >= COALESCE(?, 0)", "?TableAlias.id < ?", []any{edge}
		if cur.After > 0 {
			within, past, args = "?TableAlias.id <= COALESCE(?, ?)", "?TableAlias.id > ?", []any{edge, int64(math.MaxInt64)}
		}
		if err := auditKeyset(sel.Where(within, args...), cur, size+1, auditInOrder).Scan(ctx); err != nil || len(recs) > size {
			return recs, err
		}
		// Short of a page: the end of the log (no edge: fewer records than
		// the bound), or the bound's edge, read once as a value for the
		// queries past it. Past it, the name's records are gathered if
		// auditGatherPast or fewer; of more, a name of few profiles reads
		// each one's records (auditActorsApart), and another walks on
		// (auditGatherPast says why).
		var at sql.NullInt64
		if err := c.rd.NewRaw("SELECT ?", edge).Scan(ctx, &at); err != nil || !at.Valid {
			return recs, err
		}
		more, err := f.others().where(c, c.rd.NewSelect().Model((*AuditRecord)(nil)), throughActors).Where(past, at.Int64).Exists(ctx)
		if err != nil || !more {
			return recs, err
		}
		left, err := c.countTo(ctx, c.auditCounted(f).Where(past, at.Int64), auditGatherPast)
		if err != nil {
			return nil, err
		}
		if left.Exact {
			return gather(cur)
		}
		if !plan.manyProfiles {
			if ids, few, err := c.namedProfiles(ctx, f); err != nil {
				return nil, err
			} else if few {
				rest, err := c.auditApart(ctx, f, cur, ids, size+1-len(recs), past, at.Int64)
				return append(recs, rest...), err
			}
		}
		var rest []AuditRecord
		sel = f.where(c, c.auditRecords(&rest), walkingActors).Where(past, at.Int64)
		err = auditKeyset(sel, cur, size+1-len(recs), auditInOrder).Scan(ctx)
		return append(recs, rest...), err
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
	p.Total = total
	return p, nil
}

// auditRecords is the query that reads records into recs as the log's
// pages and its export show them: each with its actor's profile name
// (ActorName), read in the same query for the records it returns, where
// a query of the names after each page's cost PostgreSQL a round trip and
// the plan of an IN of 50 ids (0.4–1.2 ms a page).
func (c Conn) auditRecords(recs *[]AuditRecord) *bun.SelectQuery {
	return c.rd.NewSelect().Model(recs).ColumnExpr("?TableAlias.*").
		ColumnExpr("(SELECT name FROM users WHERE users.id = ?TableAlias.actor_id) AS actor_name")
}

// auditRead is how ListAudit reads a page of the log: a name's records
// read profile by profile (apart, of profiles), or gathered, or the log
// walked in its order, each record's actor checked as check says, through
// at most walkBound records of the other filters (0: as far as it takes);
// past them the page gathers the name's records left, or walks on if
// they are many (auditGatherPast).
type auditRead struct {
	apart     bool
	profiles  []int64
	gather    bool
	check     actorRead
	walkBound int
	// manyProfiles is set when the name's profiles were found more than
	// auditActorsApart already: past the bound, they are not looked up
	// again.
	manyProfiles bool
}

// auditCount counts the records f selects, up to CountLimit, and says how
// their pages read them. An actor's name is a search of text, counted as
// one (SearchCountLimit): a common name's records are many. It is counted
// through audit_log_actor_id (to 201, a common name's count walked 4,800
// records without that index: 3.3 ms on PostgreSQL; through it 0.4), on
// to auditGatherBelow, below which its page gathers the name's records
// and from which it walks, through auditWalkBound records — but on SQLite
// it is first counted walking the newest records, where a common name's
// are many, and all of a filter that selects few (newestNamed); and on
// PostgreSQL a long part of few profiles (auditActorsApart) is counted
// among their ids to SearchCountLimit alone, and read profile by profile.
func (c Conn) auditCount(ctx context.Context, f AuditFilter) (Total, auditRead, error) {
	count := func(limit int64) (Total, error) { return c.countTo(ctx, c.auditCounted(f), limit) }
	name := strings.TrimSpace(f.ActorName)
	if name == "" {
		total, err := count(CountLimit)
		return total, auditRead{check: throughActors}, err
	}
	many := false // the name's profiles found more than auditActorsApart
	switch c.db.Dialect {
	case SQLite:
		if total, walk, err := c.newestNamed(ctx, f, name); err != nil || walk {
			return total, auditRead{check: walkingNames}, err
		}
	case Postgres:
		// A long part, most often a full name, is held by few profiles; a
		// short one (a given name, "binti") by many, whose lookup costs
		// 0.7–0.9 ms to find them more.
		if len(name) < trigramsApartFrom {
			break
		}
		ids, few, err := c.namedProfiles(ctx, f)
		if err != nil {
			return Total{}, auditRead{}, err
		}
		if !few {
			many = true
			break
		}
		var total Total
		if len(ids) > 0 {
			sel := c.rd.NewSelect().Model((*AuditRecord)(nil)).ColumnExpr("1").Where("?TableAlias.actor_id IN (?)", bun.In(ids))
			total, err = c.countTo(ctx, f.others().where(c, sel, throughActors), SearchCountLimit)
		}
		return total, auditRead{apart: true, profiles: ids}, err
	}
	total, err := count(max(auditGatherBelow, SearchCountLimit))
	if err != nil {
		return Total{}, auditRead{}, err
	}
	plan := auditRead{gather: true}
	if total.N >= auditGatherBelow {
		plan = auditRead{check: walkingActors, walkBound: auditWalkBound[c.db.Dialect], manyProfiles: many}
		if c.db.Dialect == Postgres {
			// Within its bound of 2,000 records, PostgreSQL compares each
			// record's actor's name (2 µs a record) rather than hash the
			// name's profiles' ids first (walkingActors): a name of many
			// profiles finds its page in a few records ("binti" 1.3–1.9 ms,
			// hashed 11–13) and one of few costs the same either way
			// ("aisyah" 4–8 and 4–5). SQLite probes the gathered ids in 0.1.
			plan.check = walkingNames
		}
	}
	if total.N > SearchCountLimit {
		total = Total{N: SearchCountLimit}
	}
	return total, plan, nil
}

// auditCounted is the query that counts the records f selects: a row of
// each, its actor's found through audit_log_actor_id. A name alone (no
// login beside it) is joined to its profiles' ids rather than tested IN
// them: SQLite reads an IN's list whole before its first row ("aisyah",
// 2,000 profiles, to count 1,001 records: 2.5 ms), where joined the
// profiles' search table is read only as far as the count goes (0.5; "nur
// aisyah a/p" 3.0 → 1.6). PostgreSQL reads either as far as it goes.
func (c Conn) auditCounted(f AuditFilter) *bun.SelectQuery {
	sel := c.rd.NewSelect().Model((*AuditRecord)(nil)).ColumnExpr("1")
	if name := strings.TrimSpace(f.ActorName); name != "" && f.ActorLogin == "" {
		sel = sel.Join("JOIN (?) AS named ON named.id = ?TableAlias.actor_id", c.profileMatches(name, false, profileName))
		return f.others().where(c, sel, throughActors)
	}
	return f.where(c, sel, throughActors)
}

// auditWalkBound is how many records of the other filters a walk of a name
// of auditGatherBelow records or more reads before its page gathers the
// rest, or walks on (auditGatherPast): the count says how many records the
// name has, not how far apart they lie, and a name whose records are all
// old (an officer long retired) would walk every record since, a log that
// only grows. On PostgreSQL, which compares each record's actor's name (2
// µs a record), "nur aisyah a/p" (three names, 2,352 records, one in 200)
// was walked through 10,600 records for a page in 25–29 ms, where it is
// gathered in 4.5; "aisyah" (one in 25) finds its page in 1,275: 2,000 is
// about where walking costs what gathering would, at 490,000 records.
// SQLite probes the gathered ids (0.1–0.4 µs a record), and its bound
// holds a publication's run of 50,000 records by one officer: at 20,000,
// every name of 1,000 records searched after one paid the bound's
// fallback, its queries each reading the name's profiles' ids again
// ("binti" 25–54 → 47–90 ms, "aisyah" 13–14 → 19–27). The bound's edge is
// read in the walk's query (auditEdge). Walked in two spans instead, a
// tenth of the bound and the rest, so that a page found within the first
// read the ids of the records of a tenth of the bound only, "nur aisyah
// a/p" took 14 → 20 ms on SQLite: each span read those ids again. A
// variable only for the tests.
var auditWalkBound = map[Dialect]int{Postgres: 2000, SQLite: 100000}

// auditGatherPast is how many of a name's records past a walk's bound
// its page gathers at most; a name of more walks on (walkingActors).
// Gathering sorts every one of them, and a common name thins out where
// one officer's records crowd the log (a publication's 50,000, one a
// slip): "binti" past such a run, gathered, took 85–139 ms on SQLite (its
// 137,200 records), walked 48–52. "aisyah"'s 19,600 records were gathered
// in 14 ms. A variable only for the tests.
var auditGatherPast int64 = 20000

// auditActorsApart is how many profiles a name alone may have for its
// pages to read its records profile by profile: each profile's next
// records through audit_log_actor_id, as many as the page lacks, merged
// (auditApart). That reads at most the page's records times the profiles,
// wherever in the log they lie.
//
// On PostgreSQL a long part (a full name) of so few profiles is read so
// from its first page, as a LATERAL join, for about 5 µs a profile and
// its records to a page: "nur aisyah a/p" (240 profiles, 2,352 records,
// one in 200 of the log's) in 2.2–3.4 ms, where it walked 2,000 records
// comparing names (5.9 ms), counted what lay past them (3.5) and gathered
// it (4.3); "aisyah" (2,000 profiles) took 8.4–12.7 ms so, where its walk
// finds a page in 650 records. 300 profiles with a page of records each
// cost about what the walk's bound does (auditWalkBound).
//
// On SQLite the profiles' reads are a UNION ALL of a query each, whose
// statement alone costs: 240 profiles took 5.5 ms where the walk finds
// their page in 3.6 and gathering took 1.1. Its names are read so only
// past a walk's bound, where they have more than auditGatherPast records:
// an officer long gone who ran a month's publication for years, whose
// every record is old and whom the walk on went through every record
// since. A name of more profiles ("binti", 14,000) walks on. The check
// comes after the count, so that the pages gathered there ("nur aisyah
// a/p") do not pay for the profiles' lookup.
//
// A variable only for the tests.
var auditActorsApart = map[Dialect]int{Postgres: 300, SQLite: 50}

// namedProfiles reads the ids of the profiles of f's name, when f is a
// name alone of auditActorsApart profiles or fewer (few); nothing
// otherwise.
func (c Conn) namedProfiles(ctx context.Context, f AuditFilter) (ids []int64, few bool, err error) {
	name, most := strings.TrimSpace(f.ActorName), auditActorsApart[c.db.Dialect]
	if name == "" || f.ActorLogin != "" {
		return nil, false, nil
	}
	if err := c.rd.NewRaw("SELECT id FROM (?) AS m LIMIT ?", c.profileMatches(name, false, profileName), most+1).Scan(ctx, &ids); err != nil {
		return nil, false, fmt.Errorf("audit actors: %w", err)
	}
	if len(ids) > most {
		return nil, false, nil
	}
	return ids, true, nil
}

// auditApart reads the next n records from cur that f's other filters
// select by the profiles of ids, each profile's read through
// audit_log_actor_id and merged; past, unless empty, is a condition of
// the records' id that they meet too, of edge (a walk's).
func (c Conn) auditApart(ctx context.Context, f AuditFilter, cur AuditCursor, ids []int64, n int, past string, edge int64) (recs []AuditRecord, err error) {
	if len(ids) == 0 {
		return nil, nil
	}
	// next is the query of a profile's next records, its id given as an
	// expression.
	next := func(id any) *bun.SelectQuery {
		sel := c.rd.NewSelect().Model((*AuditRecord)(nil)).Column("id").Where("?TableAlias.actor_id = ?", id)
		if past != "" {
			sel = sel.Where(past, edge)
		}
		return auditKeyset(f.others().where(c, sel, throughActors), cur, n, auditInOrder)
	}
	var merged any
	if c.db.Dialect == Postgres {
		// Each profile's records are read in a LATERAL join of its id, and
		// the page's n taken of them before the records are.
		lateral := c.rd.NewSelect().Model((*AuditRecord)(nil)).Column("id").
			ModelTableExpr("unnest(ARRAY[?]::bigint[]) AS named(id) CROSS JOIN LATERAL (?) AS ?TableAlias", bun.In(ids), next(bun.Safe("named.id")))
		merged = auditOrder(lateral, cur, n, auditInOrder)
	} else {
		each := make([]string, len(ids))
		for i, id := range ids {
			each[i] = "SELECT id FROM (" + next(id).String() + ") AS p" + strconv.Itoa(i)
		}
		merged = bun.Safe(strings.Join(each, " UNION ALL "))
	}
	sel := c.auditRecords(&recs).Where("?TableAlias.id IN (?)", merged)
	return recs, auditKeyset(sel, cur, n, auditInOrder).Scan(ctx)
}

// newestNamed counts the records f selects walking the newest of the
// other filters' and comparing each record's actor's name
// (walkingNames), and reports whether the page walks so too: when the
// other filters select fewer than a tenth of namesWindow records (then
// every one of them was compared, and the count is the total), or more
// than SearchCountLimit of the newest namesWindow are by the name. It is
// for SQLite, which reads the name's profiles' ids out of the FTS5 table
// before it counts or walks ("binti", 14,000 profiles: 10 ms, twice a
// page; 35–41 ms beside a reference of five records), where these counts
// took 1.2–1.6 ms and the walk to its page 0.5. PostgreSQL walks a
// common name's records through a semi-join without gathering (its count
// 0.9 ms, where this one took 2.2).
func (c Conn) newestNamed(ctx context.Context, f AuditFilter, name string) (Total, bool, error) {
	newest := func(window int) *bun.SelectQuery {
		return c.rd.NewSelect().Model((*AuditRecord)(nil)).ModelTableExpr("(?) AS ?TableAlias", c.auditWindow(f, AuditCursor{}, window, auditFiltered...))
	}
	named := func(window int) (Total, error) {
		return c.countTo(ctx, f.where(c, newest(window).ColumnExpr("1"), walkingNames), SearchCountLimit)
	}
	// The first tenth of the window, every record compared.
	first := namesWindow / 10
	var seen int
	if err := newest(first).ColumnExpr("COUNT(*)").Scan(ctx, &seen); err != nil {
		return Total{}, false, err
	}
	found, err := named(first)
	switch {
	case err != nil:
		return Total{}, false, err
	case seen < first:
		return found, true, nil
	case found.N <= SearchCountLimit/10:
		return Total{}, false, nil // few of the newest: counted as any other name
	}
	if found, err = named(namesWindow); err != nil || found.Exact {
		return Total{}, false, err
	}
	return found, true, nil
}

// auditEdge is the id of the n-th record from cur (in the walk's
// direction) that f's filters but its actor select, the last a walk
// bounded by n reads, as an expression; NULL when there are fewer. With no
// other filter it is n ids from cur: the log's ids are its records'
// arrival numbers, with gaps only where PostgreSQL's sequence lost the
// ids of inserts rolled back, which shorten the bound. Otherwise it reads
// the ids of those records in the log's order and nothing else (0.8 ms
// for 20,000 on SQLite, where a walk through them, which checks each
// record's actor, took 7.5); bounded instead by a subquery of the n
// records, the walk passed every record's columns through it and doubled
// (5.4 → 10.5 ms).
func (c Conn) auditEdge(f AuditFilter, cur AuditCursor, n int) schema.QueryWithArgs {
	if f.others() == (AuditFilter{}) {
		switch {
		case cur.After > 0:
			return bun.SafeQuery("?", cur.After+int64(n))
		case cur.Before > 0:
			return bun.SafeQuery("?", cur.Before-int64(n))
		}
		return bun.SafeQuery("(SELECT MAX(id) - ? FROM audit_log)", n-1)
	}
	return bun.SafeQuery("(?)", c.auditWindow(f, cur, 1, "id").Offset(int64(n-1)))
}

// auditWindow is the query of the next n records from cur that f's
// filters but its actor select, in the log's order: what a walk by an
// actor's name goes through. cols are its columns (all, if none).
func (c Conn) auditWindow(f AuditFilter, cur AuditCursor, n int, cols ...string) *bun.SelectQuery {
	sel := c.rd.NewSelect().Model((*AuditRecord)(nil))
	if len(cols) > 0 {
		sel = sel.Column(cols...)
	}
	return auditKeyset(f.others().where(c, sel, throughActors), cur, n, auditInOrder)
}

// others is f without its actor: the filters a walk by an actor's name
// goes through.
func (f AuditFilter) others() AuditFilter {
	f.ActorLogin, f.ActorName = "", ""
	return f
}

// auditFiltered are the columns AuditFilter compares.
var auditFiltered = []string{"id", "at", "actor_id", "actor_login", "action", "object_id"}

// namesWindow is how many of the newest records newestNamed walks: it
// finds more than SearchCountLimit records by a name one record in ten
// holds ("binti", 28% of the log's, found them in 720). Its first tenth
// is walked first, 0.5 ms on SQLite, and stops the walk of any name with
// 20 records or fewer there (the whole window, 4.7 ms); a name whose
// records are many there but fewer in the rest is walked through both,
// then counted as any other. A variable only for the tests.
var namesWindow = 2000

// EachAudit calls fn for every record f selects, newest first, a batch at a
// time (for the CSV export, never the whole log in memory).
func (c Conn) EachAudit(ctx context.Context, f AuditFilter, fn func([]AuditRecord) error) error {
	f, err := c.narrowed(ctx, f)
	if err != nil {
		return err
	}
	const batch = 1000
	var cur AuditCursor
	for {
		var recs []AuditRecord
		if err := auditKeyset(f.where(c, c.auditRecords(&recs), throughActors), cur, batch, auditInOrder).Scan(ctx); err != nil {
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

// AuditPeople returns the profile names of actors (by id; ListAudit reads
// them with the records, ActorName) and of the logins named (a record's
// subject, the officer a delegate acted for), in one query: what the
// audit page shows instead of bare logins.
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
