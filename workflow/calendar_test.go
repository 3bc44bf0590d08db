package workflow

import (
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/malaysia"
)

// August 2026: Fri 28, Sat 29, Sun 30, Mon 31 (Hari Kebangsaan), Tue 1 Sept.
var merdeka = Calendar{Holidays: map[string]bool{"2026-08-31": true}}

func TestKLLoads(t *testing.T) {
	if _, off := kl(2026, 1, 1, 0, 0).Zone(); off != 8*3600 || malaysia.KL.String() != "Asia/Kuala_Lumpur" {
		t.Errorf("KL = %v, offset %d", malaysia.KL, off)
	}
}

func TestWorkingDay(t *testing.T) {
	cases := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"Friday", kl(2026, 8, 28, 9, 0), true},
		{"Saturday", kl(2026, 8, 29, 9, 0), false},
		{"Sunday", kl(2026, 8, 30, 9, 0), false},
		{"holiday", kl(2026, 8, 31, 9, 0), false},
		{"Tuesday after", kl(2026, 9, 1, 9, 0), true},
		{"Friday in UTC is Saturday in KL", time.Date(2026, 8, 28, 17, 0, 0, 0, time.UTC), false},
		{"Sunday in UTC is the holiday in KL", time.Date(2026, 8, 30, 16, 30, 0, 0, time.UTC), false},
	}
	for _, c := range cases {
		if got := merdeka.WorkingDay(c.at); got != c.want {
			t.Errorf("%s: WorkingDay(%v) = %v", c.name, c.at, got)
		}
	}
}

func TestWorkingDaysBetween(t *testing.T) {
	cases := []struct {
		name       string
		cal        Calendar
		since, now time.Time
		want       int
	}{
		{"same day", merdeka, kl(2026, 8, 28, 9, 0), kl(2026, 8, 28, 17, 0), 0},
		{"now before since", merdeka, kl(2026, 8, 28, 9, 0), kl(2026, 8, 27, 9, 0), 0},
		{"across a weekend", Calendar{}, kl(2026, 8, 28, 16, 0), kl(2026, 8, 31, 8, 0), 1},
		{"across a weekend and a holiday", merdeka, kl(2026, 8, 28, 16, 0), kl(2026, 9, 1, 8, 0), 1},
		{"a whole week", merdeka, kl(2026, 8, 27, 12, 0), kl(2026, 9, 3, 12, 0), 4},
		{"submitted on Saturday", Calendar{}, kl(2026, 8, 29, 12, 0), kl(2026, 8, 31, 12, 0), 1},
		{"KL dates, not UTC", Calendar{}, time.Date(2026, 8, 26, 17, 0, 0, 0, time.UTC), kl(2026, 8, 28, 9, 0), 1},
	}
	for _, c := range cases {
		if got := c.cal.WorkingDaysBetween(c.since, c.now); got != c.want {
			t.Errorf("%s: WorkingDaysBetween = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestReminderDueAtMostOnceADay(t *testing.T) {
	since := kl(2026, 8, 24, 10, 0) // Monday
	at := func(d, h int) *time.Time { t := kl(2026, 8, d, h, 0); return &t }
	cases := []struct {
		name string
		last *time.Time
		now  time.Time
		want bool
	}{
		{"not waited long enough", nil, kl(2026, 8, 26, 9, 0), false},
		{"waited three working days, never reminded", nil, kl(2026, 8, 27, 9, 0), true},
		{"reminded earlier today", at(27, 8), kl(2026, 8, 27, 17, 0), false},
		{"reminded yesterday", at(27, 8), kl(2026, 8, 28, 8, 0), true},
		{"reminded late yesterday KL (same UTC date)", at(27, 23), kl(2026, 8, 28, 7, 0), true},
	}
	for _, c := range cases {
		if got := merdeka.ReminderDue(since, c.last, c.now, 3); got != c.want {
			t.Errorf("%s: ReminderDue = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestAwaiting(t *testing.T) {
	want := map[State]Audience{Submitted: ToOfficers, OfficerApproved: ToTreasury, TreasuryApproved: ToSysadmins}
	for _, s := range States() {
		if got := Awaiting(s); got != want[s] {
			t.Errorf("Awaiting(%s) = %q, want %q", s, got, want[s])
		}
	}
}
