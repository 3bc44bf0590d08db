package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

var errCrossSite = apperr.New(apperr.Forbidden, "error.cross_site")

func isUnauthorized(err error) bool { return apperr.Is(err, apperr.Unauthorized) }

// loginForm is the login page's data.
type loginForm struct {
	Login   string
	Next    string
	Error   string
	Message string
	Notice  string // why the user is here: a page they opened needs a login
	// SelfService: the forgotten-password page offers a link by mail.
	SelfService bool
}

func (s *Server) loginPage(c *gin.Context) {
	if currentUser(c) != nil {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	f := loginForm{Next: localPath(c.Query("next")), SelfService: s.auth.SelfService()}
	status := http.StatusOK
	switch note := s.takeNote(c); {
	case note != nil && note.Kind == "error":
		// A refused login, redirected here: why, and the login typed
		// (never the password). The answer stays 401 for scripts.
		f.Error, f.Login, status = note.Text, note.value("login"), http.StatusUnauthorized
	case c.Query("bye") != "":
		f.Message = tr(c, "login.bye")
	case c.Query("set") != "":
		f.Message = tr(c, "login.password_set")
	case c.Query("next") != "" && f.Next != "/":
		f.Notice = tr(c, "account.login.continue")
	}
	s.render(c, status, "login", f)
}

func (s *Server) login(c *gin.Context) {
	f := loginForm{Login: c.PostForm("login"), Next: localPath(c.PostForm("next")), SelfService: s.auth.SelfService()}
	token, u, err := s.auth.Login(c.Request.Context(), f.Login, c.PostForm("password"), c.ClientIP(), store.SessionWeb)
	s.metrics.login("web", err)
	if err != nil {
		if !isUnauthorized(err) {
			s.fail(c, err)
			return
		}
		// Back to the login page (post/redirect/get), so that a reload
		// does not send the password again.
		s.loginFailed(c, f.Login)
		back := "/login"
		if f.Next != "/" {
			back += "?next=" + url.QueryEscape(f.Next)
		}
		s.redirectNote(c, back, prgNote{Kind: "error", Text: apperr.As(err).Message(lang(c)), Values: map[string]string{"login": f.Login}})
		return
	}
	s.setSessionCookie(c, token)
	if u.MustChange {
		c.Redirect(http.StatusSeeOther, "/password")
		return
	}
	c.Redirect(http.StatusSeeOther, f.Next)
}

// loginFailed logs a failed login, from the form or the API alike: the
// login masked (what was typed may be a password in the wrong box), the
// address.
func (s *Server) loginFailed(c *gin.Context, login string) {
	s.log.Info("login failed", "login", forms.MaskLogin(login), "ip", c.ClientIP())
}

func (s *Server) logout(c *gin.Context) {
	if t, ok := c.Get(ctxToken); ok {
		if err := s.auth.EndSession(c.Request.Context(), t.(string)); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/login?bye=1")
}

// passwordForm is the data of the change-password and set-password pages.
type passwordForm struct {
	Token  string // the one-time link's token (set-password page only)
	Forced bool   // the user may do nothing else until it is changed
	Errors map[string]string
	Holder *linkHolder // whose account the link is for (set-password page)
	Bad    string      // why the link cannot be used (set-password page)
}

// linkHolder is whose account a set-password link sets, as the page tells
// its reader before they type anything.
type linkHolder struct {
	Name    string
	Login   string // masked
	IsMyKad bool   // the login is the MyKad number
}

func (s *Server) passwordPage(c *gin.Context) {
	f := passwordForm{Forced: currentUser(c).MustChange}
	status := http.StatusOK
	if fl := s.takeFlash(c); fl != nil && fl.Kind == "error" {
		// A refused change, redirected here.
		f.Errors, status = map[string]string{}, fl.status()
		for _, ft := range fl.Fields {
			f.Errors[ft.Field] = ft.Text
		}
		if len(fl.Fields) == 0 {
			f.Errors[""] = fl.Text
		}
	}
	s.render(c, status, "password", f)
}

func (s *Server) changePassword(c *gin.Context) {
	u := currentUser(c)
	next := c.PostForm("new_password")
	// A refusal goes back to the page (post/redirect/get): a reload sends
	// no password again.
	if next != c.PostForm("confirm_password") {
		s.redirectWith(c, "/password", &formFlash{Status: http.StatusUnprocessableEntity, Kind: "error", Text: tr(c, "password.mismatch"),
			Fields: []fieldText{{Field: "confirm_password", Text: tr(c, "password.mismatch")}}})
		return
	}
	if err := s.auth.ChangePassword(c.Request.Context(), u.ID, c.PostForm("current_password"), next); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.redirectWith(c, "/password", refusedFlash(lang(c), err, nil))
			return
		}
		s.fail(c, err)
		return
	}
	// Every session ended with the change; this browser gets a new one.
	token, err := s.auth.NewSession(c.Request.Context(), u.ID, store.SessionWeb, c.ClientIP())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setSessionCookie(c, token)
	c.Redirect(http.StatusSeeOther, "/?changed=1")
}

// setPasswordPage is where a one-time link leads: it says whose account the
// link sets and that the login is the MyKad number, or, before anything is
// typed, that the link was used, has expired or is not valid (410).
func (s *Server) setPasswordPage(c *gin.Context) {
	f := passwordForm{Token: c.Query("token")}
	note := s.takeNote(c)
	u, err := s.auth.LinkHolder(c.Request.Context(), f.Token)
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			s.fail(c, err)
			return
		}
		f.Bad = apperr.As(err).Message(lang(c))
		s.render(c, http.StatusGone, "password_set", f)
		return
	}
	_, isMyKad, _ := forms.ParseLogin(u.Login)
	f.Holder = &linkHolder{Name: u.Name, Login: forms.MaskLogin(u.Login), IsMyKad: isMyKad}
	if note != nil {
		f.Errors = note.errors()
	}
	s.render(c, http.StatusOK, "password_set", f)
}

// setPassword uses a one-time link. Whatever the outcome it redirects
// (post/redirect/get): to the login page once the password is set, else
// back to the link's page, which shows why.
func (s *Server) setPassword(c *gin.Context) {
	token := c.PostForm("token")
	back := "/password/set?token=" + url.QueryEscape(token)
	next := c.PostForm("new_password")
	if next != c.PostForm("confirm_password") {
		s.redirectNote(c, back, prgNote{Kind: "error", Text: tr(c, "error.fix_fields"),
			Fields: map[string]string{"confirm_password": tr(c, "password.mismatch")}})
		return
	}
	if _, err := s.auth.UsePasswordToken(c.Request.Context(), token, next); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.failNote(c, back, err, nil)
			return
		}
		s.fail(c, err)
		return
	}
	s.clearSessionCookie(c)
	c.Redirect(http.StatusSeeOther, "/login?set=1")
}

// fieldMessages returns an Invalid error's messages by field, in the user's
// language; a message with no field goes under "".
func fieldMessages(c *gin.Context, err error) map[string]string {
	e := apperr.As(err)
	out := map[string]string{}
	for _, f := range e.Fields {
		if _, dup := out[f.Field]; !dup {
			out[f.Field] = f.Message(lang(c))
		}
	}
	if len(e.Fields) == 0 {
		out[""] = e.Message(lang(c))
	}
	return out
}

// API

type tokenRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

func (s *Server) apiTokenCreate(c *gin.Context) {
	var req tokenRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	token, u, err := s.auth.Login(c.Request.Context(), req.Login, req.Password, c.ClientIP(), store.SessionAPI)
	s.metrics.login("api", err)
	if err != nil {
		if isUnauthorized(err) {
			s.loginFailed(c, req.Login)
		}
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"token":                token,
		"expires_at":           s.now().Add(s.auth.Settings().SessionMax).UTC().Format(time.RFC3339),
		"must_change_password": u.MustChange,
	})
}

func (s *Server) apiTokenDelete(c *gin.Context) {
	if err := s.auth.EndSession(c.Request.Context(), c.GetString(ctxToken)); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type passwordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// apiPasswordChange changes the caller's password; like every change, it
// ends all of the user's sessions and tokens, this one included.
func (s *Server) apiPasswordChange(c *gin.Context) {
	var req passwordChangeRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	if err := s.auth.ChangePassword(c.Request.Context(), currentUser(c).ID, req.CurrentPassword, req.NewPassword); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type passwordSetRequest struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

func (s *Server) apiPasswordSet(c *gin.Context) {
	var req passwordSetRequest
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	if _, err := s.auth.UsePasswordToken(c.Request.Context(), req.Token, req.NewPassword); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type meRole struct {
	Role             forms.Role `json:"role"`
	PTJCode          *string    `json:"ptj_code"`
	ApprovalLimitSen int64      `json:"approval_limit_sen"`
}

func (s *Server) apiMe(c *gin.Context) {
	u := currentUser(c)
	roles := []meRole{}
	for _, r := range u.Roles {
		roles = append(roles, meRole{Role: r.Role, PTJCode: r.PTJCode, ApprovalLimitSen: r.ApprovalLimitSen})
	}
	modules := []forms.Module{}
	for _, m := range u.Modules {
		modules = append(modules, m.Module)
	}
	c.JSON(http.StatusOK, gin.H{
		"login": u.Login, "name": u.Name, "email": u.Email, "ptj_code": u.PTJCode,
		"status": u.Status, "roles": roles, "modules": modules,
		"must_change_password": u.MustChange,
	})
}

var errBadJSON = apperr.New(apperr.Invalid, "error.bad_json")
