package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// The profiles list for sysadmins and auditors (read only), each row
// leading to the user's page (account_pages.go), where a sysadmin unlocks
// and resets. Profiles change only through the Borang workflow, but for
// those two, which the login rules leave to a sysadmin.

type userRow struct {
	ID                  int64
	Login, Name, Email  string
	PTJCode, Status     string
	Active, Locked      bool
	Roles, Modules      []string
	MustChange          bool
	FailedAttempts      int
	PasswordChangedText string
}

type usersData struct {
	Q, PTJ, Status string
	Rows           []userRow
	Pager          pager
}

// userLocked is the status filter's choice of the profiles locked now,
// beside the statuses active and inactive.
const userLocked = "locked"

func (s *Server) usersPage(c *gin.Context) {
	l := lang(c)
	f := store.UserFilter{Q: strings.TrimSpace(c.Query("q")), PTJCode: strings.TrimSpace(c.Query("ptj"))}
	status := c.Query("status")
	switch status {
	case store.StatusActive, store.StatusInactive:
		f.Status = status
	case userLocked:
		f.Locked = true
	default:
		status = ""
	}
	// A MyKad typed with dashes finds its profile.
	if login, isMyKad, err := forms.ParseLogin(f.Q); err == nil && isMyKad {
		f.Q = login
	}
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.db.ListUsers(c.Request.Context(), f, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := url.Values{}
	for k, v := range map[string]string{"q": c.Query("q"), "ptj": f.PTJCode, "status": status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	d := usersData{Q: c.Query("q"), PTJ: f.PTJCode, Status: status, Pager: newPager("/users", q, p, total, len(list))}
	now := s.now()
	for i := range list {
		u := &list[i]
		row := userRow{ID: u.ID, Login: forms.MaskLogin(u.Login), Name: u.Name, Email: malaysia.MaskEmail(u.Email), PTJCode: u.PTJCode,
			Status: u.Status, Active: u.Active(), Locked: s.auth.Locked(u, now), MustChange: u.MustChange, FailedAttempts: u.FailedAttempts}
		for _, r := range u.Roles {
			row.Roles = append(row.Roles, forms.RoleLabel(r.Role, l))
		}
		for _, m := range u.Modules {
			row.Modules = append(row.Modules, forms.ModuleLabel(m.Module, l))
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(c, http.StatusOK, "users", d)
}
