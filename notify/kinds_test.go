package notify

import (
	"encoding/json"
	"time"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/secret"
)

// Package notify sends no mail of its own. Its tests register the kinds
// they send under the names (and so the catalogue words) of the user
// administration mail, with a content type of their own.
var (
	KindRequestSubmitted        = Register("request_submitted", sampleMail)
	KindRequestAwaitingTreasury = Register("request_awaiting_treasury", sampleMail)
	KindRequestReturned         = Register("request_returned", sampleMail)
	KindRequestRejected         = Register("request_rejected", sampleMail)
	KindRequestProvisioned      = Register("request_provisioned", sampleMail)
	KindWelcomeSetPassword      = Register("welcome_set_password", sampleMail)
	KindReminder                = Register("reminder", sampleMail)
)

// testMail carries every argument the registered kinds' words use.
type testMail struct {
	Lang      string `json:"-"`
	Ref       string
	KindLabel string
	PTJ       string
	Remarks   string
	URL       string
	Expires   time.Time
	Count     int
	Days      int
}

var sampleMail = testMail{Ref: "BPP/2026/000001", KindLabel: "Jenis", PTJ: "PTJ", Remarks: "Ulasan",
	URL: "https://ispeks.example/x", Expires: time.Unix(0, 0), Count: 2, Days: 3}

func (m testMail) Args(lang string) []any {
	return []any{"Ref", m.Ref, "Kind", m.KindLabel, "PTJ", m.PTJ, "Remarks", m.Remarks,
		"Expires", malaysia.LongDateTime(m.Expires, lang), "Count", m.Count, "Days", m.Days}
}

func (m testMail) Link(*secret.Keyring) string { return m.URL }

func (m testMail) Details(lang string) Details {
	if m.Ref == "" {
		return Details{}
	}
	return Details{Heading: i18n.T(lang, "mail.request_details"), Rows: []Detail{
		{Label: i18n.T(lang, "mail.detail.reference"), Value: m.Ref},
		{Label: i18n.T(lang, "mail.detail.kind"), Value: m.KindLabel},
		{Label: i18n.T(lang, "mail.detail.ptj"), Value: m.PTJ},
	}}
}

// json is the content as the outbox stores it.
func (m testMail) json() []byte {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return b
}
