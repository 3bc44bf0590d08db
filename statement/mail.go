package statement

import (
	"strconv"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/secret"
)

// The mail the module sends. Their words are the catalogue's
// mail.<kind>.subject and mail.<kind>.body (i18n/messages/statement.*.toml).
var (
	mailReady   = notify.Register("ec_ready", sampleMail)   // a year's Borang EC is published
	mailChanged = notify.Register("ec_changed", sampleMail) // a published Borang EC was regenerated with changes
)

var sampleMail = readyMail{Year: 2025, Version: 1, Rule: payslip.PasswordMyKad, URL: "https://ispeks.example/eec/2025"}

// readyMail tells an employee that their Borang EC of a year can be read
// (or changed): which year, which version, where, and how the PDF opens.
// Never an amount, never the PDF.
type readyMail struct {
	Year    int                  `json:"year"`
	Version int                  `json:"version"`
	Rule    payslip.PasswordRule `json:"rule"`
	URL     string               `json:"url"`
}

func (m readyMail) Args(lang string) []any {
	return []any{"Year", m.Year, "Version", m.Version, "Rule", RuleText(m.Rule, lang)}
}

func (m readyMail) Link(*secret.Keyring) string { return m.URL }

func (m readyMail) Details(lang string) notify.Details {
	return notify.Details{Heading: i18n.T(lang, "statement.mail.details"), Rows: []notify.Detail{
		{Label: i18n.T(lang, "statement.year"), Value: strconv.Itoa(m.Year)},
		{Label: i18n.T(lang, "statement.version"), Value: strconv.Itoa(m.Version)},
	}}
}

// RuleText says in lang how the statement PDFs open under rule r, as the
// pages and the mail state it.
func RuleText(r payslip.PasswordRule, lang string) string {
	if r == payslip.PasswordNone {
		return i18n.T(lang, "statement.password_rule.none")
	}
	return i18n.T(lang, "statement.password_rule.mykad")
}
