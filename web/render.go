package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"text/template/parse"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/templates"
)

// View is what every page template receives.
type View struct {
	Lang          string
	Treasury      string
	Year          int
	User          *store.User
	Nav           []NavItem
	LangSwitchURL string // the language switch: a POST form to this address…
	LangNext      string // …with this page to come back to
	Flash         *Flash
	Data          any
}

// NavItem is one link of the navigation bar.
type NavItem struct {
	Key     string // text key
	Href    string
	Current bool
}

// Flash is a one-line message shown above a page's content.
type Flash struct {
	Kind string // "ok" or "error"
	Text string
}

// dateInput is a form's date field as the layout's "date_input" draws it:
// text taking DD/MM/YYYY whatever the browser's locale (dates.go).
type dateInput struct {
	Name, Value, Error string
	Required           bool
	Pattern            string
	Describe           string // ids of more hints about the field
}

func newDateInput(name, value, err string, required bool, describe ...string) dateInput {
	return dateInput{Name: name, Value: value, Error: err, Required: required, Pattern: malaysia.DatePattern,
		Describe: strings.Join(describe, " ")}
}

// pageSet is every page, parsed once per language at start: each copy's t
// is bound to its language, so rendering needs no clone per request.
type pageSet map[string]map[string]*template.Template // lang → page → template

// parsePages parses the layout with each page, once per language.
func parsePages() (pageSet, error) {
	set := pageSet{}
	for _, l := range i18n.Langs {
		pages, err := parsePagesIn(l)
		if err != nil {
			return nil, err
		}
		set[l] = pages
	}
	return set, nil
}

func parsePagesIn(lang string) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		// t is the words of a key in the page's language; arguments are
		// name, value pairs: {{t "pager.of" "Page" 1 "Pages" 3 "Total" 60}}.
		"t":      func(key string, args ...any) string { return i18n.T(lang, key, args...) },
		"kl":     malaysia.DateTime,
		"klDate": malaysia.Date,
		"add":    func(a, b int) int { return a + b },
		// dateInput is a date field's parts for the "date_input" template.
		"dateInput": newDateInput,
		// count writes a list's total: 1,234, or 1,000+ when it stopped
		// counting there.
		"count": func(t store.Total) string {
			if t.Exact {
				return groupDigits(t.N)
			}
			return groupDigits(t.N) + "+"
		},
		"deref": func(p *string) string {
			if p == nil {
				return ""
			}
			return *p
		},
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templates.Pages, "layout.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templates.Pages, "pages/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		t, err := template.Must(layout.Clone()).ParseFS(templates.Pages, f)
		if err != nil {
			return nil, fmt.Errorf("page %s: %w", f, err)
		}
		for _, tt := range t.Templates() {
			if tt.Tree != nil {
				wordsIn(tt.Tree.Root, lang)
			}
		}
		pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return pages, nil
}

// wordsIn replaces, in a template's nodes, each action that prints a text
// of the catalogue without arguments ({{t "audit.at"}}) with the text,
// escaped, before the template is first run (and html/template escapes
// it): the pages are parsed a language each, and their fixed words are
// then printed as the template's own. Each action is a reflective call of
// its function and another of its escaper; on a page of the audit log,
// whose 50 rows name their columns for the phone's stacked table, such
// calls were most of the render. The words are in the page's text and
// quoted attributes only (no template prints t into a script, a style or
// an address: TestWordsInStandInTextOrQuotedAttributes): escaped for
// HTML, they read there as printed.
func wordsIn(n parse.Node, lang string) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for i, c := range n.Nodes {
			if key, ok := wordsOf(c); ok {
				n.Nodes[i] = &parse.TextNode{NodeType: parse.NodeText, Pos: c.Position(), Text: []byte(template.HTMLEscapeString(i18n.T(lang, key)))}
				continue
			}
			wordsIn(c, lang)
		}
	case *parse.IfNode:
		wordsIn(n.List, lang)
		wordsIn(n.ElseList, lang)
	case *parse.RangeNode:
		wordsIn(n.List, lang)
		wordsIn(n.ElseList, lang)
	case *parse.WithNode:
		wordsIn(n.List, lang)
		wordsIn(n.ElseList, lang)
	}
}

// wordsOf is the key of an action that prints t of a key alone.
func wordsOf(n parse.Node) (string, bool) {
	a, ok := n.(*parse.ActionNode)
	if !ok || len(a.Pipe.Decl) > 0 || len(a.Pipe.Cmds) != 1 || len(a.Pipe.Cmds[0].Args) != 2 {
		return "", false
	}
	fn, ok := a.Pipe.Cmds[0].Args[0].(*parse.IdentifierNode)
	key, isKey := a.Pipe.Cmds[0].Args[1].(*parse.StringNode)
	if !ok || !isKey || fn.Ident != "t" {
		return "", false
	}
	return key.Text, true
}

// lang is the language of the request: the lang cookie, BM by default.
func lang(c *gin.Context) string {
	if l, err := c.Cookie("lang"); err == nil && l == "en" {
		return "en"
	}
	return "ms"
}

// setLang sets the language cookie and goes back to the page the user was
// on. The layout's switch is a POST form (it works without script), and
// only that — a request of the portal's own pages, as the cross-origin
// check makes sure — also makes the choice the language of a logged-in
// user's mail: a link another site places (GET /lang/en) changes what this
// browser shows, never what the user's mail is written in.
func (s *Server) setLang(c *gin.Context) {
	l := c.Param("lang")
	if l != "en" {
		l = "ms"
	}
	c.SetSameSite(http.SameSiteLaxMode)
	c.SetCookie("lang", l, 365*24*3600, "/", "", s.cfg.Secure(), true)
	next := c.Query("next")
	if c.Request.Method == http.MethodPost {
		next = c.PostForm("next")
		if u := currentUser(c); u != nil && u.Lang != l {
			if err := s.db.SetLang(c.Request.Context(), u.ID, l); err != nil {
				s.log.Warn("saving the language choice", "error", err)
			}
		}
	}
	c.Redirect(http.StatusSeeOther, localPath(next))
}

// localPath returns p if it is a path on this site, "/" otherwise, so that a
// crafted link (?next=) cannot send users elsewhere after a login or a
// language switch. It judges p as a browser reads a Location header: the URL
// standard strips ASCII tab, CR and LF anywhere ("/\t/evil" is "//evil") and
// takes a backslash for a slash ("/\\evil" is "//evil"). So p must, once
// those are stripped, start with one "/" and not two, hold no backslash, no
// other control character, space or non-ASCII byte (a path the portal builds
// is always percent-encoded), parse as a URL with no scheme, host or user,
// and decode to a path with no backslash or control character that neither
// starts with "//" nor holds a dot segment or an empty one ("/..//evil", "/%2F%2Fevil"), which a server
// cleaning the path could turn into "//evil" on the next hop.
func localPath(p string) string {
	p = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, p)
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return "/"
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" ||
		!strings.HasPrefix(u.Path, "/") || strings.ContainsFunc(u.Path, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\\' }) {
		return "/"
	}
	if u.Path != "/" {
		for _, seg := range strings.Split(u.Path[1:], "/") {
			if seg == "" || seg == "." || seg == ".." {
				return "/"
			}
		}
	}
	return p
}

// view returns the frame of a page for the request.
func (s *Server) view(c *gin.Context, data any) *View {
	v := &View{
		Lang:     lang(c),
		Treasury: s.cfg.TreasuryName,
		Year:     s.now().In(malaysia.KL).Year(),
		Data:     data,
	}
	other := "en"
	if v.Lang == "en" {
		other = "ms"
	}
	v.LangSwitchURL, v.LangNext = "/lang/"+other, c.Request.URL.RequestURI()
	s.decorate(c, v)
	return v
}

// render writes page name with data, or an internal error if it fails.
func (s *Server) render(c *gin.Context, status int, name string, data any) {
	s.renderView(c, status, name, s.view(c, data))
}

func (s *Server) renderView(c *gin.Context, status int, name string, v *View) {
	t, ok := s.pages[i18n.Norm(v.Lang)][name]
	if !ok {
		s.log.Error("no such page", "page", name)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	buf := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(buf)
	err := t.ExecuteTemplate(buf, "layout.html", v)
	if err == nil {
		c.Header("Cache-Control", "no-store")
		c.Data(status, "text/html; charset=utf-8", buf.Bytes())
		return
	}
	s.log.Error("render", "page", name, "error", err)
	c.String(http.StatusInternalServerError, "internal error")
}

// pageBuffers hold rendered pages until they are written: a page grown
// from an empty buffer each time was a tenth of what a list page allocated.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// putPageBuffer returns buf to pageBuffers, unless a rare large page grew
// it past what is worth keeping.
func putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > 1<<20 {
		return
	}
	buf.Reset()
	pageBuffers.Put(buf)
}

// retryAfter is the Retry-After of a 503, in seconds: long enough for a
// restarted database or a burst of logins to pass.
const retryAfter = "10"

// statusOf maps an application error code to its HTTP status.
func statusOf(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusUnprocessableEntity
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden, apperr.PasswordChangeRequired:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.TooManyRequests:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// fail answers err: as JSON under /api/, as the error page otherwise. The
// user sees the error's message in their language; an internal error's cause
// is logged and never shown. A body read past its limit answers 413; a
// database that cannot be reached (store.IsUnavailable) answers 503 with
// Retry-After, like a server too busy to hash a password.
func (s *Server) fail(c *gin.Context, err error) {
	var mbe *http.MaxBytesError
	switch {
	case apperr.CodeOf(err) != apperr.Internal:
	case errors.As(err, &mbe):
		err = tooLarge(mbe.Limit) // a handler reading an upload past its limit
	case store.IsUnavailable(err):
		err = apperr.Wrap(apperr.Unavailable, err, "error.unavailable")
	}
	e := apperr.As(err)
	status := statusOf(e.Code)
	switch e.Code {
	case apperr.Internal:
		s.log.Error("internal error", "path", malaysia.MaskText(c.Request.URL.Path), "error", err)
		_ = c.Error(err)
	case apperr.Unavailable:
		// The database is down or the server busy: say when to come back,
		// as /readyz does for the load balancer.
		s.log.Warn("unavailable", "path", malaysia.MaskText(c.Request.URL.Path), "error", err)
		c.Header("Retry-After", retryAfter)
	}
	l := lang(c)
	if isAPI(c) {
		body := gin.H{"code": e.Code, "message": e.Message(l)}
		if len(e.Fields) > 0 {
			fields := map[string]string{}
			for _, f := range e.Fields {
				if _, dup := fields[f.Field]; !dup {
					fields[f.Field] = f.Message(l)
				}
			}
			body["fields"] = fields
		}
		if rule := password.Rule(err); rule != "" {
			body["rule"] = rule // which password rule failed
		}
		c.AbortWithStatusJSON(status, gin.H{"error": body})
		return
	}
	s.render(c, status, "error", gin.H{"Message": e.Message(l)})
	c.Abort()
}

// tr returns the words of key in the request's language, with args as
// name, value pairs.
func tr(c *gin.Context, key string, args ...any) string { return i18n.T(lang(c), key, args...) }

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// notFound answers a path no route serves.
func (s *Server) notFound(c *gin.Context) {
	s.fail(c, apperr.New(apperr.NotFound, "error.not_found"))
}
