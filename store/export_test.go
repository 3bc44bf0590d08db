package store

// SetAuditGatherBelow sets auditGatherBelow for a test and returns what
// puts it back.
func SetAuditGatherBelow(n int64) (restore func()) {
	was := auditGatherBelow
	auditGatherBelow = n
	return func() { auditGatherBelow = was }
}
