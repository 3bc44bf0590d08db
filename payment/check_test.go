package payment

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestCheckAnswersOnlyTheMatch: payee id and invoice number or payment
// reference together; the answer is status, date and mode, nothing else.
func TestCheckAnswersOnlyTheMatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := s.Import(ctx, nil, "sample.csv", sample(t)); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name, payee, ref string
			want             []CheckItem
		}{
			{"by invoice", "201901012345", "INV-2026-0451", []CheckItem{{Credited, "2026-11-09", EFT}}},
			{"by payment reference, any case", "201901012345", "eft2026110600123", []CheckItem{{Credited, "2026-11-09", EFT}}},
			{"a MyKad with dashes", "900101-04-5679", "TNT-2026-10-0031", []CheckItem{{Approved, "2026-11-12", EFT}}},
			{"a cheque", "199801004321", "INV/PNE/78", []CheckItem{{Issued, "2026-11-14", Cheque}}},
			{"no such invoice", "201901012345", "INV-NONE", []CheckItem{}},
			{"no such payee", "201901019999", "INV-2026-0451", []CheckItem{}},
			{"another payee's invoice", "199801004321", "INV-2026-0451", []CheckItem{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := s.Check(ctx, "10.0.0.1", c.payee, c.ref)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("got %+v, want %+v", got, c.want)
				}
			})
		}
		// The same shape whether the payee or the invoice is unknown: an
		// empty list, in JSON too, and nothing of any payment but those three fields.
		a, _ := s.Check(ctx, "10.0.0.2", "201901019999", "INV-2026-0451")
		b, _ := s.Check(ctx, "10.0.0.2", "201901012345", "INV-NONE")
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != "[]" || string(jb) != "[]" {
			t.Fatalf("answers differ: %s %s", ja, jb)
		}
		found, _ := s.Check(ctx, "10.0.0.2", "201901012345", "INV-2026-0451")
		j, _ := json.Marshal(found)
		if string(j) != `[{"status":"credited","status_date":"2026-11-09","payment_mode":"EFT"}]` {
			t.Fatalf("answer %s", j)
		}
		// Never by payee id alone.
		if _, err := s.Check(ctx, "10.0.0.2", "201901012345", " "); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("without a reference: %v", err)
		}
		// Audited, with the MyKad masked.
		var rec store.AuditRecord
		if err := db.IDB().NewSelect().Model(&rec).Where("action = ? AND object_id LIKE ?", "payment.status_check", "900101%").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if rec.ObjectID != "900101-**-***9" || rec.ActorLogin != "public" || !strings.Contains(rec.Detail, `"found":1`) {
			t.Fatalf("audit %+v", rec)
		}
	})
}

// TestCheckThrottle: per address and per payee id within the window, held
// in the database; the refusal says nothing of a match.
func TestCheckThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db, Options{CheckPerAddress: 3, CheckPerPayee: 2, CheckWindow: 10 * time.Minute})
		if _, err := s.Import(ctx, nil, "sample.csv", sample(t)); err != nil {
			t.Fatal(err)
		}
		check := func(ip, payee string) error {
			_, err := s.Check(ctx, ip, payee, "INV-X")
			return err
		}
		// One address, three payees: the third check is the last allowed.
		for i := range 3 {
			if err := check("10.0.0.1", fmt.Sprintf("20190101234%d", i)); err != nil {
				t.Fatalf("check %d: %v", i, err)
			}
		}
		if err := check("10.0.0.1", "201901012349"); apperr.CodeOf(err) != apperr.TooManyRequests {
			t.Fatalf("fourth check from one address: %v", err)
		}
		// One payee, from other addresses: two checks.
		if err := check("10.0.0.2", "199801004321"); err != nil {
			t.Fatal(err)
		}
		if err := check("10.0.0.3", "199801004321"); err != nil {
			t.Fatal(err)
		}
		if err := check("10.0.0.4", "199801004321"); apperr.CodeOf(err) != apperr.TooManyRequests {
			t.Fatalf("third check of one payee: %v", err)
		}
		// Another instance (a second service on the database) holds the same counts.
		other := New(db, links{}, Options{CheckPerAddress: 3, CheckPerPayee: 2, CheckWindow: 10 * time.Minute})
		if _, err := other.Check(ctx, "10.0.0.1", "201901012345", "INV-2026-0451"); apperr.CodeOf(err) != apperr.TooManyRequests {
			t.Fatalf("on another instance: %v", err)
		}
		// After the window both may check again, and old rows are gone.
		db.Now = func() time.Time { return testNow.Add(11 * time.Minute) }
		if err := check("10.0.0.1", "199801004321"); err != nil {
			t.Fatalf("after the window: %v", err)
		}
		if n := count(t, db, "payment_status_checks"); n != 2 {
			t.Fatalf("%d throttle rows kept", n)
		}
	})
}
