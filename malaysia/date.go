package malaysia

import (
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
)

// DatePattern is the HTML pattern of a form's date field: what ParseDate
// reads, so that a browser that checks patterns refuses the same typing
// the server would. Written for the "v" flag browsers compile patterns
// with ("/" and "-" escaped inside a class).
const DatePattern = `\s*(\d{1,2}[\/.\- ]\d{1,2}[\/.\- ]\d{4}|\d{8}|\d{4}[\-\/]\d{1,2}[\-\/]\d{1,2})\s*`

// The years a typed date may fall in: four digits, and none of the
// centuries a slip of the keyboard gives (0026 for 2026).
const (
	minYear = 1900
	maxYear = 9999
)

// ParseDate reads a calendar date as people type it into a form, whatever
// their browser's locale, and returns the start of that day in Malaysia.
// It reads, spaces around the date ignored:
//   - day first, as Malaysian documents write it: 31/12/2026, also 1/2/2026
//     and with "-", "." or a space between (a phone's number pad may lack
//     "/"; the two separators must be the same), or its eight digits
//     31122026;
//   - year first, as the API, a CSV file and a browser's own date picker
//     send it: 2026-12-31 (or 2026/12/31).
//
// Anything else is an Invalid error that shows the expected form
// (date.dmy); a day that does not exist (31/02/2026) says so
// (date.no_such_day); a year outside 1900–9999 is refused as a typing slip.
func ParseDate(s string) (time.Time, error) {
	t := strings.TrimSpace(s)
	y, m, d, ok := dateParts(t)
	if !ok || y < minYear || y > maxYear {
		return time.Time{}, apperr.New(apperr.Invalid, "date.dmy")
	}
	day := time.Date(y, time.Month(m), d, 0, 0, 0, 0, KL)
	if m < 1 || m > 12 || d < 1 || day.Day() != d {
		return time.Time{}, apperr.New(apperr.Invalid, "date.no_such_day", "Date", t)
	}
	return day, nil
}

// dateParts splits t into year, month and day by the forms ParseDate
// reads; ok is false for any other shape.
func dateParts(t string) (y, m, d int, ok bool) {
	if len(t) == 8 && digits(t) { // 31122026
		return atoi(t[4:]), atoi(t[2:4]), atoi(t[:2]), true
	}
	sep := strings.IndexAny(t, "/-. ")
	if sep < 0 {
		return 0, 0, 0, false
	}
	parts := strings.Split(t, t[sep:sep+1])
	if len(parts) != 3 || !digits(parts[0]) || !digits(parts[1]) || !digits(parts[2]) || len(parts[1]) > 2 {
		return 0, 0, 0, false
	}
	switch {
	case len(parts[0]) == 4 && (t[sep] == '-' || t[sep] == '/') && len(parts[2]) <= 2: // 2026-12-31
		return atoi(parts[0]), atoi(parts[1]), atoi(parts[2]), true
	case len(parts[0]) <= 2 && len(parts[2]) == 4: // 31/12/2026
		return atoi(parts[2]), atoi(parts[1]), atoi(parts[0]), true
	}
	return 0, 0, 0, false
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi reads a short run of ASCII digits (checked by digits).
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// ShowDay writes a stored calendar date (2026-12-31) as pages show dates,
// 31/12/2026; anything that is not such a date is returned as it is.
func ShowDay(iso string) string {
	t, err := time.Parse(ISODate, iso)
	if err != nil {
		return iso
	}
	return t.Format(DateLayout)
}
