package web_test

// The rows of accounts in daily use (issue 14): the forgotten-password page
// and API are for everybody (their answer is the same whatever the login);
// a user's page is for those who read the users list, and its reset for
// system administrators (its unlock's row is in access_test.go).
func init() {
	for k, v := range map[string]access{
		"GET /password/forgot":              {"/password/forgot", publicOnly},
		"POST /password/forgot":             {"/password/forgot", publicOnly},
		"POST /api/v1/auth/password/forgot": {"/api/v1/auth/password/forgot", publicOnly},
		"GET /users/:id":                    {"/users/999999", only(sysadmin, auditor)},
		"POST /users/:id/password-reset":    {"/users/999999/password-reset", only(sysadmin)},
	} {
		accessMatrix[k] = v
	}
}
