package payment

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// people are the viewers of the scope tests, on the sample file:
// SITI (900101045679) is paid V…102 by JKR (12020202); AHMAD (880505045544)
// V…105 by JPN (12030303); companies the rest.
type people struct {
	siti, ahmad, sitiNoModule, jkrRep, jkrRepNoModule, jkrOfficer, treasury, admin, auditor *store.User
}

func cast(t *testing.T, db *store.DB) people {
	m := forms.ModuleMaklum
	return people{
		siti:           user(t, db, "900101045679", "12020202", nil, m),
		ahmad:          user(t, db, "880505045544", "12030303", nil, m),
		sitiNoModule:   user(t, db, "900101045680", "12020202", nil),
		jkrRep:         user(t, db, "800101045011", "12020202", []forms.Role{forms.RolePTJRep}, m),
		jkrRepNoModule: user(t, db, "800101045012", "12020202", []forms.Role{forms.RolePTJRep}),
		jkrOfficer:     user(t, db, "750202045023", "12020202", []forms.Role{forms.RoleControllingOfficer}, m),
		treasury:       user(t, db, "700404045047", "12010101", []forms.Role{forms.RoleTreasuryApprover}),
		admin:          user(t, db, "850505045059", "12010101", []forms.Role{forms.RoleSysadmin}),
		auditor:        user(t, db, "880606045061", "12010101", []forms.Role{forms.RoleAuditor}, m),
	}
}

func vouchers(list []Payment) string {
	var out []string
	for _, p := range list {
		out = append(out, strings.TrimPrefix(p.VoucherNo, "V2026000"))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// TestWhoSeesWhat: the access matrix of payments, through the list and a
// voucher's page; outside one's scope a voucher is not found.
func TestWhoSeesWhat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := s.Import(ctx, nil, "sample.csv", sample(t)); err != nil {
			t.Fatal(err)
		}
		p := cast(t, db)
		cases := []struct {
			name   string
			viewer *store.User
			sees   string // vouchers, or "forbidden"
		}{
			{"an employee sees their own payment", p.siti, "102"},
			{"another employee sees theirs", p.ahmad, "105"},
			{"without the module nothing", p.sitiNoModule, "forbidden"},
			{"a PTJ representative sees the PTJ's", p.jkrRep, "102 103"},
			{"a PTJ role without the module nothing", p.jkrRepNoModule, "forbidden"},
			{"a controlling officer sees the PTJ's", p.jkrOfficer, "102 103"},
			{"a treasury approver sees all", p.treasury, "101 102 103 104 105"},
			{"a system administrator sees all", p.admin, "101 102 103 104 105"},
			{"an auditor (with the module) sees only their own: none", p.auditor, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res, err := s.Search(ctx, c.viewer, Filter{}, store.Page{})
				if c.sees == "forbidden" {
					if apperr.CodeOf(err) != apperr.Forbidden {
						t.Fatalf("search: %v", err)
					}
					if _, err := s.Voucher(ctx, c.viewer, "V2026000102"); apperr.CodeOf(err) != apperr.Forbidden {
						t.Fatalf("voucher: %v", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := vouchers(res.Items); got != c.sees || res.Total.N != int64(len(res.Items)) || !res.Total.Exact {
					t.Fatalf("sees %q (total %+v), want %q", got, res.Total, c.sees)
				}
				for i := 101; i <= 105; i++ {
					no := fmt.Sprintf("V2026000%d", i)
					_, err := s.Voucher(ctx, c.viewer, no)
					in := strings.Contains(c.sees, fmt.Sprint(i))
					if in && err != nil || !in && apperr.CodeOf(err) != apperr.NotFound {
						t.Errorf("voucher %s: %v (in scope %v)", no, err, in)
					}
				}
				var each []Payment
				if err := s.Each(ctx, c.viewer, Filter{}, func(p *Payment) error { each = append(each, *p); return nil }); err != nil {
					t.Fatal(err)
				}
				if vouchers(each) != c.sees {
					t.Fatalf("export %s", vouchers(each))
				}
			})
		}
		if _, err := s.Voucher(ctx, p.admin, "NO-SUCH"); apperr.CodeOf(err) != apperr.NotFound {
			t.Fatalf("no such voucher: %v", err)
		}
	})
}

func TestSearchFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := s.Import(ctx, nil, "sample.csv", sample(t)); err != nil {
			t.Fatal(err)
		}
		p := cast(t, db)
		cases := []struct {
			name                       string
			payee, q, status, from, to string
			viewer                     *store.User
			want                       string
		}{
			{"by payee id", "199801004321", "", "", "", "", p.treasury, "103 104"},
			{"by payee MyKad with dashes", "900101-04-5679", "", "", "", "", p.treasury, "102"},
			{"by part of the name, any case", "", "percetakan", "", "", "", p.treasury, "103 104"},
			{"by part of the name inside", "", "BINTI", "", "", "", p.treasury, "102"},
			{"by voucher number", "", "v2026000101", "", "", "", p.treasury, "101"},
			{"by invoice number", "", "inv/pne/77", "", "", "", p.treasury, "103"},
			{"by payment reference", "", "CQ004512", "", "", "", p.treasury, "104"},
			{"by status", "", "", "credited", "", "", p.treasury, "101"},
			{"by date range", "", "", "", "2026-11-12", "2026-11-14", p.treasury, "102 103 104"},
			{"by status and date range", "", "", "failed", "2026-11-01", "2026-11-30", p.treasury, "103"},
			{"by name and status", "", "enterprise", "issued", "", "", p.treasury, "104"},
			{"a name search stays in scope", "", "SYARIKAT", "", "", "", p.jkrRep, ""},
			{"two letters match identifiers only", "", "SD", "", "", "", p.treasury, ""},
			{"a wildcard is a character", "", "%", "", "", "", p.treasury, ""},
			{"a quote is a character", "", `maju"`, "", "", "", p.treasury, ""},
			{"a name of words, whole", "", "siti binti ahmad", "", "", "", p.treasury, "102"},
			{"a PTJ officer by status", "", "", "failed", "", "", p.jkrOfficer, "103"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f, err := ParseFilter(c.payee, c.q, c.status, c.from, c.to)
				if err != nil {
					t.Fatal(err)
				}
				res, err := s.Search(ctx, c.viewer, f, store.Page{})
				if err != nil {
					t.Fatal(err)
				}
				if got := vouchers(res.Items); got != c.want {
					t.Fatalf("got %q, want %q", got, c.want)
				}
			})
		}
	})
}

func TestParseFilterRefuses(t *testing.T) {
	for _, c := range []struct{ payee, status, from, to, field string }{
		{"12/34", "", "", "", "payee_id"},
		{"", "paid", "", "", "status"},
		{"", "", "2026-02-30", "", "from"},
		{"", "", "2026-11-10", "2026-11-01", "to"},
	} {
		_, err := ParseFilter(c.payee, "", c.status, c.from, c.to)
		e := apperr.As(err)
		if e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != c.field {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// TestSearchFindsNamesOfLaterFiles: a payee's name first seen in a later
// file, a new payee's or a new name of a known one, is found by a part of
// it, as the names the first file brought are (the payees' search index
// keeps up with every import), a space in it only where the name has one,
// and a payee found by one of its names shows every payment to it.
func TestSearchFindsNamesOfLaterFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		if _, err := s.Import(ctx, nil, "sample.csv", sample(t)); err != nil {
			t.Fatal(err)
		}
		later := file(
			"V2026000201,12010101,199801004321,PERCETAKAN NEGERI ENTERPRISE (M),INV/PNE/90,100.00,received,2026-11-20,EFT,,8001234567",
			"V2026000202,12010101,770707075555,NURUL HUDA BINTI YUSOF,TNT-2026-11-0001,50.00,received,2026-11-20,EFT,,114099999999",
			"V2026000203,12010101,800202025555,ALIBIN ABU,TNT-2026-11-0002,50.00,received,2026-11-20,EFT,,114099999998",
			"V2026000204,12010101,800303035555,ALI BIN OTHMAN,TNT-2026-11-0003,50.00,received,2026-11-20,EFT,,114099999997",
		)
		if _, err := s.Import(ctx, nil, "later.csv", later); err != nil {
			t.Fatal(err)
		}
		treasury := cast(t, db).treasury
		for q, want := range map[string]string{
			// The new name of a known payee finds the payee: every payment to it.
			"enterprise (m)": "103 104 201",
			"huda":           "202", // a new payee
			// Spaces are characters: PostgreSQL's index of the names
			// without them finds both, and each is checked with them.
			"ali bin": "204",
			"alibin":  "203",
		} {
			res := searchByName(t, s, treasury, q)
			if got := vouchers(res.Items); got != want || !res.Total.Exact {
				t.Errorf("%q: %q (%+v), want %q", q, got, res.Total, want)
			}
		}
	})
}

// searchByName is the first page of what a search by q finds for viewer.
func searchByName(t *testing.T, s *Service, viewer *store.User, q string) Result {
	t.Helper()
	f, err := ParseFilter("", q, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Search(ctx, viewer, f, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSearchByALongNameComparesItWhole: a full name, which SQLite asks
// its payees' names for by some of its trigrams apart
// (store.TrigramsApart), finds the payee whose name holds it whole,
// in any case, and not one whose name holds each of those trigrams
// elsewhere; a name with a letter beyond ASCII is looked up whole, as
// before — on both databases (that letter in the case stored: the tests'
// PostgreSQL, made --no-locale, folds the case of ASCII alone).
func TestSearchByALongNameComparesItWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		names := file(
			"V2026000301,12010101,201501011111,MAJU CEMERLANG TEKNOLOGI SDN BHD,INV-301,100.00,received,2026-11-20,EFT,,8001234501",
			"V2026000302,12010101,201501012222,TEKNOLOGI MAJU CEMERLANG SDN BHD,INV-302,100.00,received,2026-11-20,EFT,,8001234502",
			"V2026000303,12010101,201501013333,ÉLAN TEKNOLOGI ENTERPRISE,INV-303,100.00,received,2026-11-20,EFT,,8001234503",
		)
		if _, err := s.Import(ctx, nil, "names.csv", names); err != nil {
			t.Fatal(err)
		}
		treasury := cast(t, db).treasury
		for q, want := range map[string]string{
			// "maj", "rla", "nol" and "bhd": the second holds each.
			"maju cemerlang teknologi sdn bhd": "301",
			"Maju Cemerlang Teknologi":         "301",
			"cemerlang sdn bhd":                "302",
			"ÉLAN teknologi":                   "303",
		} {
			res := searchByName(t, s, treasury, q)
			if got := vouchers(res.Items); got != want || !res.Total.Exact {
				t.Errorf("%q: %q (%+v), want %q", q, got, res.Total, want)
			}
		}
	})
}

// TestSearchCountsUpToTheCap: totals are exact up to store.CountLimit and "more
// than" past it; pages go as deep as the count and no further.
func TestSearchCountsUpToTheCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db)
		var lines []string
		for i := range store.CountLimit + 30 {
			status := "received"
			if i%2 == 1 {
				status = "approved"
			}
			lines = append(lines, fmt.Sprintf("V%05d,12010101,201901012345,SYARIKAT A,INV-%d,1.00,%s,2026-11-%02d,EFT,,", i, i, status, 1+i%19))
		}
		if _, err := s.Import(ctx, nil, "many.csv", file(lines...)); err != nil {
			t.Fatal(err)
		}
		admin := user(t, db, "850505045059", "12010101", []forms.Role{forms.RoleSysadmin})
		all, err := s.Search(ctx, admin, Filter{}, store.Page{Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		if all.Total.Exact || all.Total.N != store.CountLimit || !all.More || len(all.Items) != 50 {
			t.Fatalf("all: %+v more=%v", all.Total, all.More)
		}
		// Newest status first, then voucher number.
		for i := 1; i < len(all.Items); i++ {
			a, b := all.Items[i-1], all.Items[i]
			if a.StatusDate < b.StatusDate || a.StatusDate == b.StatusDate && a.VoucherNo < b.VoucherNo {
				t.Fatalf("order: %s %s before %s %s", a.StatusDate, a.VoucherNo, b.StatusDate, b.VoucherNo)
			}
		}
		half, err := s.Search(ctx, admin, Filter{Status: Approved}, store.Page{Size: 50, Number: 11})
		if err != nil {
			t.Fatal(err)
		}
		if !half.Total.Exact || half.Total.N != (store.CountLimit+30)/2 || half.More || len(half.Items) != 15 {
			t.Fatalf("approved, page 11: %+v more=%v items=%d", half.Total, half.More, len(half.Items))
		}
		last, err := s.Search(ctx, admin, Filter{}, store.Page{Size: 50, Number: 20})
		if err != nil || last.More || len(last.Items) != 50 {
			t.Fatalf("page 20: %v more=%v", err, last.More)
		}
		if _, err := s.Search(ctx, admin, Filter{}, store.Page{Size: 50, Number: 21}); apperr.CodeOf(err) != apperr.Invalid {
			t.Fatalf("page 21: %v", err)
		}
		n := 0
		if err := s.Each(ctx, admin, Filter{}, func(*Payment) error { n++; return nil }); err != nil || n != store.CountLimit+30 {
			t.Fatalf("export: %d %v", n, err)
		}
	})
}

// TestSearchByCommonNamePart: a part of a name more payees carry than
// Options.NamePayees reads the payments newest first, matching the name as
// it goes, in its pages and its export, and says "more than" instead of
// counting.
func TestSearchByCommonNamePart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db, Options{NamePayees: 1})
		if _, err := s.Import(ctx, nil, "sample.csv", sample(t)); err != nil {
			t.Fatal(err)
		}
		admin := user(t, db, "850505045059", "12010101", []forms.Role{forms.RoleSysadmin})
		// "BIN" is in the names of two payees, the others one's.
		for q, want := range map[string]string{"bin": "102 105", "enterprise": "103 104", "syarikat maju": "101"} {
			f, _ := ParseFilter("", q, "", "", "")
			res, err := s.Search(ctx, admin, f, store.Page{Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			all := res.Items
			for p := 2; res.More; p++ {
				if res, err = s.Search(ctx, admin, f, store.Page{Size: 1, Number: p}); err != nil {
					t.Fatal(err)
				}
				all = append(all, res.Items...)
			}
			if vouchers(all) != want {
				t.Errorf("%q: %s, want %s", q, vouchers(all), want)
			}
			var each []Payment
			if err := s.Each(ctx, admin, f, func(p *Payment) error { each = append(each, *p); return nil }); err != nil {
				t.Fatal(err)
			}
			if vouchers(each) != want {
				t.Errorf("%q, export: %s, want %s", q, vouchers(each), want)
			}
		}
		f, _ := ParseFilter("", "bin", "", "", "")
		res, err := s.Search(ctx, admin, f, store.Page{Size: 1})
		if err != nil || res.Total.Exact || res.Total.N != 1 {
			t.Fatalf("common part: %+v %v", res.Total, err)
		}
	})
}

// TestSearchByCommonNamePartSaysWhatItKnows: the total of a common part
// of a name, not counted, is "more than" the payees it names only for a
// viewer of every payment searching by the name alone; within a PTJ or
// beside a status, "more than" the pages read, never more than there are.
func TestSearchByCommonNamePartSaysWhatItKnows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db, Options{NamePayees: 2}) // "bin" names three
		lines := file(
			"V2026000301,12020202,800101015551,ALI BIN ABU,TNT-1,10.00,approved,2026-11-10,EFT,,",
			"V2026000302,12020202,800101015552,ABU BIN ALI,TNT-2,10.00,approved,2026-11-11,EFT,,",
			"V2026000303,12010101,800101015553,AHMAD BIN OMAR,TNT-3,10.00,received,2026-11-12,EFT,,",
		)
		if _, err := s.Import(ctx, nil, "bin.csv", lines); err != nil {
			t.Fatal(err)
		}
		p := cast(t, db)
		for _, c := range []struct {
			name        string
			viewer      *store.User
			status      string
			n           int64
			exact, more bool
		}{
			{"every payment, the name alone", p.treasury, "", 2, false, true}, // three: more than the two payees named
			{"beside a status", p.treasury, "approved", 1, false, true},       // two: more than the page, not than 2
			{"within a PTJ", p.jkrOfficer, "", 1, false, true},                // 12020202's two
		} {
			t.Run(c.name, func(t *testing.T) {
				f, err := ParseFilter("", "bin", c.status, "", "")
				if err != nil {
					t.Fatal(err)
				}
				res, err := s.Search(ctx, c.viewer, f, store.Page{Size: 1})
				if err != nil {
					t.Fatal(err)
				}
				if res.Total.N != c.n || res.Total.Exact != c.exact || res.More != c.more {
					t.Fatalf("%+v more=%v, want %d exact=%v more=%v", res.Total, res.More, c.n, c.exact, c.more)
				}
			})
		}
	})
}

// TestReadsGoOnWhileAWriterWrites: eMaklum's reads — the searches, both
// ways a name is read, the export, a voucher, a user's settings, the
// imports and their progress — answer while a transaction holds the
// database's writer, as an import does for as long as it runs: on SQLite
// they waited for the one writer connection (a search during an import of
// 300,000 lines answered when it ended, 6.9 s later).
func TestReadsGoOnWhileAWriterWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s := newService(t, db, Options{NamePayees: 1})
		imp, err := s.Import(ctx, nil, "sample.csv", sample(t))
		if err != nil {
			t.Fatal(err)
		}
		p := cast(t, db)
		release := storetest.HoldWriter(t, db)
		// A read that waits for the writer waits until the test's end: the
		// deadline turns that into a failure that names it.
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		reads := []struct {
			name string
			read func() error
		}{
			{"a search by a common part of a name", func() error {
				f, _ := ParseFilter("", "bin", "", "", "")
				_, err := s.Search(rctx, p.treasury, f, store.Page{})
				return err
			}},
			{"a search by a rarer part", func() error {
				f, _ := ParseFilter("", "syarikat maju", "", "", "")
				_, err := s.Search(rctx, p.treasury, f, store.Page{Size: 1})
				return err
			}},
			{"the export", func() error { return s.Each(rctx, p.treasury, Filter{}, func(*Payment) error { return nil }) }},
			{"a voucher", func() error { _, err := s.Voucher(rctx, p.siti, "V2026000102"); return err }},
			{"a user's settings", func() error { _, err := s.SettingsOf(rctx, p.siti); return err }},
			{"the imports", func() error { _, err := s.Imports(rctx, p.admin, store.Page{}); return err }},
			{"an import's page", func() error { _, err := s.GetImport(rctx, p.admin, imp.ID); return err }},
		}
		for _, r := range reads {
			if err := r.read(); err != nil {
				t.Errorf("%s, while a writer writes: %v", r.name, err)
			}
		}
		release()
	})
}
