package payslip

import (
	"time"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
)

// The mail the module sends. Their words are the catalogue's
// mail.<kind>.subject and mail.<kind>.body (i18n/messages/payslip.*.toml).
var (
	mailReady    = notify.Register("payslip_ready", sampleMail)    // a published month's slip is ready
	mailReplaced = notify.Register("payslip_replaced", sampleMail) // a published month was imported again
)

var sampleMail = readyMail{Month: "2026-10", Rule: PasswordMyKad, URL: "https://ispeks.example/epayslip/2026-10"}

// readyMail tells an employee that a month's slip can be read: which
// month, from when (when that is later than the mail), where, and how the
// PDF opens. Never an amount, never the PDF.
type readyMail struct {
	Month string       `json:"month"`
	From  *time.Time   `json:"from,omitempty"`
	Rule  PasswordRule `json:"rule"`
	URL   string       `json:"url"`
}

func (m readyMail) Args(lang string) []any {
	from := ""
	if m.From != nil {
		from = malaysia.Date(*m.From)
	}
	return []any{"Month", MonthLabel(m.Month, lang), "From", from, "Rule", RuleText(m.Rule, lang)}
}

func (m readyMail) Link(*secret.Keyring) string { return m.URL }

func (m readyMail) Details(lang string) notify.Details {
	return notify.Details{Heading: i18n.T(lang, "payslip.mail.details"), Rows: []notify.Detail{
		{Label: i18n.T(lang, "payslip.month"), Value: MonthLabel(m.Month, lang)},
	}}
}

// RuleText says in lang how the PDFs open under rule r, as the slip page
// and the mail state it.
func RuleText(r PasswordRule, lang string) string {
	if r == PasswordNone {
		return i18n.T(lang, "payslip.password_rule.none")
	}
	return i18n.T(lang, "payslip.password_rule.mykad")
}

// MonthLabel is a month as people write it: "Oktober 2026".
func MonthLabel(month, lang string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return malaysia.MonthName(t.Month(), lang) + " " + t.Format("2006")
}
