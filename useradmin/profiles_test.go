package useradmin_test

import (
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/useradmin"
)

func TestAddPTJ(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newBare(t, db)
		c.addPTJ(t, "12010101")
		err := c.svc.AddPTJ(ctx, store.CLI, store.PTJ{Code: "12010101", Name: "Again"})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate code: got %v, want conflict", err)
		}
		err = c.svc.AddPTJ(ctx, store.CLI, store.PTJ{Code: "12AB", Name: "Bad"})
		if !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad code: got %v, want invalid", err)
		}
		if n := countRows(t, db, "ptj"); n != 1 {
			t.Fatalf("ptj rows = %d, want 1 (nothing written by the failures)", n)
		}
		if n := countRows(t, db, "audit_log"); n != 1 {
			t.Fatalf("audit rows = %d, want 1", n)
		}
		list, total, err := db.ListPTJ(ctx, "010101", store.Page{})
		if err != nil || total != 1 || len(list) != 1 {
			t.Fatalf("search: %v %d %v", list, total, err)
		}
		if _, total, err := db.ListPTJ(ctx, "12_1", store.Page{}); err != nil || total != 0 { // LIKE's wildcards are letters like any other
			t.Fatalf("search of 12_1: %d %v", total, err)
		}
	})
}

func TestCreateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newBare(t, db)
		c.addPTJ(t, "12010101")
		nu := useradmin.NewUser{
			Login: "900101-04-5679", Name: "siti  binti ahmad", Email: "siti@melaka.gov.my", PTJCode: "12010101",
			Roles:   []forms.RoleGrant{{Role: forms.RolePTJRep}, {Role: forms.RoleAuditor}},
			Modules: []forms.Module{forms.ModulePayslip}, PasswordHash: "x", MustChange: true,
		}
		u, err := c.svc.CreateUser(ctx, store.CLI, nu)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.UserByLogin(ctx, "900101045679")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.Name != "siti binti ahmad" || !got.MustChange || !got.Active() {
			t.Fatalf("stored user = %+v", got)
		}
		if !got.HasRoleFor(forms.RolePTJRep, "12010101") || got.HasRoleFor(forms.RolePTJRep, "99999999") {
			t.Fatal("ptj_rep must be scoped to the user's PTJ")
		}
		if !got.HasRoleFor(forms.RoleAuditor, "99999999") {
			t.Fatal("auditor is not PTJ-scoped")
		}
		if !got.HasModule(forms.ModulePayslip) || got.HasModule(forms.ModuleEC) {
			t.Fatal("modules not as granted")
		}
	})
}

func TestCreateUserRefusals(t *testing.T) {
	valid := useradmin.NewUser{Login: "900101045679", Name: "A", Email: "a@b.my", PTJCode: "12010101"}
	tests := []struct {
		name  string
		edit  func(*useradmin.NewUser)
		code  apperr.Code
		field string
	}{
		{"unknown PTJ", func(u *useradmin.NewUser) { u.PTJCode = "99999999" }, apperr.Invalid, "ptj_code"},
		{"MyKad too short", func(u *useradmin.NewUser) { u.Login = "90010104567" }, apperr.Invalid, "login"},
		{"MyKad impossible date", func(u *useradmin.NewUser) { u.Login = "901301045679" }, apperr.Invalid, "login"},
		{"email without domain", func(u *useradmin.NewUser) { u.Email = "siti@" }, apperr.Invalid, "email"},
		{"unknown role", func(u *useradmin.NewUser) { u.Roles = []forms.RoleGrant{{Role: "king"}} }, apperr.Invalid, "roles"},
		{"unknown module", func(u *useradmin.NewUser) { u.Modules = []forms.Module{"epay"} }, apperr.Invalid, "modules"},
		{"taken login", func(u *useradmin.NewUser) {}, apperr.Conflict, ""},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := newBare(t, db)
		c.addPTJ(t, "12010101")
		if _, err := c.svc.CreateUser(ctx, store.CLI, valid); err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				nu := valid
				tc.edit(&nu)
				_, err := c.svc.CreateUser(ctx, store.CLI, nu)
				if apperr.CodeOf(err) != tc.code {
					t.Fatalf("got %v, want %s", err, tc.code)
				}
				if tc.field != "" {
					e := apperr.As(err)
					if len(e.Fields) == 0 || e.Fields[0].Field != tc.field {
						t.Fatalf("fields = %+v, want %s", e.Fields, tc.field)
					}
				}
			})
		}
		if n := countRows(t, db, "users"); n != 1 {
			t.Fatalf("users = %d, want 1: a refused create wrote something", n)
		}
	})
}
