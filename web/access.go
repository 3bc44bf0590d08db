package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// Rule is who may use a route. Every route declares one in routes.go; a route
// without a rule cannot be registered.
type Rule struct {
	Public bool // anyone, logged in or not
	// MustChangeOK lets a user whose password must be changed through (the
	// password change itself, logout, /api/v1/me).
	MustChangeOK bool
	Roles        []forms.Role // any one of these; none: any logged-in user
	Module       forms.Module // a module the user must have been granted
	// Delegates also lets through a delegate (pemangku) of today, who may
	// hold no role of their own. Only the navigation reads it: it needs the
	// database, and the pages such a delegate uses are open to LoggedIn.
	Delegates bool
	// Monitor lets through a monitoring system, not a user: an address in
	// --metrics-allow or the bearer token of --metrics-token.
	Monitor bool
}

// The rules routes use.
var (
	Public    = Rule{Public: true}
	LoggedIn  = Rule{}
	Anyone    = Rule{MustChangeOK: true} // logged in, even before the forced change
	Monitor   = Rule{Monitor: true}
	ModuleFor = func(m forms.Module) Rule { return Rule{Module: m} }
	RoleIn    = func(roles ...forms.Role) Rule { return Rule{Roles: roles} }
)

var (
	errLoginNeeded = apperr.New(apperr.Unauthorized, "error.login_needed")
	errForbidden   = apperr.New(apperr.Forbidden, "error.forbidden_page")
	errChangeFirst = apperr.New(apperr.PasswordChangeRequired, "error.change_password_first")
)

// check returns why u may not use a route of rule, or nil when u may.
func (rule Rule) check(u *store.User) *apperr.Error {
	switch {
	case rule.Public, rule.Monitor: // a monitor is checked by address or token, in allow
		return nil
	case u == nil:
		return errLoginNeeded
	case u.MustChange && !rule.MustChangeOK:
		return errChangeFirst
	case len(rule.Roles) > 0 && !slices.ContainsFunc(rule.Roles, u.HasRole):
		return errForbidden
	case rule.Module != "" && !u.HasModule(rule.Module):
		return errForbidden
	}
	return nil
}

// allow enforces rule for the caller set by authenticate. Pages send the
// anonymous to the login page and a user who must change the password to the
// change page; the API answers 401 and 403 password_change_required.
func (s *Server) allow(rule Rule) gin.HandlerFunc {
	return func(c *gin.Context) {
		if rule.Monitor {
			if !s.monitorAllowed(c) {
				c.AbortWithStatus(http.StatusForbidden) // nothing about why
				return
			}
			c.Next()
			return
		}
		err := rule.check(currentUser(c))
		switch {
		case err == nil:
			c.Next()
		case isAPI(c) || err == errForbidden:
			s.fail(c, err)
		case err == errLoginNeeded:
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
		default:
			c.Redirect(http.StatusSeeOther, "/password")
			c.Abort()
		}
	}
}

// Context keys.
const (
	ctxUser    = "user"
	ctxSession = "session"
	ctxToken   = "token"
)

func currentUser(c *gin.Context) *store.User {
	if u, ok := c.Get(ctxUser); ok {
		return u.(*store.User)
	}
	return nil
}

// route is one entry of the route table: kept so that the access matrix test
// can check every route against its expectation, and so that the
// navigation offers exactly the pages a user may open.
type route struct {
	Method, Path string
	Rule         Rule
	NavKey       string // the navigation's words for it; "" when not in the navigation
	offer        *Rule  // whom the navigation offers it to, when not everyone its rule lets in

	// The edge's settings (edge.go): the body limit when not the default,
	// a file import, fields that may hold line breaks.
	limit    int64
	isUpload bool
	lines    []string

	// absent: the route belongs to a module whose service NewServer was
	// not given (a portal, or a test, that runs without it); it answers
	// 404 and stays out of the navigation.
	absent bool
}

// needs marks the route as a module's: present is whether that module's
// service is there.
func (rt *route) needs(present bool) *route {
	rt.absent = !present
	return rt
}

// nav puts the route in the navigation under key, offered to those offer
// lets through (or to those the route's own rule does).
func (rt *route) nav(key string, offer ...Rule) *route {
	rt.NavKey = key
	if len(offer) > 0 {
		rt.offer = &offer[0]
	}
	return rt
}

// handle registers a route with its rule. Its requests pass the edge
// (edge.go: body limit, text check) and then the rule before h.
func (s *Server) handle(g *gin.RouterGroup, method, path string, rule Rule, h ...gin.HandlerFunc) *route {
	rt := &route{Method: method, Path: joinPath(g.BasePath(), path), Rule: rule}
	s.table = append(s.table, rt)
	g.Handle(method, path, append([]gin.HandlerFunc{s.edge(rt), s.allow(rule), s.present(rt)}, h...)...)
	return rt
}

// present answers 404, after the route's rule, when the route's module is
// absent (needs).
func (s *Server) present(rt *route) gin.HandlerFunc {
	return func(c *gin.Context) {
		if rt.absent {
			s.notFound(c)
			c.Abort()
		}
	}
}

func joinPath(base, p string) string {
	if base == "/" {
		return p
	}
	if p == "" || p == "/" {
		return base
	}
	return base + p
}

// Routes returns every route with its rule (for tests and the docs).
func (s *Server) Routes() []route {
	out := make([]route, len(s.table))
	for i, rt := range s.table {
		out[i] = *rt
	}
	return out
}
