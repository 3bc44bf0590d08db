package payslip_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/document/documenttest"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

var ctx = context.Background()

const (
	siti    = "900101045679" // in the sample file
	ali     = "850202105431"
	chong   = "880303146663"
	nomod   = "790404085557" // a profile without the ePayslip module
	retired = "700505015559" // an inactive profile
)

var admin = store.CLI

type links struct{}

func (links) Payslip(m string) string { return "https://ispeks.example.gov.my/epayslip/" + m }

// fixture is a database with two PTJs, a few profiles and a clock.
type fixture struct {
	t     *testing.T
	db    *store.DB
	svc   *payslip.Service
	users map[string]*store.User
	mu    sync.Mutex
	now   time.Time
}

func setup(t *testing.T, db *store.DB, opts ...func(*payslip.Options)) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, users: map[string]*store.User{}, now: time.Date(2026, 10, 20, 2, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
	for _, p := range []store.PTJ{{Code: "12010101", Name: "Jabatan Akauntan Negara"}, {Code: "12020202", Name: "Jabatan Kerja Raya"}} {
		p.CreatedAt = f.now
		if err := db.InsertPTJ(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	add := func(login, name string, module bool, status string) {
		u := &store.User{Login: login, Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@melaka.gov.my",
			PTJCode: "12010101", Status: status, Lang: "ms", CreatedAt: f.now, UpdatedAt: f.now}
		if module {
			u.Modules = []store.UserModule{{Module: forms.ModulePayslip}}
		}
		if err := db.InsertUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		f.users[login] = u
	}
	add(siti, "SITI BINTI AHMAD", true, store.StatusActive)
	add(ali, "ALI BIN ABU", true, store.StatusActive)
	add(chong, "CHONG WEI MING", true, store.StatusActive)
	add(nomod, "MOHD NOR BIN ISA", false, store.StatusActive)
	add(retired, "RAMLAH BINTI OMAR", true, store.StatusInactive)
	o := payslip.Options{Treasury: "Perbendaharaan Negeri Melaka"}
	for _, fn := range opts {
		fn(&o)
	}
	f.svc = payslip.New(db, links{}, o)
	return f
}

func (f *fixture) set(t time.Time) { f.mu.Lock(); f.now = t; f.mu.Unlock() }

func (f *fixture) count(table, where string, args ...any) int {
	f.t.Helper()
	return storetest.Count(f.t, f.db, table, where, args...)
}

func (f *fixture) importFile(file string, replace bool) (*payslip.ImportResult, error) {
	return f.svc.Import(ctx, admin, "gaji.csv", strings.NewReader(file), replace)
}

func (f *fixture) mustImport(file string, replace bool) *payslip.ImportResult {
	f.t.Helper()
	res, err := f.importFile(file, replace)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) publish(month, from string) *payslip.PublishResult {
	f.t.Helper()
	res, err := f.svc.Publish(ctx, admin, month, from)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

const head = "month,salary_no,ic_number,name,ptj_code,position,grade,bank_code,account_no,tax_no,epf_no,item_code,item_kind,item_name,amount\n"

// pay is a small payroll file: for each person in each month, basic pay,
// one deduction and one employer contribution.
func pay(months []string, people map[string]string, basic string) string {
	var b strings.Builder
	b.WriteString(head)
	for _, m := range months {
		for _, ic := range []string{siti, ali, chong, nomod, retired, "910808045085"} {
			name, ok := people[ic]
			if !ok {
				continue
			}
			pre := m + ",A" + ic[6:12] + "," + ic + "," + name + ",12010101,PEGAWAI,N19,MBB,1140" + ic[4:12] + ",IG" + ic[2:12] + "0,3" + ic[5:12] + ","
			b.WriteString(pre + "0001,earning,GAJI POKOK," + basic + "\n")
			b.WriteString(pre + "0105,earning,BANTUAN SARA HIDUP (BSH),300.00\n")
			b.WriteString(pre + "4001,deduction,CUKAI PENDAPATAN (PCB),100.00\n")
			b.WriteString(pre + "9001,employer,CARUMAN PENCEN MAJIKAN,545.00\n")
		}
	}
	return b.String()
}

var everyone = map[string]string{siti: "SITI BINTI AHMAD", ali: "ALI BIN ABU", chong: "CHONG WEI MING", nomod: "MOHD NOR BIN ISA", retired: "RAMLAH BINTI OMAR"}

func sample(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/payroll-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	// The copy here must be the shared sample, where that is beside the repository.
	if shared, err := os.ReadFile("../../shared/samples/payroll-sample.csv"); err == nil && !bytes.Equal(shared, b) {
		t.Fatal("testdata/payroll-sample.csv differs from shared/samples/payroll-sample.csv")
	}
	return string(b)
}

func TestImportSampleFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		res := f.mustImport(sample(t), false)
		if res.Lines != 9 || res.Employees != 1 || res.Slips != 1 || strings.Join(res.Months, ",") != "2026-10" || len(res.SHA256) != 64 {
			t.Fatalf("result: %+v", res)
		}
		if n := f.count("payslip_items", "1 = 1"); n != 9 {
			t.Fatalf("%d items", n)
		}
		// Imported is not published: the employee sees nothing yet.
		if _, err := f.svc.Slip(ctx, f.users[siti], "2026-10"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("slip before publishing: %v", err)
		}
		f.publish("2026-10", "")
		sl, err := f.svc.Slip(ctx, f.users[siti], "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		want := payslip.Totals{GrossSen: 402055, DeductionsSen: 105555, NetSen: 296500, EmployerSen: 54500}
		if sl.Totals != want || sl.YearToDate != want {
			t.Fatalf("totals %+v ytd %+v", sl.Totals, sl.YearToDate)
		}
		if len(sl.Items) != 9 || sl.Items[0].Code != "0001" || sl.Items[0].AmountSen != 312055 || sl.Items[8].Kind != payslip.Employer {
			t.Fatalf("items: %+v", sl.Items)
		}
		e := sl.Employee
		if e.MaskedIC() != "900101-**-***9" || e.MaskedAccount() != "********5678" || e.PTJName != "Jabatan Akauntan Negara" || e.TaxNo != "IG20000000001" {
			t.Fatalf("employee: %+v", e)
		}
		var detail string
		if err := db.IDB().NewRaw("SELECT detail FROM audit_log WHERE action = 'payroll.import'").Scan(ctx, &detail); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{res.SHA256, `"file":"gaji.csv"`, `"lines":9`, `"employees":1`, `"months":["2026-10"]`} {
			if !strings.Contains(detail, w) {
				t.Errorf("audit detail %s lacks %s", detail, w)
			}
		}
	})
}

// TestImportSlipLinesApart: a slip whose lines are not together in the
// file is one slip with all its items and sums.
func TestImportSlipLinesApart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		lines := strings.SplitAfter(pay([]string{"2026-10"}, map[string]string{siti: "SITI BINTI AHMAD", ali: "ALI BIN ABU"}, "3000.00"), "\n")
		// head, siti ×4, ali ×4: move siti's last two lines after ali's.
		file := lines[0] + lines[1] + lines[2] + strings.Join(lines[5:9], "") + lines[3] + lines[4]
		res := f.mustImport(file, false)
		if res.Slips != 2 || res.Lines != 8 {
			t.Fatalf("result: %+v", res)
		}
		f.publish("2026-10", "")
		sl, err := f.svc.Slip(ctx, f.users[siti], "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		if sl.Totals != (payslip.Totals{GrossSen: 330000, DeductionsSen: 10000, NetSen: 320000, EmployerSen: 54500}) || len(sl.Items) != 4 {
			t.Fatalf("a slip in two runs: %+v, %d items", sl.Totals, len(sl.Items))
		}
		if sl.Items[2].Code != "4001" || sl.Items[3].Code != "9001" {
			t.Fatalf("items out of file order: %+v", sl.Items)
		}
	})
}

// TestImportAllOrNothing: one bad line among good ones, anywhere in the
// file, and nothing is written; every bad line is reported.
func TestImportAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		good := pay([]string{"2026-09", "2026-10"}, everyone, "3000.00")
		lines := strings.SplitAfter(good, "\n")
		bad := strings.Join(lines[:30], "") + strings.Replace(lines[30], "12010101", "99999999", 1) + strings.Join(lines[31:], "")
		bad = strings.Replace(bad, "2026-10,", "2026-1,", 1)
		_, err := f.importFile(bad, false)
		var bf *payslip.BadFile
		if !errors.As(err, &bf) || bf.Count != 2 || !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad file: %v", err)
		}
		if bf.Errors[0].Line != 22 || bf.Errors[0].Field != "month" || bf.Errors[1].Line != 31 || bf.Errors[1].Field != "ptj_code" {
			t.Fatalf("errors: %+v", bf.Errors)
		}
		for _, table := range []string{"payslips", "payslip_items", "payroll_imports", "payroll_months", "audit_log"} {
			if n := f.count(table, "1 = 1"); n != 0 {
				t.Errorf("%s has %d rows after a refused file", table, n)
			}
		}
		// The same connection and tables serve the good file at once.
		if res := f.mustImport(good, false); res.Slips != 10 {
			t.Fatalf("good file after a bad one: %+v", res)
		}
	})
}

func TestImportReplace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		first := f.mustImport(pay([]string{"2026-10"}, everyone, "3000.00"), false)
		f.publish("2026-10", "")
		told := f.count("outbox", "kind = 'payslip_ready'")
		if told != 3 { // siti, ali, chong: active with the module
			t.Fatalf("%d told at publishing", told)
		}
		// Again without replace: refused, nothing changed.
		_, err := f.importFile(pay([]string{"2026-10"}, everyone, "3500.00"), false)
		if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.As(err).Message(i18n.EN), "2026-10") {
			t.Fatalf("second import: %v", err)
		}
		if n := f.count("payroll_imports", "1 = 1"); n != 1 {
			t.Fatalf("%d imports after a refused one", n)
		}
		// With replace: the new pay, still published, everyone told again.
		res := f.mustImport(pay([]string{"2026-10"}, map[string]string{siti: "SITI BINTI AHMAD", ali: "ALI BIN ABU"}, "3500.00"), true)
		if strings.Join(res.Replaced, ",") != "2026-10" || res.Mailed != 2 || res.ID == first.ID {
			t.Fatalf("replace: %+v", res)
		}
		sl, err := f.svc.Slip(ctx, f.users[siti], "2026-10")
		if err != nil || sl.Totals.GrossSen != 380000 {
			t.Fatalf("after replace: %+v %v", sl, err)
		}
		if _, err := f.svc.Slip(ctx, f.users[chong], "2026-10"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("chong is not in the new file: %v", err)
		}
		if n := f.count("outbox", "kind = 'payslip_replaced'"); n != 2 {
			t.Fatalf("%d told of the replacement", n)
		}
		if n := f.count("audit_log", "action = 'payroll.month.replace_published' AND object_id = '2026-10'"); n != 1 {
			t.Fatalf("replacing a published month audited %d times", n)
		}
		if n := f.count("payslips", "1 = 1"); n != 2 {
			t.Fatalf("%d slips after replace", n)
		}
		if n := f.count("payslip_items", "1 = 1"); n != 8 {
			t.Fatalf("%d items after replace (old ones left?)", n)
		}
	})
}

func TestImportWarnings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		people := map[string]string{siti: "SITI BT AHMAD", ali: "ali  bin abu", "910808045085": "MUHAMMAD HAZIQ BIN ROSLI"}
		file := pay([]string{"2026-10"}, people, "3000.00")
		// Ali's deductions: 100 + 2000 of 3300 gross, above 60%.
		file += "2026-10,A105431,850202105431,ali  bin abu,12010101,PEGAWAI,N19,MBB,114002105431,IG02021054310,32105431,4301,deduction,PINJAMAN PERUMAHAN,2000.00\n"
		res := f.mustImport(file, false)
		got := map[string]int{}
		for _, w := range res.Warnings {
			got[w.Text.Key] = w.Line
			msg := w.Text.In(i18n.EN)
			if strings.Contains(msg, "2,000") || strings.Contains(msg, "3,300") || strings.Contains(msg, "850202105431") {
				t.Errorf("a warning shows an amount or a full MyKad: %s", msg)
			}
		}
		want := map[string]int{"payslip.warning.name_differs": 2, "payslip.warning.deductions": 6, "payslip.warning.no_profile": 10}
		if len(got) != 3 || res.WarningCount != 3 {
			t.Fatalf("warnings %v (%d), want %v", got, res.WarningCount, want)
		}
		for k, line := range want {
			if got[k] != line {
				t.Errorf("%s on line %d, want %d", k, got[k], line)
			}
		}
		// The person without a profile keeps the slip; it is there when the profile comes.
		if n := f.count("payslips", "ic_number = '910808045085'"); n != 1 {
			t.Fatalf("slip of the person without a profile: %d", n)
		}
		imp, err := f.svc.ImportByID(ctx, res.ID)
		if err != nil || len(imp.Warnings()) != 3 {
			t.Fatalf("stored warnings: %v %v", imp, err)
		}
		// The profile comes later (a registration provisioned): the history is there.
		f.publish("2026-10", "")
		later := &store.User{Login: "910808045085", Name: "MUHAMMAD HAZIQ BIN ROSLI", Email: "haziq@melaka.gov.my", PTJCode: "12010101",
			Status: store.StatusActive, Lang: "ms", CreatedAt: f.now, UpdatedAt: f.now, Modules: []store.UserModule{{Module: forms.ModulePayslip}}}
		if err := db.InsertUser(ctx, later); err != nil {
			t.Fatal(err)
		}
		if sl, err := f.svc.Slip(ctx, later, "2026-10"); err != nil || sl.Totals.GrossSen != 330000 {
			t.Fatalf("the slip of a profile made after the import: %+v %v", sl, err)
		}
	})
}

func TestPublishVisibilityByDate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mustImport(pay([]string{"2026-09", "2026-10"}, everyone, "3000.00"), false)
		f.publish("2026-09", "")
		res := f.publish("2026-10", "2026-10-24") // from midnight in Malaysia: 2026-10-23 16:00 UTC
		if res.VisibleFrom == nil || !res.VisibleFrom.Equal(time.Date(2026, 10, 23, 16, 0, 0, 0, time.UTC)) {
			t.Fatalf("visible from %v", res.VisibleFrom)
		}
		months := func() string {
			list, err := f.svc.Months(ctx, f.users[siti], 0)
			if err != nil {
				t.Fatal(err)
			}
			var s []string
			for _, m := range list {
				s = append(s, m.Month)
			}
			return strings.Join(s, ",")
		}
		if got := months(); got != "2026-09" {
			t.Fatalf("before the date: %s", got)
		}
		if _, err := f.svc.Slip(ctx, f.users[siti], "2026-10"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("slip before its date: %v", err)
		}
		f.set(time.Date(2026, 10, 23, 15, 59, 0, 0, time.UTC))
		if got := months(); got != "2026-09" {
			t.Fatalf("a minute before: %s", got)
		}
		f.set(time.Date(2026, 10, 23, 16, 0, 0, 0, time.UTC))
		if got := months(); got != "2026-10,2026-09" {
			t.Fatalf("on the date: %s", got)
		}
		sl, err := f.svc.Slip(ctx, f.users[siti], "2026-10")
		if err != nil || sl.YearToDate.GrossSen != 2*330000 {
			t.Fatalf("on the date: %+v %v", sl, err)
		}
		// The mail said when.
		var data string
		if err := db.IDB().NewRaw("SELECT data FROM outbox WHERE data LIKE '%2026-10%' LIMIT 1").Scan(ctx, &data); err != nil || !strings.Contains(data, `"from"`) {
			t.Fatalf("mail of a dated month: %q %v", data, err)
		}
		// Year filter and retention.
		if list, _ := f.svc.Months(ctx, f.users[siti], 2025); len(list) != 0 {
			t.Fatalf("2025: %+v", list)
		}
		kept := payslip.New(db, links{}, payslip.Options{RetentionMonths: 1})
		if list, _ := kept.Months(ctx, f.users[siti], 0); len(list) != 1 || list[0].Month != "2026-10" {
			t.Fatalf("retention of 1 month: %+v", list)
		}
		if _, err := kept.Slip(ctx, f.users[siti], "2026-09"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a month past retention: %v", err)
		}
	})
}

// TestPublishMailsOnce: one mail per employee with an active profile and
// the module, in batches, never twice — not when publishing again, not
// when two publish at once.
func TestPublishMailsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, func(o *payslip.Options) { o.MailBatch = 2 })
		f.mustImport(pay([]string{"2026-10"}, everyone, "3000.00"), false)
		var wg sync.WaitGroup
		mailed := make([]int, 2)
		for i := range mailed {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := f.svc.Publish(ctx, admin, "2026-10", "")
				if err != nil {
					t.Error(err)
					return
				}
				mailed[i] = res.Mailed
			}()
		}
		wg.Wait()
		if mailed[0]+mailed[1] != 3 {
			t.Fatalf("mailed %v, want 3 in all", mailed)
		}
		again := f.publish("2026-10", "2026-10-25")
		if again.Mailed != 0 {
			t.Fatalf("publishing again mailed %d", again.Mailed)
		}
		var to []string
		if err := db.IDB().NewRaw("SELECT to_email FROM outbox WHERE kind = 'payslip_ready' ORDER BY to_email").Scan(ctx, &to); err != nil {
			t.Fatal(err)
		}
		if strings.Join(to, ",") != "ali@melaka.gov.my,chong@melaka.gov.my,siti@melaka.gov.my" {
			t.Fatalf("mailed %v", to)
		}
		if n := f.count("audit_log", "action = 'payroll.month.publish'"); n != 3 {
			t.Fatalf("%d publish audits", n)
		}
		// The mail: the month, the link, the password rule; no amount.
		var data []byte
		if err := db.IDB().NewRaw("SELECT data FROM outbox WHERE kind = 'payslip_ready' LIMIT 1").Scan(ctx, &data); err != nil {
			t.Fatal(err)
		}
		r, err := notify.NewRenderer(secret.Random())
		if err != nil {
			t.Fatal(err)
		}
		subject, text, html, err := r.Render("payslip_ready", "ms", "Siti", data)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"Oktober 2026", "https://ispeks.example.gov.my/epayslip/2026-10", "12 digit tanpa tanda sengkang"} {
			if !strings.Contains(subject+text, w) {
				t.Errorf("mail lacks %q:\n%s\n%s", w, subject, text)
			}
		}
		for _, w := range []string{"3,000", "3000", "RM"} {
			if strings.Contains(text+html, w) {
				t.Errorf("mail carries %q", w)
			}
		}
	})
}

func TestPublishRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		if _, err := f.svc.Publish(ctx, admin, "2026-10", ""); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unimported month: %v", err)
		}
		if _, err := f.svc.Publish(ctx, admin, "10-2026", ""); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad month: %v", err)
		}
		f.mustImport(pay([]string{"2026-10"}, everyone, "3000.00"), false)
		if _, err := f.svc.Publish(ctx, admin, "2026-10", "24/10/2026"); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad date: %v", err)
		}
		if n := f.count("payroll_months", "state = 'published'"); n != 0 {
			t.Fatal("published after refusals")
		}
	})
}

// TestOnlyOwnSlips: the viewer's own MyKad decides; another's month, a
// profile without the module, nobody.
func TestOnlyOwnSlips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mustImport(pay([]string{"2026-10"}, map[string]string{siti: "SITI BINTI AHMAD", nomod: "MOHD NOR BIN ISA"}, "3000.00"), false)
		f.publish("2026-10", "")
		if _, err := f.svc.Slip(ctx, f.users[ali], "2026-10"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("ali reads a month he has no slip in: %v", err)
		}
		if _, err := f.svc.PDF(ctx, f.users[ali], "2026-10"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("ali's PDF: %v", err)
		}
		if _, err := f.svc.Slip(ctx, f.users[nomod], "2026-10"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("a profile without the module: %v", err)
		}
		if _, err := f.svc.Slip(ctx, nil, "2026-10"); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("nobody: %v", err)
		}
		if _, err := f.svc.Slip(ctx, f.users[siti], "../2026-10"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a bad month: %v", err)
		}
	})
}

func TestPDF(t *testing.T) {
	documenttest.Tool(t, "pdftotext")
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mustImport(sample(t), false)
		f.mustImport(pay([]string{"2026-09"}, map[string]string{siti: "SITI BINTI AHMAD"}, "3000.00"), false)
		f.publish("2026-09", "")
		f.publish("2026-10", "")
		pdf, err := f.svc.PDF(ctx, f.users[siti], "2026-10")
		if err != nil {
			t.Fatal(err)
		}
		if documenttest.Opens(t, pdf, "") || documenttest.Opens(t, pdf, "900101-04-5679") {
			t.Fatal("the PDF opens without the MyKad password")
		}
		if !strings.Contains(documenttest.Info(t, pdf, siti), "AES-256") {
			t.Fatal("not AES-256")
		}
		text := documenttest.Text(t, pdf, siti)
		for _, w := range []string{"PENYATA GAJI", "Oktober 2026", "SITI BINTI AHMAD", "900101-**-***9", "3,120.55",
			"4,020.55", "1,055.55", "2,965.00", "545.00", "Gaji Bersih", "PERBENDAHARAAN NEGERI MELAKA", "Rujukan: SG-2026-10-", "Dijana pada 20/10/2026 10:00"} {
			if !strings.Contains(text, w) {
				t.Errorf("PDF text lacks %q", w)
			}
		}
		if strings.Contains(text, siti) {
			t.Error("the PDF shows the full MyKad")
		}
		// Two months as one PDF, oldest first; year to date adds up.
		both, err := f.svc.PDF(ctx, f.users[siti], "2026-10", "2026-09")
		if err != nil {
			t.Fatal(err)
		}
		text = documenttest.Text(t, both, siti)
		if i, j := strings.Index(text, "SG-2026-09-"), strings.Index(text, "SG-2026-10-"); i < 0 || j < i {
			t.Fatalf("both months in order: %d %d", i, j)
		}
		if !strings.Contains(text, "7,320.55") { // 3,300.00 + 4,020.55
			t.Error("year to date of October lacks September")
		}
		if n := f.count("audit_log", "action = 'payslip.download' AND actor_login = ?", siti); n != 2 {
			t.Fatalf("%d downloads audited", n)
		}
		// The setting that turns protection off.
		open := payslip.New(db, links{}, payslip.Options{PDFPassword: payslip.PasswordNone})
		plain, err := open.PDF(ctx, f.users[siti], "2026-10")
		if err != nil || !documenttest.Opens(t, plain, "") {
			t.Fatalf("unprotected PDF: %v", err)
		}
	})
}

func TestViewingAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mustImport(sample(t), false)
		f.publish("2026-10", "")
		if _, err := f.svc.Months(ctx, f.users[siti], 0); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Slip(ctx, f.users[siti], "2026-10"); err != nil {
			t.Fatal(err)
		}
		if n := f.count("audit_log", "action = 'payslip.view' AND actor_login = ? AND object_id = '2026-10'", siti); n != 1 {
			t.Fatalf("viewing audited %d times", n)
		}
		if n := f.count("audit_log", "action = 'payslip.list' AND actor_login = ?", siti); n != 1 {
			t.Fatalf("list audited %d times", n)
		}
		// Viewings at once are written together, every one of them, each
		// before its page is answered.
		var wg sync.WaitGroup
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.svc.Slip(ctx, f.users[siti], "2026-10"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := f.count("audit_log", "action = 'payslip.view'"); n != 41 {
			t.Fatalf("%d viewings audited of 41", n)
		}
		if _, brk, err := db.VerifyAudit(ctx); err != nil || brk != nil {
			t.Fatalf("audit chain: %v %v", brk, err)
		}
	})
}

func TestOperatorViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mustImport(pay([]string{"2026-10"}, everyone, "3000.00"), false)
		totals, err := f.svc.MonthTotals(ctx, "2026-10")
		if err != nil || len(totals) != 1 || totals[0].Slips != 5 || totals[0].GrossSen != 5*330000 || totals[0].PTJName != "Jabatan Akauntan Negara" {
			t.Fatalf("totals: %+v %v", totals, err)
		}
		list, total, err := f.svc.FindSlips(ctx, payslip.SlipFilter{Month: "2026-10", Q: "900101-04-5679"}, store.Page{})
		if err != nil || total.N != 1 || list[0].Name != "SITI BINTI AHMAD" || list[0].MaskedIC() != "900101-**-***9" {
			t.Fatalf("find by MyKad: %+v %v %v", list, total, err)
		}
		if _, total, _ := f.svc.FindSlips(ctx, payslip.SlipFilter{Q: "bin"}, store.Page{Size: 1}); total.N != 4 || !total.Exact { // BIN and BINTI
			t.Fatalf("find by name: %v", total)
		}
		if _, total, _ := f.svc.FindSlips(ctx, payslip.SlipFilter{Q: "b_n"}, store.Page{Size: 1}); total.N != 0 { // LIKE's wildcards are letters like any other
			t.Fatalf("find by b_n: %v", total)
		}
		months, count, err := f.svc.PayrollMonths(ctx, store.Page{})
		if err != nil || count != 1 || months[0].Employees != 5 || months[0].Published() {
			t.Fatalf("months: %+v %v", months, err)
		}
	})
}

// Two imports of one month at once: one lands, the other is refused as a
// month that already holds slips, whichever reads first.
func TestTwoImportsOfOneMonthAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		file := pay([]string{"2026-10"}, everyone, "3000.00")
		pr, pw := io.Pipe()
		errs := make(chan error, 2)
		go func() {
			_, err := f.svc.Import(ctx, admin, "a.csv", pr, false)
			errs <- err
		}()
		half := strings.LastIndexByte(file[:len(file)/2], '\n') + 1
		if _, err := io.WriteString(pw, file[:half]); err != nil {
			t.Fatal(err)
		}
		go func() {
			_, err := f.svc.Import(ctx, admin, "b.csv", strings.NewReader(file), false)
			errs <- err
		}()
		if _, err := io.WriteString(pw, file[half:]); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		var landed, refused int
		for range 2 {
			switch err := <-errs; {
			case err == nil:
				landed++
			case apperr.Is(err, apperr.Conflict) && strings.Contains(apperr.As(err).Message(i18n.EN), "2026-10"):
				refused++
			default:
				t.Fatalf("an import of the same month: %v", err)
			}
		}
		if landed != 1 || refused != 1 {
			t.Fatalf("%d landed and %d refused, want one each", landed, refused)
		}
		if n := f.count("payslips", "1 = 1"); n != len(everyone) {
			t.Fatalf("%d slips, want %d", n, len(everyone))
		}
		if n := f.count("payroll_imports", "1 = 1"); n != 1 {
			t.Fatalf("%d imports recorded, want 1", n)
		}
	})
}

// seen counts the rows of table that readers see while the writer is held
// (the readers' pool; SQLite's writer is the part's).
func seen(t *testing.T, db *store.DB, table, where string, args ...any) int {
	t.Helper()
	n, err := db.ReadIDB().NewSelect().TableExpr(table).Where(where, args...).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestImportInParts: on SQLite an import's slips land a part at a time
// when another write waits, readers seeing each slip whole and the months
// as being saved between parts; the import ends as a whole one does. On
// PostgreSQL it is one transaction.
func TestImportInParts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, func(o *payslip.Options) { o.PartSlips = 2 })
		parts := 0
		payslip.SetPartDone(f.svc, func() error {
			if parts++; db.Dialect != store.SQLite {
				return nil
			}
			if n, items := seen(t, db, "payslips", "1 = 1"), seen(t, db, "payslip_items", "1 = 1"); n != 2*(parts-1) || items != 4*n {
				t.Errorf("before part %d readers see %d slips and %d items, want %d and %d", parts, n, items, 2*(parts-1), 8*(parts-1))
			}
			if n := seen(t, db, "payroll_months", "state = ?", payslip.StateImporting); n != 2 {
				t.Errorf("before part %d %d months being saved, want 2", parts, n)
			}
			storetest.WaitingWrite(t, db) // so that this part lands alone
			return nil
		})
		res := f.mustImport(pay([]string{"2026-10", "2026-11"}, everyone, "3000.00"), false)
		want := 5
		if db.Dialect == store.Postgres {
			want = 1
		}
		if parts != want {
			t.Fatalf("%d parts, want %d", parts, want)
		}
		if res.Slips != 10 || f.count("payslips", "import_id = ?", res.ID) != 10 || f.count("payslip_items", "import_id = ?", res.ID) != 40 {
			t.Fatalf("%+v: %d slips, %d items", res, f.count("payslips", "1 = 1"), f.count("payslip_items", "1 = 1"))
		}
		if n := f.count("payroll_months", "state = ? AND employees = 5 AND import_id = ?", payslip.StateImported, res.ID); n != 2 {
			t.Fatalf("%d months imported with 5 employees, want 2", n)
		}
		if n := f.count("audit_log", "action = 'payroll.import' AND object_id = ?", fmt.Sprint(res.ID)); n != 1 {
			t.Fatalf("%d audit records of the import", n)
		}
	})
}

// TestImportStoppedMidwayIsFinished: an import whose apply stopped after
// two parts (SQLite) stays with its months being saved — not published, not
// imported again — until FinishImports ends it from the next part; on
// PostgreSQL the failed part undoes the whole import.
func TestImportStoppedMidwayIsFinished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, func(o *payslip.Options) { o.PartSlips = 2 })
		parts, failAt := 0, 3
		if db.Dialect == store.Postgres {
			failAt = 1 // its one part
		}
		payslip.SetPartDone(f.svc, func() error {
			if parts++; parts == failAt {
				return errors.New("the disk is full")
			}
			if db.Dialect == store.SQLite {
				storetest.WaitingWrite(t, db)
			}
			return nil
		})
		file := pay([]string{"2026-10", "2026-11"}, everyone, "3000.00")
		res, err := f.importFile(file, false)
		if db.Dialect == store.Postgres {
			if err == nil || f.count("payslips", "1 = 1") != 0 || f.count("payroll_imports", "1 = 1") != 0 || f.count("payroll_months", "1 = 1") != 0 {
				t.Fatalf("a failed part on PostgreSQL: %v, %d slips", err, f.count("payslips", "1 = 1"))
			}
			return
		}
		if !errors.Is(err, store.ErrUnfinished) || res == nil || res.ID == 0 {
			t.Fatalf("a part that failed: %+v, %v, want the import and ErrUnfinished", res, err)
		}
		payslip.SetPartDone(f.svc, nil)
		if n := f.count("payslips", "1 = 1"); n != 4 || f.count("payroll_months", "state = ?", payslip.StateImporting) != 2 ||
			f.count("audit_log", "action = 'payroll.import'") != 0 {
			t.Fatalf("after two parts: %d slips (want 4), %d months being saved (want 2), %d audit records (want 0)",
				n, f.count("payroll_months", "state = ?", payslip.StateImporting), f.count("audit_log", "action = 'payroll.import'"))
		}

		// While it is being saved its months are neither published nor
		// imported again (here another process holds it).
		if _, err := f.svc.Publish(ctx, admin, "2026-10", ""); !apperr.Is(err, apperr.Conflict) ||
			!strings.Contains(apperr.As(err).Message(i18n.EN), "is still being saved") {
			t.Fatalf("publishing a month being saved: %v", err)
		}
		lease := "job:payroll-import-" + fmt.Sprint(res.ID)
		if ok, err := db.TakeLease(ctx, lease, "another process", time.Now().Add(time.Minute)); err != nil || !ok {
			t.Fatal(ok, err)
		}
		if _, err := f.importFile(file, true); !apperr.Is(err, apperr.Conflict) ||
			!strings.Contains(apperr.As(err).Message(i18n.MS), "masih sedang disimpan") || f.count("payslips", "1 = 1") != 4 {
			t.Fatalf("replacing a month being saved: %v, %d slips", err, f.count("payslips", "1 = 1"))
		}
		if done, err := f.svc.FinishImports(ctx); !errors.Is(err, store.ErrJobBusy) || len(done) != 0 {
			t.Fatalf("finishing an import another process holds: %v, %v", done, err)
		}
		// A file of other months lands meanwhile.
		if other := f.mustImport(pay([]string{"2026-12"}, everyone, "3000.00"), false); f.count("payslips", "import_id = ?", other.ID) != 5 {
			t.Fatalf("a file of another month beside an import being saved: %d slips", f.count("payslips", "import_id = ?", other.ID))
		}
		if err := db.ReleaseLease(ctx, lease, "another process"); err != nil {
			t.Fatal(err)
		}

		// FinishImports (serve's, each minute; and the next import's) ends it.
		done, err := f.svc.FinishImports(ctx)
		if err != nil || len(done) != 1 || done[0] != res.ID {
			t.Fatalf("FinishImports: %v, %v", done, err)
		}
		if f.count("payslips", "import_id = ?", res.ID) != 10 || f.count("payslip_items", "import_id = ?", res.ID) != 40 ||
			f.count("payroll_months", "state = ? AND employees = 5", payslip.StateImported) != 3 ||
			f.count("audit_log", "action = 'payroll.import'") != 2 || f.count("payroll_imports", "1 = 1") != 2 {
			t.Fatalf("finished: %d slips, %d items, %d months imported, %d audit records",
				f.count("payslips", "1 = 1"), f.count("payslip_items", "1 = 1"), f.count("payroll_months", "state = ?", payslip.StateImported),
				f.count("audit_log", "action = 'payroll.import'"))
		}
		if n, _, err := db.VerifyAudit(ctx); err != nil || n == 0 {
			t.Fatalf("audit chain: %d, %v", n, err)
		}
		f.publish("2026-10", "")
	})
}

// TestAbandonAnImportThatCannotBeFinished: an import stopped midway whose
// staging file is gone cannot be finished, and its months refuse a new
// file; abandoned, what it saved goes with the months it was saving (and
// its row), the abandonment is audited, and the file imports again. One
// not being saved, or saved by another process, is not abandoned.
func TestAbandonAnImportThatCannotBeFinished(t *testing.T) {
	db := storetest.Open(t, store.SQLite) // on PostgreSQL no import stops midway
	f := setup(t, db, func(o *payslip.Options) { o.PartSlips = 2 })
	parts := 0
	payslip.SetPartDone(f.svc, func() error {
		if parts++; parts == 3 {
			return errors.New("the disk is full")
		}
		storetest.WaitingWrite(t, db)
		return nil
	})
	file := pay([]string{"2026-10", "2026-11"}, everyone, "3000.00")
	res, err := f.importFile(file, false)
	if !errors.Is(err, store.ErrUnfinished) {
		t.Fatalf("a part that failed: %v", err)
	}
	payslip.SetPartDone(f.svc, nil)
	var staging string
	if err := db.IDB().NewRaw("SELECT file FROM jobs_applying").Scan(ctx, &staging); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(staging); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.FinishImports(ctx); err == nil || !strings.Contains(err.Error(), "staging file") {
		t.Fatalf("finishing an import without its staging file: %v", err)
	}
	if _, err := f.importFile(file, true); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a file of the months of a stuck import: %v", err)
	}

	lease := "job:payroll-import-" + fmt.Sprint(res.ID)
	if ok, err := db.TakeLease(ctx, lease, "another process", time.Now().Add(time.Minute)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	if _, err := f.svc.AbandonImport(ctx, admin, res.ID); !apperr.Is(err, apperr.Conflict) ||
		!strings.Contains(apperr.As(err).Message(i18n.EN), "by another process") || f.count("payslips", "1 = 1") != 4 {
		t.Fatalf("abandoning an import another process holds: %v", err)
	}
	if err := db.ReleaseLease(ctx, lease, "another process"); err != nil {
		t.Fatal(err)
	}

	months, err := f.svc.AbandonImport(ctx, admin, res.ID)
	if err != nil || strings.Join(months, ",") != "2026-10,2026-11" {
		t.Fatalf("abandon: %v, %v", months, err)
	}
	for _, table := range []string{"payslips", "payslip_items", "payroll_months", "payroll_imports", "jobs_applying"} {
		if n := f.count(table, "1 = 1"); n != 0 {
			t.Errorf("%d rows of %s left", n, table)
		}
	}
	if n := f.count("audit_log", "action = 'payroll.import_abandon' AND object_id = ?", fmt.Sprint(res.ID)); n != 1 {
		t.Fatalf("%d audit records of the abandonment", n)
	}
	if _, err := f.svc.AbandonImport(ctx, admin, res.ID); !apperr.Is(err, apperr.NotFound) ||
		!strings.Contains(apperr.As(err).Message(i18n.MS), "tidak sedang disimpan") {
		t.Fatalf("abandoning it again: %v", err)
	}
	if again := f.mustImport(file, false); f.count("payslips", "import_id = ?", again.ID) != 10 {
		t.Fatalf("the file imported again: %d slips", f.count("payslips", "1 = 1"))
	}
	if n, _, err := db.VerifyAudit(ctx); err != nil || n == 0 {
		t.Fatalf("audit chain: %d, %v", n, err)
	}
}
