package store

// SetAuditGatherBelow sets auditGatherBelow for a test and returns what
// puts it back.
func SetAuditGatherBelow(n int64) (restore func()) {
	was := auditGatherBelow
	auditGatherBelow = n
	return func() { auditGatherBelow = was }
}

// SetCommonMatches sets commonMatches for a test and returns what puts it
// back.
func SetCommonMatches(n int64) (restore func()) {
	was := commonMatches
	commonMatches = n
	return func() { commonMatches = was }
}

// SetNamesWindow sets namesWindow for a test and returns what puts it back.
func SetNamesWindow(n int) (restore func()) {
	was := namesWindow
	namesWindow = n
	return func() { namesWindow = was }
}

// SetAuditWalkBound sets auditWalkBound of both databases for a test and returns what puts it
// back.
func SetAuditWalkBound(n int) (restore func()) {
	was := auditWalkBound
	auditWalkBound = map[Dialect]int{Postgres: n, SQLite: n}
	return func() { auditWalkBound = was }
}
