package workflow

import (
	"time"

	"github.com/perbendaharaan/ispeks/malaysia"
)

// klDay is t's Malaysian calendar date: every date in the workflow
// (delegations, working days, reminders) is one, whatever the server's zone.
func klDay(t time.Time) string { return malaysia.Day(t) }

// Calendar knows the working days (hari bekerja) of the State Treasury.
// Saturday and Sunday are never working days; Holidays (cuti umum) holds the
// other days off, keyed by KL date "2026-08-31".
type Calendar struct {
	Holidays map[string]bool
}

// WorkingDay reports whether t falls, in KL, on a working day.
func (c Calendar) WorkingDay(t time.Time) bool {
	t = t.In(malaysia.KL)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !c.Holidays[klDay(t)]
}

// WorkingDaysBetween counts the working days strictly after since's KL date
// up to and including now's KL date: a request submitted on Friday has waited
// one working day on Monday. It is 0 when now is not after since.
func (c Calendar) WorkingDaysBetween(since, now time.Time) int {
	s := since.In(malaysia.KL)
	end := klDay(now)
	n := 0
	// Noon steps stay on their date whatever the offset does.
	for d := time.Date(s.Year(), s.Month(), s.Day()+1, 12, 0, 0, 0, malaysia.KL); klDay(d) <= end; d = d.AddDate(0, 0, 1) {
		if c.WorkingDay(d) {
			n++
		}
	}
	return n
}

// ReminderDue reports whether a request waiting since since must be
// reminded about now: it has waited at least days working days, and it was
// not yet reminded today (KL), so reminders go out at most once a day.
func (c Calendar) ReminderDue(since time.Time, lastReminded *time.Time, now time.Time, days int) bool {
	if lastReminded != nil && klDay(*lastReminded) >= klDay(now) {
		return false
	}
	return c.WorkingDaysBetween(since, now) >= days
}

// Awaiting is whom to remind about a request waiting at s: whoever must act
// next; "" when the submitter holds it (their own business) or it is final.
func Awaiting(s State) Audience {
	switch s {
	case Submitted:
		return ToOfficers
	case OfficerApproved:
		return ToTreasury
	case TreasuryApproved:
		return ToSysadmins
	}
	return ""
}
