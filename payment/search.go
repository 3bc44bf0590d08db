package payment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// Payment is a voucher as it stands now: the latest line of the files.
type Payment struct {
	bun.BaseModel `bun:"table:payments"`

	VoucherNo     string    `bun:"voucher_no,pk"`
	PTJCode       string    `bun:"ptj_code"`
	PayeeID       string    `bun:"payee_id"` // MyKad (12 digits) or company registration number
	PayeeName     string    `bun:"payee_name"`
	InvoiceNo     string    `bun:"invoice_no"`
	AmountSen     int64     `bun:"amount_sen"`
	Status        Status    `bun:"status"`
	StatusDate    string    `bun:"status_date"` // YYYY-MM-DD
	Mode          Mode      `bun:"payment_mode"`
	Ref           string    `bun:"payment_ref"`
	BankAccount   string    `bun:"bank_account"` // shown masked (MaskAccount)
	FirstImportID int64     `bun:"first_import_id"`
	LastImportID  int64     `bun:"last_import_id"`
	UpdatedAt     time.Time `bun:"updated_at"`

	// PTJName and History are filled for a voucher's own page.
	PTJName string  `bun:"-"`
	History []Event `bun:"-"`
}

// Event is one line of the files that moved a voucher: its history.
type Event struct {
	VoucherNo  string    `bun:"voucher_no"`
	ImportID   int64     `bun:"import_id"`
	Line       int64     `bun:"line"`
	Status     Status    `bun:"status"`
	StatusDate string    `bun:"status_date"`
	Mode       Mode      `bun:"payment_mode"`
	Ref        string    `bun:"payment_ref"`
	Recorded   time.Time `bun:"recorded"` // when its import was done
}

// Scope is what a viewer may see: every payment, or those to their own
// payee id and those of their PTJs.
type Scope struct {
	All   bool
	Payee string   // the viewer's MyKad, when they hold the module
	PTJs  []string // PTJs of their PTJ roles, when they hold the module
}

// ScopeOf is the scope of viewer, or a Forbidden error when they may see
// no payment at all. Treasury approvers and system administrators see
// every payment; anyone else needs the emaklum module, which shows the
// payments to their own MyKad and, with a PTJ role, their PTJ's.
func ScopeOf(viewer *store.User) (Scope, error) {
	if viewer == nil {
		return Scope{}, errNoAccess
	}
	if viewer.HasRole(forms.RoleTreasuryApprover) || viewer.HasRole(forms.RoleSysadmin) {
		return Scope{All: true}, nil
	}
	if !viewer.HasModule(forms.ModuleMaklum) {
		return Scope{}, errNoAccess
	}
	var sc Scope
	if len(viewer.Login) == 12 && malaysia.AllDigits(viewer.Login) {
		sc.Payee = viewer.Login // a service login is nobody's payee id
	}
	for _, r := range viewer.Roles {
		if r.Role.PTJScoped() && r.PTJCode != nil && !slices.Contains(sc.PTJs, *r.PTJCode) {
			sc.PTJs = append(sc.PTJs, *r.PTJCode)
		}
	}
	return sc, nil
}

// MaySee reports whether viewer may use eMaklum's lists at all.
func MaySee(viewer *store.User) bool {
	_, err := ScopeOf(viewer)
	return err == nil
}

// covers reports whether the scope shows p.
func (sc Scope) covers(p *Payment) bool {
	return sc.All || sc.Payee != "" && p.PayeeID == sc.Payee || slices.Contains(sc.PTJs, p.PTJCode)
}

// Filter selects payments for searches and the export.
type Filter struct {
	PayeeID string // exactly this payee id
	// Q is a voucher number, an invoice number or a payment reference
	// (exactly, in any case), or a part of the payee's name (at least
	// MinNameQuery characters).
	Q        string
	Status   Status
	From, To string // status dates, YYYY-MM-DD, both included
}

// MinNameQuery is the shortest part of a name a search matches: shorter
// ones match identifiers only (a trigram index needs three characters).
const MinNameQuery = 3

// ParseFilter reads a search's raw values; an unreadable one is an
// Invalid error naming its field (payee_id, q, status, from, to).
func ParseFilter(payee, q, status, from, to string) (Filter, error) {
	var f Filter
	var bad []apperr.FieldError
	var err error
	if strings.TrimSpace(payee) != "" {
		if f.PayeeID, err = ParsePayeeID(payee); err != nil {
			bad = append(bad, forms.Field("payee_id", err))
		}
	}
	f.Q = strings.Join(strings.Fields(q), " ")
	if len([]rune(f.Q)) > maxName {
		bad = append(bad, apperr.Field("q", "payment.line.too_long", "Max", maxName))
	}
	if strings.TrimSpace(status) != "" {
		if f.Status, err = ParseStatus(status); err != nil {
			bad = append(bad, forms.Field("status", err))
		}
	}
	for _, d := range []struct {
		name string
		raw  string
		to   *string
	}{{"from", from, &f.From}, {"to", to, &f.To}} {
		if strings.TrimSpace(d.raw) == "" {
			continue
		}
		if *d.to, err = ParseDate(ColDate, d.raw); err != nil {
			bad = append(bad, forms.Field(d.name, err))
		}
	}
	if f.From != "" && f.To != "" && f.From > f.To {
		bad = append(bad, apperr.Field("to", "payment.error.range"))
	}
	if len(bad) > 0 {
		return Filter{}, apperr.Fields(bad...)
	}
	return f, nil
}

// Result is one page of a search.
type Result struct {
	Items []Payment
	Total store.Total // counted up to store.CountLimit, as every list counts
	More  bool        // a next page exists
}

// errTooDeep answers a page past what a search counts.
var errTooDeep = apperr.New(apperr.Invalid, "payment.error.too_deep", "Max", store.CountLimit)

// cols are the columns a list reads.
const cols = "voucher_no, ptj_code, payee_id, payee_name, invoice_no, amount_sen, status, status_date, payment_mode, payment_ref, bank_account, first_import_id, last_import_id, updated_at"

// order is the lists' order: newest status first.
const order = "status_date DESC, voucher_no DESC"

// cond is a piece of a WHERE clause with its arguments.
type cond struct {
	sql  string
	args []any
	read read // how a branch with it reads its page
}

// read is how a branch reads its page (firstOf).
type read int

const (
	// readRows reads its rows through an index in the lists' order.
	readRows read = iota
	// readEntries reads the page's voucher numbers first, walking an index
	// in the lists' order that holds what the branch checks, then only the
	// page's rows: PostgreSQL's date index holds the payee's name
	// (migration 20261227000001), and a common part of a name walked the
	// payments' rows, 15–20 ms for "ana per" at 1,000,000 payments, where
	// the index's entries alone took 4.5–6.0.
	readEntries
	// readSorted sorts the voucher numbers out of the branch's own index,
	// which holds them with their dates, then reads only the page's rows:
	// no index reads what it selects in the lists' order (the payee index
	// holds each payee's payments in that order, not several payees'
	// together). Left to choose, PostgreSQL walked the date index checking
	// each payment against the list: 33–43 ms for the 1,625 payments of
	// 205 payees at 1,000,000 payments, against 3.7–4.9 sorted.
	readSorted
)

// sortedOrder is the lists' order written so that no index serves it:
// a branch whose rows are sorted reads them by its filters' index.
const sortedOrder = "status_date || '' DESC, voucher_no DESC"

// readOf is how branch b reads its page: the most its conditions ask.
func readOf(b []cond) read {
	r := readRows
	for _, c := range b {
		r = max(r, c.read)
	}
	return r
}

// branches turns a scope and a filter into alternatives, each a
// conjunction that one index serves in the lists' order: the union of the
// alternatives is the search. An OR across columns would leave the
// database no index to read in order.
//
// A part of a name is looked up first among the payees' names
// (payeesNamed). When it names at
// most Options.NamePayees payees, their payments are read by the payee
// index; when it names more, it is a common part ("BINTI", "SDN BHD") and
// the payments are read newest first, matching the name as they go, which
// fills a page at once (many), and are not counted (see Search).
func (s *Service) branches(ctx context.Context, sc Scope, f Filter) (out [][]cond, many bool, err error) {
	var scopes []cond
	if !sc.All {
		if sc.Payee != "" {
			scopes = append(scopes, cond{sql: "payee_id = ?", args: []any{sc.Payee}})
		}
		for _, p := range sc.PTJs {
			scopes = append(scopes, cond{sql: "ptj_code = ?", args: []any{p}})
		}
	} else {
		scopes = []cond{{}}
	}
	matches := []cond{{}}
	if f.Q != "" {
		matches = nil
		up := strings.ToUpper(f.Q)
		if v, ok := ParseVoucher(up); ok {
			matches = append(matches, cond{sql: "voucher_no = ?", args: []any{v}})
		}
		matches = append(matches, cond{sql: "invoice_no = ?", args: []any{up}}, cond{sql: "payment_ref = ?", args: []any{up}})
		if len([]rune(f.Q)) >= MinNameQuery {
			// PostgreSQL's date index holds the names (readEntries);
			// SQLite's does not, and each entry's row is read anyway.
			like, walk := "payee_name LIKE ? ESCAPE '\\'", readRows
			if s.db.Dialect == store.Postgres {
				like, walk = "payee_name ILIKE ? ESCAPE '\\'", readEntries
			}
			pattern := "%" + store.EscapeLike(f.Q) + "%"
			ids, err := s.payeesNamed(ctx, f.Q, pattern)
			if err != nil {
				return nil, false, fmt.Errorf("search payee names: %w", err)
			}
			many = len(ids) > s.opt.NamePayees // the list was cut: a common part of names
			slices.Sort(ids)
			switch ids = slices.Compact(ids); {
			case many:
				matches = append(matches, cond{sql: like, args: []any{pattern}, read: walk})
			case len(ids) > 0:
				matches = append(matches, cond{sql: "payee_id IN (?)", args: []any{bun.In(ids)}, read: readSorted})
			}
		}
	}
	var common []cond
	if f.PayeeID != "" {
		common = append(common, cond{sql: "payee_id = ?", args: []any{f.PayeeID}})
	}
	if f.Status != "" {
		common = append(common, cond{sql: "status = ?", args: []any{f.Status}})
	}
	if f.From != "" {
		common = append(common, cond{sql: "status_date >= ?", args: []any{f.From}})
	}
	if f.To != "" {
		common = append(common, cond{sql: "status_date <= ?", args: []any{f.To}})
	}
	for _, sc := range scopes {
		for _, m := range matches {
			var b []cond
			for _, c := range append([]cond{sc, m}, common...) {
				if c.sql != "" {
					b = append(b, c)
				}
			}
			out = append(out, b)
		}
	}
	return out, many, nil
}

// payeesNamed returns the ids of up to Options.NamePayees+1 payees one of
// whose names holds part (pattern: part for LIKE, between %s), in any
// case, through the payees' search index (migration 20261227000001),
// read in its order so that it stops at the last one wanted: SQLite's
// FTS5 table, whose trigram match folds case as LIKE does for the letters
// of names; PostgreSQL's GiST index of the names in small letters without
// their spaces and with them (migration 20261229000001: the first keeps
// the words side by side, the second sets aside names whose letters run
// together but whose words differ), which the planner is told to walk
// (seeing a LIMIT, it would scan the table, 23–42 ms for a common part at
// 103,295 payees, against 2–5).
func (s *Service) payeesNamed(ctx context.Context, part, pattern string) ([]string, error) {
	var ids []string
	limit := s.opt.NamePayees + 1
	if s.db.Dialect != store.Postgres {
		// A long part (a full name) is asked for by some of its trigrams
		// apart, each match then compared whole: its phrase reads the
		// places of every one of its trigrams.
		if grams, ok := store.TrigramsApart(part); ok {
			sel := s.db.ReadIDB().NewSelect().Table("payment_payees_search").Column("payee_id")
			err := store.FTSApart(sel, "payment_payees_search", []string{"payee_name"}, grams, part, "payee_name").Limit(int64(limit)).Scan(ctx, &ids)
			return ids, err
		}
		err := s.db.ReadIDB().NewRaw("SELECT payee_id FROM payment_payees_search WHERE payment_payees_search MATCH ? LIMIT ?",
			"payee_name : "+store.FTSPhrase(part), limit).Scan(ctx, &ids)
		return ids, err
	}
	// Told too not to read the primary key's entries alone (each payee's
	// id and name as given) checking every name: the planner took that
	// way for a common part (34 ms for "binti", against 2–5 through the
	// GiST index).
	err := s.db.ReadIDB().NewRaw(walkingIndex(`SELECT payee_id FROM payment_payees
			WHERE name_joined LIKE replace(lower(?), ' ', '') ESCAPE '\' AND name_lower LIKE lower(?) ESCAPE '\' LIMIT ?`,
		"enable_indexonlyscan = off"), pattern, pattern, limit).Scan(ctx, &ids)
	return ids, err
}

// walkingIndex is query (PostgreSQL's) told to read an index in its order
// and stop at its LIMIT: not to scan the table, not to gather the matches
// in a bitmap first, nor to share the work among workers (what it reads
// is small); and what more (planner settings, as "enable_indexonlyscan =
// off"). The settings go in the query's own text, before it: statements
// sent together run in one transaction of their own, which SET LOCAL
// lasts for, so that the read costs one round trip and takes no turn
// among the transactions that write (store.DB.Tx), as a transaction of its
// own did.
func walkingIndex(query string, more ...string) string {
	set := "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL max_parallel_workers_per_gather = 0"
	for _, m := range more {
		set += "; SET LOCAL " + m
	}
	return set + "; " + query
}

// where writes a conjunction as a WHERE clause.
func where(b []cond, extra ...cond) (string, []any) {
	b = append(append([]cond(nil), b...), extra...)
	if len(b) == 0 {
		return "", nil
	}
	var parts []string
	var args []any
	for _, c := range b {
		parts = append(parts, c.sql)
		args = append(args, c.args...)
	}
	return " WHERE " + strings.Join(parts, " AND "), args
}

// selectPage is the query of rows [offset, offset+limit) of the union of
// branches in the lists' order, with extra conditions on every branch.
func selectPage(branches [][]cond, limit, offset int64, extra ...cond) (string, []any) {
	if len(branches) == 1 && readOf(branches[0]) == readRows {
		w, args := where(branches[0], extra...)
		return "SELECT " + cols + " FROM payments" + w + " ORDER BY " + order + " LIMIT ? OFFSET ?", append(args, limit, offset)
	}
	var parts []string
	var args []any
	for _, b := range branches {
		q, a := firstOf(b, limit+offset, extra)
		parts = append(parts, q)
		args = append(args, a...)
	}
	return "SELECT " + cols + " FROM (" + strings.Join(parts, " UNION ") + ") AS u ORDER BY " + order + " LIMIT ? OFFSET ?",
		append(args, limit, offset)
}

// firstOf is the query of branch b's first n rows in the lists' order,
// with extra conditions, read as the branch asks (read). A branch read by
// its entries reads only the rows it keeps: sorted, the rows of 205
// payees' 1,625 payments took 13–76 ms to read before the sort, their
// entries in the payee index 2.4–2.8.
func firstOf(b []cond, n int64, extra []cond) (string, []any) {
	w, args := where(b, extra...)
	ord := order
	switch readOf(b) {
	case readRows:
		return "SELECT * FROM (SELECT " + cols + " FROM payments" + w + " ORDER BY " + order + " LIMIT ?) AS b", append(args, n)
	case readSorted:
		ord = sortedOrder
	}
	return "SELECT " + cols + " FROM payments WHERE voucher_no IN (SELECT voucher_no FROM payments" + w +
		" ORDER BY " + ord + " LIMIT ?)", append(args, n)
}

// selectCount counts the union of branches up to max+1 rows.
func selectCount(branches [][]cond, max int64) (string, []any) {
	var parts []string
	var args []any
	for _, b := range branches {
		w, a := where(b)
		parts = append(parts, "SELECT * FROM (SELECT voucher_no FROM payments"+w+" LIMIT ?) AS b")
		args = append(append(args, a...), max+1)
	}
	return "SELECT count(*) FROM (" + strings.Join(parts, " UNION ") + ") AS u", args
}

// Search returns page p of the payments viewer may see that f selects,
// newest status first, with the total counted up to store.CountLimit. A page past
// store.CountLimit is refused: the search should be narrowed instead.
func (s *Service) Search(ctx context.Context, viewer *store.User, f Filter, p store.Page) (Result, error) {
	sc, err := ScopeOf(viewer)
	if err != nil {
		return Result{}, err
	}
	limit, offset := p.Limit(), p.Offset()
	if offset >= store.CountLimit {
		return Result{}, errTooDeep
	}
	branches, many, err := s.branches(ctx, sc, f)
	if err != nil {
		return Result{}, err
	}
	if len(branches) == 0 {
		return Result{Total: store.Total{Exact: true}}, nil
	}
	q, args := selectPage(branches, limit+1, offset)
	var res Result
	if err := s.readPage(ctx, many, &res.Items, q, args); err != nil {
		return Result{}, fmt.Errorf("search payments: %w", err)
	}
	if int64(len(res.Items)) > limit {
		res.Items, res.More = res.Items[:limit], true
	}
	// A short page tells the count: the pages before it were full.
	if !res.More && (len(res.Items) > 0 || offset == 0) {
		res.Total = store.Total{N: offset + int64(len(res.Items)), Exact: true}
		return res, nil
	}
	// A common part of a name is not counted while its pages are full
	// (past its last page it is): counting it walks the payments until a
	// thousand match, or all of them. Its total is then what
	// is known: more than the pages read so far, and, for a viewer of
	// every payment with nothing else to narrow the search, more than the
	// payees it names, each of whom was paid under the name. Within a PTJ,
	// or beside a status or dates, their payments may be fewer than they.
	if many && res.More {
		n := offset + limit
		if sc.All && f.PayeeID == "" && f.Status == "" && f.From == "" && f.To == "" {
			n = max(n, int64(s.opt.NamePayees))
		}
		if n >= store.CountLimit {
			n, res.More = store.CountLimit, false // no page past a list's count
		}
		res.Total = store.Total{N: n}
		return res, nil
	}
	q, args = selectCount(branches, store.CountLimit)
	var n int64
	if err := s.db.ReadIDB().NewRaw(q, args...).Scan(ctx, &n); err != nil {
		return Result{}, fmt.Errorf("count payments: %w", err)
	}
	res.Total = store.CountedTotal(n)
	if offset+limit >= store.CountLimit {
		res.More = false // no page past the count
	}
	return res, nil
}

// readPage runs a page's query into items. A common part of a name
// (byDate) matches too many payments for PostgreSQL to guess how many: it
// may then read the whole table and sort it rather than walk the date
// index newest first and stop at the page, which the matches fill at once.
// The page's query is then told to walk the index (walkingIndex).
func (s *Service) readPage(ctx context.Context, byDate bool, items *[]Payment, q string, args []any) error {
	if byDate && s.db.Dialect == store.Postgres {
		q = walkingIndex(q)
	}
	return s.db.ReadIDB().NewRaw(q, args...).Scan(ctx, items)
}

// exportBatch is how many rows the export reads at a time.
const exportBatch = 1000

// Each calls fn for every payment viewer may see that f selects, in the
// lists' order, reading in batches that continue from the last row seen
// (never an offset), so that an export of a million rows streams.
func (s *Service) Each(ctx context.Context, viewer *store.User, f Filter, fn func(*Payment) error) error {
	sc, err := ScopeOf(viewer)
	if err != nil {
		return err
	}
	branches, _, err := s.branches(ctx, sc, f)
	if err != nil {
		return err
	}
	if len(branches) == 0 {
		return nil
	}
	var after []cond
	for {
		q, args := selectPage(branches, exportBatch, 0, after...)
		var batch []Payment
		if err := s.db.ReadIDB().NewRaw(q, args...).Scan(ctx, &batch); err != nil {
			return fmt.Errorf("export payments: %w", err)
		}
		for i := range batch {
			if err := fn(&batch[i]); err != nil {
				return err
			}
		}
		if len(batch) < exportBatch {
			return nil
		}
		last := batch[len(batch)-1]
		after = []cond{{sql: "(status_date < ? OR status_date = ? AND voucher_no < ?)", args: []any{last.StatusDate, last.StatusDate, last.VoucherNo}}}
	}
}

// Voucher returns voucher no with its history and PTJ name, or ErrNotFound
// when it does not exist or viewer may not see it.
func (s *Service) Voucher(ctx context.Context, viewer *store.User, no string) (*Payment, error) {
	sc, err := ScopeOf(viewer)
	if err != nil {
		return nil, err
	}
	v, ok := ParseVoucher(no)
	if !ok {
		return nil, ErrNotFound
	}
	db := s.db.ReadIDB()
	var p Payment
	if err := db.NewSelect().Model(&p).Where("voucher_no = ?", v).Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("voucher: %w", err)
	}
	if !sc.covers(&p) {
		return nil, ErrNotFound
	}
	if err := db.NewRaw(`SELECT e.voucher_no, e.import_id, e.line, e.status, e.status_date, e.payment_mode, e.payment_ref,
			COALESCE(i.finished_at, i.started_at) AS recorded
		FROM payment_events e JOIN payment_imports i ON i.id = e.import_id
		WHERE e.voucher_no = ? ORDER BY e.import_id, e.line`, v).Scan(ctx, &p.History); err != nil {
		return nil, fmt.Errorf("voucher history: %w", err)
	}
	var name []string
	if err := db.NewRaw("SELECT name FROM ptj WHERE code = ?", p.PTJCode).Scan(ctx, &name); err != nil {
		return nil, fmt.Errorf("voucher PTJ: %w", err)
	}
	if len(name) > 0 {
		p.PTJName = name[0]
	}
	return &p, nil
}

// ShowDate writes a stored date (YYYY-MM-DD) as Malaysian documents do:
// 09/11/2026.
func ShowDate(d string) string { return malaysia.ShowDay(d) }
