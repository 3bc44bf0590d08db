package main

import (
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/store"
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
	db, err := e.open()
	if err != nil {
		return err
	}
	defer db.Close()
	if _, total, err := db.ListUsers(e.ctx, store.UserFilter{}, store.Page{Size: 1}); err != nil {
		return err
	} else if total > 0 {
		return apperr.New(apperr.Conflict, "", "the database already has users: the demo fills only an empty database")
	}
	for _, p := range demoPTJs {
		if err := db.AddPTJ(e.ctx, store.CLI, p); err != nil {
			return err
		}
	}
	hash, err := password.Hash(demoPassword)
	if err != nil {
		return err
	}
	for _, u := range demoUsers {
		nu := store.NewUser{Login: u.login, Name: u.name, Email: u.email, PTJCode: u.ptj, Modules: u.modules, PasswordHash: hash}
		for _, r := range u.roles {
			nu.Roles = append(nu.Roles, forms.RoleGrant{Role: r})
		}
		if _, err := db.CreateUser(e.ctx, store.CLI, nu); err != nil {
			return err
		}
	}
	if err := demoRequests(e, db); err != nil {
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
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", forms.MyKad(u.login).Formatted(), u.name, u.ptj, roles)
	}
	return w.Flush()
}

// demoRequests adds requests in several states once the workflow exists.
func demoRequests(e *env, db *store.DB) error { return nil }
