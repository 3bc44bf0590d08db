package statement_test

import (
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/document/documenttest"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// published is a fixture with 2025 mapped, generated and published.
func published(t *testing.T, db *store.DB, opts ...func(*statement.Options)) *fixture {
	t.Helper()
	f := setup(t, db, opts...)
	f.mapping(fullMapping)
	f.pay(year(2025, 2, everyMonth))
	if _, err := f.svc.Publish(ctx, admin, "2025"); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestOnlyOwnStatement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mapping(fullMapping)
		f.pay(year(2025, 2, everyMonth))
		if _, err := f.svc.Generate(ctx, admin, "2025"); err != nil {
			t.Fatal(err)
		}
		// Generated is not published: the employee sees nothing yet.
		if _, err := f.svc.Statement(ctx, f.users[siti], "2025"); err != statement.ErrNotFound {
			t.Fatalf("statement before publishing: %v", err)
		}
		if list, err := f.svc.Years(ctx, f.users[siti]); err != nil || len(list) != 0 {
			t.Fatalf("years before publishing: %v %v", list, err)
		}
		if _, err := f.svc.Publish(ctx, admin, "2025"); err != nil {
			t.Fatal(err)
		}
		st, err := f.svc.Statement(ctx, f.users[siti], "2025")
		if err != nil || st.Employee.IC != siti || st.Employee.Name != "SITI BINTI AHMAD" {
			t.Fatalf("siti's statement: %+v %v", st, err)
		}
		list, err := f.svc.Years(ctx, f.users[siti])
		if err != nil || len(list) != 1 || list[0].Year != 2025 || list[0].EmploymentSen != st.Total("B") || list[0].PCBSen != st.Amount(statement.D1) {
			t.Fatalf("siti's years: %+v %v", list, err)
		}
		// Looked up by the viewer's own login: no id from the address.
		for _, y := range []string{"2024", "2026", "x", "2025-01", "../2025"} {
			if _, err := f.svc.Statement(ctx, f.users[ali], y); err != statement.ErrNotFound {
				t.Errorf("ali asks %q: %v", y, err)
			}
		}
		if st2, _ := f.svc.Statement(ctx, f.users[ali], "2025"); st2 == nil || st2.Employee.IC != ali {
			t.Fatal("ali does not get his own")
		}
		for _, u := range []*store.User{f.users[nomod], f.users[retired], nil} {
			if _, err := f.svc.Statement(ctx, u, "2025"); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("a viewer without eEC: %v", err)
			}
			if _, err := f.svc.PDF(ctx, u, "2025"); !apperr.Is(err, apperr.Forbidden) {
				t.Errorf("a viewer without eEC downloads: %v", err)
			}
		}
		if _, err := f.svc.PDF(ctx, f.users[siti], "2025"); err != nil {
			t.Fatal(err)
		}
		for action, n := range map[string]int{"ec.list": 2, "ec.view": 2, "ec.download": 1} {
			if got := f.count("audit_log", "action = ? AND object_type = 'statement'", action); got != n {
				t.Errorf("%d %s audits, want %d", got, action, n)
			}
		}
		var object string
		if err := db.IDB().NewRaw("SELECT object_id FROM audit_log WHERE action = 'ec.download'").Scan(ctx, &object); err != nil || object != st.Serial() {
			t.Errorf("download audited as %q (%v)", object, err)
		}
	})
}

func TestPDF(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := published(t, db)
		st, _ := f.svc.Statement(ctx, f.users[chong], "2025")
		pdf, err := f.svc.PDF(ctx, f.users[chong], "2025")
		if err != nil {
			t.Fatal(err)
		}
		if documenttest.Opens(t, pdf, "") || documenttest.Opens(t, pdf, siti) {
			t.Fatal("the PDF opens without chong's MyKad")
		}
		text := documenttest.Text(t, pdf, chong)
		want := []string{"PENYATA SARAAN PEKERJA SEKTOR AWAM", "BAGI TAHUN BERAKHIR 31 DISEMBER 2025", "Borang EC (C.P.8C)",
			st.Serial(), employerNo(), "IG03031466630", "CHONG WEI MING", "880303-**-***3", "01/03/2025", "30/09/2025",
			"A. BUTIRAN PEKERJA", "B. PENDAPATAN PENGGAJIAN", "C. PENCEN", "D. JUMLAH POTONGAN", "E. CARUMAN", "F. JUMLAH ELAUN",
			"Potongan Cukai Bulanan (PCB)", "Zakat yang dibayar melalui potongan gaji", "Seksyen 83(1A)"}
		for _, l := range statement.Lines {
			want = append(want, malaysia.FormatSen(st.Amount(l)))
		}
		for _, s := range statement.Sections {
			want = append(want, malaysia.FormatSen(st.Total(s)))
		}
		flat := strings.Join(strings.Fields(text), " ")
		for _, w := range want {
			if !strings.Contains(flat, w) {
				t.Errorf("the PDF lacks %q", w)
			}
		}
		if strings.Contains(text, chong) {
			t.Error("the PDF shows the MyKad whole")
		}
		if info := documenttest.Info(t, pdf, chong); !strings.Contains(info, "AES-256") || !strings.Contains(strings.Join(strings.Fields(info), " "), "Pages: 1 ") {
			t.Errorf("pdfinfo: %s", info)
		}
		// The pay slips' rule "none" leaves it open.
		open := statement.New(db, links{}, statement.Options{EmployerNo: employerNo(), PDFPassword: payslip.PasswordNone})
		pdf, err = open.PDF(ctx, f.users[chong], "2025")
		if err != nil || !documenttest.Opens(t, pdf, "") {
			t.Fatalf("an open PDF: %v", err)
		}
	})
}

func TestOperatorViews(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := published(t, db)
		treasury := &store.User{ID: 900, Login: "bendahari", Status: store.StatusActive, Roles: []store.UserRole{{Role: forms.RoleTreasuryApprover}}}
		auditor := &store.User{ID: 901, Login: "juruaudit", Status: store.StatusActive, Roles: []store.UserRole{{Role: forms.RoleAuditor}}}
		totals, err := f.svc.PTJTotals(ctx, treasury, 2025)
		if err != nil || len(totals) != 1 || totals[0].Statements != 6 || totals[0].PTJName != "Jabatan Akauntan Negara" {
			t.Fatalf("totals: %+v %v", totals, err)
		}
		var sum int64
		for _, ic := range []string{siti, ali, chong, nomod, retired, noprofile} {
			st, _ := f.svc.StatementOf(ctx, ic, 2025)
			sum += st.Total("B")
		}
		if totals[0].Sections["B"] != sum {
			t.Fatalf("PTJ total B %d, statements %d", totals[0].Sections["B"], sum)
		}
		if _, err := f.svc.PTJTotals(ctx, auditor, 2025); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("auditor's totals: %v", err)
		}
		list, total, err := f.svc.Find(ctx, 2025, statement.Filter{Q: "880303-14-6663"}, store.Page{Number: 1, Size: 20})
		if err != nil || total.N != 1 || len(list) != 1 || list[0].MaskedIC() != "880303-**-***3" || list[0].Version != 1 {
			t.Fatalf("find by MyKad: %+v %v %v", list, total, err)
		}
		if list, total, _ = f.svc.Find(ctx, 2025, statement.Filter{Q: "bin abu"}, store.Page{Number: 1, Size: 20}); total.N != 1 || len(list) != 1 {
			t.Fatalf("find by name: %+v", list)
		}
		codes, err := f.svc.Codes(ctx, 2025)
		if err != nil || len(codes) != len(items) || codes[0].Code != "0001" || codes[0].Line != statement.B1a || codes[0].Now != statement.B1a || codes[0].Employees != 6 {
			t.Fatalf("codes: %+v %v", codes, err)
		}
		years, err := f.svc.YearsInfo(ctx)
		if err != nil || len(years) != 1 || years[0].Statements != 6 || !years[0].Published() || years[0].Stale || len(years[0].MonthList()) != 12 {
			t.Fatalf("years: %+v %v", years, err)
		}
		if py, err := f.svc.PayrollYears(ctx); err != nil || len(py) != 1 || py[0] != 2025 {
			t.Fatalf("payroll years: %v %v", py, err)
		}
		if _, err := f.svc.YearInfo(ctx, "2024"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a year not generated: %v", err)
		}
	})
}
