package store

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"syscall"
	"time"
)

// announce records this process in processes, once, on a SQLite file (a
// database not migrated yet has no such table: Migrate announces it then),
// and removes the rows of processes that died without Close. Other
// processes' jobs read it (othersWrite).
func (db *DB) announce(ctx context.Context) {
	if db.sqlitePath == "" || db.presence != "" {
		return
	}
	name := fmt.Sprintf("%d:%s", os.Getpid(), rand.Text())
	if _, err := db.bun.NewRaw("INSERT INTO processes (name, pid, started_at) VALUES (?, ?, ?)",
		name, os.Getpid(), time.Now().UTC()).Exec(ctx); err != nil {
		return
	}
	db.presence = name
	var pids []int
	_ = db.bun.NewRaw("SELECT DISTINCT pid FROM processes").Scan(ctx, &pids)
	for _, pid := range pids {
		if !running(pid) {
			_, _ = db.bun.NewRaw("DELETE FROM processes WHERE pid = ?", pid).Exec(ctx)
		}
	}
}

// running reports whether process pid exists: signal 0 checks it, and
// EPERM is one that exists under another user.
func running(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || err == syscall.EPERM
}

// withdraw removes this process from processes, at Close.
func (db *DB) withdraw(ctx context.Context) {
	if db.presence != "" {
		_, _ = db.bun.NewRaw("DELETE FROM processes WHERE name = ?", db.presence).Exec(ctx)
	}
}

// othersWrite reports whether another process of the portal has the
// SQLite file open (one whose pid still runs): its writes wait for the
// writer in SQLite's busy handler, where this process does not see them.
func (db *DB) othersWrite(ctx context.Context) bool {
	var pids []int
	if err := db.read.NewRaw("SELECT pid FROM processes WHERE name <> ?", db.presence).Scan(ctx, &pids); err != nil {
		return true // unknown: as if there were
	}
	for _, pid := range pids {
		if running(pid) {
			return true
		}
	}
	return false
}
