package malaysia

import (
	"testing"
	"time"
)

func TestLongDateTime(t *testing.T) {
	cases := []struct {
		utc    time.Time
		ms, en string
	}{
		{time.Date(2026, 1, 2, 7, 4, 0, 0, time.UTC), "2 Januari 2026, 3:04 PTG", "2 January 2026, 3:04 PM"},
		{time.Date(2026, 8, 14, 16, 30, 0, 0, time.UTC), "15 Ogos 2026, 12:30 PG", "15 August 2026, 12:30 AM"},
		{time.Date(2026, 3, 1, 4, 0, 0, 0, time.UTC), "1 Mac 2026, 12:00 PTG", "1 March 2026, 12:00 PM"},
	}
	for _, c := range cases {
		if got := LongDateTime(c.utc, "ms"); got != c.ms {
			t.Errorf("ms %v = %q, want %q", c.utc, got, c.ms)
		}
		if got := LongDateTime(c.utc, "en"); got != c.en {
			t.Errorf("en %v = %q, want %q", c.utc, got, c.en)
		}
	}
}

func TestDatesAreMalaysian(t *testing.T) {
	late := time.Date(2026, 12, 31, 17, 30, 0, 0, time.UTC) // 1 January in Malaysia
	if Date(late) != "01/01/2027" || DateTime(late) != "01/01/2027 01:30" || Day(late) != "2027-01-01" {
		t.Errorf("Date %s DateTime %s Day %s", Date(late), DateTime(late), Day(late))
	}
}

func TestMaskEmail(t *testing.T) {
	for in, want := range map[string]string{
		"noraini@melaka.gov.my": "nor***@melaka.gov.my",
		"norai@melaka.gov.my":   "nor***@melaka.gov.my",
		"siti@melaka.gov.my":    "s***@melaka.gov.my",
		"a@b.my":                "a***@b.my",
		"not-an-address":        "***",
		"@b.my":                 "***",
	} {
		if got := MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskText(t *testing.T) {
	for in, want := range map[string]string{
		"no 900101-14-5678.":       "no 900101-**-***8.",
		"/users/900101145678/edit": "/users/900101-**-***8/edit",
		"9001 01 ok":               "9001 01 ok",
	} {
		if got := MaskText(in); got != want {
			t.Errorf("MaskText(%q) = %q, want %q", in, got, want)
		}
	}
}
