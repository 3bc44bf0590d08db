package web_test

// The ePayslip routes in the access matrix: an employee's own slips need
// the module (the role personas hold none); the payroll's import and
// publication are the sysadmin's; the months, imports and totals per PTJ
// are also read by treasury approvers and auditors.
func init() {
	for k, v := range map[string]access{
		"GET /epayslip":                              {"/epayslip", only(employee)},
		"GET /epayslip/pdf":                          {"/epayslip/pdf?month=2026-10", only(employee)},
		"GET /epayslip/:month":                       {"/epayslip/2026-10", only(employee)},
		"GET /epayslip/:month/pdf":                   {"/epayslip/2026-10/pdf", only(employee)},
		"GET /payroll":                               {"/payroll", only(treasury, sysadmin, auditor)},
		"POST /payroll/imports":                      {"/payroll/imports", only(sysadmin)},
		"GET /payroll/imports/:id":                   {"/payroll/imports/999999", only(treasury, sysadmin, auditor)},
		"GET /payroll/jobs/:id":                      {"/payroll/jobs/x", only(sysadmin)},
		"GET /payroll/months/:month":                 {"/payroll/months/2026-10", only(treasury, sysadmin, auditor)},
		"POST /payroll/months/:month/publish":        {"/payroll/months/2026-10/publish", only(sysadmin)},
		"POST /api/v1/payroll/imports":               {"/api/v1/payroll/imports", only(sysadmin)},
		"POST /api/v1/payroll/months/:month/publish": {"/api/v1/payroll/months/2026-10/publish", only(sysadmin)},
		"GET /api/v1/payslips":                       {"/api/v1/payslips", only(employee)},
		"GET /api/v1/payslips/:month":                {"/api/v1/payslips/2026-10", only(employee)},
		"GET /api/v1/payslips/:month/pdf":            {"/api/v1/payslips/2026-10/pdf", only(employee)},
	} {
		accessMatrix[k] = v
	}
}
