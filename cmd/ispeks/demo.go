package main

import (
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/password"
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
	if err := demoPayments(e, a); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Demo data added. Every demo user's password is %s\n\n", demoPassword)
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
