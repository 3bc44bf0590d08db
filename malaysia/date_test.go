package malaysia

import (
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
)

// TestParseDate: day first as Malaysians write it, whatever the browser's
// locale, or ISO as the API sends it; every other shape is refused with
// the form to use, and a day that does not exist says so.
func TestParseDate(t *testing.T) {
	cases := []struct {
		in   string
		want string // ISO; "" when refused
		key  string // the refusal's message key
	}{
		{"31/12/2026", "2026-12-31", ""},
		{"  01/02/2026 ", "2026-02-01", ""},
		{"1/2/2026", "2026-02-01", ""},
		{"29/02/2028", "2028-02-29", ""}, // a leap year
		{"31-12-2026", "2026-12-31", ""},
		{"31.12.2026", "2026-12-31", ""},
		{"31 12 2026", "2026-12-31", ""},
		{"31122026", "2026-12-31", ""}, // a phone's number pad
		{"2026-12-31", "2026-12-31", ""},
		{"2026-1-5", "2026-01-05", ""},
		{"2026/12/31", "2026-12-31", ""},
		{"", "", "date.dmy"},
		{"   ", "", "date.dmy"},
		{"hari ini", "", "date.dmy"},
		{"31/12/26", "", "date.dmy"},   // two-digit year: which century?
		{"31/12-2026", "", "date.dmy"}, // two separators
		{"31//12/2026", "", "date.dmy"},
		{"2026.12.31", "", "date.dmy"},  // year first only with - or /
		{"2026-12-311", "", "date.dmy"}, // a day of three digits
		{"311/12/2026", "", "date.dmy"},
		{"31/123/2026", "", "date.dmy"},
		{"+1/12/2026", "", "date.dmy"},
		{"٣١/١٢/٢٠٢٦", "", "date.dmy"}, // digits of another script
		{"31/12/0026", "", "date.dmy"}, // a slip of the keyboard
		{"31/12/2026T00", "", "date.dmy"},
		{"2026-12-31T00:00:00Z", "", "date.dmy"},
		{"12/31/2026", "", "date.no_such_day"}, // month first
		{"31/02/2026", "", "date.no_such_day"},
		{"29/02/2026", "", "date.no_such_day"},
		{"00/01/2026", "", "date.no_such_day"},
		{"01/00/2026", "", "date.no_such_day"},
		{"01/13/2026", "", "date.no_such_day"},
		{"2026-02-30", "", "date.no_such_day"},
	}
	for _, c := range cases {
		got, err := ParseDate(c.in)
		if c.want != "" {
			if err != nil || Day(got) != c.want || !got.Equal(time.Date(got.Year(), got.Month(), got.Day(), 0, 0, 0, 0, KL)) {
				t.Errorf("ParseDate(%q) = %v, %v; want the start of %s in Malaysia", c.in, got, err, c.want)
			}
			continue
		}
		e := apperr.As(err)
		if err == nil || e.Code != apperr.Invalid || e.Text.Key != c.key {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", c.in, got, err, c.key)
		}
	}
}

// TestParseDateSaysWhatToType: the refusal shows the form in the reader's
// language, and a day that does not exist is named.
func TestParseDateSaysWhatToType(t *testing.T) {
	_, err := ParseDate("esok")
	if ms := apperr.As(err).Message(i18n.MS); !strings.Contains(ms, "HH/BB/TTTT") {
		t.Errorf("BM message %q lacks HH/BB/TTTT", ms)
	}
	if en := apperr.As(err).Message(i18n.EN); !strings.Contains(en, "DD/MM/YYYY") {
		t.Errorf("English message %q lacks DD/MM/YYYY", en)
	}
	_, err = ParseDate("31/02/2026")
	if en := apperr.As(err).Message(i18n.EN); !strings.Contains(en, "31/02/2026") {
		t.Errorf("message %q does not name the date", en)
	}
}

func TestShowDay(t *testing.T) {
	for in, want := range map[string]string{"2026-12-31": "31/12/2026", "": "", "31/12/2026": "31/12/2026"} {
		if got := ShowDay(in); got != want {
			t.Errorf("ShowDay(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseDate: whatever is typed, ParseDate either refuses it or gives
// the start of a day in Malaysia whose two written forms read back as it.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"31/12/2026", "1/2/2026", "31122026", "2026-12-31", "29/02/2028", "31/02/2026", "12/31/2026", "", " 2026/1/1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("ParseDate(%q): %v is not an Invalid error", s, err)
			}
			return
		}
		if d.Location() != KL || d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
			t.Fatalf("ParseDate(%q) = %v, not the start of a day in Malaysia", s, d)
		}
		if d.Year() < minYear || d.Year() > maxYear {
			t.Fatalf("ParseDate(%q) = %v, a year out of range", s, d)
		}
		for _, again := range []string{Date(d), Day(d)} {
			if back, err := ParseDate(again); err != nil || !back.Equal(d) {
				t.Fatalf("ParseDate(%q) = %v, but %q reads %v, %v", s, d, again, back, err)
			}
		}
	})
}
