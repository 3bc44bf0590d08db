package web_test

// The daily-requests rows of the access matrix: a request's replies and
// supporting documents are changed by PTJ representatives (the domain then
// narrows to the request's own PTJ), downloaded by whoever may see the
// request (a missing one answers 404, which is not a refusal); the audit
// log's CSV is for those who read the audit page.
func init() {
	for k, v := range map[string]access{
		"POST /requests/:id/reply":                   {"/requests/999999/reply", only(ptjRep)},
		"POST /requests/:id/attachments":             {"/requests/999999/attachments", only(ptjRep)},
		"GET /requests/:id/attachments/:aid":         {"/requests/999999/attachments/999999", changed},
		"POST /requests/:id/attachments/:aid/remove": {"/requests/999999/attachments/999999/remove", only(ptjRep)},
		"GET /audit/export.csv":                      {"/audit/export.csv", only(auditor, sysadmin)},
	} {
		accessMatrix[k] = v
	}
}
