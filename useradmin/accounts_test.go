package useradmin_test

import (
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/useradmin"
)

// TestAccountMailsSayWhatHappened: the link a user asked for and the word
// of a sysadmin's reset reach the user, with the masked login, the link's
// end or the word that the temporary password is not in the mail — never a
// password or a whole MyKad.
func TestAccountMailsSayWhatHappened(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		if err := c.auth.ForgotPassword(ctx, c.subject.Login, "192.0.2.1"); err != nil {
			t.Fatal(err)
		}
		u, _ := db.UserByID(ctx, c.subject.ID)
		res, err := c.svc.ResetPassword(ctx, c.sysadmin, u.ID, useradmin.DirectReset{IdentityChecked: true,
			Reason: "Menelefon.", Temporary: true, Stamp: useradmin.PasswordStamp(u)})
		if err != nil {
			t.Fatal(err)
		}
		mails := renderAll(t, db, c.keys)
		for kind, want := range map[notify.Kind][]string{
			"password_forgot_link":  {"950505-**-***6", "/password/set?token=", "hanya boleh digunakan sekali"},
			"password_reset_direct": {"950505-**-***6", "Pentadbir Sistem telah memberitahu", "tidak mengandungi kata laluan"},
		} {
			got := strings.Join(mails[kind], "\n---\n")
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("%s: missing %q in\n%s", kind, w, got)
				}
			}
			if strings.Contains(got, c.subject.Login) || strings.Contains(got, res.TemporaryPassword) {
				t.Errorf("%s: a whole MyKad or the password in\n%s", kind, got)
			}
		}
	})
}

// TestResetPasswordRefusals: who may reset, and what a reset needs; each
// refusal writes nothing.
func TestResetPasswordRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		u, _ := db.UserByID(ctx, c.subject.ID)
		ok := useradmin.DirectReset{IdentityChecked: true, Reason: "Menelefon.", Stamp: useradmin.PasswordStamp(u)}
		for _, tc := range []struct {
			name   string
			by     *store.User
			id     int64
			edit   func(r *useradmin.DirectReset)
			code   apperr.Code
			fields []string
		}{
			{"not a sysadmin", c.officer, u.ID, nil, apperr.Forbidden, nil},
			{"one's own", c.sysadmin, c.sysadmin.ID, nil, apperr.Forbidden, nil},
			{"identity unchecked", c.sysadmin, u.ID, func(r *useradmin.DirectReset) { r.IdentityChecked = false }, apperr.Invalid, []string{"identity_checked"}},
			{"no reason", c.sysadmin, u.ID, func(r *useradmin.DirectReset) { r.Reason = " " }, apperr.Invalid, []string{"reason"}},
			{"reason too long", c.sysadmin, u.ID, func(r *useradmin.DirectReset) { r.Reason = strings.Repeat("x", useradmin.MaxResetReason+1) }, apperr.Invalid, []string{"reason"}},
			{"stale", c.sysadmin, u.ID, func(r *useradmin.DirectReset) { r.Stamp = "x" }, apperr.Conflict, nil},
			{"no such profile", c.sysadmin, 999999, nil, apperr.NotFound, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := ok
				if tc.edit != nil {
					tc.edit(&r)
				}
				before := countRows(t, db, "outbox") + countRows(t, db, "audit_log")
				_, err := c.svc.ResetPassword(ctx, tc.by, tc.id, r)
				if apperr.CodeOf(err) != tc.code {
					t.Fatalf("%v, want %s", err, tc.code)
				}
				if tc.fields != nil {
					var got []string
					for _, f := range apperr.As(err).Fields {
						got = append(got, f.Field)
					}
					if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
						t.Fatalf("fields %v, want %v", got, tc.fields)
					}
				}
				if countRows(t, db, "outbox")+countRows(t, db, "audit_log") != before {
					t.Fatal("a refused reset wrote something")
				}
				if got, _ := db.UserByID(ctx, u.ID); got.PasswordHash != u.PasswordHash {
					t.Fatal("a refused reset changed the password")
				}
			})
		}
	})
}
