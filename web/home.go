package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// module is one of the portal's modules as the pages show it: the grant
// that opens it, and the page it opens at. Its words are the catalogue's
// module.<id> (name) and module.<id>.about (the home page's tile).
type module struct {
	ID   forms.Module
	Path string
}

// modules is the one list of the portal's modules: the home page's tiles
// and the navigation read it, and each module's routes in routes.go carry
// ModuleFor(its ID).
var modules = []module{
	{forms.ModulePayslip, "/epayslip"},
	{forms.ModuleEC, "/eec"},
	{forms.ModuleMaklum, "/emaklum"},
}

// tile is a module on the home page: a link when its pages exist.
type tile struct {
	ID   forms.Module
	Href string
}

// homeData is what the home page shows a logged-in user: only the modules
// granted, and for those offered the inbox the number of requests waiting
// for them (the rest of their work is in the navigation, not repeated here).
type homeData struct {
	Modules []tile
	Inbox   *inboxTile
	Changed bool
}

// inboxTile is the home page's tile of the approver's (or delegate's)
// inbox: how many requests wait for them, unless that could not be read.
type inboxTile struct {
	Href    string
	Waiting store.Total // 1,000+ when the inbox stopped counting there
	Known   bool
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
	for _, w := range s.workFor(c) {
		if w.Key == "nav.inbox" {
			d.Inbox = &inboxTile{Href: w.Href}
			_, n, err := s.admin.InboxCounts(c.Request.Context(), u)
			if err != nil {
				// The tile then leads to the inbox without its number.
				s.log.Warn("counting the inbox for the home page", "error", err)
			}
			d.Inbox.Waiting, d.Inbox.Known = n, err == nil
		}
	}
	for _, m := range modules {
		if u.HasModule(m.ID) {
			t := tile{ID: m.ID}
			if s.may(c, "GET", m.Path) {
				t.Href = m.Path
			}
			d.Modules = append(d.Modules, t)
		}
	}
	s.render(c, http.StatusOK, "home", d)
}

// workFor lists the pages the route table puts in the navigation that the
// current user is offered, in the order the routes are declared.
func (s *Server) workFor(c *gin.Context) []NavItem {
	u := currentUser(c)
	var items []NavItem
	delegate := -1 // unknown until a page needs it
	for _, rt := range s.table {
		if rt.NavKey == "" || rt.absent {
			continue
		}
		offer := rt.Rule
		if rt.offer != nil {
			offer = *rt.offer
		}
		ok := offer.check(u) == nil
		if !ok && offer.Delegates && u != nil && !u.MustChange {
			if delegate < 0 {
				delegate = 0
				is, err := s.admin.IsDelegate(c.Request.Context(), u.ID)
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
			items = append(items, NavItem{Key: rt.NavKey, Href: rt.Path, Current: c.Request.URL.Path == rt.Path})
		}
	}
	return items
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

// favicon leads to the crest the layout names as every page's icon: browsers
// ask for /favicon.ico where a page names none (a PDF, a CSV).
func (s *Server) favicon(c *gin.Context) {
	c.Redirect(http.StatusMovedPermanently, "/static/crest.svg")
}
