package statement_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

var ctx = context.Background()

const (
	siti      = "900101045679" // all year, with a profile and eEC
	ali       = "850202105431" // all year; changes post in December
	chong     = "880303146663" // paid March to September only
	nomod     = "790404085557" // a profile without eEC
	retired   = "700505015559" // an inactive profile
	noprofile = "910808045085" // on the payroll, no profile
)

var admin = store.CLI

type links struct{}

func (links) Payslip(m string) string { return "https://ispeks.example.gov.my/epayslip/" + m }
func (links) Statement(y int) string  { return fmt.Sprintf("https://ispeks.example.gov.my/eec/%d", y) }

func employerNo() string { return "E1234567890" }

var people = map[string]string{siti: "SITI BINTI AHMAD", ali: "ALI BIN ABU", chong: "CHONG WEI MING", nomod: "MOHD NOR BIN ISA",
	retired: "RAMLAH BINTI OMAR", noprofile: "MUHAMMAD HAZIQ BIN ROSLI"}

// fixture is a database with two PTJs, a few profiles, a clock in
// February 2026, the pay slips module and eEC.
type fixture struct {
	t     *testing.T
	db    *store.DB
	slips *payslip.Service
	svc   *statement.Service
	users map[string]*store.User
	mu    sync.Mutex
	now   time.Time
}

func setup(t *testing.T, db *store.DB, opts ...func(*statement.Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, users: map[string]*store.User{}, now: time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
	for _, p := range []store.PTJ{{Code: "12010101", Name: "Jabatan Akauntan Negara"}, {Code: "12020202", Name: "Jabatan Kerja Raya"}} {
		p.CreatedAt = f.now
		if err := db.InsertPTJ(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	add := func(login string, module bool, status string) {
		u := &store.User{Login: login, Name: people[login], Email: strings.ToLower(strings.Fields(people[login])[0]) + "@melaka.gov.my",
			PTJCode: "12010101", Status: status, Lang: "ms", CreatedAt: f.now, UpdatedAt: f.now}
		if module {
			u.Modules = []store.UserModule{{Module: forms.ModuleEC}} // not ePayslip: its mail would mix with ours
		}
		if err := db.InsertUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		f.users[login] = u
	}
	add(siti, true, store.StatusActive)
	add(ali, true, store.StatusActive)
	add(chong, true, store.StatusActive)
	add(nomod, false, store.StatusActive)
	add(retired, true, store.StatusInactive)
	f.slips = payslip.New(db, links{}, payslip.Options{Treasury: "Perbendaharaan Negeri Melaka"})
	o := statement.Options{EmployerNo: employerNo(), Treasury: "Perbendaharaan Negeri Melaka"}
	for _, fn := range opts {
		fn(&o)
	}
	f.svc = statement.New(db, links{}, o)
	return f
}

func (f *fixture) set(t time.Time) { f.mu.Lock(); f.now = t; f.mu.Unlock() }

func (f *fixture) count(table, where string, args ...any) int {
	f.t.Helper()
	return storetest.Count(f.t, f.db, table, where, args...)
}

// pay imports (replacing) and publishes a payroll file.
func (f *fixture) pay(file string, publish ...string) {
	f.t.Helper()
	res, err := f.slips.Import(ctx, admin, "gaji.csv", strings.NewReader(file), true)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, m := range res.Months {
		if len(publish) > 0 && !contains(publish, m) {
			continue
		}
		if _, err := f.slips.Publish(ctx, admin, m, ""); err != nil {
			f.t.Fatal(err)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (f *fixture) mapping(csv string) {
	f.t.Helper()
	if _, err := f.svc.ImportMapping(ctx, admin, "peta.csv", strings.NewReader(csv)); err != nil {
		f.t.Fatal(err)
	}
}

const head = "month,salary_no,ic_number,name,ptj_code,position,grade,bank_code,account_no,tax_no,epf_no,item_code,item_kind,item_name,amount\n"

// item is one pay item of a payroll line.
type item struct {
	code, kind, name string
}

// items is what the year's payroll pays, drawn from at random: codes on
// every kind of line, "none", and one (0104) paid twice in some slips.
var items = []item{
	{"0001", "earning", "GAJI POKOK"}, {"0102", "earning", "ITKA"}, {"0103", "earning", "ITP"}, {"0104", "earning", "ELAUN MEMANGKU"},
	{"0105", "earning", "BSH"}, {"0201", "earning", "BONUS"}, {"0301", "earning", "TUNGGAKAN 2024"}, {"0401", "earning", "GANJARAN"},
	{"0501", "earning", "ELAUN PERJALANAN"}, {"4001", "deduction", "PCB"}, {"4002", "deduction", "KWSP"}, {"4003", "deduction", "PERKESO"},
	{"4004", "deduction", "CP38"}, {"4101", "deduction", "ZAKAT"}, {"4201", "deduction", "KOPERASI"}, {"9001", "employer", "KWSP MAJIKAN"},
}

// year writes a payroll file of the months of year given, for the people
// paid in each (ali changes post in December), amounts drawn from seed.
func year(y int, seed uint64, who func(month int) []string) string {
	r := rand.New(rand.NewPCG(seed, 7))
	var b strings.Builder
	b.WriteString(head)
	for m := 1; m <= 12; m++ {
		month := fmt.Sprintf("%04d-%02d", y, m)
		for _, ic := range who(m) {
			position := "PEGAWAI"
			if ic == ali && m == 12 {
				position = "PENOLONG PENGARAH"
			}
			pre := month + ",A" + ic[6:12] + "," + ic + "," + people[ic] + ",12010101," + position + ",N19,MBB,1140" + ic[4:12] + ",IG" + ic[2:12] + "0,3" + ic[5:12] + ","
			fmt.Fprintf(&b, "%s0001,earning,GAJI POKOK,%d.%02d\n", pre, 2000+r.IntN(3000), r.IntN(100))
			for _, it := range items[1:] {
				if r.IntN(3) == 0 {
					continue
				}
				fmt.Fprintf(&b, "%s%s,%s,%s,%d.%02d\n", pre, it.code, it.kind, it.name, r.IntN(900), r.IntN(100))
				if it.code == "0104" && r.IntN(2) == 0 {
					fmt.Fprintf(&b, "%s%s,%s,%s,%d.%02d\n", pre, it.code, it.kind, it.name, r.IntN(90), r.IntN(100))
				}
			}
		}
	}
	return b.String()
}

// everyMonth pays everyone all year but chong, paid March to September.
func everyMonth(m int) []string {
	out := []string{siti, ali, nomod, retired, noprofile}
	if m >= 3 && m <= 9 {
		out = append(out, chong)
	}
	return out
}

// fullMapping maps every code of items.
const fullMapping = `item_code,ec_line
0001,B1a
0102,B1c
0103,B1c
0104,B1c
0105,B1c
0201,B1b
0301,B2
0401,B1f
0501,F
4001,D1
4002,E1
4003,E2
4004,D2
4101,D3
4201,none
9001,none
`

func isApp(err error, code apperr.Code) bool { return apperr.CodeOf(err) == code }

func TestGenerateSumsToTheSen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mapping(fullMapping)
		// December 2024 and January 2026 are published too: only 2025 counts.
		f.pay(year(2024, 1, everyMonth)[:len(head)] + strings.Join(lastLines(year(2024, 1, everyMonth), "2024-12"), ""))
		f.pay(year(2025, 2, everyMonth))
		f.pay(head + strings.Join(lastLines(year(2026, 3, everyMonth), "2026-01"), ""))
		res, err := f.svc.Generate(ctx, admin, "2025")
		if err != nil {
			t.Fatal(err)
		}
		if res.Statements != 6 || res.New != 6 || res.Changed != 0 || len(res.Unmapped) != 0 || len(res.Months) != 12 || res.Published {
			t.Fatalf("result: %+v", res)
		}

		// The expected figures, summed here from the published items
		// themselves and the mapping as the database holds it.
		var items []struct {
			IC     string `bun:"ic_number"`
			Code   string `bun:"item_code"`
			Amount int64  `bun:"amount_sen"`
		}
		if err := db.IDB().NewRaw(`SELECT p.ic_number, i.item_code, i.amount_sen FROM payslip_items i
			JOIN payslips p ON p.import_id = i.import_id AND p.slip_no = i.slip_no
			JOIN payroll_months m ON m.month = p.month AND m.state = 'published'
			WHERE p.month LIKE '2025-%'`).Scan(ctx, &items); err != nil {
			t.Fatal(err)
		}
		var mapping []statement.Mapping
		if err := db.IDB().NewRaw("SELECT item_code, ec_line FROM statement_mapping").Scan(ctx, &mapping); err != nil {
			t.Fatal(err)
		}
		lineOf := map[string]statement.Line{}
		for _, m := range mapping {
			lineOf[m.Code] = m.Line
		}
		want := map[string]map[statement.Line]int64{}
		for _, it := range items {
			if want[it.IC] == nil {
				want[it.IC] = map[statement.Line]int64{}
			}
			want[it.IC][lineOf[it.Code]] += it.Amount
		}
		if len(want) != res.Statements || len(items) < 500 {
			t.Fatalf("%d employees, %d items in the year; %d statements", len(want), len(items), res.Statements)
		}
		for ic, lines := range want {
			st, err := f.svc.StatementOf(ctx, ic, 2025)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range statement.Lines {
				if st.Amount(l) != lines[l] {
					t.Errorf("%s %s: statement %d sen, published items %d sen", ic, l, st.Amount(l), lines[l])
				}
			}
			var b int64
			for _, l := range statement.LinesOf("B") {
				b += lines[l]
			}
			if st.Total("B") != b || st.Version != 1 || st.EmployerNo != employerNo() {
				t.Errorf("%s: B total %d, want %d; version %d; employer %s", ic, st.Total("B"), b, st.Version, st.EmployerNo)
			}
		}

		// Section A: the year's last slip; part of the year for chong only.
		a, _ := f.svc.StatementOf(ctx, ali, 2025)
		c, _ := f.svc.StatementOf(ctx, chong, 2025)
		s, _ := f.svc.StatementOf(ctx, siti, 2025)
		if a.Employee.Position != "PENOLONG PENGARAH" || a.Employee.TaxNo != "IG02021054310" || a.Employee.PTJName != "Jabatan Akauntan Negara" {
			t.Errorf("ali's section A: %+v", a.Employee)
		}
		if c.StartMonth != "2025-03" || c.EndMonth != "2025-09" || c.StartDate() != "01/03/2025" || c.EndDate() != "30/09/2025" {
			t.Errorf("chong's dates: %q %q %s %s", c.StartMonth, c.EndMonth, c.StartDate(), c.EndDate())
		}
		if s.StartMonth != "" || s.EndMonth != "" || s.StartDate() != "" || !strings.HasPrefix(s.Serial(), "EC-2025-") {
			t.Errorf("siti's dates or serial: %q %q %s", s.StartMonth, s.EndMonth, s.Serial())
		}

		// Generating again changes nothing: no version grows.
		res, err = f.svc.Generate(ctx, admin, "2025")
		if err != nil || res.Changed != 0 || res.New != 0 || res.Statements != 6 {
			t.Fatalf("second generation: %+v %v", res, err)
		}
		if n := f.count("audit_log", "action = 'ec.year.generate'"); n != 2 {
			t.Errorf("%d generation audits", n)
		}
	})
}

// lastLines are the lines of file for month.
func lastLines(file, month string) []string {
	var out []string
	for _, l := range strings.SplitAfter(file, "\n") {
		if strings.HasPrefix(l, month+",") {
			out = append(out, l)
		}
	}
	return out
}

func TestPublishRefusedWhileUnmapped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// 0501 and 4004 are paid but not mapped.
		partial := strings.NewReplacer("0501,F\n", "", "4004,D2\n", "").Replace(fullMapping)
		f.mapping(partial)
		f.pay(year(2025, 2, everyMonth))
		_, err := f.svc.Publish(ctx, admin, "2025")
		var un *statement.UnmappedError
		if !errors.As(err, &un) || !isApp(err, apperr.Conflict) {
			t.Fatalf("publish with unmapped codes: %v", err)
		}
		if len(un.Codes) != 2 || un.Codes[0].Code != "0501" || un.Codes[1].Code != "4004" || un.Codes[1].Name != "CP38" {
			t.Fatalf("unmapped: %+v", un.Codes)
		}
		if msg := apperr.As(err).Message("ms"); !strings.Contains(msg, "0501 (ELAUN PERJALANAN), 4004 (CP38)") {
			t.Fatalf("message: %s", msg)
		}
		for _, table := range []string{"statements", "statement_years", "statement_codes", "statement_notices", "outbox"} {
			if n := f.count(table, "1 = 1"); n != 0 {
				t.Errorf("%s has %d rows after a refused publication", table, n)
			}
		}
		if n := f.count("audit_log", "action LIKE 'ec.year.%'"); n != 0 {
			t.Errorf("%d audits of a refused publication", n)
		}
		// Generating (not publishing) shows the statements to the
		// operators and lists the codes.
		res, err := f.svc.Generate(ctx, admin, "2025")
		if err != nil || len(res.Unmapped) != 2 || res.Statements != 6 {
			t.Fatalf("generate with unmapped codes: %+v %v", res, err)
		}
		if n := f.count("outbox", "1 = 1"); n != 0 {
			t.Fatalf("a generation mailed %d", n)
		}
		if _, err := f.svc.SetMapping(ctx, admin, "0501", "f"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetMapping(ctx, admin, "4004", "D2"); err != nil {
			t.Fatal(err)
		}
		res, err = f.svc.Publish(ctx, admin, "2025")
		if err != nil || !res.Published || len(res.Unmapped) != 0 || res.Mailed != 3 || res.Changed == 0 {
			t.Fatalf("publish once mapped: %+v %v", res, err)
		}
	})
}

func TestPublishMailsOncePerEmployee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, func(o *statement.Options) { o.MailBatch = 2 })
		f.mapping(fullMapping)
		f.pay(year(2025, 2, everyMonth))
		res, err := f.svc.Publish(ctx, admin, "2025")
		if err != nil {
			t.Fatal(err)
		}
		// siti, ali, chong: active with eEC. Not nomod (no module), retired
		// (inactive), noprofile.
		if res.Mailed != 3 || f.count("outbox", "kind = 'ec_ready'") != 3 || f.count("outbox", "1 = 1") != 3 {
			t.Fatalf("mailed %d", res.Mailed)
		}
		var to []string
		if err := db.IDB().NewRaw("SELECT to_email FROM outbox ORDER BY to_email").Scan(ctx, &to); err != nil {
			t.Fatal(err)
		}
		if strings.Join(to, ",") != "ali@melaka.gov.my,chong@melaka.gov.my,siti@melaka.gov.my" {
			t.Fatalf("mailed %v", to)
		}
		var data string
		if err := db.IDB().NewRaw("SELECT data FROM outbox LIMIT 1").Scan(ctx, &data); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(data, `"url":"https://ispeks.example.gov.my/eec/2025"`) || strings.Contains(data, "sen") {
			t.Fatalf("mail data: %s", data)
		}
		// Publishing again, at once from two places: nobody is told twice.
		var wg sync.WaitGroup
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r, err := f.svc.Publish(ctx, admin, "2025"); err != nil || r.Mailed != 0 {
					t.Errorf("publish again: %+v %v", r, err)
				}
			}()
		}
		wg.Wait()
		if n := f.count("outbox", "1 = 1"); n != 3 {
			t.Fatalf("%d mails after publishing again", n)
		}
		if n := f.count("audit_log", "action = 'ec.year.publish'"); n != 3 {
			t.Fatalf("%d publish audits", n)
		}
	})
}

func TestRegenerationTellsTheEmployee(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mapping(fullMapping)
		file := year(2025, 2, everyMonth)
		f.pay(file)
		if _, err := f.svc.Publish(ctx, admin, "2025"); err != nil {
			t.Fatal(err)
		}
		before, _ := f.svc.StatementOf(ctx, siti, 2025)
		if y, err := f.svc.YearInfo(ctx, "2025"); err != nil || y.Stale || !y.Published() {
			t.Fatalf("year after publishing: %+v %v", y, err)
		}
		// A payroll correction: siti's basic pay of June goes up by RM 100.10.
		june := lastLines(file, "2025-06")
		for i, l := range june {
			if strings.Contains(l, ","+siti+",") && strings.Contains(l, ",0001,") {
				parts := strings.Split(strings.TrimSpace(l), ",")
				sen, _ := parseSen(parts[len(parts)-1])
				parts[len(parts)-1] = fmt.Sprintf("%d.%02d", (sen+10010)/100, (sen+10010)%100)
				june[i] = strings.Join(parts, ",") + "\n"
			}
		}
		f.pay(head + strings.Join(june, ""))
		if y, _ := f.svc.YearInfo(ctx, "2025"); !y.Stale {
			t.Fatal("the year is not stale after a payroll correction")
		}
		res, err := f.svc.Generate(ctx, admin, "2025")
		if err != nil || res.Changed != 1 || res.New != 0 || res.Mailed != 1 || !res.Published {
			t.Fatalf("regeneration: %+v %v", res, err)
		}
		after, _ := f.svc.StatementOf(ctx, siti, 2025)
		if after.Version != 2 || after.Amount(statement.B1a) != before.Amount(statement.B1a)+10010 || after.Serial() != before.Serial() {
			t.Fatalf("siti before %d v%d, after %d v%d", before.Amount(statement.B1a), before.Version, after.Amount(statement.B1a), after.Version)
		}
		var to []string
		if err := db.IDB().NewRaw("SELECT to_email FROM outbox WHERE kind = 'ec_changed'").Scan(ctx, &to); err != nil || len(to) != 1 || to[0] != "siti@melaka.gov.my" {
			t.Fatalf("changed mail to %v (%v)", to, err)
		}
		if y, _ := f.svc.YearInfo(ctx, "2025"); y.Stale {
			t.Fatal("stale after regenerating")
		}
		// Once more: nothing changed, nobody told.
		if res, err := f.svc.Generate(ctx, admin, "2025"); err != nil || res.Changed != 0 || res.Mailed != 0 {
			t.Fatalf("regeneration without change: %+v %v", res, err)
		}
		if n := f.count("outbox", "1 = 1"); n != 4 {
			t.Fatalf("%d mails", n)
		}
		// A published year is not regenerated with an unmapped code.
		if _, err := db.IDB().NewRaw("DELETE FROM statement_mapping WHERE item_code = '0105'").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		var un *statement.UnmappedError
		if _, err := f.svc.Generate(ctx, admin, "2025"); !errors.As(err, &un) || len(un.Codes) != 1 {
			t.Fatalf("regenerating a published year with an unmapped code: %v", err)
		}
	})
}

func parseSen(s string) (int64, error) {
	var r, c int64
	_, err := fmt.Sscanf(s, "%d.%02d", &r, &c)
	return r*100 + c, err
}

func TestPublishRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mapping(fullMapping)
		file := year(2025, 2, everyMonth)
		// December imported, not published.
		f.pay(file, "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11")
		_, err := f.svc.Publish(ctx, admin, "2025")
		if !isApp(err, apperr.Conflict) || !strings.Contains(apperr.As(err).Message("en"), "2025-12") {
			t.Fatalf("publish with December unpublished: %v", err)
		}
		// Before the year ends.
		f.set(time.Date(2025, 12, 31, 15, 59, 0, 0, time.UTC)) // 23:59 in Malaysia
		if _, err := f.slips.Publish(ctx, admin, "2025-12", ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Publish(ctx, admin, "2025"); !isApp(err, apperr.Conflict) {
			t.Fatalf("publish before the year ended: %v", err)
		}
		f.set(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) // 1 January 2026 in Malaysia
		for _, c := range []struct {
			year string
			code apperr.Code
		}{{"25", apperr.Invalid}, {"1999", apperr.Invalid}, {"2024", apperr.NotFound}} {
			if _, err := f.svc.Publish(ctx, admin, c.year); !isApp(err, c.code) {
				t.Errorf("publish %q: %v", c.year, err)
			}
		}
		if n := f.count("statements", "1 = 1") + f.count("statement_years", "1 = 1"); n != 0 {
			t.Fatalf("%d rows after refusals", n)
		}
		none := statement.New(db, links{}, statement.Options{})
		if _, err := none.Generate(ctx, admin, "2025"); !isApp(err, apperr.Invalid) || !strings.Contains(apperr.As(err).Message("en"), "ISPEKS_EC_EMPLOYER_NO") {
			t.Fatalf("generate with no employer number: %v", err)
		}
		if _, err := f.svc.Publish(ctx, admin, "2025"); err != nil {
			t.Fatalf("publish on 1 January: %v", err)
		}
	})
}

// A generation sums the year beside SQLite's one writer: a line of the
// mapping set meanwhile is saved at once (on PostgreSQL it always was), and
// the generation, finding the mapping it summed with changed, sums again
// with the new one. A mapping that changes at every try ends in a
// conflict that says so, with nothing written.
func TestGenerateWhileTheMappingChanges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mapping(strings.Replace(fullMapping, "0501,F\n", "", 1))
		f.pay(year(2025, 2, everyMonth))
		set := func(line string) {
			// A write that waited for the generation would wait for the
			// test's end: the deadline turns that into a failure.
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if _, err := f.svc.SetMapping(wctx, admin, "0501", line); err != nil {
				t.Fatalf("a line of the mapping set while the year is summed: %v", err)
			}
		}

		stagings := 0
		f.svc.WhenStaged(func() {
			if stagings++; stagings == 1 {
				set("F")
			}
		})
		res, err := f.svc.Generate(ctx, admin, "2025")
		if err != nil || len(res.Unmapped) != 0 || stagings != 2 {
			t.Fatalf("generated: %+v, %v after %d stagings; want the new mapping's, after 2", res, err, stagings)
		}
		if n := f.count("statement_codes", "item_code = '0501' AND ec_line = 'F'"); n != 1 {
			t.Fatalf("0501 recorded on line F %d times", n)
		}

		lines := []string{"none", "F"}
		f.svc.WhenStaged(func() { set(lines[stagings%2]); stagings++ })
		f.set(time.Date(2026, 2, 11, 2, 0, 0, 0, time.UTC))
		before := f.count("audit_log", "action LIKE 'ec.year.%'")
		_, err = f.svc.Publish(ctx, admin, "2025")
		if !isApp(err, apperr.Conflict) || !strings.Contains(apperr.As(err).Message("ms"), "berubah semasa Borang EC dijana") {
			t.Fatalf("a mapping that never stops changing: %v", err)
		}
		if n := f.count("statement_years", "state = 'published'"); n != 0 {
			t.Fatal("published all the same")
		}
		if n := f.count("audit_log", "action LIKE 'ec.year.%'"); n != before {
			t.Fatalf("%d audits of a refused publication", n-before)
		}
	})
}
