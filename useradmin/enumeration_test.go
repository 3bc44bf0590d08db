package useradmin_test

import (
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// answer is what a refusal tells: its code and its messages, in both
// languages.
func answer(err error) string {
	e := apperr.As(err)
	s := string(e.Code) + "|" + e.Message("ms") + "|" + e.Message("en")
	for _, f := range e.Fields {
		s += "|" + f.Field + ":" + f.Message("ms") + "|" + f.Message("en")
	}
	return s
}

// TestFormTellsNothingAboutOtherPTJs: a representative of PTJ B who types
// MyKad numbers into the new-request form gets one and the same answer
// whether the officer has no profile, has a profile in PTJ A, or has an
// open request in PTJ A (whose reference it must not learn) — for every
// kind of request; and a controlling officer naming a delegate gets one
// answer for an unknown login, a profile of another PTJ and an inactive
// one.
func TestFormTellsNothingAboutOtherPTJs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newCast(t, db)
		// An open request in PTJ A about a newcomer, and one about the subject.
		if _, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindRegistration, "990909146789", "Hafiz Bin Ismail"), false); err != nil {
			t.Fatal(err)
		}
		openRef, err := c.svc.CreateRequest(ctx, c.rep, form(forms.KindPasswordReset, c.subject.Login, c.subject.Name), false)
		if err != nil {
			t.Fatal(err)
		}
		inB := func(kind forms.Kind, ic string) forms.Request {
			f := form(kind, ic, "Nama Pegawai")
			f.PTJCode = ptjB
			return f
		}
		cases := map[string]forms.Request{
			"reset, no profile anywhere":      inB(forms.KindPasswordReset, "880808085557"),
			"reset, profile in A":             inB(forms.KindPasswordReset, "800101141111"),
			"reset, open request in A":        inB(forms.KindPasswordReset, c.subject.Login),
			"access, no profile anywhere":     inB(forms.KindAccessUpdate, "880808085557"),
			"access, profile in A":            inB(forms.KindAccessUpdate, c.officer.Login),
			"deactivation, profile in A":      inB(forms.KindDeactivation, c.treasury.Login),
			"registration, profile in A":      inB(forms.KindRegistration, c.officer.Login),
			"registration, open request in A": inB(forms.KindRegistration, "990909146789"),
		}
		var first, firstName string
		for name, f := range cases {
			_, err := c.svc.CreateRequest(ctx, c.other, f, false)
			if err == nil {
				t.Fatalf("%s: accepted", name)
			}
			got := answer(err)
			if first == "" {
				first, firstName = got, name
			}
			if got != first {
				t.Errorf("%s answers\n  %s\nbut %s answers\n  %s", name, got, firstName, first)
			}
			if e := apperr.As(err); len(e.Fields) != 1 || e.Fields[0].Field != forms.FieldICNumber {
				t.Errorf("%s: %v", name, err)
			}
		}
		for _, ref := range []string{openRef.Reference, "BPP/"} {
			if contains(first, ref) {
				t.Errorf("the neutral answer names a reference: %s", first)
			}
		}
		// Inside its own PTJ a representative is still told precisely.
		_, err = c.svc.CreateRequest(ctx, c.rep, form(forms.KindDeactivation, c.subject.Login, c.subject.Name), false)
		if !apperr.Is(err, apperr.Conflict) || !contains(answer(err), openRef.Reference) {
			t.Errorf("own PTJ's open request: %v", err)
		}

		// The delegation form.
		inactive := c.mkUser(t, "760707147777", "Idris Inactive", ptjA)
		if _, err := db.IDB().ExecContext(ctx, "UPDATE users SET status = 'inactive' WHERE id = ?", inactive.ID); err != nil {
			t.Fatal(err)
		}
		first = ""
		for name, login := range map[string]string{"unknown": "880808085557", "another PTJ": c.other.Login, "inactive": inactive.Login} {
			_, err := c.svc.AddDelegation(ctx, c.officer, login, "2026-11-25", "2026-11-26")
			got := answer(err)
			if first == "" {
				first = got
			}
			if err == nil || got != first {
				t.Errorf("delegate %s: %s, want %s", name, got, first)
			}
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
