package forms

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Identifiers as Malaysian civil servants write them. Each parser accepts
// the forms people type (dashes, spaces, lower case), returns the canonical
// form the store keeps, and on failure an Invalid *apperr.Error whose message
// says what is expected. Name the field with Field.

// myt is Malaysia's time (UTC+8, no daylight saving since 1982). A birth
// date is a date in Malaysia, so "not in the future" is judged by the
// Malaysian calendar, not the server's.
var myt = time.FixedZone("MYT", 8*60*60)

// MyKad is a MyKad (Malaysian identity card) number in its canonical form:
// 12 digits, no dashes, YYMMDD PB ###G, where YYMMDD is the birth date, PB
// the place-of-birth code and G (the last digit) odd for men and even for
// women. There is no checksum. Only ParseMyKad makes a valid MyKad; the
// methods do not panic on other strings.
type MyKad string

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
	d := stripSeparators(s)
	if d == "" {
		return "", required(labelMyKad)
	}
	if len(d) != 12 || !allDigits(d) {
		return "", invalid("Nombor MyKad mesti 12 digit, contohnya 900101-04-5679.",
			"The MyKad number must have 12 digits, e.g. 900101-04-5679.")
	}
	if _, ok := birthDate(d, now); !ok {
		return "", invalid("Nombor MyKad tidak sah: enam digit pertama bukan tarikh lahir yang wujud (TTBBHH).",
			"Invalid MyKad number: the first six digits are not a real birth date (YYMMDD).")
	}
	if !knownPlace(d[6:8]) {
		return "", invalid(
			fmt.Sprintf("Nombor MyKad tidak sah: kod tempat lahir %s (digit ke-7 dan ke-8) tidak digunakan oleh JPN.", d[6:8]),
			fmt.Sprintf("Invalid MyKad number: place-of-birth code %s (digits 7 and 8) is not one that JPN issues.", d[6:8]))
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
// such date exists.
func birthDate(d string, now time.Time) (date time.Time, ok bool) {
	yy, mm, dd := twoDigits(d[0:2]), twoDigits(d[2:4]), twoDigits(d[4:6])
	ty, tm, td := now.In(myt).Date()
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
func (m MyKad) valid12() bool { return len(m) == 12 && allDigits(string(m)) }

// Formatted returns the number as printed on the card: 900101-04-5679.
func (m MyKad) Formatted() string {
	if !m.valid12() {
		return string(m)
	}
	return string(m[:6] + "-" + m[6:8] + "-" + m[8:])
}

// Masked returns the number for logs and mail, keeping only the birth date
// and the last digit: 900101-**-***9. The birth date helps an officer
// recognise whom a mail is about; the place code and serial, which with it
// would identify the person, are hidden. Anything that is not 12 digits is
// masked entirely.
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

// ParseLogin parses what a user types in the login box: either a MyKad
// number (dashes allowed), the login of every civil servant, returned as 12
// digits with isMyKad true; or a service login (for accounts that are not a
// person's) of 3–32 ASCII letters and digits starting with a letter,
// returned in lower case (logins are case-insensitive).
//
// Anything made only of digits, dashes and spaces is taken as an attempt at
// a MyKad and gets the MyKad's message: a service login must start with a
// letter precisely so that a mistyped MyKad (11 digits, a wrong date) is
// never accepted as some other account's name.
func ParseLogin(s string) (login string, isMyKad bool, err error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return "", false, required(labelLogin)
	case looksLikeMyKad(t):
		k, err := ParseMyKad(t)
		if err != nil {
			return "", false, err
		}
		return string(k), true, nil
	case serviceLogin(t):
		return strings.ToLower(t), false, nil
	}
	return "", false, invalid(
		"ID log masuk tidak sah. Masukkan nombor MyKad (12 digit) atau ID perkhidmatan 3–32 huruf dan angka yang bermula dengan huruf.",
		"Invalid login ID. Enter a MyKad number (12 digits) or a service ID of 3–32 letters and digits starting with a letter.")
}

// MaskLogin returns a login, as typed or as stored, fit for logs: a MyKad
// masked as MyKad.Masked (other strings of digits masked but for the last
// one), a service login as it is (lower case), and anything else as
// "(invalid)" — what is neither may well be a password typed in the wrong box.
func MaskLogin(login string) string {
	t := strings.TrimSpace(login)
	switch {
	case t == "":
		return ""
	case looksLikeMyKad(t):
		d := stripSeparators(t)
		if len(d) == 12 {
			return MyKad(d).Masked()
		}
		return strings.Repeat("*", len(d)-1) + d[len(d)-1:]
	case serviceLogin(t):
		return strings.ToLower(t)
	}
	return "(invalid)"
}

// looksLikeMyKad reports whether s is made of digits, dashes and spaces
// only, with at least one digit.
func looksLikeMyKad(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digit = true
		case c != '-' && c != ' ':
			return false
		}
	}
	return digit
}

// serviceLogin reports whether s is 3–32 ASCII letters and digits starting
// with a letter.
func serviceLogin(s string) bool {
	return len(s) >= 3 && len(s) <= 32 && isLetter(s[0]) && allAlnum(s)
}

// ParsePTJCode parses a PTJ (pusat tanggungjawab) code: exactly 8 digits, as
// the federal chart of accounts has them, after trimming surrounding spaces.
func ParsePTJCode(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", required(labelPTJCode)
	}
	if len(t) != 8 || !allDigits(t) {
		return "", invalid("Kod PTJ mesti 8 digit, contohnya 12010101.",
			"The PTJ code must have 8 digits, e.g. 12010101.")
	}
	return t, nil
}

// ParseEmail parses an e-mail address and returns it with the domain in
// lower case (the local part is kept: only its owner's server may fold it).
// The rules: a bare address (no display name, no angle brackets) that
// net/mail accepts; at most 254 characters (the SMTP limit) and 64 before
// the @; printable ASCII only, because not every government mail relay
// speaks SMTPUTF8; a domain of at least two dot-separated labels of
// letters, digits and inner hyphens.
func ParseEmail(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", required(labelEmail)
	}
	if len(t) > 254 {
		return "", invalid("Alamat e-mel melebihi 254 aksara.", "The e-mail address is longer than 254 characters.")
	}
	bad := func() (string, error) {
		return "", invalid("Alamat e-mel tidak sah. Tulis alamat sahaja, contohnya nama@jabatan.gov.my.",
			"Invalid e-mail address. Write the address only, e.g. name@department.gov.my.")
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f {
			return bad()
		}
	}
	a, err := mail.ParseAddress(t)
	if err != nil || a.Name != "" || a.Address != t {
		return bad()
	}
	at := strings.LastIndexByte(t, '@')
	local, domain := t[:at], strings.ToLower(t[at+1:])
	if len(local) > 64 || !hostname(domain) {
		return bad()
	}
	return local + "@" + domain, nil
}

// hostname reports whether d is two or more dot-separated labels of 1–63
// letters, digits and hyphens, no label starting or ending with a hyphen.
func hostname(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isLetter(l[i]) && !isDigit(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	return true
}

// ParseSalaryNo parses a salary number (no. gaji): 1–8 ASCII letters and
// digits, trimmed and returned in upper case.
func ParseSalaryNo(s string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "" {
		return "", required(labelSalaryNo)
	}
	if len(t) > 8 || !allAlnum(t) {
		return "", invalid("No. gaji mesti 1 hingga 8 huruf atau angka.",
			"The salary number must be 1 to 8 letters or digits.")
	}
	return t, nil
}

// ParseEmployerNo parses an employer number (no. majikan, as on Borang EC):
// E followed by 10 digits. Spaces are removed and the letter upper-cased.
func ParseEmployerNo(s string) (string, error) {
	t := strings.ToUpper(stripSpaces(s))
	if t == "" {
		return "", required(labelEmployerNo)
	}
	if !prefixedDigits(t, "E", 10, 10) {
		return "", invalid("No. majikan mesti huruf E diikuti 10 digit, contohnya E1234567890.",
			"The employer number must be the letter E followed by 10 digits, e.g. E1234567890.")
	}
	return t, nil
}

// ParseTaxNo parses an income-tax number (no. cukai pendapatan): IG
// followed by 9–11 digits. Spaces are removed and the letters upper-cased.
// The old SG and OG numbers, converted to IG by LHDN in 2023, get a message
// saying so.
func ParseTaxNo(s string) (string, error) {
	t := strings.ToUpper(stripSpaces(s))
	if t == "" {
		return "", required(labelTaxNo)
	}
	if prefixedDigits(t, "SG", 9, 11) || prefixedDigits(t, "OG", 9, 11) {
		return "", invalid("No. cukai SG dan OG telah ditukar kepada IG oleh LHDN pada 2023. Masukkan no. IG.",
			"SG and OG tax numbers were converted to IG by LHDN in 2023. Enter the IG number.")
	}
	if !prefixedDigits(t, "IG", 9, 11) {
		return "", invalid("No. cukai pendapatan mesti IG diikuti 9 hingga 11 digit, contohnya IG12345678090.",
			"The income tax number must be IG followed by 9 to 11 digits, e.g. IG12345678090.")
	}
	return t, nil
}

// prefixedDigits reports whether s is prefix followed by min–max digits.
func prefixedDigits(s, prefix string, min, max int) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	return ok && len(rest) >= min && len(rest) <= max && allDigits(rest)
}

// stripSeparators trims s and removes the dashes and spaces people put in
// MyKad numbers.
func stripSeparators(s string) string {
	return strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(s))
}

// stripSpaces trims s and removes the spaces inside it.
func stripSpaces(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// twoDigits returns the value of two ASCII digits.
func twoDigits(s string) int { return int(s[0]-'0')*10 + int(s[1]-'0') }

// allDigits reports whether s is non-empty and all ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// allAlnum reports whether s is non-empty and all ASCII letters and digits.
func allAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !isLetter(s[i]) {
			return false
		}
	}
	return s != ""
}
