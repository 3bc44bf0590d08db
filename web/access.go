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
}

// The rules routes use.
var (
	Public    = Rule{Public: true}
	LoggedIn  = Rule{}
	Anyone    = Rule{MustChangeOK: true} // logged in, even before the forced change
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
	case rule.Public:
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
// can check every route against its expectation.
type route struct {
	Method, Path string
	Rule         Rule
}

// handle registers a route with its rule.
func (s *Server) handle(g *gin.RouterGroup, method, path string, rule Rule, h ...gin.HandlerFunc) {
	full := joinPath(g.BasePath(), path)
	s.table = append(s.table, route{Method: method, Path: full, Rule: rule})
	g.Handle(method, path, append([]gin.HandlerFunc{s.allow(rule)}, h...)...)
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
func (s *Server) Routes() []route { return s.table }
