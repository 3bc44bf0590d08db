package store

import (
	"path/filepath"
	"time"
)

// The tests' handles on the variables that choose how a search reads its
// pages, so that one search can be read every way. Each sets its variable
// and returns what puts it back.

func SetAuditGatherBelow(n int64) (restore func()) { return setForTest(&auditGatherBelow, n) }
func SetCommonMatches(n int64) (restore func())    { return setForTest(&commonMatches, n) }
func SetCountApartAbove(n int64) (restore func())  { return setForTest(&countApartAbove, n) }
func SetNamesWindow(n int) (restore func())        { return setForTest(&namesWindow, n) }
func SetAuditGatherPast(n int64) (restore func())  { return setForTest(&auditGatherPast, n) }

// SetAuditActorsApart sets the most profiles read apart on both databases.
func SetAuditActorsApart(n int) (restore func()) {
	return setForTest(&auditActorsApart, map[Dialect]int{Postgres: n, SQLite: n})
}

// SetAuditWalkBound sets the bound of both databases.
func SetAuditWalkBound(n int) (restore func()) {
	return setForTest(&auditWalkBound, map[Dialect]int{Postgres: n, SQLite: n})
}

// SetPartLanded has fn called after each part of a job's apply lands.
func SetPartLanded(fn func(job string, through int64)) (restore func()) {
	return setForTest(&partLanded, fn)
}

// SetJobSlice sets how long a job's parts hold the writer when no write
// of the process waits, and how long it then leaves it free.
func SetJobSlice(slice, pause time.Duration) (restore func()) {
	a, b := setForTest(&jobSlice, slice), setForTest(&jobPause, pause)
	return func() { a(); b() }
}

// SetAbandonShare sets how many rows an abandonment deletes a transaction.
func SetAbandonShare(n int) (restore func()) { return setForTest(&abandonShare, n) }

// SetBackupPoll sets how often Backup looks for the jobs applying to end.
func SetBackupPoll(d time.Duration) (restore func()) { return setForTest(&backupPoll, d) }

func setForTest[T any](v *T, to T) (restore func()) {
	was := *v
	*v = to
	return func() { *v = was }
}

// StagingFiles lists the staging files beside db's SQLite file.
func StagingFiles(db *DB) []string {
	if db.sqlitePath == "" {
		return nil
	}
	files, _ := filepath.Glob(db.sqlitePath + stagingPrefix + "*")
	return files
}

// UsersWithRoleQuery is the text of UsersWithRole's query on db, with
// its parameters ($1, $2 on PostgreSQL), for a test to explain its plan.
func UsersWithRoleQuery(db *DB, inPTJ bool) string {
	return usersWithRole(inPTJ).build(db.Conn, db.Dialect.paramMarker)
}
