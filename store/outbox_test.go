package store_test

import (
	"encoding/json"
	"testing"

	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// oddContent is a mail's content whose text is every character an array's
// or a statement's quoting could trip on.
type oddContent struct{ Note string }

func (oddContent) Args(string) []any             { return nil }
func (oddContent) Link(*secret.Keyring) string   { return "" }
func (oddContent) Details(string) notify.Details { return notify.Details{} }

// TestEnqueueKeepsEveryCharacter: mails queued in one statement come out
// of the outbox as they went in, names and content with quotes,
// backslashes, braces, commas and the word NULL among them (each mail's
// addressee passed as an id, its request, none here, as NULL).
func TestEnqueueKeepsEveryCharacter(t *testing.T) {
	odd := []string{`Nor 'Aini binti "Ali"`, `C:\laluan\{fail},1`, `NULL`, ``, `Ng Kah Hock, Dato' {JP}`}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.InsertPTJ(ctx, &store.PTJ{Code: "A01", Name: "Jabatan A"}); err != nil {
			t.Fatal(err)
		}
		var mails []store.Mail
		for i, s := range odd {
			u := &store.User{Login: "75020204502" + string(rune('0'+i)), Name: s, Email: "p@x.gov.my", PTJCode: "A01",
				Status: store.StatusActive, Lang: "ms"}
			if err := db.InsertUser(ctx, u); err != nil {
				t.Fatal(err)
			}
			mails = append(mails, store.Mail{Kind: "test.odd", To: u, Content: oddContent{Note: s + "\n" + `\"`}})
		}
		if err := db.Tx(ctx, func(tx store.Conn) error { return tx.Enqueue(ctx, mails...) }); err != nil {
			t.Fatal(err)
		}
		var got []store.Notification
		if err := db.IDB().NewSelect().Model(&got).OrderExpr("id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if len(got) != len(odd) {
			t.Fatalf("%d mails queued, want %d", len(got), len(odd))
		}
		for i, n := range got {
			want, _ := json.Marshal(mails[i].Content)
			if n.ToName != odd[i] || n.Data != string(want) || n.ToUserID == nil || *n.ToUserID != mails[i].To.ID ||
				n.RequestID != nil || n.State != store.OutboxQueued || n.Kind != "test.odd" || n.NextAttemptAt.IsZero() {
				t.Errorf("mail %d = %+v, want to %q with %s", i, n, odd[i], want)
			}
		}
	})
}
