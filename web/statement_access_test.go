package web_test

// The eEC routes in the access matrix: an employee's own Borang EC needs
// the module (the role personas hold none); the mapping is the treasury's
// (treasury approvers and sysadmins); generating and publishing a year are
// the sysadmin's; the years and who has a statement are also read by
// auditors (totals per PTJ only by the treasury, the module's rule, shown
// or not on the same page).
func init() {
	ops := only(treasury, sysadmin, auditor)
	mapping := only(treasury, sysadmin)
	for k, v := range map[string]access{
		"GET /eec":                              {"/eec", only(employee)},
		"GET /eec/:year":                        {"/eec/2025", only(employee)},
		"GET /eec/:year/pdf":                    {"/eec/2025/pdf", only(employee)},
		"GET /ec/years":                         {"/ec/years", ops},
		"POST /ec/years":                        {"/ec/years", only(sysadmin)},
		"GET /ec/years/:year":                   {"/ec/years/2025", ops},
		"POST /ec/years/:year/publish":          {"/ec/years/2025/publish", only(sysadmin)},
		"GET /ec/mapping":                       {"/ec/mapping", mapping},
		"POST /ec/mapping":                      {"/ec/mapping", mapping},
		"POST /ec/mapping/code":                 {"/ec/mapping/code", mapping},
		"GET /ec/mapping.csv":                   {"/ec/mapping.csv", mapping},
		"GET /api/v1/statements":                {"/api/v1/statements", only(employee)},
		"GET /api/v1/statements/:year":          {"/api/v1/statements/2025", only(employee)},
		"GET /api/v1/statements/:year/pdf":      {"/api/v1/statements/2025/pdf", only(employee)},
		"POST /api/v1/statements/:year/publish": {"/api/v1/statements/2025/publish", only(sysadmin)},
	} {
		accessMatrix[k] = v
	}
}
