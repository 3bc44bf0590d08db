package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// Shared by the page handlers of every group: flash messages, the pager,
// select options, and whether a link may be shown.

// page renders name with data and a flash message above it.
func (s *Server) page(c *gin.Context, status int, name string, data any, flash *Flash) {
	v := s.view(c, data)
	v.Flash = flash
	s.renderView(c, status, name, v)
}

func okFlash(text string) *Flash  { return &Flash{Kind: "ok", Text: text} }
func errFlash(text string) *Flash { return &Flash{Kind: "error", Text: text} }

// doneFlash is the confirmation of ?done=<what> after a redirect: the words
// of key prefix+what, formatted with args; nil when there is no such key, so
// that a hand-typed ?done= never shows a raw key.
func doneFlash(c *gin.Context, prefix string, args ...any) *Flash {
	done := c.Query("done")
	if done == "" {
		return nil
	}
	key := prefix + done
	if !i18n.Has(key) {
		return nil
	}
	return okFlash(tr(c, key, args...))
}

// may reports whether the current user passes the rule of route method path,
// so that a link is shown exactly to those the route lets through.
func (s *Server) may(c *gin.Context, method, path string) bool {
	for _, r := range s.table {
		if r.Method == method && r.Path == path {
			return !r.absent && r.Rule.check(currentUser(c)) == nil
		}
	}
	return false
}

// option is one choice of a select box.
type option struct {
	Value, Label string
	Selected     bool
}

// peopleSearch is the search of a list of employees by MyKad, salary
// number or name (Q) and PTJ, as the operators' pay-month and EC-year
// pages offer it: the form's values, its address, and the pager's links.
type peopleSearch struct {
	Action   string
	Q, PTJ   string
	PTJLabel string // the catalogue key of the PTJ field's label, as the page names it
}

// peopleSearchOf reads the search of the list at action from the query.
func peopleSearchOf(c *gin.Context, action, ptjLabel string) peopleSearch {
	return peopleSearch{Action: action, Q: strings.TrimSpace(c.Query("q")), PTJ: strings.TrimSpace(c.Query("ptj")), PTJLabel: ptjLabel}
}

// pager is the pager of page p of the search's results, its links keeping
// the search.
func (ps peopleSearch) pager(p store.Page, total store.Total, rows int) pager {
	keep := url.Values{}
	if ps.Q != "" {
		keep.Set("q", ps.Q)
	}
	if ps.PTJ != "" {
		keep.Set("ptj", ps.PTJ)
	}
	return newPager(ps.Action, keep, p, total, rows)
}

// pager is the "page x of y" line with links that keep the list's filters.
// When the list was not counted to its end (more than store.CountLimit
// rows), it says "more than" and offers the next page while pages are full.
type pager struct {
	Number, Pages int
	Total         string // formatted: 1,234
	Exact         bool
	Prev, Next    string
}

// newPager is the pager of page p of a list with total rows, of which rows
// are on this page.
func newPager(path string, q url.Values, p store.Page, total store.Total, rows int) pager {
	size := p.Limit()
	pages := int((total.N + size - 1) / size)
	pg := pager{Number: max(p.Number, 1), Pages: max(pages, 1), Exact: total.Exact, Total: groupDigits(total.N)}
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Del("page")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if pg.Number > 1 {
		pg.Prev = link(min(pg.Number-1, pg.Pages))
	}
	if pg.Number < pg.Pages || !total.Exact && int64(rows) == size {
		pg.Next = link(pg.Number + 1)
	}
	return pg
}

// groupDigits writes n with thousands commas: 100000 → "100,000".
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// requestRow is a request as a line of a list.
type requestRow struct {
	ID         int64
	Reference  string
	Kind       string
	Subject    string
	MaskedIC   string
	PTJCode    string
	PTJName    string
	StateID    workflow.State
	State      string
	Version    int64
	Updated    time.Time
	Since      time.Time // in this state since
	Approvable bool      // the viewer may approve it now (inbox)
}

func rowOf(r *store.Request, lang string) requestRow {
	row := requestRow{ID: r.ID, Reference: r.Reference, Kind: forms.KindLabel(r.Kind, lang),
		Subject: r.SubjectName, MaskedIC: forms.MaskLogin(r.SubjectIC), PTJCode: r.PTJCode,
		StateID: r.State, State: r.State.Label(lang), Version: r.Version, Updated: r.UpdatedAt, Since: r.StateSince}
	if r.PTJ != nil {
		row.PTJName = r.PTJ.Name
	}
	return row
}
