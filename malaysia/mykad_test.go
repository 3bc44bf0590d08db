package malaysia

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
)

// today is the "now" of the tests: 1 June 2026, midday in Malaysia.
var today = time.Date(2026, 6, 1, 12, 0, 0, 0, KL)

// wantInvalid fails unless err is an Invalid *apperr.Error with a message in
// both languages, the English one containing enPart.
func wantInvalid(t *testing.T, err error, enPart string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.Invalid {
		t.Fatalf("error = %v, want an Invalid *apperr.Error", err)
	}
	ms, en := e.Message("ms"), e.Message("en")
	if ms == "" || en == "" || ms == en {
		t.Fatalf("error %v lacks a message in one language: MS %q, EN %q", err, ms, en)
	}
	if !strings.Contains(en, enPart) {
		t.Fatalf("EN message %q does not say %q", en, enPart)
	}
}

// Phrases that tell the three MyKad messages apart.
const (
	msgMyKadShape = "must have 12 digits"
	msgMyKadDate  = "not a real birth date"
	msgMyKadPlace = "place-of-birth code"
	msgRequired   = "is required"
)

func TestParseMyKadValid(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		born     string // YYYY-MM-DD
	}{
		{"900101-04-5679", "900101045679", "1990-01-01"},
		{"900101045679", "900101045679", "1990-01-01"},
		{" 900101 04 5679 ", "900101045679", "1990-01-01"},
		{"000229-01-0002", "000229010002", "2000-02-29"}, // 2000 is a leap year
		{"960229-14-1234", "960229141234", "1996-02-29"},
		{"240229-10-1234", "240229101234", "2024-02-29"},
		{"280229-10-1234", "280229101234", "1928-02-29"}, // 2028 is still to come; 1928 was leap
		{"260531-10-1234", "260531101234", "2026-05-31"}, // yesterday: this century
		{"260601-10-1234", "260601101234", "2026-06-01"}, // today is not in the future
		{"260602-10-1234", "260602101234", "1926-06-02"}, // tomorrow: the century before
		{"991231-10-1234", "991231101234", "1999-12-31"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			k, err := ParseMyKadAt(tc.in, today)
			if err != nil {
				t.Fatalf("ParseMyKadAt(%q) = %v", tc.in, err)
			}
			if k.String() != tc.want {
				t.Errorf("= %q, want %q", k, tc.want)
			}
			if got := k.BirthDateAt(today).Format(time.DateOnly); got != tc.born {
				t.Errorf("birth date %s, want %s", got, tc.born)
			}
		})
	}
}

func TestParseMyKadInvalid(t *testing.T) {
	for _, tc := range []struct{ in, msg string }{
		{"", msgRequired},
		{" - ", msgRequired},
		{"90010104567", msgMyKadShape},
		{"9001010456790", msgMyKadShape},
		{"90010104567X", msgMyKadShape},
		{"900101/04/5679", msgMyKadShape},
		{"９００１０１０４５６７９", msgMyKadShape},  // full-width digits are not digits here
		{"901301-04-5679", msgMyKadDate}, // month 13
		{"900001-04-5679", msgMyKadDate}, // month 0
		{"900100-04-5679", msgMyKadDate}, // day 0
		{"900431-04-5679", msgMyKadDate}, // 31 April
		{"900230-04-5679", msgMyKadDate}, // 30 February
		{"250229-04-5679", msgMyKadDate}, // 2025 and 1925 are not leap years
		{"270229-04-5679", msgMyKadDate}, // 1927 neither
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParseMyKadAt(tc.in, today)
			wantInvalid(t, err, tc.msg)
		})
	}
}

// On a date in 1999, 00 is 1900, which was not a leap year.
func TestParseMyKadCenturyDecidesLeapYear(t *testing.T) {
	_, err := ParseMyKadAt("000229-01-0002", time.Date(1999, 6, 1, 0, 0, 0, 0, KL))
	wantInvalid(t, err, msgMyKadDate)
}

// "Today" is Malaysia's: at 00:30 on 2 June in Kuala Lumpur it is still
// 1 June in UTC, yet someone born on 2 June 2026 is already born.
func TestParseMyKadTodayIsMalaysian(t *testing.T) {
	now := time.Date(2026, 6, 1, 16, 30, 0, 0, time.UTC)
	k, err := ParseMyKadAt("260602-10-1234", now)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.BirthDateAt(now).Year(); got != 2026 {
		t.Errorf("year %d, want 2026", got)
	}
}

func TestParseMyKadPlaceCodes(t *testing.T) {
	used := map[int]bool{}
	for _, r := range [][2]int{{1, 16}, {21, 59}, {60, 68}, {71, 72}, {74, 79}, {82, 93}, {98, 99}} {
		for c := r[0]; c <= r[1]; c++ {
			used[c] = true
		}
	}
	for c := range 100 {
		in := "900101" + string(rune('0'+c/10)) + string(rune('0'+c%10)) + "5679"
		_, err := ParseMyKadAt(in, today)
		if used[c] && err != nil {
			t.Errorf("place code %02d: %v, want accepted", c, err)
		}
		if !used[c] {
			if err == nil {
				t.Errorf("place code %02d accepted, want refused", c)
				continue
			}
			wantInvalid(t, err, msgMyKadPlace)
		}
	}
	for _, c := range []int{0, 17, 18, 19, 20, 69, 70, 73, 80, 81, 94, 95, 96, 97} {
		if used[c] {
			t.Errorf("table says %02d is used", c)
		}
	}
}

func TestMyKadMethods(t *testing.T) {
	k, err := ParseMyKadAt("900101-04-5679", today)
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Formatted(); got != "900101-04-5679" {
		t.Errorf("Formatted = %q", got)
	}
	if got := k.Masked(); got != "900101-**-***9" {
		t.Errorf("Masked = %q", got)
	}
	if got := k.PlaceCode(); got != "04" {
		t.Errorf("PlaceCode = %q", got)
	}
	if k.Female() {
		t.Error("last digit 9 (odd) is a man")
	}
	if !MyKad("900101045678").Female() {
		t.Error("last digit 8 (even) is a woman")
	}
	if got := k.BirthDate(); !got.Equal(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("BirthDate = %v", got)
	}
	// A MyKad made by conversion, not by ParseMyKad, must not panic.
	for _, bad := range []MyKad{"", "123", "90010104567x"} {
		if bad.Formatted() != string(bad) || strings.Trim(bad.Masked(), "*") != "" ||
			bad.PlaceCode() != "" || !bad.BirthDate().IsZero() || bad.Female() {
			t.Errorf("methods of %q leak or invent something", bad)
		}
	}
}
