package config

import (
	"runtime/debug"
	"testing"
)

// serve's collector runs at GCPercent unless GOGC says otherwise, which
// Go has applied by then.
func TestTuneGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct {
		gogc string
		set  int // what Go set from it at start
		want int
	}{
		{"", 100, GCPercent},
		{"100", 100, 100},
		{"50", 50, 50},
		{"off", -1, -1},
	} {
		debug.SetGCPercent(tc.set)
		TuneGC(func(name string) string {
			if name == "GOGC" {
				return tc.gogc
			}
			return ""
		})
		if got := GCTarget(); got != tc.want {
			t.Errorf("GOGC=%q: GCTarget %d, want %d", tc.gogc, got, tc.want)
		}
		if got := debug.SetGCPercent(100); got != tc.want {
			t.Errorf("GOGC=%q: collector's target %d, want %d", tc.gogc, got, tc.want)
		}
	}
}
