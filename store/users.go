package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
)

// ErrUserNotFound answers a profile that does not exist.
var ErrUserNotFound = apperr.New(apperr.NotFound, "users.error.not_found")

// errLoginTaken answers a new profile whose login another holds.
var errLoginTaken = apperr.New(apperr.Conflict, "users.error.login_taken")

// InsertUser stores u (its ID is set) with its roles and modules as
// u.Roles and u.Modules hold them. A taken login is a Conflict.
func (c Conn) InsertUser(ctx context.Context, u *User) error {
	roles, modules := u.Roles, u.Modules
	if _, err := c.idb.NewInsert().Model(u).Returning("id").Exec(ctx); err != nil {
		if IsUniqueViolation(err) {
			return errLoginTaken
		}
		return fmt.Errorf("insert user: %w", err)
	}
	return c.SetAccess(ctx, u, roles, modules)
}

// SetAccess makes u's roles and modules exactly roles and modules (each
// row's user is set to u).
func (c Conn) SetAccess(ctx context.Context, u *User, roles []UserRole, modules []UserModule) error {
	if _, err := c.idb.NewDelete().Model((*UserRole)(nil)).Where("user_id = ?", u.ID).Exec(ctx); err != nil {
		return fmt.Errorf("set access: %w", err)
	}
	if _, err := c.idb.NewDelete().Model((*UserModule)(nil)).Where("user_id = ?", u.ID).Exec(ctx); err != nil {
		return fmt.Errorf("set access: %w", err)
	}
	u.Roles, u.Modules = nil, nil
	for _, r := range roles {
		r.UserID = u.ID
		u.Roles = append(u.Roles, r)
	}
	for _, m := range modules {
		m.UserID = u.ID
		u.Modules = append(u.Modules, m)
	}
	if len(u.Roles) > 0 {
		if _, err := c.idb.NewInsert().Model(&u.Roles).Exec(ctx); err != nil {
			return fmt.Errorf("set access: %w", err)
		}
	}
	if len(u.Modules) > 0 {
		if _, err := c.idb.NewInsert().Model(&u.Modules).Exec(ctx); err != nil {
			return fmt.Errorf("set access: %w", err)
		}
	}
	return nil
}

// UserByLogin returns the profile with login (as stored: 12 digits or a
// lower-case service login), with its roles and modules.
func (c Conn) UserByLogin(ctx context.Context, login string) (*User, error) {
	return c.userWhere(ctx, "login = ?", login)
}

// UserByID returns the profile with id, with its roles and modules.
func (c Conn) UserByID(ctx context.Context, id int64) (*User, error) {
	return c.userWhere(ctx, "id = ?", id)
}

func (c Conn) userWhere(ctx context.Context, where string, arg any) (*User, error) {
	u := new(User)
	err := c.rd.NewSelect().Model(u).ColumnExpr("?TableAlias.*").ColumnExpr("? AS access", c.accessColumn()).
		Where("?TableAlias."+where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUserNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read user: %w", err)
	}
	return u, u.decodeAccess()
}

// accessColumn is the column that reads the roles and modules of the
// profile "user" of a query with it, as JSON: every page asks who its user
// is, and reading their access in a round trip of its own made it the
// commonest query of the portal.
func (c Conn) accessColumn() schema.QueryWithArgs {
	if c.db.Dialect == Postgres {
		return bun.SafeQuery(`json_build_object(
	'roles', COALESCE((SELECT json_agg(json_build_object('Role', r.role, 'PTJCode', r.ptj_code, 'ApprovalLimitSen', r.approval_limit_sen))
		FROM user_roles AS r WHERE r.user_id = "user".id), '[]'),
	'modules', COALESCE((SELECT json_agg(json_build_object('Module', m.module))
		FROM user_modules AS m WHERE m.user_id = "user".id), '[]'))`)
	}
	// json(): a subquery's result is text to json_object, not JSON.
	return bun.SafeQuery(`json_object(
	'roles', json((SELECT json_group_array(json_object('Role', r.role, 'PTJCode', r.ptj_code, 'ApprovalLimitSen', r.approval_limit_sen))
		FROM user_roles AS r WHERE r.user_id = "user".id)),
	'modules', json((SELECT json_group_array(json_object('Module', m.module))
		FROM user_modules AS m WHERE m.user_id = "user".id)))`)
}

// decodeAccess sets u's Roles and Modules from u.Access.
func (u *User) decodeAccess() error {
	var a struct {
		Roles   []UserRole
		Modules []UserModule
	}
	if err := json.Unmarshal([]byte(u.Access), &a); err != nil {
		return fmt.Errorf("read access of %s: %w", u.Login, err)
	}
	u.Roles, u.Modules, u.Access = a.Roles, a.Modules, ""
	for i := range u.Roles {
		u.Roles[i].UserID = u.ID
	}
	for i := range u.Modules {
		u.Modules[i].UserID = u.ID
	}
	return nil
}

// UserFilter selects users for the user list.
type UserFilter struct {
	Q       string // part of the name, login or email
	PTJCode string
	Status  string
	Locked  bool // only profiles locked now (a timed lock that ran out is not)
}

// ListUsers returns the users matching f, ordered by name, one page at a
// time, with their roles and modules, and how many match (exactly up to
// CountLimit; a search, as every search of text, up to SearchCountLimit).
func (c Conn) ListUsers(ctx context.Context, f UserFilter, page Page) ([]User, Total, error) {
	// filters narrows sel, a query of the profiles as "user", to what f
	// selects besides a search.
	filters := func(sel *bun.SelectQuery) *bun.SelectQuery {
		if f.PTJCode != "" {
			sel = sel.Where(`"user".ptj_code = ?`, f.PTJCode)
		}
		if f.Status != "" {
			sel = sel.Where(`"user".status = ?`, f.Status)
		}
		if f.Locked {
			sel = sel.Where(`"user".locked_at IS NOT NULL AND ("user".locked_until IS NULL OR "user".locked_until > ?)`, c.now())
		}
		return sel
	}
	list := make([]User, 0, page.Limit())
	// In the order of users_name_search; a list shows no password hash.
	// Each profile's roles and modules are read in its row (accessColumn),
	// not in a query of each table after the page's.
	sel := c.rd.NewSelect().Model(&list).ExcludeColumn("password_hash").ColumnExpr("? AS access", c.accessColumn()).OrderExpr(`"user".name, "user".id`)
	// read reads the page's profiles and their access.
	read := func(sel *bun.SelectQuery) error {
		if err := sel.Scan(ctx); err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		for i := range list {
			if err := list[i].decodeAccess(); err != nil {
				return err
			}
		}
		return nil
	}
	q := strings.TrimSpace(f.Q)
	if q == "" {
		if err := read(filters(sel).Limit(page.Limit()).Offset(page.Offset())); err != nil {
			return nil, Total{}, err
		}
		total, err := c.countUpTo(ctx, filters(c.rd.NewSelect().Model((*User)(nil)).ColumnExpr("1")))
		if err != nil {
			return nil, Total{}, fmt.Errorf("count users: %w", err)
		}
		return list, total, nil
	}
	// matches is the query of the ids of the profiles src finds that the
	// other filters select, as "m" with its names.
	matches := func(src schema.QueryWithArgs) *bun.SelectQuery {
		sel := c.rd.NewSelect().TableExpr("(?) AS m", src).ColumnExpr("m.id")
		if f.PTJCode != "" || f.Status != "" || f.Locked {
			sel = filters(sel.Join(`JOIN users AS "user" ON "user".id = m.id`))
		}
		return sel
	}
	held, err := c.sampleHolding(ctx, q)
	if err != nil {
		return nil, Total{}, fmt.Errorf("search users: %w", err)
	}
	var ids []int64
	var total Total
	counted := false
	if held > commonMatches {
		// A part many profiles hold ("binti", an e-mail's domain) is read
		// walking the profiles in the order of their names, each checked
		// (profilesLike), where its page is found at once; its total is
		// counted after.
		err := matches(c.profilesLike(q, true, profileColumns...)).OrderExpr("m.name, m.id").
			Limit(page.Limit()).Offset(page.Offset()).Scan(ctx, &ids)
		if err != nil {
			return nil, Total{}, fmt.Errorf("search users: %w", err)
		}
	} else {
		// A rarer part gathers its matches from the profiles' search table
		// (profileMatches) and sorts the page out of them, in an order no
		// index serves (name || ''), with their number beside each
		// (COUNT(*) OVER ()) — but on SQLite not for a part more than
		// countApartAbove of the sample hold: the window kept every match
		// in a table of its own, 2 ms of "aisyah"'s 8 (2,000 matches),
		// where FTS5 counts to SearchCountLimit and stops (0.3 ms); a full
		// name's 80 cost nothing there, and counted apart its phrase's
		// trigrams were read twice (+3 ms). PostgreSQL's trigram indexes
		// read every match either way.
		sorted := matches(c.profileMatches(q, true, profileColumns...)).OrderExpr("m.name || '', m.id").
			Limit(page.Limit()).Offset(page.Offset())
		var hits []struct {
			ID    int64 `bun:"id"`
			Total int64 `bun:"total"`
		}
		beside := c.db.Dialect == Postgres || held <= countApartAbove
		if beside {
			sorted = sorted.ColumnExpr("COUNT(*) OVER () AS total")
		}
		if err := sorted.Scan(ctx, &hits); err != nil {
			return nil, Total{}, fmt.Errorf("search users: %w", err)
		}
		for _, h := range hits {
			ids = append(ids, h.ID)
		}
		if len(hits) > 0 && beside { // else none, a page past the last, or counted apart
			total, counted = countedUpTo(hits[0].Total, SearchCountLimit), true
		}
	}
	// Counted as every search of text is (SearchCountLimit).
	if !counted {
		if total, err = c.countTo(ctx, matches(c.profileMatches(q, false, profileColumns...)), SearchCountLimit); err != nil {
			return nil, Total{}, fmt.Errorf("count users: %w", err)
		}
	}
	if len(ids) == 0 {
		return nil, total, nil
	}
	// The page's profiles, read by their ids.
	if err := read(sel.Where(`"user".id IN (?)`, bun.List(ids))); err != nil {
		return nil, Total{}, err
	}
	return list, total, nil
}

// sampleHolding is how many of the first profileSample profiles by id hold
// part (in their name, login or e-mail), a sample whose order has nothing
// to do with the names' (read in 0.9–1.1 ms on PostgreSQL; 2,000 in 0.3–0.7
// on SQLite); for a part of one or two characters, which no trigram index
// holds, the whole sample. A search of a part more than commonMatches of
// them hold walks the profiles in the order of their names (ListUsers),
// which a part too short always does (it compares every profile either
// way). Gathering sorts every match, 3.5 µs each on SQLite ("binti", 14,000
// of 50,000 profiles: 42 ms; 24 on PostgreSQL), where walking finds a
// common part's page at once (0.8 ms); but a part whose matches all sort
// late is walked through every profile (at 50,000, 20 ms on SQLite), and
// "aisyah", 2,000, was walked through the 28,000 profiles whose names sort
// before its first (13 ms on SQLite, 43 on PostgreSQL) where it is gathered
// in 7 and 3.
func (c Conn) sampleHolding(ctx context.Context, part string) (int64, error) {
	if utf8.RuneCountInString(part) < 3 {
		return profileSample, nil
	}
	var n []int64
	if err := c.scanPrepared(ctx, sampleHoldingQuery, &n, profileArg(part, c.db.Dialect == SQLite, profileColumns)); err != nil || len(n) != 1 {
		return 0, err
	}
	return n[0], nil
}

// sampleHoldingQuery counts the profiles among the first profileSample by
// id whose name, login or e-mail hold a part: on SQLite through the FTS5
// table, bounded by rowid; on PostgreSQL those rows of the table of text,
// read by id and compared. It is prepared: planned afresh, its three
// patterns cost PostgreSQL 1.7–2.7 ms to plan, more than to run; and its
// one plan, whatever the part, must not read the trigram indexes, which for
// "binti" gather 14,000 profiles to count a few hundred.
var sampleHoldingQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	if c.db.Dialect == SQLite {
		return c.rd.NewSelect().TableExpr("(?) AS m", c.profilesFound(arg(1), true, false, profileColumns...)).
			ColumnExpr("COUNT(*)").Where("m.id <= (SELECT MAX(id) FROM (SELECT id FROM users ORDER BY id LIMIT ?) AS f)", profileSample).String()
	}
	return c.rd.NewSelect().TableExpr("(SELECT * FROM users_search ORDER BY id LIMIT ?) AS users_search", profileSample).
		ColumnExpr("COUNT(*)").Where("?", c.profileLikes(arg(1), profileColumns)).String()
})

// profileSample is how many profiles sampleHolding reads; commonMatches
// how many of them must hold a part for its search to walk: one in
// twenty, at 50,000 profiles about 2,500; and countApartAbove how many
// for SQLite to count its matches apart from its page: one in fifty,
// about 1,000. The two are variables only for the tests, which search
// every way.
const profileSample = 1000

var commonMatches, countApartAbove int64 = 50, 20

// profileText is a column of the profiles a search compares: its name in
// SQLite's FTS5 table of profiles (users_search, migration
// 20261224000001), what LIKE compares on SQLite's profiles, in small
// letters, and its column, in small letters, in PostgreSQL's table of
// profiles' text (users_search, migration 20261225000001).
type profileText struct{ fts, sqlite, postgres string }

var (
	profileName  = profileText{"name", "LOWER(name)", "name_lower"}
	profileLogin = profileText{"login", "login", "login"} // a MyKad number, or a service login
	profileEmail = profileText{"email", "LOWER(email)", "email_lower"}
	// profileColumns are what a search of profiles compares.
	profileColumns = []profileText{profileName, profileLogin, profileEmail}
)

// profileMatches is the query of the profiles one of whose cols holds
// part, in any case: their ids (id) and, if named, their names (name).
// It reads the profiles' search table — SQLite's FTS5 table from three
// characters (a trigram's), PostgreSQL's narrow table through its trigram
// indexes — and, on SQLite, compares a part of one or two characters,
// which no trigram holds, with every profile. Compared row by row, a
// search of the profiles read all 50,000 of them on SQLite, twice a page
// (49 ms p50), and the audit log's search of its actors by name did too
// (40); PostgreSQL's trigram indexes on the profiles' own rows rechecked a
// common name's matches in nearly every page of the table (4–6 ms, twice
// a page of the audit log).
func (c Conn) profileMatches(part string, named bool, cols ...profileText) schema.QueryWithArgs {
	if grams, ok := TrigramsApart(part); ok {
		return c.profilesApart(grams, part, named, cols...)
	}
	fts := c.db.Dialect == SQLite && utf8.RuneCountInString(part) >= 3
	return c.profilesFound(profileArg(part, fts, cols), fts, named, cols...)
}

// profilesApart is profileMatches for a long part: the profiles holding
// some of its trigrams apart (TrigramsApart) in one of cols, through the
// FTS5 table on SQLite, the trigram indexes on PostgreSQL (likeApart),
// each then compared whole in its row, in an expression the indexes do
// not serve. A full name ("nur aisyah a/l nair", seventeen trigrams, 80 of
// 50,000 profiles) took 3.1–3.4 ms as SQLite's phrase, so 1.0, and
// 1.7–2.2 ms through PostgreSQL's GIN index, so 0.3–0.5; its matches the
// same 80. The rows compared are those the page reads anyway for their
// names, or few: the part is long (on SQLite a row read costs 4.6 µs).
func (c Conn) profilesApart(grams []string, part string, named bool, cols ...profileText) schema.QueryWithArgs {
	name := ""
	if named {
		name = ", name"
	}
	whole := profileArg(part, false, cols)
	if c.db.Dialect == SQLite {
		return bun.SafeQuery("SELECT id"+name+" FROM users WHERE id IN (SELECT rowid FROM users_search WHERE users_search MATCH ?) AND (?)",
			ftsColumns(cols)+FTSAll(grams), c.profileLikes(whole, cols))
	}
	ors, args := make([]string, len(cols)), make([]any, len(cols))
	for i, col := range cols {
		ors[i], args[i] = "?", likeApart(col.postgres, part)
	}
	return bun.SafeQuery("SELECT id"+name+" FROM users_search WHERE "+strings.Join(ors, " OR "), args...)
}

// profilesLike is profileMatches comparing each profile's cols with LIKE
// (in small letters): SQLite's profiles, whose index in the order of their
// names holds the three (users_name_search), and PostgreSQL's table of
// their text, whose own index so does (users_search_name, migration
// 20261228000001); read in that order (by m.name, m.id), a search walks
// the index alone. On PostgreSQL the trigram indexes serve it too.
func (c Conn) profilesLike(part string, named bool, cols ...profileText) schema.QueryWithArgs {
	return c.profilesFound(profileArg(part, false, cols), false, named, cols...)
}

// profilesFound is the query of profileMatches with arg, the value it
// compares (profileArg, or a prepared query's parameter).
func (c Conn) profilesFound(arg any, fts, named bool, cols ...profileText) schema.QueryWithArgs {
	if fts {
		ids := bun.SafeQuery("SELECT rowid AS id FROM users_search WHERE users_search MATCH ?", arg)
		if !named {
			return ids
		}
		// The names from the profiles' rows: read through the FTS5 table
		// (its content is users) 2,000 names took 5 ms, joined 3.
		return bun.SafeQuery("SELECT id, name FROM users WHERE id IN (?)", ids)
	}
	name := ""
	if named {
		name = ", name"
	}
	return bun.SafeQuery("SELECT id"+name+" FROM "+c.likedTable()+" WHERE ?", c.profileLikes(arg, cols))
}

// profileHolds is the condition that the profile whose id is the column id
// holds part in one of cols (in any case), compared in that profile's row
// alone: what a walk of another table checks row by row (ListAudit's of
// the log by an actor's name), where gathering the part's profiles first
// reads every one of them, 14,000 for "binti". A scalar subquery, which
// both databases run per row through the primary key; as EXISTS, SQLite
// first built a Bloom filter of every profile (32 ms).
func (c Conn) profileHolds(id bun.Ident, part string, cols ...profileText) schema.QueryWithArgs {
	return bun.SafeQuery("(SELECT ? FROM "+c.likedTable()+" AS p WHERE p.id = ?)",
		c.profileLikes(profileArg(part, false, cols), cols), id)
}

// likedTable is the table whose rows profileLikes compares: SQLite's
// profiles, PostgreSQL's table of their text.
func (c Conn) likedTable() string {
	if c.db.Dialect == SQLite {
		return "users"
	}
	return "users_search"
}

// profileLikes is the condition that one of cols, in small letters, is
// LIKE arg in small letters: on SQLite's profiles, or on PostgreSQL's
// table of their text. The database puts both in small letters, so that
// they are folded alike: on PostgreSQL as its locale folds letters (none
// beyond ASCII without one), on SQLite ASCII's alone.
func (c Conn) profileLikes(arg any, cols []profileText) schema.QueryWithArgs {
	conds, args := make([]string, len(cols)), make([]any, len(cols))
	for i, col := range cols {
		expr := col.postgres
		if c.db.Dialect == SQLite {
			expr = col.sqlite
		}
		conds[i], args[i] = expr+likeLower, arg
	}
	return bun.SafeQuery(strings.Join(conds, " OR "), args...)
}

// likeLower follows an expression in small letters to compare it with a
// pattern (profileArg) put in small letters as the database does.
const likeLower = ` LIKE lower(?) ESCAPE '\'`

// profileArg is the value a search of part in cols compares: an FTS5
// query of the profiles' search table when fts, else a pattern for LIKE
// (likeLower).
func profileArg(part string, fts bool, cols []profileText) any {
	if !fts {
		return "%" + EscapeLike(part) + "%"
	}
	return ftsColumns(cols) + FTSPhrase(part)
}

// ftsColumns starts an FTS5 query of the profiles' search table that
// matches in cols alone ("{name login email} : ").
func ftsColumns(cols []profileText) string {
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.fts
	}
	return "{" + strings.Join(names, " ") + "} : "
}

// CountUsers returns how many profiles there are.
func (c Conn) CountUsers(ctx context.Context) (int64, error) {
	n, err := c.rd.NewSelect().Model((*User)(nil)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// CountLocked returns how many profiles are locked now (a timed lock
// whose end has passed no longer counts, though the row is cleared only at
// the next login).
func (c Conn) CountLocked(ctx context.Context) (int64, error) {
	n, err := c.rd.NewSelect().Model((*User)(nil)).
		Where("locked_at IS NOT NULL AND (locked_until IS NULL OR locked_until > ?)", c.now()).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count locked profiles: %w", err)
	}
	return int64(n), nil
}

// SetLang records the language ("ms" or "en") a user reads the portal in.
func (c Conn) SetLang(ctx context.Context, userID int64, lang string) error {
	_, err := c.idb.NewUpdate().Model((*User)(nil)).Set("lang = ?", lang).Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	return nil
}

// SetUserStatus sets a profile's status (active, inactive).
func (c Conn) SetUserStatus(ctx context.Context, userID int64, status string) error {
	_, err := c.idb.NewUpdate().Model((*User)(nil)).Set("status = ?", status).Set("updated_at = ?", c.now()).
		Where("id = ?", userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set user status: %w", err)
	}
	return nil
}

// UsersWithRole returns the active profiles holding role (for ptj when it
// is not empty), in id order: the addressees of a mail, read as
// addresseeColumns. The query reads the holders' ids from user_roles
// (indexed by role and PTJ) first, then their profiles by id, so its cost
// follows the number of holders, not of profiles.
func (c Conn) UsersWithRole(ctx context.Context, role forms.Role, ptj string) ([]User, error) {
	q, args := usersWithRoleQuery, []any{role}
	if ptj != "" {
		q, args = usersWithRoleInPTJQuery, append(args, ptj)
	}
	var list []User
	if err := c.scanPrepared(ctx, q, &list, args...); err != nil {
		return nil, fmt.Errorf("users with role %s: %w", role, err)
	}
	return list, nil
}

var usersWithRoleQuery, usersWithRoleInPTJQuery = usersWithRole(false), usersWithRole(true)

// usersWithRole is UsersWithRole's query. On PostgreSQL the holders' ids
// are an array, read once before the profiles (ANY(ARRAY(…))): joined, or
// IN a subquery, the planner may merge them with every profile in id
// order, which it reckons stops at the last holder — from the statistics
// of user_roles, which lag behind a role granted since to a profile of a
// higher id. At 50,000 profiles, with the treasury approvers among the
// first 420 and one more granted to profile 49,990, every submission's and
// approval's mail read 49,991 profiles (16–27 ms, inside its
// transaction); read so, 0.08–0.09 ms (0.27 merged with the first 421).
// SQLite reads the subquery's ids first either way.
func usersWithRole(inPTJ bool) *preparedQuery {
	return prepared(func(c Conn, arg func(int) bun.Safe) string {
		holders := c.rd.NewSelect().Table("user_roles").Column("user_id").Where("role = ?", arg(1))
		if inPTJ {
			holders = holders.Where("ptj_code = ?", arg(2))
		}
		among := "?TableAlias.id IN (?)"
		if c.db.Dialect == Postgres {
			among = "?TableAlias.id = ANY(ARRAY(?))"
		}
		return c.rd.NewSelect().Model((*User)(nil)).Apply(addresseeColumns).
			Where(among, holders).Where("?TableAlias.status = ?", StatusActive).OrderExpr("?TableAlias.id").String()
	})
}

// addresseeColumns reads of a profile what a mail to it needs: who they
// are and where and in which language to write. An action reads its
// audience in its transaction, and their password hashes and locks have no
// business there.
func addresseeColumns(q *bun.SelectQuery) *bun.SelectQuery {
	return q.Column("id", "login", "name", "email", "lang", "status")
}
