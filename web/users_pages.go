package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// The profiles list for sysadmins (and auditors, read only), with the
// sysadmin's unlock of a locked profile.
// Profiles change only through the Borang workflow: this page only reads,
// except for the unlock, which the login rules leave to a sysadmin.

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
	CanUnlock      bool
}

func (s *Server) users(c *gin.Context, status int, flash *Flash) {
	l := lang(c)
	f := store.UserFilter{Q: strings.TrimSpace(c.Query("q")), PTJCode: strings.TrimSpace(c.Query("ptj"))}
	if st := c.Query("status"); st == store.StatusActive || st == store.StatusInactive {
		f.Status = st
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
	for k, v := range map[string]string{"q": c.Query("q"), "ptj": f.PTJCode, "status": f.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	d := usersData{Q: c.Query("q"), PTJ: f.PTJCode, Status: f.Status, Pager: newPager("/users", q, p, store.ExactTotal(total), len(list)),
		CanUnlock: s.may(c, "POST", "/users/:id/unlock")}
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
	s.page(c, status, "users", d, flash)
}

func (s *Server) usersPage(c *gin.Context) { s.users(c, http.StatusOK, doneFlash(c, "users.done.")) }

// userUnlock clears a profile's lock after the sysadmin confirmed it.
func (s *Server) userUnlock(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, store.ErrUserNotFound)
		return
	}
	if c.PostForm("confirm") == "" {
		s.users(c, http.StatusUnprocessableEntity, errFlash(tr(c, "users.confirm_needed")))
		return
	}
	u := currentUser(c)
	if _, err := s.auth.Unlock(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/users?done=unlocked")
}
