package web

import (
	"net/http"

	"github.com/perbendaharaan/ispeks/forms"
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

	// The Borang workflow. Who may see which request, and who may fire which
	// event on it, is the store's and the workflow's rule (a delegate may hold
	// no role of their own), so the routes every participant uses are
	// LoggedIn; the others name their roles here.
	s.handle(pages, "GET", "/requests", LoggedIn, s.requestList)
	s.handle(pages, "GET", "/requests/export.csv", RoleIn(forms.RoleTreasuryApprover, forms.RoleSysadmin, forms.RoleAuditor), s.requestExport)
	s.handle(pages, "GET", "/requests/new", RoleIn(forms.RolePTJRep), s.requestNewPage)
	s.handle(pages, "POST", "/requests/new", RoleIn(forms.RolePTJRep), s.requestCreate)
	s.handle(pages, "GET", "/requests/:id", LoggedIn, s.requestPage)
	s.handle(pages, "GET", "/requests/:id/print", LoggedIn, s.requestPrint)
	s.handle(pages, "GET", "/requests/:id/edit", RoleIn(forms.RolePTJRep), s.requestEditPage)
	s.handle(pages, "POST", "/requests/:id/edit", RoleIn(forms.RolePTJRep), s.requestEdit)
	s.handle(pages, "POST", "/requests/:id/action", LoggedIn, s.requestAct)
	s.handle(pages, "GET", "/inbox", LoggedIn, s.inboxPage)
	s.handle(pages, "POST", "/inbox/approve", LoggedIn, s.inboxApprove)
	s.handle(pages, "GET", "/delegations", RoleIn(forms.RoleControllingOfficer), s.delegationsPage)
	s.handle(pages, "POST", "/delegations", RoleIn(forms.RoleControllingOfficer), s.delegationCreate)
	s.handle(pages, "POST", "/delegations/:id/revoke", RoleIn(forms.RoleControllingOfficer), s.delegationRevoke)
	s.handle(pages, "GET", "/users", RoleIn(forms.RoleSysadmin, forms.RoleAuditor), s.usersPage)
	s.handle(pages, "POST", "/users/:id/unlock", RoleIn(forms.RoleSysadmin), s.userUnlock)
	s.handle(pages, "GET", "/audit", RoleIn(forms.RoleAuditor, forms.RoleSysadmin), s.auditPage)
	s.handle(pages, "GET", "/ops/mail", RoleIn(forms.RoleSysadmin), s.mailOpsPage)
	s.handle(pages, "POST", "/ops/mail/:id/retry", RoleIn(forms.RoleSysadmin), s.mailRetry)

	api := r.Group("/api/v1")
	s.handle(api, "POST", "/auth/token", Public, s.apiTokenCreate)
	s.handle(api, "DELETE", "/auth/token", Anyone, s.apiTokenDelete)
	s.handle(api, "POST", "/auth/password", Anyone, s.apiPasswordChange)
	s.handle(api, "POST", "/auth/password/set", Public, s.apiPasswordSet)
	s.handle(api, "GET", "/me", Anyone, s.apiMe)
	s.handle(api, "POST", "/requests", RoleIn(forms.RolePTJRep), s.apiRequestCreate)
	s.handle(api, "GET", "/requests", LoggedIn, s.apiRequestList)
	s.handle(api, "GET", "/requests/:id", LoggedIn, s.apiRequestGet)
	s.handle(api, "PUT", "/requests/:id", RoleIn(forms.RolePTJRep), s.apiRequestAmend)
	s.handle(api, "POST", "/requests/:id/actions", LoggedIn, s.apiRequestAct)
	s.handle(api, "POST", "/delegations", RoleIn(forms.RoleControllingOfficer), s.apiDelegationCreate)
}
