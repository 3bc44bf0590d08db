package malaysia

import (
	"math"
	"testing"
)

func TestParseSen(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   int64
		signed bool   // parse with ParseSignedSen
		msg    string // EN phrase of the error; "" if valid
	}{
		{in: "3120.55", want: 312055},
		{in: "3,120.55", want: 312055},
		{in: " 1,234,567.89 ", want: 123456789},
		{in: "300", want: 30000},
		{in: "0.5", want: 50},
		{in: "0.05", want: 5},
		{in: "0", want: 0},
		{in: "+12", want: 1200},
		{in: "007", want: 700},
		{in: "92233720368547758.07", want: math.MaxInt64},
		{in: "", msg: msgRequired},
		{in: "1.234", msg: "two decimal places"},
		{in: "-5", msg: "not be negative"},
		{in: "-0", msg: "not be negative"},
		{in: "92233720368547758.08", msg: "too large"},
		{in: "99999999999999999999", msg: "too large"},
		{in: "abc", msg: "Invalid amount"},
		{in: "31,20", msg: "Invalid amount"}, // a decimal comma, perhaps: refuse rather than guess
		{in: "1,2345", msg: "Invalid amount"},
		{in: "1234,567", msg: "Invalid amount"},
		{in: ",123", msg: "Invalid amount"},
		{in: "1.", msg: "Invalid amount"},
		{in: ".5", msg: "Invalid amount"},
		{in: "1.2.3", msg: "Invalid amount"},
		{in: "1.5a", msg: "Invalid amount"},
		{in: "1e3", msg: "Invalid amount"},
		{in: "RM5", msg: "Invalid amount"},
		{in: "1 000", msg: "Invalid amount"},
		{in: "+-5", msg: "Invalid amount"},
		{in: "-3,120.55", signed: true, want: -312055},
		{in: "-0.01", signed: true, want: -1},
		{in: "-92,233,720,368,547,758.08", signed: true, want: math.MinInt64},
		{in: "-92233720368547758.09", signed: true, msg: "too large"},
		{in: "--5", signed: true, msg: "Invalid amount"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			parse := ParseSen
			if tc.signed {
				parse = ParseSignedSen
			}
			got, err := parse(tc.in)
			if tc.msg != "" {
				wantInvalid(t, err, tc.msg)
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestFormatSen(t *testing.T) {
	for _, tc := range []struct {
		sen      int64
		want, rm string
	}{
		{0, "0.00", "RM0.00"},
		{5, "0.05", "RM0.05"},
		{50, "0.50", "RM0.50"},
		{99999, "999.99", "RM999.99"},
		{100000, "1,000.00", "RM1,000.00"},
		{312055, "3,120.55", "RM3,120.55"},
		{-312055, "-3,120.55", "-RM3,120.55"},
		{100000000, "1,000,000.00", "RM1,000,000.00"},
		{math.MaxInt64, "92,233,720,368,547,758.07", "RM92,233,720,368,547,758.07"},
		{math.MinInt64, "-92,233,720,368,547,758.08", "-RM92,233,720,368,547,758.08"},
	} {
		if got := FormatSen(tc.sen); got != tc.want {
			t.Errorf("FormatSen(%d) = %q, want %q", tc.sen, got, tc.want)
		}
		if got := FormatRM(tc.sen); got != tc.rm {
			t.Errorf("FormatRM(%d) = %q, want %q", tc.sen, got, tc.rm)
		}
		if back, err := ParseSignedSen(FormatSen(tc.sen)); err != nil || back != tc.sen {
			t.Errorf("ParseSignedSen(FormatSen(%d)) = %d, %v", tc.sen, back, err)
		}
	}
}

// FuzzSenRoundTrip checks that every int64 formats to something that
// parses back to it, and that what ParseSignedSen accepts formats back to
// an equal amount.
func FuzzSenRoundTrip(f *testing.F) {
	for _, n := range []int64{0, 1, -1, 99, 100, 312055, math.MaxInt64, math.MinInt64} {
		f.Add(n, FormatSen(n))
	}
	f.Add(int64(7), "1,000.5")
	f.Fuzz(func(t *testing.T, n int64, s string) {
		if back, err := ParseSignedSen(FormatSen(n)); err != nil || back != n {
			t.Fatalf("%d → %q → %d, %v", n, FormatSen(n), back, err)
		}
		v, err := ParseSignedSen(s)
		if err != nil {
			return
		}
		if again, err := ParseSignedSen(FormatSen(v)); err != nil || again != v {
			t.Fatalf("%q → %d → %q → %d, %v", s, v, FormatSen(v), again, err)
		}
		if u, err := ParseSen(s); err == nil && (u != v || u < 0) {
			t.Fatalf("ParseSen(%q) = %d, ParseSignedSen = %d", s, u, v)
		}
	})
}
