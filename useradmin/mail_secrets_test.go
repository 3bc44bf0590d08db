package useradmin_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestFailedResetMailHoldsNoLink: a password-reset mail that failed — the
// row a database copy would show longest — holds nothing that opens the
// account, in its data or its last error; queued again by a sysadmin and
// rendered again (a retry), it carries the same working link.
func TestFailedResetMailHoldsNoLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		c.through(t, form(forms.KindPasswordReset, c.subject.Login, c.subject.Name))
		var n store.Notification
		if err := db.IDB().NewSelect().Model(&n).Where("kind = ?", "password_reset_link").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		token := c.mailedToken(t, n)
		o := db.Outbox()
		if _, err := o.Claim(ctx, 100, time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := o.Fail(ctx, n.ID, "550 5.1.1 mailbox unavailable"); err != nil {
			t.Fatal(err)
		}
		var failed store.Notification
		if err := db.IDB().NewSelect().Model(&failed).Where("id = ?", n.ID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if failed.State != store.OutboxFailed || contains(failed.Data+failed.LastError, token) {
			t.Fatalf("failed row %s holds the token: %q %q", failed.State, failed.Data, failed.LastError)
		}
		var dump string
		for _, table := range []string{"password_tokens", "outbox", "audit_log"} {
			var rows []map[string]any
			if err := db.IDB().NewSelect().TableExpr(table).Scan(ctx, &rows); err != nil {
				t.Fatal(err)
			}
			dump += fmt.Sprint(rows)
		}
		if contains(dump, token) {
			t.Fatal("the database holds the link's token")
		}
		if err := c.svc.RetryMail(ctx, store.CLI, n.ID); err != nil {
			t.Fatal(err)
		}
		if again := c.mailedToken(t, failed); again != token {
			t.Fatal("the retried mail carries another link")
		}
		if _, err := c.auth.UsePasswordToken(ctx, token, "Kuat-Sangat-2026!x"); err != nil {
			t.Fatalf("the retried mail's link does not work: %v", err)
		}
	})
}
