package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

func TestImportSample(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		imp, err := s.Import(ctx, nil, "payments-sample.csv", sample(t))
		if err != nil {
			t.Fatal(err)
		}
		if imp.Lines != 9 || imp.Vouchers != 5 || imp.Created != 5 || imp.Updated != 0 || imp.Events != 9 || imp.State != ImportDone {
			t.Fatalf("import %+v", imp)
		}
		raw, _ := os.ReadFile("testdata/payments-sample.csv")
		sum := sha256.Sum256(raw)
		if imp.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("sha256 %s", imp.SHA256)
		}
		admin := user(t, db, "sysadmin1", "12010101", nil)
		admin.Roles = append(admin.Roles, store.UserRole{Role: "sysadmin"})
		p, err := s.Voucher(ctx, admin, "v2026000101")
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != Credited || p.StatusDate != "2026-11-09" || p.AmountSen != 1250000 || p.Ref != "EFT2026110600123" || p.PTJName != "Perbendaharaan Negeri" {
			t.Fatalf("voucher %+v", p)
		}
		var got []string
		for _, e := range p.History {
			got = append(got, string(e.Status)+"@"+e.StatusDate)
		}
		if strings.Join(got, " ") != "received@2026-11-02 verified@2026-11-04 approved@2026-11-05 sent_to_bank@2026-11-06 credited@2026-11-09" {
			t.Fatalf("history %v", got)
		}
		// Audited: who, which file, its hash, lines and vouchers.
		var rec store.AuditRecord
		if err := db.IDB().NewSelect().Model(&rec).Where("action = ?", "payment.import").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"file":"payments-sample.csv"`, imp.SHA256, `"lines":9`, `"vouchers":5`} {
			if !strings.Contains(rec.Detail, want) {
				t.Errorf("audit detail %s lacks %s", rec.Detail, want)
			}
		}
		if rec.ActorLogin != "cli" {
			t.Errorf("audit actor %q", rec.ActorLogin)
		}
		if n, _, err := db.VerifyAudit(ctx); err != nil || n == 0 {
			t.Fatalf("audit chain: %d %v", n, err)
		}
	})
}

// TestLaterFilesMoveVouchersAndKeepHistory: a voucher first seen at any
// status moves on in later files; each change is a history row.
func TestLaterFilesMoveVouchersAndKeepHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		first, err := s.Import(ctx, nil, "a.csv", file(
			"V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,received,2026-11-02,EFT,,",
			"V2,12010101,201901012345,SYARIKAT A,INV-2,200.00,sent_to_bank,2026-11-03,EFT,EFT1,5140123456789",
		))
		if err != nil {
			t.Fatal(err)
		}
		second, err := s.Import(ctx, nil, "b.csv", file(
			"V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,verified,2026-11-04,EFT,,",
			"V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,approved,2026-11-05,EFT,,",
			"V2,12010101,201901012345,SYARIKAT A,INV-2,200.00,failed,2026-11-06,EFT,EFT1,5140123456789",
			"V2,12010101,201901012345,SYARIKAT A,INV-2,200.00,issued,2026-11-09,CHEQUE,CQ1,",
			"V3,12020202,900101045679,SITI BINTI AHMAD,TNT-1,50.00,credited,2026-11-09,EFT,EFT9,114012345678",
		))
		if err != nil {
			t.Fatal(err)
		}
		if second.Created != 1 || second.Updated != 2 || second.Vouchers != 3 || second.Events != 5 {
			t.Fatalf("second import %+v", second)
		}
		var v1, v2 Payment
		for no, p := range map[string]*Payment{"V1": &v1, "V2": &v2} {
			if err := db.IDB().NewSelect().Model(p).Where("voucher_no = ?", no).Scan(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if v1.Status != Approved || v1.FirstImportID != first.ID || v1.LastImportID != second.ID {
			t.Fatalf("V1 %+v", v1)
		}
		if v2.Status != Issued || v2.Mode != Cheque || v2.Ref != "CQ1" || v2.BankAccount != "" {
			t.Fatalf("V2 %+v", v2)
		}
		if n := count(t, db, "payment_events", "voucher_no = ?", "V2"); n != 3 {
			t.Fatalf("V2 has %d history rows", n)
		}
	})
}

// TestImportRules: each rule of a voucher's history, and of the file,
// refuses the line that breaks it, names line, field and reason, and
// imports nothing of the file.
func TestImportRules(t *testing.T) {
	const (
		a   = "V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,"
		eft = ",EFT,EFT1,5140123456789"
	)
	before := []string{a + "received,2026-11-02,EFT,,"}
	cases := []struct {
		name   string
		before []string // a file imported first
		lines  []string
		line   int64
		field  string
		en     string
	}{
		{"a move the graph does not allow", before, []string{a + "credited,2026-11-05" + eft}, 2, ColStatus, "from received to credited"},
		{"a move within the file", nil, []string{a + "received,2026-11-02,EFT,,", a + "approved,2026-11-03,EFT,,"}, 3, ColStatus, "from received to approved"},
		{"credited is final", []string{a + "credited,2026-11-02" + eft}, []string{a + "cancelled,2026-11-05,EFT,EFT1,"}, 2, ColStatus, "from credited to cancelled"},
		{"cancelled is final", []string{a + "cancelled,2026-11-02,EFT,,"}, []string{a + "received,2026-11-05,EFT,,"}, 2, ColStatus, "from cancelled to received"},
		{"a date before the last one", before, []string{a + "verified,2026-11-01,EFT,,"}, 2, ColDate, "before this voucher's last status date, 2026-11-02"},
		{"a date going back within the file", nil, []string{a + "received,2026-11-04,EFT,,", a + "verified,2026-11-03,EFT,,"}, 3, ColDate, "2026-11-03 is before"},
		{"a changed amount", before, []string{"V1,12010101,201901012345,SYARIKAT A,INV-1,100.01,verified,2026-11-03,EFT,,"}, 2, ColAmount, "100.01 differs from this voucher's amount, 100.00"},
		{"a changed payee", before, []string{"V1,12010101,201901019999,SYARIKAT A,INV-1,100.00,verified,2026-11-03,EFT,,"}, 2, ColPayee, "payee may not change"},
		{"a bad field", nil, []string{a + "received,2026-11-02,EFT,,", "V2,1201,201901012345,SYARIKAT A,INV-2,1.00,received,2026-11-02,EFT,,"}, 3, ColPTJ, "8 digits"},
		{"a line that is not CSV", nil, []string{a + "received,2026-11-02,EFT,,", `V2,"12010101,x`}, 3, ColLine, "not valid CSV"},
		{"the wrong header", nil, nil, 1, ColLine, "must be this header"},
		{"no data lines", nil, []string{}, 2, ColLine, "no data lines"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				s := newService(t, db)
				if c.before != nil {
					if _, err := s.Import(ctx, nil, "before.csv", file(c.before...)); err != nil {
						t.Fatal(err)
					}
				}
				payments, events := count(t, db, "payments"), count(t, db, "payment_events")
				in := io.Reader(file(c.lines...))
				if c.lines == nil {
					in = strings.NewReader("voucher,ptj\nV1,12010101\n")
				}
				imp, err := s.Import(ctx, nil, "bad.csv", in)
				var ie *ImportError
				if !errors.As(err, &ie) || apperr.CodeOf(err) != apperr.Invalid {
					t.Fatalf("import: %v", err)
				}
				if len(ie.Errors) == 0 || ie.Errors[0].Line != c.line || ie.Errors[0].Field != c.field || !strings.Contains(ie.Errors[0].Message(i18n.EN), c.en) {
					t.Fatalf("problems %s, want line %d %s: …%s…", ie, c.line, c.field, c.en)
				}
				if count(t, db, "payments") != payments || count(t, db, "payment_events") != events {
					t.Fatal("a rejected file changed the vouchers")
				}
				// The record says so, with the problems in both languages.
				got, err := s.GetImport(ctx, nil, imp.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.State != ImportRejected || got.ErrorCount != ie.Count || len(got.Errors) != len(ie.Errors) ||
					got.Errors[0].Message("en") != ie.Errors[0].Message("en") || got.Errors[0].Message("ms") == got.Errors[0].Message("en") {
					t.Fatalf("record %+v", got)
				}
				if count(t, db, "audit_log", "action = ?", "payment.import_rejected") != 1 {
					t.Fatal("the rejected import is not audited")
				}
				// The temporary tables went with the transaction: the next
				// import works on the same connections.
				if _, err := s.Import(ctx, nil, "after.csv", file("V9,12010101,201901012345,SYARIKAT A,INV-9,1.00,received,2026-11-02,EFT,,")); err != nil {
					t.Fatalf("import after a rejected one: %v", err)
				}
			})
		})
	}
}

// TestImportAllowedMoves: every move of the graph is accepted, and a
// voucher may first appear at any status.
func TestImportAllowedMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		var lines []string
		n := 0
		line := func(st Status, date string) string {
			mode, ref, acct := "EFT", "R1", "5140123456789"
			if st == Issued {
				mode, acct = "CHEQUE", ""
			}
			return fmt.Sprintf("V%03d,12010101,201901012345,SYARIKAT A,INV-%d,10.00,%s,%s,%s,%s,%s", n, n, st, date, mode, ref, acct)
		}
		for _, from := range Statuses() {
			n++
			lines = append(lines, line(from, "2026-11-02")) // first seen at any status
			for _, to := range from.Next() {
				n++
				lines = append(lines, line(from, "2026-11-02"), line(to, "2026-11-03"))
			}
		}
		if _, err := s.Import(ctx, nil, "moves.csv", file(lines...)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestImportTwiceIsHarmless: a line that repeats where a voucher stands
// (same status, same date) changes nothing, so a file sent twice does not
// fail and adds no history.
func TestImportTwiceIsHarmless(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := s.Import(ctx, nil, "a.csv", sample(t)); err != nil {
			t.Fatal(err)
		}
		again, err := s.Import(ctx, nil, "a.csv", sample(t))
		if err != nil {
			t.Fatal(err)
		}
		if again.Lines != 9 || again.Vouchers != 5 || again.Created != 0 || again.Updated != 0 || again.Events != 0 {
			t.Fatalf("again %+v", again)
		}
		if n := count(t, db, "payment_events"); n != 9 {
			t.Fatalf("%d history rows", n)
		}
	})
}

// TestImportReportsEveryBadLine: problems of parsing and of history come
// together, each with its line, in the order of the file.
func TestImportReportsEveryBadLine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		_, err := s.Import(ctx, nil, "bad.csv", file(
			"V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,received,2026-11-02,EFT,,",
			"V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,credited,2026-11-03,EFT,EFT1,",
			"V2,12010101,201901012345,SYARIKAT A,INV-2,abc,received,2026-11-02,EFT,,",
			"V3,12010101,201901012345,SYARIKAT A,INV-3,1.00,paid,2026-11-02,EFT,,",
			"V1,12010101,201901012345,SYARIKAT A,INV-1,99.00,verified,2026-11-04,EFT,,",
		))
		var ie *ImportError
		if !errors.As(err, &ie) {
			t.Fatal(err)
		}
		var got []string
		for _, e := range ie.Errors {
			got = append(got, fmt.Sprintf("%d:%s", e.Line, e.Field))
		}
		want := "3:status 4:amount 5:status 6:amount 6:status"
		if strings.Join(got, " ") != want || ie.Count != 5 {
			t.Fatalf("problems %v (%d), want %s", got, ie.Count, want)
		}
	})
}

// TestReplayedHistory: a file may carry history the portal has (an extract
// sent again, or a voucher's whole life each time): those lines change
// nothing, and the new ones are judged against where the voucher stands.
func TestReplayedHistory(t *testing.T) {
	const a = "V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,"
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := s.Import(ctx, nil, "a.csv", file(a+"received,2026-11-02,EFT,,", a+"verified,2026-11-03,EFT,,", a+"approved,2026-11-04,EFT,,")); err != nil {
			t.Fatal(err)
		}
		imp, err := s.Import(ctx, nil, "b.csv", file(a+"received,2026-11-02,EFT,,", a+"sent_to_bank,2026-11-05,EFT,EFT1,5140123456789"))
		if err != nil {
			t.Fatal(err)
		}
		if imp.Updated != 1 || imp.Events != 1 {
			t.Fatalf("import %+v", imp)
		}
		// A replayed line still may not change the amount.
		_, err = s.Import(ctx, nil, "c.csv", file("V1,12010101,201901012345,SYARIKAT A,INV-1,1.00,received,2026-11-02,EFT,,"))
		var ie *ImportError
		if !errors.As(err, &ie) || ie.Errors[0].Field != ColAmount {
			t.Fatalf("replayed line with another amount: %v", err)
		}
	})
}

// TestBulkLoadRebuildsIndexes: a load that more than doubles the vouchers
// writes them without the search indexes and builds every one again. On
// SQLite it lands in parts like any file: stopped midway, its vouchers so
// far are found without the indexes, and finishing it builds them.
func TestBulkLoadRebuildsIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db, Options{BulkLoad: 1, PartRows: 2})
		indexes := func() []string {
			var names []string
			q := "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('payments', 'payment_payees') AND sql IS NOT NULL ORDER BY name"
			if db.Dialect == store.Postgres {
				q = "SELECT indexname FROM pg_indexes WHERE tablename IN ('payments', 'payment_payees') ORDER BY indexname"
			}
			if err := db.IDB().NewRaw(q).Scan(ctx, &names); err != nil {
				t.Fatal(err)
			}
			return names
		}
		before := indexes()
		admin := user(t, db, "850505045059", "12010101", []forms.Role{forms.RoleSysadmin})
		found := func() int {
			t.Helper()
			f, _ := ParseFilter("", "percetakan", "", "", "")
			res, err := s.Search(ctx, admin, f, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return len(res.Items)
		}
		if db.Dialect == store.SQLite {
			defer func(was int64) { bulkParts = was }(bulkParts)
			bulkParts = 1 // parts of PartRows lines, as a later file's
			parts := 0
			s.partDone = func(store.Part) error {
				if parts++; parts == 5 { // the last, of the last voucher
					return errors.New("the disk is full")
				}
				storetest.WaitingWrite(t, db) // so that the parts so far land
				return nil
			}
			if _, err := s.Import(ctx, nil, "sample.csv", sample(t)); !errors.Is(err, store.ErrUnfinished) {
				t.Fatalf("a first load stopped in its last part: %v", err)
			}
			s.partDone = nil
			if got := indexes(); len(got) >= len(before) || count(t, db, "payments") != 4 || found() != 2 {
				t.Fatalf("stopped midway: indexes %v, %d vouchers, %d events, %d found", got, count(t, db, "payments"), count(t, db, "payment_events"), found())
			}
			if done, err := s.FinishImports(ctx); err != nil || len(done) != 1 {
				t.Fatalf("finished: %v, %v", done, err)
			}
		} else if _, err := s.Import(ctx, nil, "sample.csv", sample(t)); err != nil {
			t.Fatal(err)
		}
		if after := indexes(); strings.Join(after, " ") != strings.Join(before, " ") || len(after) < 6 {
			t.Fatalf("indexes %v, were %v", after, before)
		}
		if n := found(); n != 2 {
			t.Fatalf("search after a bulk load: %d found, want 2", n)
		}
	})
}

// An import reads and checks its file beside SQLite's one writer: while it
// reads, a user's write goes on (on PostgreSQL it always did), and the file
// then lands whole. Only the import's apply holds the writer.
func TestWritesGoOnWhileAnImportReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		siti := user(t, db, "900101045679", "12020202", nil, forms.ModuleMaklum)
		raw, err := os.ReadFile("testdata/payments-sample.csv")
		if err != nil {
			t.Fatal(err)
		}
		pr, pw := io.Pipe()
		type result struct {
			imp *Import
			err error
		}
		done := make(chan result, 1)
		go func() {
			imp, err := s.Import(ctx, nil, "payments-sample.csv", pr)
			done <- result{imp, err}
		}()
		// The first half of the file: once the write returns, the import
		// has it and waits for the rest, in the middle of its reading.
		half := strings.LastIndexByte(string(raw[:len(raw)/2]), '\n') + 1
		if _, err := pw.Write(raw[:half]); err != nil {
			t.Fatal(err)
		}
		// A write that waited for the import would wait for the test's
		// end: the deadline turns that into a failure that names it.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := s.SaveSettings(wctx, siti, Settings{MailOnMove: false}); err != nil {
			t.Fatalf("a user's settings saved while an import reads: %v", err)
		}
		if _, err := pw.Write(raw[half:]); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		r := <-done
		if r.err != nil || r.imp.Lines != 9 || r.imp.Vouchers != 5 || r.imp.State != ImportDone {
			t.Fatalf("the import: %+v, %v", r.imp, r.err)
		}
		if set, err := s.SettingsOf(ctx, siti); err != nil || set.MailOnMove {
			t.Fatalf("the settings after: %+v, %v", set, err)
		}
		if n := count(t, db, "payments"); n != 5 {
			t.Fatalf("%d vouchers, want 5", n)
		}
	})
}

// An import that another process (a command beside the server) lands while
// a file is checked refuses that file whole, since its check read the
// vouchers as they stood before: here the other import cancels the voucher
// this file moves on, and the file, imported again, is refused by the
// rules. On PostgreSQL the import's LOCK TABLE keeps the other import out
// until this one commits.
func TestAnImportLandingMeanwhileRefusesTheFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if db.Dialect != store.SQLite {
			t.Skip("PostgreSQL: the other import waits for this one's LOCK TABLE")
		}
		s := newService(t, db)
		other := New(db, links{}, Options{}) // another process's eMaklum
		if _, err := s.Import(ctx, nil, "a.csv", file(
			"V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,received,2026-11-02,EFT,,")); err != nil {
			t.Fatal(err)
		}
		verified := "V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,verified,2026-11-04,EFT,,"
		s.staged = func() {
			s.staged = nil
			if _, err := other.Import(ctx, nil, "c.csv", file(
				"V1,12010101,201901012345,SYARIKAT A,INV-1,100.00,cancelled,2026-11-03,EFT,,")); err != nil {
				t.Errorf("the other import: %v", err)
			}
		}
		imp, err := s.Import(ctx, nil, "b.csv", file(verified))
		var ie *ImportError
		if !errors.As(err, &ie) || ie.Count != 1 || !strings.Contains(ie.Errors[0].Message(i18n.MS), "import fail ini semula") {
			t.Fatalf("a file checked before another import landed: %v", err)
		}
		if imp.State != ImportRejected {
			t.Fatalf("its record: %s", imp.State)
		}
		var v1 Payment
		if err := db.IDB().NewSelect().Model(&v1).Where("voucher_no = ?", "V1").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if v1.Status != Cancelled || count(t, db, "payment_events", "voucher_no = ?", "V1") != 2 {
			t.Fatalf("V1 %s with %d history rows, want cancelled with 2", v1.Status, count(t, db, "payment_events", "voucher_no = ?", "V1"))
		}
		_, err = s.Import(ctx, nil, "b.csv", file(verified))
		if !errors.As(err, &ie) || ie.Errors[0].Field != ColStatus {
			t.Fatalf("the same file again, after the cancellation: %v", err)
		}
	})
}

// On SQLite a file is applied a part of its lines at a time (PartRows),
// each part a write transaction of its own; it ends as the same import
// applied whole does: the vouchers, their history, one mail, one audit
// record. PostgreSQL applies it whole.
func TestAnImportAppliesInParts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db, Options{PartRows: 2})
		user(t, db, "880505045544", "12030303", nil, forms.ModuleMaklum) // V2026000105, cancelled
		parts := 0
		s.partDone = func(store.Part) error { parts++; return nil }
		imp, err := s.Import(ctx, nil, "payments-sample.csv", sample(t))
		if err != nil {
			t.Fatal(err)
		}
		want := 5 // the file's 9 lines, 2 a part
		if db.Dialect == store.Postgres {
			want = 1
		}
		if parts != want || imp.State != ImportDone || imp.Vouchers != 5 || imp.Created != 5 || imp.Events != 9 || imp.Mails != 1 {
			t.Fatalf("%d parts (want %d), import %+v", parts, want, imp)
		}
		if count(t, db, "payments") != 5 || count(t, db, "payment_events") != 9 || count(t, db, "outbox") != 1 ||
			count(t, db, "audit_log", "action = ?", "payment.import") != 1 {
			t.Fatal("the import's rows are not those of the file")
		}
		if jobs, err := db.JobsApplying(ctx, ""); err != nil || len(jobs) > 0 {
			t.Fatalf("jobs applying after the import: %v, %v", jobs, err)
		}
	})
}

// An import whose apply stopped between two parts (its process died, or a
// part failed, here after a write came during each part before) stays
// applying, its vouchers so far in place and neither
// its mail nor its audit record written; it is finished, each line once,
// by the next import (or FinishImports), which first refuses a file while
// another process holds it. On PostgreSQL a failed part undoes the whole
// import.
func TestAnImportStoppedMidwayIsFinished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db, Options{PartRows: 2})
		user(t, db, "880505045544", "12030303", nil, forms.ModuleMaklum)
		parts, failAt := 0, 3
		if db.Dialect == store.Postgres {
			failAt = 1 // its one part
		}
		failing := func(store.Part) error {
			if parts++; parts == failAt {
				return errors.New("the disk is full")
			}
			if db.Dialect == store.SQLite {
				storetest.WaitingWrite(t, db) // so the parts so far land before it
			}
			return nil
		}
		s.partDone = failing
		stopped, err := s.Import(ctx, nil, "payments-sample.csv", sample(t))
		if db.Dialect == store.Postgres {
			if err == nil || count(t, db, "payments") != 0 || count(t, db, "payment_imports", "state = ?", ImportFailed) != 1 {
				t.Fatalf("a failed part on PostgreSQL: %v, %d vouchers", err, count(t, db, "payments"))
			}
			return
		}
		if !errors.Is(err, store.ErrUnfinished) || stopped == nil || stopped.State != ImportApplying {
			t.Fatalf("a part that failed: %+v, %v, want the import applying and ErrUnfinished", stopped, err)
		}
		s.partDone = nil
		first := lastImport(t, s)
		if first.State != ImportApplying || first.Vouchers != 5 || first.Events != 9 {
			t.Fatalf("the stopped import's record: %+v", first)
		}
		if n := count(t, db, "payment_events"); n != 4 || count(t, db, "outbox") != 0 || count(t, db, "audit_log", "action = ?", "payment.import") != 0 {
			t.Fatalf("after two parts: %d history rows (want 4), %d mails, %d audit records",
				n, count(t, db, "outbox"), count(t, db, "audit_log", "action = ?", "payment.import"))
		}

		// Another process holds it: a new file is refused, nothing of it saved.
		job := "job:" + importJob(first.ID)
		if ok, err := db.TakeLease(ctx, job, "another process", time.Now().Add(time.Minute)); err != nil || !ok {
			t.Fatal(ok, err)
		}
		nine := file("V9,12010101,201901012345,SYARIKAT A,INV-9,1.00,received,2026-11-16,EFT,,")
		_, err = s.Import(ctx, nil, "nine.csv", nine)
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(ie.Errors[0].Message(i18n.EN), "once that import is done") || count(t, db, "payment_events") != 4 {
			t.Fatalf("a file while another process applies an import: %v", err)
		}
		if err := db.ReleaseLease(ctx, job, "another process"); err != nil {
			t.Fatal(err)
		}

		// The next import finishes it first, then lands.
		nine.Seek(0, io.SeekStart)
		second, err := s.Import(ctx, nil, "nine.csv", nine)
		if err != nil || second.State != ImportDone {
			t.Fatalf("the next import: %+v, %v", second, err)
		}
		got, err := s.GetImport(ctx, nil, first.ID)
		if err != nil || got.State != ImportDone {
			t.Fatalf("the stopped import after the next: %+v, %v", got, err)
		}
		if count(t, db, "payments") != 6 || count(t, db, "payment_events") != 10 || count(t, db, "outbox") != 1 ||
			count(t, db, "audit_log", "action = ?", "payment.import") != 2 {
			t.Fatalf("%d vouchers (want 6), %d history rows (want 10), %d mails (want 1), %d audit records (want 2)",
				count(t, db, "payments"), count(t, db, "payment_events"), count(t, db, "outbox"), count(t, db, "audit_log", "action = ?", "payment.import"))
		}

		// Stopped again, it is finished by FinishImports, which serve runs
		// at start and each minute.
		parts, failAt, s.partDone = 0, 2, failing
		var lines []string
		for i := range 5 {
			lines = append(lines, fmt.Sprintf("X%d,12010101,201901012345,SYARIKAT A,INV-X%d,1.00,received,2026-11-16,EFT,,", i, i))
		}
		if _, err := s.Import(ctx, nil, "x.csv", file(lines...)); !errors.Is(err, store.ErrUnfinished) || count(t, db, "payments") != 8 {
			t.Fatalf("a second import stopped at its second part: %v, %d vouchers (want 8)", err, count(t, db, "payments"))
		}
		s.partDone = nil
		done, err := s.FinishImports(ctx)
		if got := lastImport(t, s); err != nil || fmt.Sprint(done) != fmt.Sprint([]int64{got.ID}) || got.State != ImportDone || count(t, db, "payments") != 11 {
			t.Fatalf("finished by FinishImports: %v %v, %s, %d vouchers (want 11)", done, err, got.State, count(t, db, "payments"))
		}
		if n, _, err := db.VerifyAudit(ctx); err != nil || n == 0 {
			t.Fatalf("audit chain: %d %v", n, err)
		}
	})
}

// An import stopped midway whose staging file is gone cannot be finished:
// AbandonImport removes the vouchers it brought and its history, puts back
// the vouchers it moved as they stood before it, and removes its record,
// audited; refused while another process holds the import, and for one not
// being saved. The file then imports again. (PostgreSQL never leaves an
// import midway.)
func TestAbandonAnImportThatCannotBeFinished(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := newService(t, db, Options{PartRows: 2})
	if _, err := s.Import(ctx, nil, "payments-sample.csv", sample(t)); err != nil {
		t.Fatal(err)
	}
	stored := func() string {
		var rows []map[string]any
		if err := db.IDB().NewRaw("SELECT * FROM payments ORDER BY voucher_no").Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	// The payees' names, and on SQLite their search table's rows.
	names := func() string {
		var rows []map[string]any
		if err := db.IDB().NewRaw(`SELECT payee_id, payee_name, 'payee' AS t FROM payment_payees
			UNION ALL SELECT payee_id, payee_name, 'search' FROM payment_payees_search ORDER BY 1, 2, 3`).Scan(ctx, &rows); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(rows)
	}
	// What a search by the name the file gives a known payee finds.
	treasury := cast(t, db).treasury
	named := func(q string) string { return vouchers(searchByName(t, s, treasury, q).Items) }
	before, events, payees := stored(), count(t, db, "payment_events"), names()
	// V2026000102 moves (its last line in the first part), W1–W4 are new,
	// under a name their payee (SYARIKAT MAJU JAYA SDN BHD) had not carried.
	later := []string{
		"V2026000102,12020202,900101045679,SITI BINTI AHMAD,TNT-2026-10-0031,486.40,sent_to_bank,2026-11-16,EFT,EFT2026111600001,114012345678",
		"V2026000102,12020202,900101045679,SITI BINTI AHMAD,TNT-2026-10-0031,486.40,credited,2026-11-17,EFT,EFT2026111600001,114012345678",
	}
	for i := range 4 {
		later = append(later, fmt.Sprintf("W%d,12010101,201901012345,SYARIKAT A,INV-W%d,1.00,received,2026-11-16,EFT,,", i, i))
	}
	parts := 0
	s.partDone = func(store.Part) error {
		if parts++; parts == 3 {
			return errors.New("the disk is full")
		}
		storetest.WaitingWrite(t, db) // so that the parts so far land
		return nil
	}
	if _, err := s.Import(ctx, nil, "later.csv", file(later...)); !errors.Is(err, store.ErrUnfinished) {
		t.Fatalf("a file stopped in its third part: %v", err)
	}
	s.partDone = nil
	stopped := lastImport(t, s)
	if count(t, db, "payments", "voucher_no LIKE ?", "W%") != 2 || count(t, db, "payments", "status = ? AND voucher_no = ?", "credited", "V2026000102") != 1 ||
		count(t, db, "payment_prior") != 1 {
		t.Fatalf("stopped: %d new vouchers (want 2), V2026000102 moved %d, %d kept as they stood (want 1)",
			count(t, db, "payments", "voucher_no LIKE ?", "W%"), count(t, db, "payments", "status = ?", "credited"), count(t, db, "payment_prior"))
	}
	if got := named("syarikat a"); got != "101 W0 W1" {
		t.Fatalf("stopped: the file's name of a payee finds %q", got)
	}
	// Its staging file removed by hand: finishing fails, and a file is refused.
	var files []string
	if err := db.IDB().NewRaw("SELECT file FROM jobs_applying").Scan(ctx, &files); err != nil || len(files) != 1 {
		t.Fatalf("the staging file: %v, %v", files, err)
	}
	if err := os.Remove(files[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FinishImports(ctx); err == nil {
		t.Fatal("an import without its staging file was finished")
	}

	// Another process holds it: refused, nothing changed.
	job := "job:" + importJob(stopped.ID)
	if ok, err := db.TakeLease(ctx, job, "another process", time.Now().Add(time.Minute)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, err := s.AbandonImport(ctx, store.CLI, stopped.ID); !apperr.Is(err, apperr.Conflict) ||
		!strings.Contains(apperr.As(err).Message(i18n.EN), "by another process") || count(t, db, "payments", "voucher_no LIKE ?", "W%") != 2 {
		t.Fatalf("abandoning an import another process holds: %v", err)
	}
	if err := db.ReleaseLease(ctx, job, "another process"); err != nil {
		t.Fatal(err)
	}

	undone, err := s.AbandonImport(ctx, store.CLI, stopped.ID)
	if err != nil || undone != (Abandoned{Removed: 2, Restored: 1}) {
		t.Fatalf("abandoned: %+v, %v", undone, err)
	}
	if got := stored(); got != before || count(t, db, "payment_events") != events || count(t, db, "payment_prior") != 0 ||
		count(t, db, "payment_imports", "id = ?", stopped.ID) != 0 || count(t, db, "outbox") != 0 {
		t.Fatalf("after abandoning: vouchers %s\nwant %s\n%d history rows (want %d), %d kept, import rows %d",
			got, before, count(t, db, "payment_events"), events, count(t, db, "payment_prior"), count(t, db, "payment_imports", "id = ?", stopped.ID))
	}
	if got := names(); got != payees {
		t.Fatalf("the payees' names after abandoning: %s\nwant %s", got, payees)
	}
	if got := named("syarikat a"); got != "" {
		t.Fatalf("after abandoning, the file's name of a payee finds %q", got)
	}
	if jobs, err := db.JobsApplying(ctx, ""); err != nil || len(jobs) > 0 {
		t.Fatalf("jobs applying after abandoning: %v, %v", jobs, err)
	}
	if count(t, db, "audit_log", "action = ? AND object_id = ?", "payment.import_abandon", fmt.Sprint(stopped.ID)) != 1 {
		t.Fatal("the abandonment was not audited")
	}
	if n, _, err := db.VerifyAudit(ctx); err != nil || n == 0 {
		t.Fatalf("audit chain: %d %v", n, err)
	}
	if _, err := s.AbandonImport(ctx, store.CLI, stopped.ID); !apperr.Is(err, apperr.NotFound) ||
		!strings.Contains(apperr.As(err).Message(i18n.MS), "tidak sedang disimpan") {
		t.Fatalf("abandoned again: %v", err)
	}

	// The file imports again, whole; an import that lands keeps nothing
	// of the vouchers as they stood.
	again, err := s.Import(ctx, nil, "later.csv", file(later...))
	if err != nil || again.State != ImportDone || count(t, db, "payments") != 9 || count(t, db, "payment_prior") != 0 {
		t.Fatalf("the file again: %+v, %v; %d vouchers (want 9)", again, err, count(t, db, "payments"))
	}
}

// lastImport is the newest import's record.
func lastImport(t *testing.T, s *Service) *Import {
	t.Helper()
	list, err := s.Imports(ctx, nil, store.Page{})
	if err != nil || len(list) == 0 {
		t.Fatalf("imports: %v, %v", list, err)
	}
	return &list[0]
}
