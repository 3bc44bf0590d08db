package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/forms"
)

// homeData is what the home page shows a logged-in user: only the modules
// granted and the work their roles allow.
type homeData struct {
	Modules []forms.Module
	Work    []NavItem
	Changed bool
}

// home is the landing page: what the portal is and the way to log in, or,
// for a logged-in user, the modules and work they may use.
func (s *Server) home(c *gin.Context) {
	u := currentUser(c)
	if u == nil {
		s.render(c, http.StatusOK, "home", nil)
		return
	}
	if u.MustChange {
		c.Redirect(http.StatusSeeOther, "/password")
		return
	}
	d := homeData{Changed: c.Query("changed") != ""}
	for _, m := range forms.Modules {
		if u.HasModule(m) {
			d.Modules = append(d.Modules, m)
		}
	}
	d.Work = s.workFor(c)
	s.render(c, http.StatusOK, "home", d)
}

// workFor lists the work pages the current user's roles open, in the order of
// the navigation bar.
func (s *Server) workFor(c *gin.Context) []NavItem {
	u := currentUser(c)
	var items []NavItem
	delegate := -1 // unknown until a page needs it
	for _, w := range workPages {
		ok := w.rule.check(u) == nil
		if !ok && w.delegates && u != nil && !u.MustChange {
			if delegate < 0 {
				delegate = 0
				is, err := s.db.IsDelegate(c.Request.Context(), u.ID)
				if err != nil {
					// The bar then lacks the inbox; the page itself still works.
					s.log.Warn("reading delegations for the navigation bar", "error", err)
				}
				if is {
					delegate = 1
				}
			}
			ok = delegate == 1
		}
		if ok {
			items = append(items, NavItem{Key: w.key, Href: w.href, Current: c.Request.URL.Path == w.href})
		}
	}
	return items
}

// workPages are the pages the navigation bar and the home page offer, each
// with the rule of its route.
var workPages = []struct {
	key, href string
	rule      Rule
	delegates bool // offered also to a delegate (pemangku) of today, who may hold no role
}{
	// The inbox and the list are open to every logged-in user (a delegate
	// may hold no role), but the bar offers them to the workflow's roles.
	{"nav.inbox", "/inbox", RoleIn(forms.RolePTJRep, forms.RoleControllingOfficer, forms.RoleTreasuryApprover, forms.RoleSysadmin), true},
	{"nav.requests", "/requests", RoleIn(forms.RolePTJRep, forms.RoleControllingOfficer, forms.RoleTreasuryApprover, forms.RoleSysadmin, forms.RoleAuditor), true},
	{"nav.request_new", "/requests/new", RoleIn(forms.RolePTJRep), false},
	{"nav.delegations", "/delegations", RoleIn(forms.RoleControllingOfficer), false},
	{"nav.users", "/users", RoleIn(forms.RoleSysadmin, forms.RoleAuditor), false},
	{"nav.audit", "/audit", RoleIn(forms.RoleAuditor, forms.RoleSysadmin), false},
	{"nav.mail_ops", "/ops/mail", RoleIn(forms.RoleSysadmin), false},
	{"nav.password", "/password", Anyone, false},
}

// decorate adds what depends on who is logged in to every page's frame.
func (s *Server) decorate(c *gin.Context, v *View) {
	u := currentUser(c)
	if u == nil {
		return
	}
	v.User = u
	if !u.MustChange {
		v.Nav = s.workFor(c)
	}
}
