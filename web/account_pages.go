package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
)

// Accounts in daily use: the forgotten-password page ("Lupa kata laluan?",
// the three ways to a new password), and a user's page for sysadmins and
// auditors — the profile, roles, modules, requests and recent sign-ins —
// with the sysadmin's unlock and direct reset, each behind a confirmation.
// Every form here redirects after its POST, also when it failed (prg.go).

// forgotData is the forgotten-password page's data.
type forgotData struct {
	SelfService bool
	Login       string // what was typed, after a refusal
	LoginError  string
	Treasury    string
}

func (s *Server) forgotPage(c *gin.Context) {
	note := s.takeNote(c)
	d := forgotData{SelfService: s.auth.SelfService(), Login: note.value("login"), LoginError: note.field("login"), Treasury: s.cfg.TreasuryName}
	s.page(c, http.StatusOK, "password_forgot", d, note.flash())
}

// forgotPassword takes a request for a set-password link. The answer is the
// same whether or not the login has a profile.
func (s *Server) forgotPassword(c *gin.Context) {
	login := c.PostForm("login")
	err := s.auth.ForgotPassword(c.Request.Context(), login, c.ClientIP())
	switch {
	case err == nil:
		s.redirectNote(c, "/password/forgot", prgNote{Kind: "ok", Text: s.forgotTaken(c, login)})
	case apperr.Is(err, apperr.Invalid), apperr.Is(err, apperr.TooManyRequests), apperr.Is(err, apperr.Forbidden):
		// Not a login, too many requests, or self-service off.
		s.failNote(c, "/password/forgot", err, map[string]string{"login": login})
	default:
		s.fail(c, err)
	}
}

// forgotTaken is the one answer to a request taken: a link went to the
// profile's e-mail if there is such a profile, valid for so long.
func (s *Server) forgotTaken(c *gin.Context, login string) string {
	ttl := min(s.auth.Settings().ForgotLinkTTL, s.auth.Settings().LinkTTL)
	return tr(c, "account.forgot.taken", "Login", forms.MaskLogin(login), "Minutes", int(ttl/time.Minute))
}

// apiPasswordForgot is the API's "Lupa kata laluan?": 202 for every login
// that is one (with or without a profile), 429 with Retry-After past the
// limits, 403 when self-service is off, 422 for what is not a login.
func (s *Server) apiPasswordForgot(c *gin.Context) {
	var req struct {
		Login string `json:"login"`
	}
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	if err := s.auth.ForgotPassword(c.Request.Context(), req.Login, c.ClientIP()); err != nil {
		if apperr.Is(err, apperr.TooManyRequests) {
			c.Header("Retry-After", strconv.Itoa(int(s.auth.ForgotRetryAfter().Seconds())))
		}
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"message": s.forgotTaken(c, req.Login)})
}

// userData is a user's page.
type userData struct {
	ID                         int64
	Name, Login, Email         string
	IsMyKad                    bool
	PTJ                        string
	Position, Grade, SalaryNo  string
	Active, Locked, MustChange bool
	LockedUntil                *time.Time
	FailedAttempts             int
	PasswordChanged            *time.Time
	Created                    time.Time
	Roles                      []userRole
	Modules                    []string
	Requests                   []requestRow
	SignIns                    []store.SignIn
	CanUnlock, CanReset        bool
	Self                       bool // the viewer's own profile: no reset here
	Stamp                      string
	// The reset form as the sysadmin left it, after a refusal.
	Reason, Way  string
	Errors       map[string]string
	SelfService  bool
	RequestsMore bool // more requests than the page lists
}

type userRole struct{ Label, Limit string }

// userOf reads the profile of the route's :id (not found alike for a
// malformed id).
func (s *Server) userOf(c *gin.Context) (*store.User, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, store.ErrUserNotFound
	}
	return s.db.UserByID(c.Request.Context(), id)
}

// userRequests is how many requests about a user their page lists.
const userRequests = 20

func (s *Server) userPage(c *gin.Context) {
	ctx := c.Request.Context()
	u, err := s.userOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	fl := s.takeFlash(c)
	l := lang(c)
	viewer := currentUser(c)
	_, isMyKad, _ := forms.ParseLogin(u.Login)
	d := userData{ID: u.ID, Name: u.Name, Login: forms.MaskLogin(u.Login), IsMyKad: isMyKad, Email: malaysia.MaskEmail(u.Email),
		PTJ: u.PTJCode, Position: u.Position, Grade: u.Grade, SalaryNo: u.SalaryNo,
		Active: u.Active(), Locked: s.auth.Locked(u, s.now()), MustChange: u.MustChange, LockedUntil: u.LockedUntil,
		FailedAttempts: u.FailedAttempts, PasswordChanged: u.PasswordChangedAt, Created: u.CreatedAt,
		Self: viewer.ID == u.ID, Stamp: useradmin.PasswordStamp(u), SelfService: s.auth.SelfService(),
		Errors: map[string]string{}}
	if fl != nil {
		// A refused unlock or reset, redirected here: what was typed, why.
		d.Reason, d.Way = fl.Values.Get("reason"), fl.Values.Get("way")
		for _, ft := range fl.Fields {
			d.Errors[ft.Field] = ft.Text
		}
	}
	if p, err := s.db.PTJ(ctx, u.PTJCode); err == nil {
		d.PTJ += " — " + p.Name
	}
	d.CanUnlock = d.Locked && s.may(c, "POST", "/users/:id/unlock")
	d.CanReset = d.Active && !d.Self && s.may(c, "POST", "/users/:id/password-reset")
	for _, r := range u.Roles {
		d.Roles = append(d.Roles, userRole{Label: forms.RoleLabel(r.Role, l), Limit: malaysia.FormatRM(r.ApprovalLimitSen)})
	}
	for _, m := range u.Modules {
		d.Modules = append(d.Modules, forms.ModuleLabel(m.Module, l))
	}
	reqs, total, err := s.admin.ListRequests(ctx, viewer, useradmin.Filter{Subject: u.Login}, store.Page{Size: userRequests})
	if err != nil {
		s.fail(c, err)
		return
	}
	for i := range reqs {
		d.Requests = append(d.Requests, rowOf(&reqs[i], l))
	}
	d.RequestsMore = total.N > int64(len(reqs)) || !total.Exact
	if d.SignIns, err = s.db.SignIns(ctx, u.ID, 10); err != nil {
		s.fail(c, err)
		return
	}
	s.page(c, fl.status(), "user", d, fl.flash())
}

// userUnlock clears a profile's lock after the sysadmin confirmed it, and
// says whose.
func (s *Server) userUnlock(c *gin.Context) {
	u, err := s.userOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	back := "/users/" + strconv.FormatInt(u.ID, 10)
	if c.PostForm("confirm") == "" {
		s.redirectWith(c, back, &formFlash{Status: http.StatusUnprocessableEntity, Kind: "error", Text: tr(c, "users.confirm_needed"),
			Fields: []fieldText{{Field: "unlock", Text: tr(c, "users.confirm_needed")}}})
		return
	}
	by := currentUser(c)
	if _, err := s.auth.Unlock(c.Request.Context(), store.Actor{UserID: by.ID, Login: by.Login}, u.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.redirectWith(c, back, &formFlash{Kind: "ok", Text: tr(c, "account.unlocked", "Name", u.Name, "Login", forms.MaskLogin(u.Login))})
}

// userPasswordReset is the sysadmin's direct reset. A link is mailed and
// the page redirects back to the user's page; a temporary password is shown
// once, on this answer only (never stored, not cached), as provisioning
// shows one — a reload finds the password changed and resets nothing.
func (s *Server) userPasswordReset(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, store.ErrUserNotFound)
		return
	}
	back := "/users/" + strconv.FormatInt(id, 10)
	r := useradmin.DirectReset{IdentityChecked: c.PostForm("identity_checked") != "", Reason: c.PostForm("reason"),
		Temporary: c.PostForm("way") == "temporary", Stamp: c.PostForm("stamp")}
	res, err := s.admin.ResetPassword(c.Request.Context(), currentUser(c), id, r)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.CodeOf(err) == apperr.Internal || apperr.Is(err, apperr.Unavailable) {
			s.fail(c, err)
			return
		}
		s.redirectWith(c, back, refusedFlash(lang(c), err, url.Values{"reason": {c.PostForm("reason")}, "way": {c.PostForm("way")}}))
		return
	}
	s.wakeMail()
	name, login := res.User.Name, forms.MaskLogin(res.User.Login)
	if !r.Temporary {
		s.redirectWith(c, back, &formFlash{Kind: "ok", Text: tr(c, "account.reset.done_link", "Name", name, "Login", login, "Email", res.MailedTo)})
		return
	}
	s.render(c, http.StatusOK, "user_temp_password", gin.H{"ID": id, "Name": name, "Login": login,
		"Password": res.TemporaryPassword, "Expires": res.TemporaryExpires, "MailedTo": res.MailedTo})
}
