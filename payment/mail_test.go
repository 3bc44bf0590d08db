package payment

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestMailWhenOwnPaymentMoves: an employee with eMaklum hears when a
// payment to them is credited, fails at the bank or is cancelled — once
// per voucher and import, where it ended — unless they turned it off; the
// mail names the voucher and never an amount.
func TestMailWhenOwnPaymentMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db, Options{MailBatch: 2})
		m := forms.ModuleMaklum
		siti := user(t, db, "900101045679", "12020202", nil, m)
		ahmad := user(t, db, "880505045544", "12030303", nil, m)
		quiet := user(t, db, "850202045066", "12030303", nil, m)
		noModule := user(t, db, "860303045077", "12030303", nil)
		if err := s.SaveSettings(ctx, quiet, Settings{MailOnMove: false}); err != nil {
			t.Fatal(err)
		}
		_ = noModule
		row := func(v, payee, status, date, mode, ref string) string {
			return v + ",12020202," + payee + ",NAMA,INV-" + v + ",486.40," + status + "," + date + "," + mode + "," + ref + ",114012345678"
		}
		if _, err := s.Import(ctx, nil, "a.csv", file(
			row("V1", "900101045679", "sent_to_bank", "2026-11-02", "EFT", "R1"),
			row("V2", "900101045679", "sent_to_bank", "2026-11-02", "EFT", "R2"),
			row("V3", "880505045544", "approved", "2026-11-02", "EFT", ""),
		)); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "outbox"); n != 0 {
			t.Fatalf("%d mails for moves nobody hears of", n)
		}
		imp, err := s.Import(ctx, nil, "b.csv", file(
			row("V1", "900101045679", "failed", "2026-11-03", "EFT", "R1"),
			row("V1", "900101045679", "sent_to_bank", "2026-11-04", "EFT", "R1"),
			row("V1", "900101045679", "credited", "2026-11-05", "EFT", "R1"), // told once: credited
			row("V2", "900101045679", "failed", "2026-11-03", "EFT", "R2"),
			row("V3", "880505045544", "cancelled", "2026-11-03", "EFT", ""),
			row("V4", "850202045066", "credited", "2026-11-03", "EFT", "R4"),     // turned off
			row("V5", "860303045077", "credited", "2026-11-03", "EFT", "R5"),     // no module
			row("V6", "201901012345", "credited", "2026-11-03", "EFT", "R6"),     // a company
			row("V7", "880505045544", "sent_to_bank", "2026-11-03", "EFT", "R7"), // not told
		))
		if err != nil {
			t.Fatal(err)
		}
		var rows []store.Notification
		if err := db.IDB().NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			var c moveMail
			if err := json.Unmarshal([]byte(r.Data), &c); err != nil {
				t.Fatal(err)
			}
			got = append(got, string(r.Kind)+" "+c.Voucher+" "+r.ToEmail)
			if strings.Contains(r.Data, "486") {
				t.Errorf("mail data carries the amount: %s", r.Data)
			}
		}
		sort.Strings(got)
		want := []string{
			"payment_cancelled V3 " + ahmad.Email,
			"payment_credited V1 " + siti.Email,
			"payment_failed V2 " + siti.Email,
		}
		if strings.Join(got, "; ") != strings.Join(want, "; ") || imp.Mails != 3 {
			t.Fatalf("mails %v (%d), want %v", got, imp.Mails, want)
		}
		// The words, in both languages, name voucher, invoice, status and
		// date and link to the voucher, without the amount.
		r, err := notify.NewRenderer(secret.Random())
		if err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"ms", "en"} {
			subject, text, _, err := r.Render(mailCredited, lang, "Siti", []byte(rows[0].Data))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"V1", "INV-V1", "05/11/2026", "https://ispeks.example/emaklum/vouchers/V1"} {
				if !strings.Contains(subject+text, want) {
					t.Errorf("%s mail lacks %q:\n%s\n%s", lang, want, subject, text)
				}
			}
			if strings.Contains(text, "486") {
				t.Errorf("%s mail shows the amount", lang)
			}
		}
	})
}

func TestSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		u := user(t, db, "900101045679", "12020202", nil, forms.ModuleMaklum)
		if set, err := s.SettingsOf(ctx, u); err != nil || !set.MailOnMove {
			t.Fatalf("default: %+v %v", set, err)
		}
		for _, on := range []bool{false, true, false} {
			if err := s.SaveSettings(ctx, u, Settings{MailOnMove: on}); err != nil {
				t.Fatal(err)
			}
			if set, _ := s.SettingsOf(ctx, u); set.MailOnMove != on {
				t.Fatalf("saved %v, read %v", on, set.MailOnMove)
			}
		}
		if n := count(t, db, "audit_log", "action = ?", "payment.settings"); n != 3 {
			t.Fatalf("%d audit records", n)
		}
		bare := user(t, db, "900101045680", "12020202", nil)
		if err := s.SaveSettings(ctx, bare, Settings{}); err == nil {
			t.Fatal("saved for a user without eMaklum")
		}
	})
}
