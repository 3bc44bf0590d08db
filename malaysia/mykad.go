package malaysia

import (
	"regexp"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
)

// MyKad is a MyKad (Malaysian identity card) number in its canonical form:
// 12 digits, no dashes, YYMMDD PB ###G, where YYMMDD is the birth date, PB
// the place-of-birth code and G (the last digit) odd for men and even for
// women. There is no checksum. Only ParseMyKad makes a valid MyKad; the
// methods do not panic on other strings.
type MyKad string

// LabelMyKad names the field in messages ("Nombor MyKad" / "MyKad number").
var LabelMyKad = i18n.Of("label.mykad")

// Required is the "must be filled in" error for a field labelled label.
func Required(label i18n.Text) error {
	return apperr.New(apperr.Invalid, "field.required", "Label", label)
}

// ParseMyKad parses a MyKad number relative to today; see ParseMyKadAt.
func ParseMyKad(s string) (MyKad, error) { return ParseMyKadAt(s, time.Now()) }

// ParseMyKadAt parses a MyKad number, written with or without dashes and
// spaces ("900101-04-5679", "900101045679"). The rules, each with its own
// message:
//   - exactly 12 digits once dashes and spaces are removed;
//   - the first six are a real date YYMMDD; the century is the latest one
//     that does not put the date after now (so on 2026-06-01, 260531 is
//     2026 and 260602 is 1926), then the date must exist in that year
//     (000229 is 29 February 2000, a leap year);
//   - digits 7–8 are a place-of-birth code that the National Registration
//     Department (JPN) issues: see knownPlace.
func ParseMyKadAt(s string, now time.Time) (MyKad, error) {
	d := StripSeparators(s)
	if d == "" {
		return "", Required(LabelMyKad)
	}
	if len(d) != 12 || !AllDigits(d) {
		return "", apperr.New(apperr.Invalid, "mykad.digits")
	}
	if _, ok := birthDate(d, now); !ok {
		return "", apperr.New(apperr.Invalid, "mykad.date")
	}
	if !knownPlace(d[6:8]) {
		return "", apperr.New(apperr.Invalid, "mykad.place", "Code", d[6:8])
	}
	return MyKad(d), nil
}

// knownPlace reports whether pb is a place-of-birth code that JPN issues:
// 01–16 the states and federal territories, 21–59 further codes for the
// same, and for births abroad 60–68, 71, 72, 74–79, 82–93, 98 and 99. The
// codes 00, 17–20, 69, 70, 73, 80, 81 and 94–97 are not used.
func knownPlace(pb string) bool {
	n := twoDigits(pb)
	for _, r := range [...][2]int{{1, 16}, {21, 59}, {60, 68}, {71, 72}, {74, 79}, {82, 93}, {98, 99}} {
		if r[0] <= n && n <= r[1] {
			return true
		}
	}
	return false
}

// birthDate returns the birth date that the 12-digit d encodes, at midnight
// UTC, choosing the century as ParseMyKadAt documents; ok is false if no
// such date exists. A birth date is a date in Malaysia, so "not in the
// future" is judged by the Malaysian calendar, not the server's.
func birthDate(d string, now time.Time) (date time.Time, ok bool) {
	yy, mm, dd := twoDigits(d[0:2]), twoDigits(d[2:4]), twoDigits(d[4:6])
	ty, tm, td := now.In(KL).Date()
	y := ty/100*100 + yy
	if y > ty || y == ty && (mm > int(tm) || mm == int(tm) && dd > td) {
		y -= 100
	}
	if mm < 1 || mm > 12 || dd < 1 {
		return time.Time{}, false
	}
	date = time.Date(y, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	// time.Date rolls 31 April over to 1 May; a date that does not exist
	// comes back with another day.
	if date.Day() != dd {
		return time.Time{}, false
	}
	return date, true
}

// String returns the 12 digits.
func (m MyKad) String() string { return string(m) }

// valid12 reports whether m has the shape the methods below rely on.
func (m MyKad) valid12() bool { return len(m) == 12 && AllDigits(string(m)) }

// Formatted returns the number as printed on the card: 900101-04-5679.
func (m MyKad) Formatted() string {
	if !m.valid12() {
		return string(m)
	}
	return string(m[:6] + "-" + m[6:8] + "-" + m[8:])
}

// Masked returns the number for logs, lists and mail, keeping only the
// birth date and the last digit: 900101-**-***9. The birth date helps an
// officer recognise whom a line is about; the place code and serial, which
// with it would identify the person, are hidden. Anything that is not 12
// digits is masked entirely.
func (m MyKad) Masked() string {
	if !m.valid12() {
		return strings.Repeat("*", len(m))
	}
	return string(m[:6]) + "-**-***" + string(m[11:])
}

// PlaceCode returns the place-of-birth code (digits 7–8), e.g. "04".
func (m MyKad) PlaceCode() string {
	if !m.valid12() {
		return ""
	}
	return string(m[6:8])
}

// BirthDate returns the birth date, at midnight UTC, with the century chosen
// relative to today (see ParseMyKadAt); the zero time if m is not valid.
func (m MyKad) BirthDate() time.Time { return m.BirthDateAt(time.Now()) }

// BirthDateAt is BirthDate with the century chosen relative to now.
func (m MyKad) BirthDateAt(now time.Time) time.Time {
	if !m.valid12() {
		return time.Time{}
	}
	d, _ := birthDate(string(m), now)
	return d
}

// Female reports whether the last digit is even, which JPN gives to women.
func (m MyKad) Female() bool { return m.valid12() && (m[11]-'0')%2 == 0 }

// myKadRun matches a MyKad number with or without dashes or spaces (and the
// first 12 digits of any longer run of digits).
var myKadRun = regexp.MustCompile(`\d{6}[- ]?\d{2}[- ]?\d{4}`)

// MaskText masks every MyKad-shaped run in free text — a log line's path,
// an audit detail, a mail's words — the way Masked masks one number, so
// that no full MyKad number leaves through text, whatever it holds.
func MaskText(s string) string {
	return myKadRun.ReplaceAllStringFunc(s, func(m string) string {
		return MyKad(StripSeparators(m)).Masked()
	})
}

// MaskEmail hides most of an address's mailbox but keeps enough to tell
// people apart on a list: nor***@melaka.gov.my (the first three characters
// of a longer mailbox, the first one of a short one); "***" for something
// that is not an address.
func MaskEmail(e string) string {
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" {
		return "***"
	}
	keep := 1
	if len(local) > 4 {
		keep = 3
	}
	// Keep whole characters: a mailbox may not be ASCII.
	r := []rune(local)
	return string(r[:min(keep, len(r))]) + "***@" + domain
}

// StripSeparators trims s and removes the dashes and spaces people put in
// MyKad numbers.
func StripSeparators(s string) string { return separators.Replace(strings.TrimSpace(s)) }

// separators is built once: a Replacer builds its tables on first use, which
// cost more than the replacing when it was made per call.
var separators = strings.NewReplacer("-", "", " ", "")

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// twoDigits returns the value of two ASCII digits.
func twoDigits(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// AllDigits reports whether s is non-empty and all ASCII digits.
func AllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}
