// Package malaysia holds what every layer of the portal knows about
// Malaysian identifiers, money and time, written once: the MyKad number
// (parse, format, mask), ringgit and sen, the Asia/Kuala_Lumpur zone and the
// way dates and times are shown, and the masking of identifiers for logs,
// lists and mail. It imports no project package but the error kinds and the
// language catalogue.
package malaysia

import (
	"fmt"
	"strconv"
	"time"
	_ "time/tzdata" // so Asia/Kuala_Lumpur loads on hosts without a zoneinfo database

	"github.com/perbendaharaan/ispeks/i18n"
)

// KL is Asia/Kuala_Lumpur. Times are stored in UTC and shown here; every
// calendar date of the portal (delegations, working days, pay months,
// references) is a date in Malaysia, whatever the server's zone.
var KL = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Kuala_Lumpur"); err == nil {
		return loc
	}
	return time.FixedZone("MYT", 8*3600) // Malaysia has kept UTC+8 since 1982
}()

// Layouts of dates and times as Malaysian documents write them, whatever the
// reader's browser locale: day first.
const (
	DateLayout     = "02/01/2006"
	DateTimeLayout = "02/01/2006 15:04"
	// ISODate is how dates are stored and sent in the API: 2026-12-31.
	ISODate = "2006-01-02"
)

// Date shows t's KL calendar date as 31/12/2026.
func Date(t time.Time) string { return t.In(KL).Format(DateLayout) }

// DateTime shows t in KL as 31/12/2026 14:05.
func DateTime(t time.Time) string { return t.In(KL).Format(DateTimeLayout) }

// Day is t's KL calendar date as 2026-12-31, which sorts as it reads.
func Day(t time.Time) string { return t.In(KL).Format(ISODate) }

// MonthName is the name of month m (1–12) in lang: "Oktober" / "October".
func MonthName(m time.Month, lang string) string {
	return i18n.T(lang, "month."+strconv.Itoa(int(m)))
}

// LongDateTime shows t in KL with the month's name and a 12-hour clock, as
// letters and mail write it: "2 Januari 2026, 3:04 PTG" / "2 January 2026,
// 3:04 PM".
func LongDateTime(t time.Time, lang string) string {
	t = t.In(KL)
	hour := t.Hour() % 12
	if hour == 0 {
		hour = 12
	}
	half := "time.am"
	if t.Hour() >= 12 {
		half = "time.pm"
	}
	// The same order in both languages; only the words differ.
	return fmt.Sprintf("%d %s %d, %d:%02d %s", t.Day(), MonthName(t.Month(), lang), t.Year(), hour, t.Minute(), i18n.T(lang, half))
}
