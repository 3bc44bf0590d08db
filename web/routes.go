package web

import (
	"net/http"

	"github.com/perbendaharaan/ispeks/templates"
)

// routes lists every route of the portal with its access rule, so that the
// whole surface is seen in one place. Rules: Public (anyone), Anyone (logged
// in, even before a forced password change), LoggedIn (logged in, password
// changed), RoleIn(...) and ModuleFor(...).
func (s *Server) routes() {
	r := s.router
	r.Use(s.recovery(), requestLog(s.log), securityHeaders(s.cfg.Secure()), s.csrf, s.authenticate)
	r.NoRoute(s.notFound)
	r.NoMethod(s.notFound)

	// Probes and static files sit outside the route table: no session, no rule.
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.StaticFS("/static", http.FS(mustSub(templates.Static, "static")))

	pages := &r.RouterGroup
	s.handle(pages, "GET", "/", Public, s.home)
	s.handle(pages, "GET", "/lang/:lang", Public, s.setLang)
	s.handle(pages, "GET", "/login", Public, s.loginPage)
	s.handle(pages, "POST", "/login", Public, s.login)
	s.handle(pages, "POST", "/logout", Anyone, s.logout)
	s.handle(pages, "GET", "/password", Anyone, s.passwordPage)
	s.handle(pages, "POST", "/password", Anyone, s.changePassword)
	s.handle(pages, "GET", "/password/set", Public, s.setPasswordPage)
	s.handle(pages, "POST", "/password/set", Public, s.setPassword)

	api := r.Group("/api/v1")
	s.handle(api, "POST", "/auth/token", Public, s.apiTokenCreate)
	s.handle(api, "DELETE", "/auth/token", Anyone, s.apiTokenDelete)
	s.handle(api, "POST", "/auth/password", Anyone, s.apiPasswordChange)
	s.handle(api, "POST", "/auth/password/set", Public, s.apiPasswordSet)
	s.handle(api, "GET", "/me", Anyone, s.apiMe)
}
