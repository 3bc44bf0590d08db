package main

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// demoPassword is every demo user's password. The demo is for trying the
// portal on one's own machine; never run it on a production database.
const demoPassword = "Demo-iSPEKS-2026!"

type demoUser struct {
	login, name, email, ptj string
	roles                   []forms.Role
	modules                 []forms.Module
}

var demoPTJs = []store.PTJ{
	{Code: "12010101", Name: "Perbendaharaan Negeri Melaka", Department: "Perbendaharaan Negeri"},
	{Code: "12020202", Name: "Jabatan Kerja Raya Negeri Melaka", Department: "JKR"},
	{Code: "12030303", Name: "Jabatan Pendidikan Negeri Melaka", Department: "JPN"},
}

var allModules = []forms.Module{forms.ModulePayslip, forms.ModuleEC, forms.ModuleMaklum}

var demoUsers = []demoUser{
	{"800101045011", "NORAINI BINTI HASSAN", "noraini@ispeks.localhost", "12020202", []forms.Role{forms.RolePTJRep}, allModules},
	{"750202045023", "HJ. RAZAK BIN OMAR", "razak@ispeks.localhost", "12020202", []forms.Role{forms.RoleControllingOfficer}, allModules},
	{"820303045035", "LIM MEI LING", "meiling@ispeks.localhost", "12020202", []forms.Role{forms.RolePTJRep}, allModules},
	{"700404045047", "DATO' ZAINAL BIN ABIDIN", "zainal@ispeks.localhost", "12010101", []forms.Role{forms.RoleTreasuryApprover}, allModules},
	{"850505045059", "SURESH A/L RAMASAMY", "suresh@ispeks.localhost", "12010101", []forms.Role{forms.RoleSysadmin}, allModules},
	{"880606045061", "FARIDAH BINTI YUSOF", "faridah@ispeks.localhost", "12010101", []forms.Role{forms.RoleAuditor}, nil},
	{"900707045073", "AHMAD FAIZAL BIN KAMAL", "faizal@ispeks.localhost", "12030303", nil, []forms.Module{forms.ModulePayslip, forms.ModuleEC}},
}

func runDemo(e *env, fs *flag.FlagSet, args []string) error {
	if err := e.parse(fs, args); err != nil {
		return err
	}
	a, err := e.open()
	if err != nil {
		return err
	}
	defer a.Close()
	if n, err := a.db.CountUsers(e.ctx); err != nil {
		return err
	} else if n > 0 {
		return apperr.New(apperr.Conflict, "cli.demo.not_empty")
	}
	for _, p := range demoPTJs {
		if err := a.admin.AddPTJ(e.ctx, store.CLI, p); err != nil {
			return err
		}
	}
	hash, err := password.Hash(demoPassword)
	if err != nil {
		return err
	}
	for _, u := range demoUsers {
		nu := useradmin.NewUser{Login: u.login, Name: u.name, Email: u.email, PTJCode: u.ptj, Modules: u.modules, PasswordHash: hash}
		for _, r := range u.roles {
			nu.Roles = append(nu.Roles, forms.RoleGrant{Role: r})
		}
		if _, err := a.admin.CreateUser(e.ctx, store.CLI, nu); err != nil {
			return err
		}
	}
	if err := demoRequests(e, a); err != nil {
		return err
	}
	months, err := demoPayroll(e, a)
	if err != nil {
		return err
	}
	if err := demoPayments(e, a); err != nil {
		return err
	}
	if err := demoStatements(e, a, months); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Demo data added, with pay slips of %s to %s. Every demo user's password is %s\n\n", months[0], months[len(months)-1], demoPassword)
	w := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(w, "LOGIN (MyKad)\tNAME\tPTJ\tROLES")
	for _, u := range demoUsers {
		roles := "employee"
		if len(u.roles) > 0 {
			roles = string(u.roles[0])
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", malaysia.MyKad(u.login).Formatted(), u.name, u.ptj, roles)
	}
	return w.Flush()
}

// demoRequests adds a request waiting at each stage of the workflow, one
// provisioned, one returned for amendment and one draft, so that every page
// has something to show. Each goes through the real workflow, with its
// history, audit records and mail.
func demoRequests(e *env, a *app) error {
	user := func(login string) (*store.User, error) { return a.db.UserByLogin(e.ctx, login) }
	rep, err := user("800101045011")
	if err != nil {
		return err
	}
	officer, err := user("750202045023")
	if err != nil {
		return err
	}
	treasury, err := user("700404045047")
	if err != nil {
		return err
	}
	admin, err := user("850505045059")
	if err != nil {
		return err
	}
	newcomer := func(kind forms.Kind, ic, name string) forms.Request {
		f := forms.Request{Kind: kind, PTJCode: "12020202",
			Subject: forms.Subject{ICNumber: ic, Name: name, Email: strings.ToLower(strings.Fields(name)[0]) + "@ispeks.localhost",
				Position: "Penolong Akauntan", Grade: "W29", SalaryNo: "J" + ic[6:12]},
			Justification: "Pegawai baharu di Unit Kewangan; perlu menyemak slip gaji dan status pembayaran.", Declaration: true}
		if kind == forms.KindRegistration || kind == forms.KindAccessUpdate {
			f.Modules = []forms.Module{forms.ModulePayslip, forms.ModuleEC, forms.ModuleMaklum}
			f.Roles = []forms.RoleGrant{{Role: forms.RolePTJRep, ApprovalLimitSen: 1_000_000}}
		}
		return f
	}
	type step struct {
		by      *store.User
		event   workflow.Event
		remarks string
	}
	approve := []step{{officer, workflow.Approve, ""}, {treasury, workflow.Approve, ""}, {admin, workflow.Provision, ""}}
	demo := []struct {
		form  forms.Request
		draft bool
		steps []step
	}{
		{newcomer(forms.KindRegistration, "910808045085", "MUHAMMAD HAZIQ BIN ROSLI"), false, nil},
		{newcomer(forms.KindAccessUpdate, "820303045035", "LIM MEI LING"), false, approve[:1]},
		{newcomer(forms.KindRegistration, "920909045097", "NUR AINA BINTI ZAKARIA"), false, approve[:2]},
		{newcomer(forms.KindRegistration, "930101045103", "KAVITHA A/P MURUGAN"), false, approve},
		{newcomer(forms.KindRegistration, "940202045115", "WONG KAH WAI"), false,
			[]step{{officer, workflow.Return, "Sila lampirkan surat lantikan dan semak gred jawatan."}}},
		{newcomer(forms.KindRegistration, "950303045127", "SITI KHADIJAH BINTI AWANG"), true, nil},
	}
	for _, d := range demo {
		r, err := a.admin.CreateRequest(e.ctx, rep, d.form, d.draft)
		if err != nil {
			return err
		}
		for _, s := range d.steps {
			res, err := a.admin.Act(e.ctx, s.by, r.ID, workflow.Action{Event: s.event, Version: r.Version, Remarks: s.remarks}, useradmin.ActOptions{})
			if err != nil {
				return err
			}
			r = res.Request
		}
	}
	return nil
}

// demoPay is what the demo's payroll pays one employee: basic pay by grade.
type demoPay struct {
	login, salaryNo, name, ptj, position, grade string
	basicSen                                    int64
	loanSen                                     int64 // a housing loan (LPPSA) deduction
}

// demoPayroll imports and publishes two years of pay for the demo's
// employees, up to last month, through the real import and publication
// (audit records, mail), so that a newcomer sees real slips.
func demoPayroll(e *env, a *app) ([]string, error) {
	people := []demoPay{
		{"800101045011", "J0450110", "NORAINI BINTI HASSAN", "12020202", "PEMBANTU TADBIR (P/O)", "N19", 2_450_00, 0},
		{"750202045023", "J0450230", "HJ. RAZAK BIN OMAR", "12020202", "JURUTERA AWAM", "J48", 7_850_00, 1_250_00},
		{"820303045035", "J0450350", "LIM MEI LING", "12020202", "PENOLONG AKAUNTAN", "W29", 3_410_00, 0},
		{"700404045047", "J0450470", "DATO' ZAINAL BIN ABIDIN", "12010101", "BENDAHARI NEGERI", "JUSA C", 12_500_00, 0},
		{"850505045059", "J0450590", "SURESH A/L RAMASAMY", "12010101", "PEGAWAI TEKNOLOGI MAKLUMAT", "F44", 6_120_00, 950_00},
		{"880606045061", "J0450610", "FARIDAH BINTI YUSOF", "12010101", "JURUAUDIT", "W41", 5_230_00, 0},
		{"900707045073", "J0450730", "AHMAD FAIZAL BIN KAMAL", "12030303", "GURU", "DG41", 3_120_55, 2_100_00},
		// On the payroll without a profile yet: the slips wait for a registration.
		{"910808045085", "J0450850", "MUHAMMAD HAZIQ BIN ROSLI", "12020202", "PENOLONG AKAUNTAN", "W29", 3_050_00, 0},
	}
	// Two years of pay up to last month (the current month is paid at its end).
	now := a.db.Now().In(malaysia.KL)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, malaysia.KL).AddDate(-2, 0, 0)
	var months []string
	var b strings.Builder
	b.WriteString(strings.Join(payslip.Columns, ",") + "\n")
	for i := 0; i < 24; i++ {
		t := first.AddDate(0, i, 0)
		m := t.Format("2006-01")
		months = append(months, m)
		for _, p := range people {
			// A yearly increment each January of the second year.
			basic := p.basicSen
			if t.Year() > first.Year() {
				basic += basic * 3 / 100
			}
			item := func(code, kind, name string, sen int64) {
				fmt.Fprintf(&b, "%s,%s,%s,\"%s\",%s,%s,%s,MBB,1140%s,IG%s0,%s,%s,%s,%s,%s\n",
					m, p.salaryNo, p.login, p.name, p.ptj, p.position, p.grade, p.login[4:12], p.login[2:12], p.login[4:12],
					code, kind, name, fmt.Sprintf("%d.%02d", sen/100, sen%100))
			}
			item("0001", "earning", "GAJI POKOK", basic)
			item("0102", "earning", "IMBUHAN TETAP KHIDMAT AWAM (ITKA)", 300_00)
			item("0103", "earning", "IMBUHAN TETAP PERUMAHAN (ITP)", 300_00)
			item("0105", "earning", "BANTUAN SARA HIDUP (BSH)", 300_00)
			gross := basic + 900_00
			item("4001", "deduction", "CUKAI PENDAPATAN (PCB)", gross*4/100)
			item("4002", "deduction", "KWSP (PEKERJA 11%)", gross*11/100)
			item("4003", "deduction", "PERKESO", 19_75)
			if p.loanSen > 0 {
				item("4301", "deduction", "PINJAMAN PERUMAHAN (LPPSA)", p.loanSen)
			}
			item("9001", "employer", "KWSP (MAJIKAN 13%)", gross*13/100)
			item("9002", "employer", "PERKESO (MAJIKAN)", 69_05)
		}
	}
	if _, err := a.slips.Import(e.ctx, store.CLI, "demo-gaji.csv", strings.NewReader(b.String()), false); err != nil {
		return nil, err
	}
	for _, m := range months {
		if _, err := a.slips.Publish(e.ctx, store.CLI, m, ""); err != nil {
			return nil, err
		}
	}
	return months, nil
}
