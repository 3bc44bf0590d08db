package useradmin_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/workflow"
)

// renderAll renders every mail in the outbox in its recipient's language.
func renderAll(t *testing.T, db *store.DB, keys *secret.Keyring) map[notify.Kind][]string {
	t.Helper()
	r, err := notify.NewRenderer(keys)
	if err != nil {
		t.Fatal(err)
	}
	var rows []store.Notification
	if err := db.IDB().NewSelect().Model(&rows).OrderExpr("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	out := map[notify.Kind][]string{}
	for _, n := range rows {
		subject, text, _, err := r.Render(n.Kind, n.Lang, n.ToName, []byte(n.Data))
		if err != nil {
			t.Fatal(err)
		}
		out[n.Kind] = append(out[n.Kind], subject+"\n"+text)
	}
	return out
}

// The mails that carry remarks, counts or the link's end show them, in the
// recipient's language.
func TestMailSaysWhatHappened(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		if err := db.SetLang(ctx, c.rep.ID, "en"); err != nil {
			t.Fatal(err)
		}
		c.rep, _ = db.UserByID(ctx, c.rep.ID)
		r, err := c.svc.CreateRequest(ctx, c.rep, form("registration", "990909146789", "Hafiz"), false)
		if err != nil {
			t.Fatal(err)
		}
		c.act(t, c.officer, r, workflow.Return, "Sila lampirkan surat lantikan.")
		c.through(t, form("password_reset", c.subject.Login, c.subject.Name))
		mails := renderAll(t, db, c.keys)
		for kind, want := range map[notify.Kind][]string{
			"request_returned":    {"Remarks: Sila lampirkan surat lantikan.", "returned for amendment"},
			"request_submitted":   {"Permohonan Pendaftaran Baharu dengan no. rujukan BPP/2026/000001", "Butiran permohonan:"},
			"password_reset_link": {"sah sehingga 28 November 2026, 10:00 PG", "/password/set?token="},
		} {
			got := strings.Join(mails[kind], "\n---\n")
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s: missing %q in\n%s", kind, w, got)
				}
			}
		}
	})
}

// Every kind of mail this package sends has its words in both languages
// and renders from the content it stores.
func TestEveryMailKindRenders(t *testing.T) {
	r, err := notify.NewRenderer(secret.Random())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range notify.Kinds() {
		for _, lang := range i18n.Langs {
			subject, text, _, err := r.Render(k, lang, "Siti", json.RawMessage(`{"ref":"BPP/2026/000009","kind":"registration","count":4,"days":3}`))
			if err != nil || !strings.HasPrefix(subject, "iSPEKS: ") || strings.Contains(text, "<no value>") {
				t.Errorf("%s/%s: %q %v\n%s", k, lang, subject, err, text)
			}
		}
	}
}
