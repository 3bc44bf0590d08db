package config

import "runtime/debug"

// GCPercent is the garbage collector's target that serve runs with (Go's
// GOGC), unless the environment sets GOGC: a collection when the heap has
// grown to five times what was live after the last, where Go's default,
// 100, collects at twice. The portal's live heap is small and every page
// allocates (the audit log's template alone about 3,000 times a page), so
// at Go's default the collector ran every few dozen pages, and its work
// beside them was most of the pages' tails: at 100,000 requests the audit
// log by a name measured 9.1–16.7 ms p99 on SQLite and 9.8–15.2 on
// PostgreSQL at 100, 7.1–14.8 and 5.6–11.0 at 400 (bench/NOTES.md,
// thirteenth session). The price is memory: a payroll import of a million
// lines grew the process by 48–50 MB at 400 against 22–23, a page's
// handler by a tenth. An operator short of memory sets GOGC=100, or a
// ceiling with GOMEMLIMIT, which Go reads itself.
const GCPercent = 400

// TuneGC sets the collector's target to GCPercent unless getenv("GOGC")
// names one.
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(GCPercent)
	}
}

// GCTarget is the collector's target the process runs with: what TuneGC
// set, or what Go made of GOGC (Go's default for a value it cannot read;
// -1 for off), for serve to say at start and the bench to print.
func GCTarget() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}
