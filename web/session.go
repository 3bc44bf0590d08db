package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// sessionCookie names the session cookie; over https it takes the __Host-
// prefix, which browsers only accept Secure, host-only and for path /.
func (s *Server) sessionCookie() string {
	if s.cfg.Secure() {
		return "__Host-ispeks"
	}
	return "ispeks_session"
}

// authenticate finds who is calling: the bearer token on /api/, the session
// cookie elsewhere (a cookie is never accepted by the API, so that a page of
// another site cannot call it with the user's cookie). An expired or unknown
// token is simply no user; the route's rule decides what that means.
func (s *Server) authenticate(c *gin.Context) {
	var token string
	if isAPI(c) {
		if h := c.GetHeader("Authorization"); strings.HasPrefix(h, "Bearer ") {
			token = strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
		}
	} else if v, err := c.Cookie(s.sessionCookie()); err == nil {
		token = v
	}
	if token == "" {
		c.Next()
		return
	}
	sess, u, err := s.auth.SessionUser(c.Request.Context(), token)
	if err != nil {
		if !isUnauthorized(err) {
			s.fail(c, err)
			return
		}
		if !isAPI(c) {
			s.clearSessionCookie(c)
		}
		c.Next()
		return
	}
	c.Set(ctxUser, u)
	c.Set(ctxSession, sess)
	c.Set(ctxToken, token)
	c.Set(ctxUserID, u.ID)
	c.Next()
}

func (s *Server) setSessionCookie(c *gin.Context, token string) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.sessionCookie(), Value: token, Path: "/",
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode,
		MaxAge: int(s.auth.Settings().SessionMax.Seconds()),
	})
}

func (s *Server) clearSessionCookie(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: s.sessionCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode,
	})
}

// csrf refuses state-changing requests that a browser sent from another
// site, using the standard library's cross-origin protection (Fetch metadata
// and Origin checks; no tokens to leak or forget in a form).
func (s *Server) csrf(c *gin.Context) {
	if err := s.crossOrigin.Check(c.Request); err != nil {
		s.fail(c, errCrossSite)
		return
	}
	c.Next()
}
