//go:build unix

package document_test

import "syscall"

// cpuTime returns the CPU time (user + system, all threads, GC included)
// the process has used so far, in milliseconds.
func cpuTime() (ms float64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e6, true
}
