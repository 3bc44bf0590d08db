//go:build !unix

package document_test

// cpuTime is unavailable here; benchmarks then report wall time only.
func cpuTime() (ms float64, ok bool) { return 0, false }
