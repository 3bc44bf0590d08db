package web_test

// The eMaklum rows of the access matrix. Who sees which payment is the
// module's rule: the module (the employee persona holds every module)
// shows one's own and one's PTJ's payments, a treasury role every payment;
// the role personas hold no module, so a PTJ representative or officer
// without it is refused (403) by the domain, while a voucher the caller
// may look for but does not exist answers 404, which is not a refusal.
func init() {
	maklum := only(employee, treasury, sysadmin)
	for k, v := range map[string]access{
		"GET /emaklum":                      {"/emaklum", maklum},
		"GET /emaklum/export.csv":           {"/emaklum/export.csv", maklum},
		"GET /emaklum/vouchers/:voucher_no": {"/emaklum/vouchers/V999999", maklum},
		"GET /emaklum/settings":             {"/emaklum/settings", only(employee)},
		"POST /emaklum/settings":            {"/emaklum/settings", only(employee)},
		"GET /emaklum/import":               {"/emaklum/import", only(sysadmin)},
		"POST /emaklum/import":              {"/emaklum/import", only(sysadmin)},
		"GET /emaklum/imports/:id":          {"/emaklum/imports/999999", only(sysadmin)},
		"GET /emaklum/semak":                {"/emaklum/semak", publicOnly},
		"POST /emaklum/semak":               {"/emaklum/semak", publicOnly},
		"POST /api/v1/payments/imports":     {"/api/v1/payments/imports", only(sysadmin)},
		"GET /api/v1/payments":              {"/api/v1/payments", maklum},
		"GET /api/v1/payments/:voucher_no":  {"/api/v1/payments/V999999", maklum},
		"POST /api/v1/payments/status":      {"/api/v1/payments/status", publicOnly},
	} {
		accessMatrix[k] = v
	}
}
