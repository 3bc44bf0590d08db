package web

import (
	"net/http"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/templates"
	"github.com/perbendaharaan/ispeks/workflow"
)

// routes lists every route of the portal with its access rule, so that the
// whole surface is seen in one place. Rules: Public (anyone), Anyone (logged
// in, even before a forced password change), LoggedIn (logged in, password
// changed), RoleIn(...) and ModuleFor(...). A route with .nav(key) is in the
// navigation bar, offered to whom its rule (or the rule given) lets in.
// Every route's input passes the edge first (edge.go): its body is limited
// (64 KiB; .bodyLimit(n) for another limit, .upload() for a file import up
// to --upload-limit), and text with control characters, bidi overrides or
// invalid UTF-8 is refused in every field (.multiline(fields…) lets a
// field hold line breaks; remarks and justification always may).
func (s *Server) routes() {
	r := s.router
	r.Use(s.recovery(), s.metrics.measure, requestLog(s.log), securityHeaders(s.cfg.Secure()), s.csrf, s.authenticate)
	r.NoRoute(s.notFound)
	r.NoMethod(s.notFound)

	// Probes and static files sit outside the route table: no session, no rule.
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	r.StaticFS("/static", http.FS(mustSub(templates.Static, "static")))
	r.GET("/favicon.ico", s.favicon)

	// Who the workflow pages are offered to: the roles that act at a stage
	// (and today's delegates), and the auditors who read the requests.
	acting := Rule{Roles: workflow.ActingRoles(), Delegates: true}
	reading := Rule{Roles: append(workflow.ActingRoles(), forms.RoleAuditor), Delegates: true}

	pages := &r.RouterGroup
	s.handle(pages, "GET", "/", Public, s.home)
	s.handle(pages, "GET", "/lang/:lang", Public, s.setLang)
	s.handle(pages, "POST", "/lang/:lang", Public, s.setLang)
	s.handle(pages, "GET", "/login", Public, s.loginPage)
	s.handle(pages, "POST", "/login", Public, s.login).bodyLimit(credentialBody)
	s.handle(pages, "POST", "/logout", Anyone, s.logout)
	s.handle(pages, "GET", "/password/set", Public, s.setPasswordPage)
	s.handle(pages, "POST", "/password/set", Public, s.setPassword).bodyLimit(credentialBody)
	s.handle(pages, "GET", "/password/forgot", Public, s.forgotPage)
	s.handle(pages, "POST", "/password/forgot", Public, s.forgotPassword).bodyLimit(credentialBody)

	// The Borang workflow. Who may see which request, and who may fire which
	// event on it, is the domain's rule (a delegate may hold no role of their
	// own), so the routes every participant uses are LoggedIn; the others
	// name their roles here.
	s.handle(pages, "GET", "/inbox", LoggedIn, s.inboxPage).nav("nav.inbox", acting)
	s.handle(pages, "POST", "/inbox/approve", LoggedIn, s.inboxApprove)
	s.handle(pages, "GET", "/requests", LoggedIn, s.requestList).nav("nav.requests", reading)
	s.handle(pages, "GET", "/requests/export.csv", RoleIn(forms.RoleTreasuryApprover, forms.RoleSysadmin, forms.RoleAuditor), s.requestExport)
	s.handle(pages, "GET", "/requests/new", RoleIn(forms.RolePTJRep), s.requestNewPage).nav("nav.request_new")
	s.handle(pages, "POST", "/requests/new", RoleIn(forms.RolePTJRep), s.requestCreate).bodyLimit(attachmentBody(s.cfg))
	s.handle(pages, "GET", "/requests/:id", LoggedIn, s.requestPage)
	s.handle(pages, "GET", "/requests/:id/print", LoggedIn, s.requestPrint)
	s.handle(pages, "GET", "/requests/:id/edit", RoleIn(forms.RolePTJRep), s.requestEditPage)
	s.handle(pages, "POST", "/requests/:id/edit", RoleIn(forms.RolePTJRep), s.requestEdit).bodyLimit(attachmentBody(s.cfg))
	s.handle(pages, "POST", "/requests/:id/action", LoggedIn, s.requestAct)
	s.handle(pages, "POST", "/requests/:id/reply", RoleIn(forms.RolePTJRep), s.requestReply)
	// Supporting documents: seen by whoever sees the request (the domain's
	// rule), changed by its PTJ's representatives while it is theirs.
	s.handle(pages, "POST", "/requests/:id/attachments", RoleIn(forms.RolePTJRep), s.attachmentUpload).bodyLimit(attachmentBody(s.cfg))
	s.handle(pages, "GET", "/requests/:id/attachments/:aid", LoggedIn, s.attachmentDownload)
	s.handle(pages, "POST", "/requests/:id/attachments/:aid/remove", RoleIn(forms.RolePTJRep), s.attachmentRemove)
	s.handle(pages, "GET", "/delegations", RoleIn(forms.RoleControllingOfficer), s.delegationsPage).nav("nav.delegations")
	s.handle(pages, "POST", "/delegations", RoleIn(forms.RoleControllingOfficer), s.delegationCreate)
	s.handle(pages, "POST", "/delegations/:id/revoke", RoleIn(forms.RoleControllingOfficer), s.delegationRevoke)

	// Operations: profiles, the audit log, mail.
	s.handle(pages, "GET", "/users", RoleIn(forms.RoleSysadmin, forms.RoleAuditor), s.usersPage).nav("nav.users")
	s.handle(pages, "GET", "/users/:id", RoleIn(forms.RoleSysadmin, forms.RoleAuditor), s.userPage)
	s.handle(pages, "POST", "/users/:id/unlock", RoleIn(forms.RoleSysadmin), s.userUnlock)
	s.handle(pages, "POST", "/users/:id/password-reset", RoleIn(forms.RoleSysadmin), s.userPasswordReset).multiline("reason")
	s.handle(pages, "GET", "/audit", RoleIn(forms.RoleAuditor, forms.RoleSysadmin), s.auditPage).nav("nav.audit")
	s.handle(pages, "GET", "/audit/export.csv", RoleIn(forms.RoleAuditor, forms.RoleSysadmin), s.auditExport)
	s.handle(pages, "GET", "/ops/mail", RoleIn(forms.RoleSysadmin), s.mailOpsPage).nav("nav.mail_ops")
	s.handle(pages, "POST", "/ops/mail/:id/retry", RoleIn(forms.RoleSysadmin), s.mailRetry)

	// The modules' routes answer 404 and leave the navigation when their
	// service is not there (needs).
	hasSlips, hasEC, hasPay := s.slips != nil, s.ec != nil, s.pay != nil

	// ePayslip (slip gaji): each employee's own slips; the payroll's import
	// and publication for sysadmins; months, imports and totals per PTJ
	// (never a person's amounts) for the treasury and auditors too.
	payroll := RoleIn(forms.RoleSysadmin, forms.RoleTreasuryApprover, forms.RoleAuditor)
	s.handle(pages, "GET", "/epayslip", ModuleFor(forms.ModulePayslip), s.payslipList).needs(hasSlips).nav("nav.my_payslips")
	s.handle(pages, "GET", "/epayslip/pdf", ModuleFor(forms.ModulePayslip), s.payslipPDFSelection).needs(hasSlips)
	s.handle(pages, "GET", "/epayslip/:month", ModuleFor(forms.ModulePayslip), s.payslipPage).needs(hasSlips)
	s.handle(pages, "GET", "/epayslip/:month/pdf", ModuleFor(forms.ModulePayslip), s.payslipPDF).needs(hasSlips)
	s.handle(pages, "GET", "/payroll", payroll, s.payrollPage).needs(hasSlips).nav("nav.payroll")
	s.handle(pages, "POST", "/payroll/imports", RoleIn(forms.RoleSysadmin), s.payrollUpload).needs(hasSlips).upload()
	s.handle(pages, "GET", "/payroll/imports/:id", payroll, s.payrollImportPage).needs(hasSlips)
	s.handle(pages, "GET", "/payroll/jobs/:id", RoleIn(forms.RoleSysadmin), s.payrollJobPage).needs(hasSlips)
	s.handle(pages, "GET", "/payroll/months/:month", payroll, s.payrollMonthPage).needs(hasSlips)
	s.handle(pages, "POST", "/payroll/months/:month/publish", RoleIn(forms.RoleSysadmin), s.payrollPublish).needs(hasSlips)

	// eEC (Borang EC): each employee's own statements; the mapping of pay
	// item codes to the form's lines for the treasury; generation and
	// publication for sysadmins; the years, their item codes and who has a
	// statement for the treasury and auditors (totals per PTJ: the
	// treasury only, the module's rule).
	ecOps := RoleIn(forms.RoleSysadmin, forms.RoleTreasuryApprover, forms.RoleAuditor)
	ecMapping := RoleIn(forms.RoleTreasuryApprover, forms.RoleSysadmin)
	s.handle(pages, "GET", "/eec", ModuleFor(forms.ModuleEC), s.ecList).needs(hasEC).nav("nav.my_ec")
	s.handle(pages, "GET", "/eec/:year", ModuleFor(forms.ModuleEC), s.ecPage).needs(hasEC)
	s.handle(pages, "GET", "/eec/:year/pdf", ModuleFor(forms.ModuleEC), s.ecPDF).needs(hasEC)
	s.handle(pages, "GET", "/ec/years", ecOps, s.ecYearsPage).needs(hasEC).nav("nav.ec")
	s.handle(pages, "POST", "/ec/years", RoleIn(forms.RoleSysadmin), s.ecGenerate).needs(hasEC)
	s.handle(pages, "GET", "/ec/years/:year", ecOps, s.ecYearPage).needs(hasEC)
	s.handle(pages, "POST", "/ec/years/:year/publish", RoleIn(forms.RoleSysadmin), s.ecPublish).needs(hasEC)
	s.handle(pages, "GET", "/ec/mapping", ecMapping, s.ecMappingPage).needs(hasEC).nav("nav.ec_mapping")
	s.handle(pages, "POST", "/ec/mapping", ecMapping, s.ecMappingUpload).needs(hasEC).upload()
	s.handle(pages, "POST", "/ec/mapping/code", ecMapping, s.ecMappingSet).needs(hasEC)
	s.handle(pages, "GET", "/ec/mapping.csv", ecMapping, s.ecMappingCSV).needs(hasEC)

	// eMaklum (status pembayaran). Who sees which payment is the module's
	// rule (the module shows one's own and one's PTJ's, a treasury role
	// every payment), so the lists are LoggedIn and answer 403 to a user
	// with neither; module holders reach them from their home tile, the
	// treasury from the navigation. The status check is public.
	maklumAll := RoleIn(forms.RoleTreasuryApprover, forms.RoleSysadmin)
	s.handle(pages, "GET", "/emaklum", LoggedIn, s.paymentList).needs(hasPay).nav("nav.emaklum", maklumAll)
	s.handle(pages, "GET", "/emaklum/export.csv", LoggedIn, s.paymentExport).needs(hasPay)
	s.handle(pages, "GET", "/emaklum/vouchers/:voucher_no", LoggedIn, s.paymentPage).needs(hasPay)
	s.handle(pages, "GET", "/emaklum/settings", ModuleFor(forms.ModuleMaklum), s.paymentSettingsPage).needs(hasPay)
	s.handle(pages, "POST", "/emaklum/settings", ModuleFor(forms.ModuleMaklum), s.paymentSettingsSave).needs(hasPay)
	s.handle(pages, "GET", "/emaklum/import", RoleIn(forms.RoleSysadmin), s.paymentImportPage).needs(hasPay).nav("nav.emaklum_import")
	s.handle(pages, "POST", "/emaklum/import", RoleIn(forms.RoleSysadmin), s.paymentImportUpload).needs(hasPay).upload()
	s.handle(pages, "GET", "/emaklum/imports/:id", RoleIn(forms.RoleSysadmin), s.paymentImportResult).needs(hasPay)
	s.handle(pages, "GET", "/emaklum/semak", Public, s.paymentCheckPage).needs(hasPay)
	s.handle(pages, "POST", "/emaklum/semak", Public, s.paymentCheck).needs(hasPay)

	// One's own password: last in the navigation, after the modules.
	s.handle(pages, "GET", "/password", Anyone, s.passwordPage).nav("nav.password", LoggedIn)
	s.handle(pages, "POST", "/password", Anyone, s.changePassword).bodyLimit(credentialBody)

	// Monitoring, for Prometheus: not a user's page.
	s.handle(pages, "GET", "/metrics", Monitor, s.metricsPage)

	api := r.Group("/api/v1")
	s.handle(api, "POST", "/auth/token", Public, s.apiTokenCreate).bodyLimit(credentialBody)
	s.handle(api, "DELETE", "/auth/token", Anyone, s.apiTokenDelete)
	s.handle(api, "POST", "/auth/password", Anyone, s.apiPasswordChange).bodyLimit(credentialBody)
	s.handle(api, "POST", "/auth/password/set", Public, s.apiPasswordSet).bodyLimit(credentialBody)
	s.handle(api, "POST", "/auth/password/forgot", Public, s.apiPasswordForgot).bodyLimit(credentialBody)
	s.handle(api, "GET", "/me", Anyone, s.apiMe)
	s.handle(api, "POST", "/requests", RoleIn(forms.RolePTJRep), s.apiRequestCreate)
	s.handle(api, "GET", "/requests", LoggedIn, s.apiRequestList)
	s.handle(api, "GET", "/requests/:id", LoggedIn, s.apiRequestGet)
	s.handle(api, "PUT", "/requests/:id", RoleIn(forms.RolePTJRep), s.apiRequestAmend)
	s.handle(api, "POST", "/requests/:id/actions", LoggedIn, s.apiRequestAct)
	s.handle(api, "POST", "/delegations", RoleIn(forms.RoleControllingOfficer), s.apiDelegationCreate)

	// ePayslip API.
	s.handle(api, "POST", "/payroll/imports", RoleIn(forms.RoleSysadmin), s.apiPayrollImport).needs(hasSlips).upload()
	s.handle(api, "POST", "/payroll/months/:month/publish", RoleIn(forms.RoleSysadmin), s.apiPayrollPublish).needs(hasSlips)
	s.handle(api, "GET", "/payslips", ModuleFor(forms.ModulePayslip), s.apiPayslipList).needs(hasSlips)
	s.handle(api, "GET", "/payslips/:month", ModuleFor(forms.ModulePayslip), s.apiPayslipGet).needs(hasSlips)
	s.handle(api, "GET", "/payslips/:month/pdf", ModuleFor(forms.ModulePayslip), s.apiPayslipPDF).needs(hasSlips)

	// eEC API.
	s.handle(api, "GET", "/statements", ModuleFor(forms.ModuleEC), s.apiStatementList).needs(hasEC)
	s.handle(api, "GET", "/statements/:year", ModuleFor(forms.ModuleEC), s.apiStatementGet).needs(hasEC)
	s.handle(api, "GET", "/statements/:year/pdf", ModuleFor(forms.ModuleEC), s.apiStatementPDF).needs(hasEC)
	s.handle(api, "POST", "/statements/:year/publish", RoleIn(forms.RoleSysadmin), s.apiStatementPublish).needs(hasEC)

	// eMaklum API.
	s.handle(api, "POST", "/payments/imports", RoleIn(forms.RoleSysadmin), s.apiPaymentImport).needs(hasPay).upload()
	s.handle(api, "GET", "/payments", LoggedIn, s.apiPaymentList).needs(hasPay)
	s.handle(api, "GET", "/payments/:voucher_no", LoggedIn, s.apiPaymentGet).needs(hasPay)
	s.handle(api, "POST", "/payments/status", Public, s.apiPaymentStatus).needs(hasPay)
}
