package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/workflow"
)

// Request is a stored Borang Pentadbiran Pengguna iSPEKS: the form as last
// submitted or amended, where it stands in the workflow and who sent it.
//
// Version grows by one with every change; an action names the version its
// actor saw, so that a decision on a page that has gone stale changes nothing.
type Request struct {
	bun.BaseModel `bun:"table:requests"`

	ID              int64          `bun:"id,pk,autoincrement"`
	Reference       string         `bun:"reference"` // BPP/2026/000123
	Kind            forms.Kind     `bun:"kind"`
	State           workflow.State `bun:"state"`
	Version         int64          `bun:"version"`
	PTJCode         string         `bun:"ptj_code"`
	SubjectIC       string         `bun:"subject_ic"`
	SubjectName     string         `bun:"subject_name"`
	SubjectEmail    string         `bun:"subject_email"`
	SubjectPosition string         `bun:"subject_position"`
	SubjectGrade    string         `bun:"subject_grade"`
	SubjectSalaryNo string         `bun:"subject_salary_no"`
	SubjectUserID   *int64         `bun:"subject_user_id"`
	ModulesJSON     string         `bun:"modules"`
	RolesJSON       string         `bun:"roles"`
	Justification   string         `bun:"justification"`
	Declaration     bool           `bun:"declaration"`
	SubmitterID     int64          `bun:"submitter_id"`
	CreatedAt       time.Time      `bun:"created_at"`
	UpdatedAt       time.Time      `bun:"updated_at"`
	StateSince      time.Time      `bun:"state_since"`
	LastRemindedAt  *time.Time     `bun:"last_reminded_at"`

	PTJ       *PTJ           `bun:"rel:belongs-to,join:ptj_code=code"`
	Submitter *User          `bun:"rel:belongs-to,join:submitter_id=id"`
	Events    []RequestEvent `bun:"rel:has-many,join:id=request_id"`
}

// RequestEvent is one transition in a request's history (sejarah).
type RequestEvent struct {
	bun.BaseModel `bun:"table:request_events"`

	ID            int64          `bun:"id,pk,autoincrement"`
	RequestID     int64          `bun:"request_id"`
	Event         workflow.Event `bun:"event"`
	From          workflow.State `bun:"from_state"`
	To            workflow.State `bun:"to_state"`
	ActorID       int64          `bun:"actor_id"`
	ActorLogin    string         `bun:"actor_login"`
	ActorName     string         `bun:"actor_name"`
	OnBehalfID    *int64         `bun:"on_behalf_id"`
	OnBehalfLogin *string        `bun:"on_behalf_login"`
	OnBehalfName  *string        `bun:"on_behalf_name"`
	Remarks       string         `bun:"remarks"`
	At            time.Time      `bun:"at"`
}

// Modules are the modules the form asks for.
func (r *Request) Modules() []forms.Module {
	var ms []forms.Module
	_ = json.Unmarshal([]byte(r.ModulesJSON), &ms)
	return ms
}

// Roles are the roles and approval limits the form asks for.
func (r *Request) Roles() []forms.RoleGrant {
	var gs []forms.RoleGrant
	_ = json.Unmarshal([]byte(r.RolesJSON), &gs)
	return gs
}

// Form is the request as the Borang the PTJ representative filled in.
func (r *Request) Form() forms.Request {
	return forms.Request{
		Kind: r.Kind, PTJCode: r.PTJCode,
		Subject: forms.Subject{
			ICNumber: r.SubjectIC, Name: r.SubjectName, Email: r.SubjectEmail,
			Position: r.SubjectPosition, Grade: r.SubjectGrade, SalaryNo: r.SubjectSalaryNo,
		},
		Modules: r.Modules(), Roles: r.Roles(),
		Justification: r.Justification, Declaration: r.Declaration,
	}
}

// SetForm puts the Borang f into r's columns.
func (r *Request) SetForm(f forms.Request) {
	r.Kind, r.PTJCode = f.Kind, f.PTJCode
	r.SubjectIC, r.SubjectName, r.SubjectEmail = f.Subject.ICNumber, f.Subject.Name, f.Subject.Email
	r.SubjectPosition, r.SubjectGrade, r.SubjectSalaryNo = f.Subject.Position, f.Subject.Grade, f.Subject.SalaryNo
	ms, gs := f.Modules, f.Roles
	if ms == nil {
		ms = []forms.Module{}
	}
	if gs == nil {
		gs = []forms.RoleGrant{}
	}
	mj, _ := json.Marshal(ms)
	gj, _ := json.Marshal(gs)
	r.ModulesJSON, r.RolesJSON = string(mj), string(gj)
	r.Justification, r.Declaration = f.Justification, f.Declaration
}

// ErrNoRequest is the store's answer for a request id that does not exist;
// the domain turns it into its own not-found error.
var ErrNoRequest = errors.New("store: no such request")

// InsertRequest stores a new request (its ID is set). A second open request
// for the same subject breaks the unique index: IsUniqueViolation tells.
func (c Conn) InsertRequest(ctx context.Context, r *Request) error {
	if _, err := c.idb.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert request: %w", err)
	}
	return nil
}

// UpdateRequestForm writes r's form columns and bumps its version, if the
// request is still at version; it reports whether it was.
func (c Conn) UpdateRequestForm(ctx context.Context, r *Request, version int64) (bool, error) {
	res, err := c.idb.NewUpdate().Model(r).
		Column("subject_ic", "subject_name", "subject_email", "subject_position", "subject_grade", "subject_salary_no",
			"modules", "roles", "justification", "declaration").
		Set("version = version + 1").Set("updated_at = ?", c.now()).
		Where("id = ? AND version = ?", r.ID, version).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("amend request: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// SetRequestState moves request id from version to the next in state to,
// from now on (reminders count from here); it reports whether the request
// was still at version.
func (c Conn) SetRequestState(ctx context.Context, id, version int64, to workflow.State) (bool, error) {
	now := c.now()
	res, err := c.execPrepared(ctx, setRequestStateQuery, to, now, id, version)
	if err != nil {
		return false, fmt.Errorf("set request state: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

var setRequestStateQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	return c.idb.NewUpdate().Model((*Request)(nil)).
		Set("state = ?", arg(1)).Set("version = version + 1").Set("updated_at = ?", arg(2)).
		Set("state_since = ?", arg(2)).Set("last_reminded_at = NULL").
		Where("id = ? AND version = ?", arg(3), arg(4)).String()
})

// SetRequestSubject links request id to the profile it created.
func (c Conn) SetRequestSubject(ctx context.Context, id, userID int64) error {
	if _, err := c.idb.NewUpdate().Model((*Request)(nil)).Set("subject_user_id = ?", userID).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("set request subject: %w", err)
	}
	return nil
}

// InsertEvent appends ev to its request's history (its ID is set).
func (c Conn) InsertEvent(ctx context.Context, ev *RequestEvent) error {
	stmt, err := c.on(ctx, insertEventQuery, c.idb)
	if err == nil {
		err = stmt.QueryRowContext(ctx, c.params([]any{ev.RequestID, ev.Event, ev.From, ev.To, ev.ActorID, ev.ActorLogin, ev.ActorName,
			ev.OnBehalfID, ev.OnBehalfLogin, ev.OnBehalfName, ev.Remarks, ev.At})...).Scan(&ev.ID)
	}
	if err != nil {
		return fmt.Errorf("insert request event: %w", err)
	}
	return nil
}

var insertEventQuery = prepared(func(_ Conn, arg func(int) bun.Safe) string {
	return "INSERT INTO request_events (request_id, event, from_state, to_state, actor_id, actor_login, actor_name, " +
		"on_behalf_id, on_behalf_login, on_behalf_name, remarks, at) VALUES (" + argList(arg, 1, 12) + ") RETURNING id"
})

// LockRequest reads request id with its PTJ, submitter and history inside
// a transaction, holding its row lock on PostgreSQL until the transaction
// ends (SQLite's write transaction already holds the whole database).
func (c Conn) LockRequest(ctx context.Context, id int64) (*Request, error) {
	return c.requestByID(ctx, id, c.db.Dialect == Postgres)
}

// RequestByID reads request id with its PTJ, submitter and history.
func (c Conn) RequestByID(ctx context.Context, id int64) (*Request, error) {
	return c.requestByID(ctx, id, false)
}

func (c Conn) requestByID(ctx context.Context, id int64, lock bool) (*Request, error) {
	q := requestQuery
	if lock {
		q = lockRequestQuery
	}
	rows, err := c.queryPrepared(ctx, q, id)
	if err != nil {
		return nil, fmt.Errorf("read request: %w", err)
	}
	var row requestRow
	found, err := c.scanOne(ctx, rows, &row)
	if err != nil {
		return nil, fmt.Errorf("read request: %w", err)
	}
	if !found {
		return nil, ErrNoRequest
	}
	r := &row.Request
	if row.P.Code != "" {
		r.PTJ = &row.P
	}
	if row.S.ID != 0 {
		r.Submitter = &row.S
	}
	if err := c.scanPrepared(ctx, requestEventsQuery, &r.Events, id); err != nil {
		return nil, fmt.Errorf("read request history: %w", err)
	}
	return r, nil
}

// requestRow is a row of requestQuery: the request, its PTJ and submitter.
type requestRow struct {
	Request `bun:",extend"`
	P       PTJ  `bun:"embed:ptj__"`
	S       User `bun:"embed:submitter__"`
}

// requestQuery reads a request with its PTJ and submitter; lockRequestQuery
// also locks its row (the request's only), in the query that reads it.
var requestQuery, lockRequestQuery = requestRead(false), requestRead(true)

func requestRead(lock bool) *preparedQuery {
	return prepared(func(c Conn, arg func(int) bun.Safe) string {
		q := c.rd.NewSelect().Model((*Request)(nil)).Relation("PTJ").Relation("Submitter").Where("?TableAlias.id = ?", arg(1))
		if lock {
			q = q.For("UPDATE OF ?TableAlias")
		}
		return q.String()
	})
}

// requestEventsQuery reads a request's history in order.
var requestEventsQuery = prepared(func(c Conn, arg func(int) bun.Safe) string {
	return c.rd.NewSelect().Model((*RequestEvent)(nil)).Where("request_id = ?", arg(1)).OrderExpr("id").String()
})

// OpenRequestReference returns the reference and the PTJ of a request about
// subject ic that is in none of the final states, other than request
// except; "" when there is none.
func (c Conn) OpenRequestReference(ctx context.Context, ic string, final []workflow.State, except int64) (ref, ptj string, err error) {
	err = c.rd.NewSelect().Table("requests").Column("reference", "ptj_code").
		Where("subject_ic = ? AND state NOT IN (?) AND id <> ?", ic, bun.List(final), except).
		Limit(1).Scan(ctx, &ref, &ptj)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", fmt.Errorf("open request: %w", err)
	}
	return ref, ptj, nil
}

// NextRequestNumber takes the next number of year: the counter row's lock
// makes the numbers unique and without gaps between committed requests.
func (c Conn) NextRequestNumber(ctx context.Context, year int) (int64, error) {
	var seq int64
	err := c.idb.NewRaw(`INSERT INTO request_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = request_counters.last + 1
		RETURNING last`, year).Scan(ctx, &seq)
	if err != nil {
		return 0, fmt.Errorf("next request number: %w", err)
	}
	return seq, nil
}

// RequestQuery selects requests for lists, searches, exports and counts.
// The domain fills it from the viewer's scope and the filters they chose;
// the store only turns it into SQL.
type RequestQuery struct {
	// AllPTJs, or else only the requests of PTJs.
	AllPTJs bool
	PTJs    []string
	// Waiting keeps only requests in one of these states-for-PTJs (the
	// inbox); nil keeps all.
	Waiting []StateIn
	// NotAbout leaves out requests about this subject (one's own).
	NotAbout string

	State       workflow.State
	Kind        forms.Kind
	PTJCode     string
	SubmitterID int64
	Q           string // part of the reference, the subject's name or MyKad
	SubjectIC   string // only requests about this MyKad (exactly)

	sqlite bool // search through the FTS5 table
	// names are the names a name of words is held by, which on reads
	// (readNames); namesMany says they are too many to list: more than
	// namesListed, or names that hardly repeat (namesRepeat), which are
	// not read.
	names     []string
	namesMany bool
}

// StateIn is requests in State, of every PTJ (AllPTJs) or of PTJs.
type StateIn struct {
	State   workflow.State
	AllPTJs bool
	PTJs    []string
}

// search narrows sel to requests whose reference or subject's name holds s,
// or whose MyKad holds s's digits, read the way searchWay picks: a B-tree
// for a whole MyKad or a reference's start; a name of words held by few
// names through the names read first (namesIn); else, from three
// characters, the trigram indexes (pg_trgm on PostgreSQL, the FTS5 table
// on SQLite); shorter terms are rare and read the rows.
func (q RequestQuery) search(sel *bun.SelectQuery, s string) *bun.SelectQuery {
	digits := malaysia.StripSeparators(s)
	switch q.searchWay() {
	case byMyKad:
		return sel.Where("?TableAlias.subject_ic = ?", digits)
	case byReference:
		if q.sqlite {
			// GLOB is case-sensitive, so the reference's unique index serves it.
			return sel.Where("?TableAlias.reference GLOB ?", strings.ToUpper(s)+"*")
		}
		return sel.Where("?TableAlias.reference LIKE ?", strings.ToUpper(s)+"%") // requests_reference_prefix
	case byFTS:
		// Joined, not IN (…): FTS5 then hands its matches over newest first
		// (ORDER BY rs.rowid, see newestFirst) and stops at the page. Its
		// rowid is the request's id negated (migration 20261222000001).
		return ftsSearch(sel.Join("JOIN requests_search AS rs ON ?TableAlias.id = -rs.rowid"), s, "?TableAlias")
	case byNames:
		// Through the index of the expression (requests_name_joined).
		return sel.Where("?", q.namesIn("replace(LOWER(?TableAlias.subject_name), ' ', '')"))
	}
	if q.sqlite {
		return sel.Where("?", textLike(requestsColumns, s, digits))
	}
	// PostgreSQL's trigram indexes are on requests_search (see its
	// migration), which holds the PTJ too: a search within one's PTJs is
	// narrowed there, before any request row is read. Joined, not IN (…):
	// a page of a search most rows match then walks both primary keys
	// newest first and stops at the page, where IN (…) gathered every
	// match first (29 ms p99 for "aisyah" at 1,000,000 requests).
	return q.searchTable(sel.Join("JOIN requests_search AS rs ON rs.id = ?TableAlias.id"), s)
}

// searchTable narrows sel, a query of PostgreSQL's requests_search as rs
// (alone or joined), to the rows a search of s within q's PTJs matches.
func (q RequestQuery) searchTable(sel *bun.SelectQuery, s string) *bun.SelectQuery {
	joined, isName := joinedName(s)
	switch {
	case isName && !q.namesMany:
		sel = sel.Where("?", q.namesIn("rs.subject_name_joined"))
	case isName: // held by many names: the trigram index of the joined names
		sel = sel.Where("?", likeApart("rs.subject_name_joined", joined))
	default:
		sel = sel.Where("?", textLike(searchTableColumns, s, malaysia.StripSeparators(s)))
	}
	if !q.AllPTJs {
		sel = sel.Where("rs.ptj_code IN (?)", bun.List(q.PTJs))
	}
	return sel
}

// searchColumns are what a search of text compares, as SQL: the reference
// and the name in small letters, and the MyKad.
type searchColumns struct{ reference, name, ic string }

// searchTableColumns are PostgreSQL's search table's, stored in small
// letters (migration 20261222000001): a search of a word common enough
// that the planner walks the ids newest first, checking each row, spent
// most of its time lowering the names it walked ("aisyah binti" at
// 100,000 requests: 7.7 ms, 2.9 stored).
var searchTableColumns = searchColumns{"rs.reference_lower", "rs.subject_name_lower", "rs.subject_ic"}

// requestsColumns are the requests' own, which SQLite reads for a search
// under three characters (no trigram serves it).
var requestsColumns = searchColumns{"LOWER(?TableAlias.reference)", "LOWER(?TableAlias.subject_name)", "?TableAlias.subject_ic"}

// textLike is the condition that the reference or the name in c holds s,
// or, when s is digits, the MyKad holds them; each compared as likeApart
// does.
func textLike(c searchColumns, s, digits string) schema.QueryWithArgs {
	cond := bun.SafeQuery("? OR ?", likeApart(c.reference, s), likeApart(c.name, s))
	if !malaysia.AllDigits(digits) {
		// A MyKad is digits: only digits could be part of one, and its
		// trigram index need not be read for a name.
		return bun.SafeQuery("(?)", cond)
	}
	return bun.SafeQuery("(? OR "+c.ic+` LIKE ? ESCAPE '\')`, cond, "%"+EscapeLike(digits)+"%")
}

// likeApart is the condition that col, an expression in small letters,
// holds part, in any case. A long part is matched by its trigrams apart in
// their order (likeApartPattern), which a trigram index of col serves
// (PostgreSQL's) reading their lists alone, and then compared whole in
// the row (strpos, which no index serves). PostgreSQL estimates the
// pattern's rows from col's statistics, and the comparison, an expression
// without any, as holding a third of them (its default for ">"): at
// 1,000,000 requests with a name each, a name most rows hold ("aisyah
// binti", 11,200) then walks the newest to its page, 10 ms, and a rarer
// one ("kamarul bin salleh", 1,600) gathers its matches, 14–16 ms,
// where read whole it walked some 125,000 rows to its 201st (51 ms).
// Compared with LIKE, the whole's estimate was one row, and "aisyah
// binti" gathered all its 11,200 (108 ms); with "<> 0", an estimate of
// nearly all, "kamarul bin salleh" walked again (63 ms). A shorter part
// is compared whole. The database puts part in small letters, as it did
// col (likeLower): lowered in Go, "Élan" did not match its own name on a
// PostgreSQL without a locale.
func likeApart(col, part string) schema.QueryWithArgs {
	pattern, ok := likeApartPattern(part)
	if !ok {
		return bun.SafeQuery(col+likeLower, "%"+EscapeLike(part)+"%")
	}
	return bun.SafeQuery("("+col+` LIKE ? ESCAPE '\' AND strpos(`+col+", lower(?)) > 0)", pattern, part)
}

// ftsSearch narrows sel, a query reading SQLite's requests_search as rs,
// to the rows a search of s matches: s as a phrase in the reference or
// the name, or, when s is digits, in the MyKad; or, for a name of several
// words held by many names, the words joined in the joined names. A long
// part (not digits) is asked for its trigrams apart, each match compared
// whole in its request (FTSApart): requests, the requests' alias in sel,
// or "" where sel does not read them, which it then joins. The FTS5
// table's own columns are not read for that: its content is a view of
// the requests keyed by their ids negated, which FTS5 looked each match
// up in by scanning every request (40 s a page at 1,000,000).
func ftsSearch(sel *bun.SelectQuery, s, requests string) *bun.SelectQuery {
	digits := malaysia.StripSeparators(s)
	part, cols := s, []string{"reference", "subject_name"}
	joined, isName := joinedName(s)
	if isName {
		part, cols = joined, []string{"subject_name_joined"}
	}
	if grams, ok := TrigramsApart(part); ok && !malaysia.AllDigits(digits) {
		if requests == "" {
			requests, sel = "r", sel.Join("JOIN requests AS r ON r.id = -rs.rowid")
		}
		compared := []string{requests + ".reference", requests + ".subject_name"}
		if isName {
			compared = []string{"replace(" + requests + ".subject_name, ' ', '')"}
		}
		return FTSApart(sel, "rs.requests_search", cols, grams, part, compared...)
	}
	match := "{" + strings.Join(cols, " ") + "}: " + FTSPhrase(part)
	if len(digits) >= 3 && malaysia.AllDigits(digits) {
		match += " OR subject_ic: " + FTSPhrase(digits)
	}
	return sel.Where("rs.requests_search MATCH ?", match)
}

// FTSApart narrows sel, a query reading an FTS5 table of trigrams (named
// table, as sel names it), to the rows holding part, a long one, in one
// of its columns cols: those holding each of grams, its trigrams apart
// (TrigramsApart), in them, each then compared whole, as likeApart does,
// with one of compared (expressions of sel's tables; SQLite's LIKE folds
// ASCII's letters, as FTS5 does, and a long part is ASCII). A unary plus
// keeps FTS5 from taking a LIKE of its own columns as a phrase of every
// trigram.
func FTSApart(sel *bun.SelectQuery, table string, cols, grams []string, part string, compared ...string) *bun.SelectQuery {
	whole := "%" + EscapeLike(part) + "%"
	likes, args := make([]string, len(compared)), make([]any, len(compared))
	for i, expr := range compared {
		likes[i], args[i] = "+"+expr+` LIKE ? ESCAPE '\'`, whole
	}
	return sel.Where(table+" MATCH ?", "{"+strings.Join(cols, " ")+"}: "+FTSAll(grams)).
		Where("("+strings.Join(likes, " OR ")+")", args...)
}

// isJoinedName reports whether s is a name of several words (joinedName).
func isJoinedName(s string) bool { _, ok := joinedName(s); return ok }

// joinedName returns s's words joined, in small letters, when s is a name
// of several words, which a search reads in the names with their spaces
// taken out ("kamarulbinsalleh"), so that spaces typed or held need not
// match: "nur aisyah" finds Nuraisyah, as Malay names are written both
// ways. It is the cheaper read too. The trigrams of a phrase of words
// across its spaces (" bi", "in ", "n s") are in most names, and a trigram
// index reads each of their lists: at 1,000,000 requests "kamarul bin
// salleh" read as typed took 20–27 ms through pg_trgm, and read word by
// word, each row holding both words then checked, "ahmad binti", which no
// name holds but 21,700 hold both words, took 90 ms. Joined, its trigrams
// across the words ("adb", "dbi") are held only by names holding the words
// side by side: 0.4 ms. (The names holding them are read first:
// RequestQuery.on and namesIn.) Only for ASCII, where FTS5, SQLite, PostgreSQL and Go fold
// case alike, not digits alone (a MyKad typed in groups), and three
// characters joined or more, the least a trigram index reads.
func joinedName(s string) (string, bool) {
	words := strings.Fields(s)
	if len(words) < 2 || malaysia.AllDigits(malaysia.StripSeparators(s)) {
		return "", false
	}
	for _, r := range s {
		if r >= utf8.RuneSelf {
			return "", false
		}
	}
	joined := strings.ToLower(strings.Join(words, ""))
	return joined, len(joined) >= 3
}

// ids is the query of the ids q, a text search, selects (newest first on
// SQLite, and from PostgreSQL's search table alone). With nothing else to
// narrow the search it reads the search table alone (FTS5's rowid is the
// request's id negated, requests_search's id the request's): joining each
// match to its request only to read the id back tripled such a search's
// time.
func (q RequestQuery) ids(sel *bun.SelectQuery) *bun.SelectQuery {
	s := strings.TrimSpace(q.Q)
	switch {
	case q.searchTableAlone():
		return q.searchTable(sel.TableExpr("requests_search AS rs").Column("rs.id"), s).OrderExpr("rs.id DESC")
	case q.searchAlone() && q.searchWay() == byFTS:
		return ftsSearch(sel.TableExpr("requests_search AS rs").ColumnExpr("-rs.rowid"), s, "").OrderExpr("rs.rowid")
	}
	sel = q.where(sel.Model((*Request)(nil)).Column("id"))
	if way := q.searchWay(); way == byFTS || way == byNames {
		sel = sel.OrderExpr(q.newestFirst())
	}
	return sel
}

// searchTableAlone reports whether q is read from PostgreSQL's search
// table alone: a search of text is all it selects by.
func (q RequestQuery) searchTableAlone() bool {
	return !q.sqlite && q.searchAlone() && q.searchWay() == byTrigrams
}

// searchAlone reports whether q's search is all it selects by.
func (q RequestQuery) searchAlone() bool {
	return q.AllPTJs && q.Waiting == nil && q.NotAbout == "" && q.State == "" && q.Kind == "" &&
		q.PTJCode == "" && q.SubmitterID == 0 && q.SubjectIC == ""
}

// searchWay is how a search reads the requests.
type searchWay int

const (
	byTrigrams  searchWay = iota // pg_trgm's indexes; LIKE over the rows for terms under three characters
	byMyKad                      // a whole MyKad number: requests_subject
	byReference                  // the start of a reference: a B-tree of references
	byFTS                        // SQLite's FTS5 trigram table
	byNames                      // a name of words few names hold, on SQLite: requests_name_joined (on PostgreSQL: searchTable)
)

// searchWay picks how q's search reads. Two searches people make most are
// answered by a B-tree: a whole MyKad number (no name or reference holds
// twelve digits) and the start of a reference (BPP/2026/0001…, whose every
// trigram is in every row, so a trigram index reads them all).
func (q RequestQuery) searchWay() searchWay {
	s := strings.TrimSpace(q.Q)
	switch {
	case wholeMyKad(malaysia.StripSeparators(s)):
		return byMyKad
	case referenceStart(strings.ToUpper(s)):
		return byReference
	case q.sqlite && isJoinedName(s) && !q.namesMany:
		return byNames
	case q.sqlite && utf8.RuneCountInString(s) >= 3:
		return byFTS
	}
	return byTrigrams
}

// wholeMyKad reports whether digits are a whole MyKad number's twelve.
func wholeMyKad(digits string) bool { return len(digits) == 12 && malaysia.AllDigits(digits) }

// referenceStart reports whether upper (a search in capitals) is the start
// of a reference, with none of LIKE's or GLOB's wildcards in it.
func referenceStart(upper string) bool {
	return strings.HasPrefix(upper, workflow.ReferencePrefix) && !strings.ContainsAny(upper, `%_\*?[`)
}

// FTSPhrase quotes s as one FTS5 phrase (a double quote is doubled): a
// part of a text to match as it is, whatever characters it holds.
func FTSPhrase(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// TrigramsApart is, for a long part, up to four of its trigrams apart,
// in small letters ("maj", "rla", "nol", "bhd" for "maju cemerlang
// teknologi sdn bhd"): a trigram index asked for texts holding each of
// them (FTSAll; on PostgreSQL a LIKE of each) reads their lists alone,
// and other texts may hold them too, so that each match is then compared
// whole with LIKE. Asked for the part whole, FTS5 matches its phrase by
// the places of every one of its trigrams, and PostgreSQL's GIN index
// reads every one's list, and a name's are mostly common: that name among
// 103,343 payees' names took 7.8–10.3 ms as a phrase, 1.2–1.5 so (each
// match compared), its eleven trigrams side by side 3.0; a full name of
// the 50,000 profiles on PostgreSQL 1.7–2.2 ms, so 0.3–0.5. ok is false
// for a part shorter than nine characters (whole, it is cheap, and its
// trigrams apart would match too much), or with a character beyond
// ASCII, which FTS5 folds to small letters and LIKE does not.
func TrigramsApart(part string) (grams []string, ok bool) {
	at, ok := trigramsApartAt(part)
	if !ok {
		return nil, false
	}
	lower := strings.ToLower(part)
	for _, i := range at {
		grams = append(grams, lower[i:i+3])
	}
	return slices.Compact(grams), true
}

// trigramsApartAt is where in part TrigramsApart's trigrams start, in
// order.
func trigramsApartAt(part string) (at []int, ok bool) {
	if len(part) < trigramsApartFrom || strings.IndexFunc(part, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0 {
		return nil, false
	}
	// The trigrams side by side start at 0, 3, 6, … and the last at
	// len-3; four of them, evenly apart, the first and the last among them.
	starts := make([]int, 0, len(part)/3+1)
	for i := 0; i+3 < len(part); i += 3 {
		starts = append(starts, i)
	}
	starts = append(starts, len(part)-3)
	n := min(trigramsApart, len(starts))
	for k := range n {
		at = append(at, starts[k*(len(starts)-1)/max(n-1, 1)])
	}
	return slices.Compact(at), true
}

// likeApartPattern is, for a long part (TrigramsApart), the LIKE pattern
// of its trigrams apart in their order ("%ais%yah%binti%" for
// "aisyahbinti", where the last two overlap and are one piece), escaped,
// in small letters: a trigram index reads the lists of their trigrams
// alone, and PostgreSQL estimates the rows it matches from the column's
// statistics as it does the part's.
func likeApartPattern(part string) (string, bool) {
	at, ok := trigramsApartAt(part)
	if !ok {
		return "", false
	}
	lower := strings.ToLower(part)
	var b strings.Builder
	b.WriteString("%")
	from, to := at[0], at[0]+3
	for _, i := range at[1:] {
		if i < to { // overlapping: one piece
			to = i + 3
			continue
		}
		b.WriteString(EscapeLike(lower[from:to]) + "%")
		from, to = i, i+3
	}
	b.WriteString(EscapeLike(lower[from:to]) + "%")
	return b.String(), true
}

// FTSAll is the FTS5 query of the texts holding every one of terms, each
// a phrase: ("maj" AND "rla").
func FTSAll(terms []string) string {
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = FTSPhrase(t)
	}
	return "(" + strings.Join(quoted, " AND ") + ")"
}

// trigramsApartFrom is how long a part must be for TrigramsApart, and
// trigramsApart how many of its trigrams it asks for at most: each more
// reads its list of texts, and a long name's are common ("wong bin
// zakaria" among the payees' names: three 2.6 ms, its six side by side
// 5.8, the phrase 13.5).
const trigramsApartFrom, trigramsApart = 9, 4

// EscapeLike makes s match itself in a LIKE pattern (with ESCAPE '\'):
// its wildcards become plain characters.
func EscapeLike(s string) string { return likeEscapes.Replace(s) }

// likeEscapes is built once: a Replacer builds its tables on first use,
// which cost more than a search's replacing (it was a tenth of what a
// search page allocated).
var likeEscapes = strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`)

// newestFirst is the order of a list: by id, newest first, which on an FTS5
// search is the order the FTS table reads its matches in (sorted by
// requests.id, SQLite would read every match before the first page): its
// rowids, the ids negated, going forwards, which FTS5 reads faster than
// backwards.
func (q RequestQuery) newestFirst() string {
	if q.searchWay() == byFTS {
		return "rs.rowid"
	}
	return "?TableAlias.id DESC"
}

// on fits q to the database c talks to, and reads the names a name of
// words is held by (readNames).
func (q RequestQuery) on(ctx context.Context, c Conn) (RequestQuery, error) {
	q.sqlite = c.db.Dialect == SQLite
	s := strings.TrimSpace(q.Q)
	joined, ok := joinedName(s)
	if way := q.searchWay(); !ok || way == byMyKad || way == byReference {
		return q, nil
	}
	repeat, err := c.namesRepeat(ctx)
	if err != nil {
		return q, err
	}
	if !repeat {
		q.namesMany = true
		return q, nil
	}
	names, err := c.readNames(ctx, joined)
	if err != nil {
		return q, fmt.Errorf("read the names holding %q: %w", joined, err)
	}
	q.names, q.namesMany = names[:min(len(names), namesListed)], len(names) > namesListed
	return q, nil
}

// namesReading is a reading of whether the requests' names repeat.
type namesReading struct {
	repeat bool
	at     time.Time
}

// namesRepeat reports whether the requests' names repeat enough that a
// name of words is looked up in the table of names first: whether that
// table holds fewer than half as many names as there are requests. Where
// each request has a name of its own the table is as large as the
// requests, and reading it first is a second read of as many trigram
// lists, most often followed by the requests' own read of them (more than
// namesListed names hold the words): at 1,000,000 requests with a name
// each, a full name took 52 / 61 ms p50 / p99 so, 23 / 44 through the
// requests' index alone. The counts are the database's own (PostgreSQL's
// estimates, which ANALYZE and autovacuum keep; SQLite's largest ids,
// neither table deleting rows), read at most once a minute; before any
// estimate, names are taken to repeat.
func (c Conn) namesRepeat(ctx context.Context) (bool, error) {
	if r := c.db.namesRepeat.Load(); r != nil && time.Since(r.at) < time.Minute {
		return r.repeat, nil
	}
	query := "SELECT (SELECT COALESCE(MAX(id), 0) FROM request_names), (SELECT COALESCE(MAX(id), 0) FROM requests)"
	if c.db.Dialect == Postgres {
		query = "SELECT (SELECT reltuples FROM pg_class WHERE oid = 'request_names'::regclass), (SELECT reltuples FROM pg_class WHERE oid = 'requests'::regclass)"
	}
	var names, requests float64
	if err := c.rd.QueryRowContext(ctx, query).Scan(&names, &requests); err != nil {
		return false, fmt.Errorf("count the names and the requests: %w", err)
	}
	r := &namesReading{repeat: requests <= 0 || names < requests/2, at: time.Now()}
	c.db.namesRepeat.Store(r)
	return r.repeat, nil
}

// namesListed is how many names a search of a name of words lists in its
// query (namesIn). Past it, the names are many, and the search reads the
// requests' joined names through their trigram index, as it did before
// the table of names (on SQLite the FTS5 table's column of them): when a
// name is held by that many names, its requests are commonly many, and
// that index reads them newest first and stops at the page (in a bench
// of 1,000,000 requests with a name each, "aisyah binti", 11,200 names,
// 14.7 / 22.6 ms p50 / p99 so, and 77 / 116 asked as a subquery of the
// table of names). Where names hardly repeat the table is not read at all
// (namesRepeat).
const namesListed = 200

// readNames reads the names that hold joined (a name of words, joined),
// up to namesListed+1, from the table of names (migration
// 20261223000001), through its trigram index: pg_trgm on PostgreSQL, its
// FTS5 table on SQLite; a long name through its trigrams apart, each
// match compared whole (likeApart).
func (c Conn) readNames(ctx context.Context, joined string) ([]string, error) {
	names := make([]string, 0, namesListed+1)
	sel := c.rd.NewSelect().Column("name_joined").Limit(namesListed + 1)
	switch grams, apart := TrigramsApart(joined); {
	case c.db.Dialect == Postgres:
		sel = sel.Table("request_names").Where("?", likeApart("name_joined", joined))
	case apart:
		sel = FTSApart(sel.Table("request_names_search"), "request_names_search", []string{"name_joined"}, grams, joined, "name_joined")
	default:
		sel = sel.Table("request_names_search").Where("request_names_search MATCH ?", FTSPhrase(joined))
	}
	return names, sel.Scan(ctx, &names)
}

// namesIn is the condition that column, a request's name joined, is one of
// the names read (q.names), listed: the planner then sees how many
// requests they hold (its statistics of the joined names) and reads them
// through the B-tree of the joined names and sorts them, or, when they are
// many, walks the ids newest first checking each against the list (at
// 100,000 requests, EXPLAIN ANALYZE: "aisyah binti", 7 names, 1,120
// requests, from the B-tree and sorted in 0.6 ms; "a bin", 56 names, 8,960
// requests, walked in 1.5). Asked instead as IN (SELECT … FROM
// request_names), a name held by many requests walked the ids newest
// first looking each up in the table of names: "aisyah binti" at 1,000,000 requests of 100,000 names, 83 /
// 136 ms p50 / p99 on PostgreSQL.
func (q RequestQuery) namesIn(column string) schema.QueryWithArgs {
	if len(q.names) == 0 {
		return bun.SafeQuery("1 = 0")
	}
	return bun.SafeQuery(column+" IN (?)", bun.List(q.names))
}

// where narrows sel, a query on requests, to what q selects.
func (q RequestQuery) where(sel *bun.SelectQuery) *bun.SelectQuery {
	if !q.AllPTJs {
		if len(q.PTJs) == 0 {
			return sel.Where("1 = 0")
		}
		sel = sel.Where("?TableAlias.ptj_code IN (?)", bun.List(q.PTJs))
	}
	if q.State != "" {
		sel = sel.Where("?TableAlias.state = ?", q.State)
	}
	if q.Kind != "" {
		sel = sel.Where("?TableAlias.kind = ?", q.Kind)
	}
	if q.PTJCode != "" {
		sel = sel.Where("?TableAlias.ptj_code = ?", q.PTJCode)
	}
	if q.SubmitterID != 0 {
		sel = sel.Where("?TableAlias.submitter_id = ?", q.SubmitterID)
	}
	if q.SubjectIC != "" {
		sel = sel.Where("?TableAlias.subject_ic = ?", q.SubjectIC)
	}
	if s := strings.TrimSpace(q.Q); s != "" {
		sel = q.search(sel, s)
	}
	if q.Waiting != nil {
		// States waited on in every PTJ go in one IN list, so that the
		// (state, id) index serves them; the others each name their PTJs.
		var all []workflow.State
		var some []StateIn
		for _, w := range q.Waiting {
			switch {
			case w.AllPTJs:
				all = append(all, w.State)
			case len(w.PTJs) > 0:
				some = append(some, w)
			}
		}
		if len(all) == 0 && len(some) == 0 {
			return sel.Where("1 = 0")
		}
		sel = sel.WhereGroup(" AND ", func(sel *bun.SelectQuery) *bun.SelectQuery {
			if len(all) > 0 {
				sel = sel.WhereOr("?TableAlias.state IN (?)", bun.List(all))
			}
			for _, w := range some {
				sel = sel.WhereOr("(?TableAlias.state = ? AND ?TableAlias.ptj_code IN (?))", w.State, bun.List(w.PTJs))
			}
			return sel
		})
	}
	if q.NotAbout != "" {
		sel = sel.Where("?TableAlias.subject_ic <> ?", q.NotAbout)
	}
	return sel
}

// ListRequests returns the requests q selects, newest first, one page at a
// time, with their PTJ and the submitter's name, and how many there are in
// all (exactly up to CountLimit).
func (c Conn) ListRequests(ctx context.Context, q RequestQuery, page Page) ([]Request, Total, error) {
	q, err := q.on(ctx, c)
	if err != nil {
		return nil, Total{}, err
	}
	if q.readsMatchesFirst() {
		return c.listByIDs(ctx, q, page)
	}
	// An index in the list's order serves the page, and the count stops at
	// CountLimit without sorting: two cheap reads. Past the first page, the
	// page's ids are read first, from that index alone, and only its own
	// rows are joined to their PTJ and submitter: read with its rows, a
	// page far into the list joined every row it skipped (page 40 at
	// 100,000 requests, on PostgreSQL: 1.7 ms in EXPLAIN ANALYZE, 0.45 with
	// its ids first). The first page skips none, and its ids read first
	// cost it more than they saved (an officer's list: 0.17 ms against
	// 0.05, planning 0.29 against 0.11).
	list := make([]Request, 0, page.Limit()) // grown a row at a time, a page's rows were copied five times
	sel := c.rd.NewSelect().Model(&list).Relation("PTJ").Relation("Submitter", submitterColumns).OrderExpr(q.newestFirst())
	if page.Offset() == 0 {
		sel = q.where(sel).Limit(page.Limit())
	} else {
		ids := q.where(c.rd.NewSelect().Model((*Request)(nil)).Column("id").OrderExpr(q.newestFirst())).Limit(page.Limit()).Offset(page.Offset())
		sel = sel.Where("?TableAlias.id IN (?)", ids)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, Total{}, fmt.Errorf("list requests: %w", err)
	}
	total, err := c.countUpTo(ctx, q.where(c.rd.NewSelect().Model((*Request)(nil)).ColumnExpr("1")))
	if err != nil {
		return nil, Total{}, fmt.Errorf("count requests: %w", err)
	}
	return list, total, nil
}

// readsMatchesFirst reports whether q is a search whose matches are read
// first, by listByIDs: text through a trigram index (or the rows, for a
// term too short for one), or the start of a reference. Read in
// the list's order, the start of a reference let PostgreSQL's planner walk
// the primary key backwards through every request (200 ms at 1,000,000
// requests in one run of ANALYZE's statistics, 3.5 in another).
func (q RequestQuery) readsMatchesFirst() bool {
	way := q.searchWay()
	return strings.TrimSpace(q.Q) != "" && way != byMyKad
}

// listByIDs is ListRequests for a search (readsMatchesFirst), which it
// evaluates once: it reads the ids of the matches, up to
// SearchCountLimit+1, which is the total and, for a page within them, the
// page's ids; the page's rows are then read by
// id. A page and a count evaluated the search twice, which was most of a
// name search's time, and on PostgreSQL the page's ORDER BY id DESC LIMIT
// let the planner walk the primary key backwards through a search that
// matches few rows (68 ms for "kamarul bin salleh"), where the trigram
// index finds them in 2. FTS5 hands its matches over newest first, and so
// does PostgreSQL's search table read alone (its planner walks its ids
// newest first when the matches are many and sorts them when they are
// few: one read for the count and the page, where an unordered count and
// then the page read the trigram index twice, 21 / 28 ms for "kamarul bin
// salleh" at 1,000,000 requests against 16 / 22). A search joined to the
// requests reads its matches in no order, so their ids are sorted here
// when they are all of them. Past SearchCountLimit, the page is read newest
// first.
func (c Conn) listByIDs(ctx context.Context, q RequestQuery, page Page) ([]Request, Total, error) {
	way := q.searchWay()
	ordered := way == byFTS || way == byNames || q.searchTableAlone()
	ids, err := scanIDs(ctx, q.ids(c.rd.NewSelect()).Limit(SearchCountLimit+1))
	if err != nil {
		return nil, Total{}, fmt.Errorf("list requests: %w", err)
	}
	total := countedUpTo(int64(len(ids)), SearchCountLimit)
	if !ordered && total.Exact {
		slices.SortFunc(ids, func(a, b int64) int { return cmp.Compare(b, a) })
	}
	from, to := page.Offset(), page.Offset()+page.Limit()
	list := make([]Request, 0, page.Limit())
	sel := c.rd.NewSelect().Model(&list).Relation("PTJ").Relation("Submitter", submitterColumns)
	switch {
	case from >= int64(len(ids)) && total.Exact:
		return nil, total, nil // past the end
	case total.Exact || ordered && to <= int64(len(ids)):
		sel = sel.Where("?TableAlias.id IN (?)", bun.List(ids[from:min(to, int64(len(ids)))])).OrderExpr("?TableAlias.id DESC")
	case q.searchTableAlone():
		// The page's ids from PostgreSQL's search table alone, newest
		// first: joined to the requests, a name of a few thousand matches
		// read every match's request row before sorting them (53 ms for
		// "kamarul bin salleh" at 1,000,000 requests; alone, 7).
		if ids, err = scanIDs(ctx, q.ids(c.rd.NewSelect()).Limit(page.Limit()).Offset(from)); err != nil {
			return nil, Total{}, fmt.Errorf("list requests: %w", err)
		}
		if len(ids) == 0 {
			return nil, total, nil
		}
		sel = sel.Where("?TableAlias.id IN (?)", bun.List(ids)).OrderExpr("?TableAlias.id DESC")
	default:
		sel = q.where(sel.OrderExpr(q.newestFirst())).Limit(page.Limit()).Offset(from)
	}
	if err := sel.Scan(ctx); err != nil {
		return nil, Total{}, fmt.Errorf("list requests: %w", err)
	}
	return list, total, nil
}

// scanIDs reads the ids sel selects through database/sql: bun's scan into a
// slice grows it by reflection, a row at a time, which for a thousand ids
// was the most a search page allocated.
func scanIDs(ctx context.Context, sel *bun.SelectQuery) ([]int64, error) {
	rows, err := sel.Rows(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, SearchCountLimit+1)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// submitterColumns keeps a list's submitter to who they are: a list has no
// use for their password hash or lock.
func submitterColumns(q *bun.SelectQuery) *bun.SelectQuery { return q.Column("id", "login", "name") }

// countUpTo counts the rows sel selects (a query of the constant 1), up to
// CountLimit+1: a bounded cost, however large the table.
func (c Conn) countUpTo(ctx context.Context, sel *bun.SelectQuery) (Total, error) {
	return c.countTo(ctx, sel, CountLimit)
}

// countTo is countUpTo with a limit of its own (SearchCountLimit for a
// search of text).
func (c Conn) countTo(ctx context.Context, sel *bun.SelectQuery, limit int64) (Total, error) {
	var n int64
	err := c.rd.NewSelect().TableExpr("(?) AS t", sel.Limit(limit+1)).ColumnExpr("COUNT(*)").Scan(ctx, &n)
	return countedUpTo(n, limit), err
}

// EachRequest calls fn for every request q selects, oldest first, reading
// in batches (for CSV export without holding a whole table). The next
// batch is read while fn takes this one, so that reading the rows and
// writing the file use a core each: 100,000 requests' CSV took 565–850 ms
// on SQLite reading and writing in turn.
func (c Conn) EachRequest(ctx context.Context, q RequestQuery, fn func(*Request) error) error {
	q, err := q.on(ctx, c)
	if err != nil {
		return err
	}
	type read struct {
		list []Request
		err  error
	}
	ctx, cancel := context.WithCancel(ctx)
	batches := make(chan read, 1)
	defer func() {
		cancel()
		for range batches { // the reader has stopped when this ends
		}
	}()
	go func() {
		defer close(batches)
		var after int64
		for {
			list, err := c.exportBatch(ctx, q, after)
			select {
			case batches <- read{list, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || len(list) < exportBatchSize {
				return
			}
			after = list[len(list)-1].ID
		}
	}()
	for b := range batches {
		if b.err != nil {
			return fmt.Errorf("export requests: %w", b.err)
		}
		for i := range b.list {
			if err := fn(&b.list[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// exportBatchSize is how many requests EachRequest reads at a time.
const exportBatchSize = 5000

// exportBatch reads the next exportBatchSize requests q selects after id
// after, with an export's columns only: no form JSON, no PTJ row.
func (c Conn) exportBatch(ctx context.Context, q RequestQuery, after int64) ([]Request, error) {
	list := make([]Request, 0, exportBatchSize)
	sel := c.rd.NewSelect().Model(&list).
		Column("id", "reference", "kind", "state", "ptj_code", "subject_name", "subject_ic", "submitter_id").
		Relation("Submitter", func(q *bun.SelectQuery) *bun.SelectQuery { return q.Column("name") }).
		OrderExpr("?TableAlias.id").Where("?TableAlias.id > ?", after).Limit(exportBatchSize)
	for _, col := range []string{"created_at", "updated_at"} {
		if c.db.Dialect == SQLite {
			// The SQLite driver parses a time column's text twice (a
			// layout that fails first), a fifth of reading the rows; read
			// as text, it is parsed once, by bun.
			sel = sel.ColumnExpr("?TableAlias.? || '' AS ?", bun.Ident(col), bun.Ident(col))
		} else {
			sel = sel.Column(col)
		}
	}
	err := q.where(sel).Scan(ctx)
	return list, err
}

// CountRequests returns how many requests q selects, exactly up to
// CountLimit and "more than" past it: a bounded read however many there are.
func (c Conn) CountRequests(ctx context.Context, q RequestQuery) (Total, error) {
	q, err := q.on(ctx, c)
	if err != nil {
		return Total{}, err
	}
	n, err := c.countUpTo(ctx, q.where(c.rd.NewSelect().Model((*Request)(nil)).ColumnExpr("1")))
	if err != nil {
		return Total{}, fmt.Errorf("count requests: %w", err)
	}
	return n, nil
}

// WaitingIn is q kept to the requests that wait in state st (an inbox's
// card).
func (q RequestQuery) WaitingIn(st workflow.State) RequestQuery {
	var in []StateIn
	for _, w := range q.Waiting {
		if w.State == st {
			in = append(in, w)
		}
	}
	q.Waiting = in
	if in == nil {
		q.Waiting = []StateIn{} // waits in none: selects nothing
	}
	return q
}

// WaitingStates are the states q.Waiting names, each once, in its order.
func (q RequestQuery) WaitingStates() []workflow.State {
	var states []workflow.State
	for _, w := range q.Waiting {
		if !slices.Contains(states, w.State) {
			states = append(states, w.State)
		}
	}
	return states
}

// DueForReminder returns up to limit requests after id afterID, in id
// order, that are in one of states, have been in it since before
// stateBefore and were not reminded about since remindedBefore: the
// candidates of a reminder sweep, read a batch at a time so that a sweep
// holds neither a table in memory nor a lock.
func (c Conn) DueForReminder(ctx context.Context, states []workflow.State, stateBefore, remindedBefore time.Time, afterID int64, limit int) ([]Request, error) {
	var list []Request
	err := c.rd.NewSelect().Model(&list).
		Column("id", "reference", "kind", "state", "version", "ptj_code", "subject_ic", "submitter_id", "state_since", "last_reminded_at").
		Where("state IN (?)", bun.List(states)).
		Where("state_since < ?", stateBefore).
		Where("(last_reminded_at IS NULL OR last_reminded_at < ?)", remindedBefore).
		Where("id > ?", afterID).OrderExpr("id").Limit(int64(limit)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("requests due for reminders: %w", err)
	}
	return list, nil
}

// ClaimReminder notes at now that r was reminded about, if nobody did since
// r was read (same state, version and last reminder): of two sweeps at once
// (two processes), only the one whose update lands reminds. It reports
// whether this call claimed it.
func (c Conn) ClaimReminder(ctx context.Context, r *Request) (bool, error) {
	q := c.idb.NewUpdate().Model((*Request)(nil)).Set("last_reminded_at = ?", c.now()).
		Where("id = ? AND state = ? AND version = ?", r.ID, r.State, r.Version)
	if r.LastRemindedAt == nil {
		q = q.Where("last_reminded_at IS NULL")
	} else {
		q = q.Where("last_reminded_at = ?", *r.LastRemindedAt)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("claim reminder: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Ceilings returns the treasury's ceiling of approval limit per role, in sen.
func (c Conn) Ceilings(ctx context.Context) (map[forms.Role]int64, error) {
	var rows []struct {
		Role       forms.Role `bun:"role"`
		CeilingSen int64      `bun:"ceiling_sen"`
	}
	if err := c.rd.NewSelect().Table("role_ceilings").Column("role", "ceiling_sen").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("read ceilings: %w", err)
	}
	m := make(map[forms.Role]int64, len(rows))
	for _, r := range rows {
		m[r.Role] = r.CeilingSen
	}
	return m, nil
}

// SetCeiling sets the ceiling of approval limit for role, in sen.
func (c Conn) SetCeiling(ctx context.Context, role forms.Role, sen int64) error {
	_, err := c.idb.NewRaw(`INSERT INTO role_ceilings (role, ceiling_sen) VALUES (?, ?)
		ON CONFLICT (role) DO UPDATE SET ceiling_sen = EXCLUDED.ceiling_sen`, role, sen).Exec(ctx)
	if err != nil {
		return fmt.Errorf("set ceiling: %w", err)
	}
	return nil
}
