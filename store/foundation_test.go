package store_test

import (
	"context"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

var ctx = context.Background()

func addPTJ(t *testing.T, db *store.DB, code string) {
	t.Helper()
	if err := db.AddPTJ(ctx, store.CLI, store.PTJ{Code: code, Name: "PTJ " + code}); err != nil {
		t.Fatalf("add PTJ %s: %v", code, err)
	}
}

func countRows(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	n, err := db.NewSelect().TableExpr(table).Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrateTwiceIsANoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		applied, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

func TestAddPTJ(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		addPTJ(t, db, "12010101")
		err := db.AddPTJ(ctx, store.CLI, store.PTJ{Code: "12010101", Name: "Again"})
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("duplicate code: got %v, want conflict", err)
		}
		err = db.AddPTJ(ctx, store.CLI, store.PTJ{Code: "12AB", Name: "Bad"})
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
	})
}

func TestCreateUser(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		addPTJ(t, db, "12010101")
		nu := store.NewUser{
			Login: "900101-04-5679", Name: "siti  binti ahmad", Email: "siti@melaka.gov.my", PTJCode: "12010101",
			Roles:   []forms.RoleGrant{{Role: forms.RolePTJRep}, {Role: forms.RoleAuditor}},
			Modules: []forms.Module{forms.ModulePayslip}, PasswordHash: "x", MustChange: true,
		}
		u, err := db.CreateUser(ctx, store.CLI, nu)
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
	valid := store.NewUser{Login: "900101045679", Name: "A", Email: "a@b.my", PTJCode: "12010101"}
	tests := []struct {
		name  string
		edit  func(*store.NewUser)
		code  apperr.Code
		field string
	}{
		{"unknown PTJ", func(u *store.NewUser) { u.PTJCode = "99999999" }, apperr.Invalid, "ptj_code"},
		{"MyKad too short", func(u *store.NewUser) { u.Login = "90010104567" }, apperr.Invalid, "login"},
		{"MyKad impossible date", func(u *store.NewUser) { u.Login = "901301045679" }, apperr.Invalid, "login"},
		{"email without domain", func(u *store.NewUser) { u.Email = "siti@" }, apperr.Invalid, "email"},
		{"unknown role", func(u *store.NewUser) { u.Roles = []forms.RoleGrant{{Role: "king"}} }, apperr.Invalid, "roles"},
		{"unknown module", func(u *store.NewUser) { u.Modules = []forms.Module{"epay"} }, apperr.Invalid, "modules"},
		{"taken login", func(u *store.NewUser) {}, apperr.Conflict, ""},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		addPTJ(t, db, "12010101")
		if _, err := db.CreateUser(ctx, store.CLI, valid); err != nil {
			t.Fatal(err)
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				nu := valid
				tc.edit(&nu)
				_, err := db.CreateUser(ctx, store.CLI, nu)
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

func TestAuditChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i := 0; i < 5; i++ {
			if err := db.Audit(ctx, store.CLI, "test.event", "thing", "x", map[string]int{"i": i}); err != nil {
				t.Fatal(err)
			}
		}
		n, brk, err := db.VerifyAudit(ctx)
		if err != nil || brk != nil || n != 5 {
			t.Fatalf("verify whole chain: n=%d brk=%v err=%v", n, brk, err)
		}
		// The table refuses changes through the portal's own connection.
		if _, err := db.ExecContext(ctx, "UPDATE audit_log SET detail = 'x' WHERE seq = 3"); err == nil {
			t.Fatal("audit_log accepted an UPDATE")
		}
		if _, err := db.ExecContext(ctx, "DELETE FROM audit_log WHERE seq = 5"); err == nil {
			t.Fatal("audit_log accepted a DELETE")
		}
		// An operator who disables the guard and edits by hand is caught.
		storetest.TamperAudit(t, db, "UPDATE audit_log SET detail = '{\"i\":99}' WHERE seq = 3")
		_, brk, err = db.VerifyAudit(ctx)
		if err != nil || brk == nil || brk.Seq != 3 {
			t.Fatalf("after tampering: brk=%v err=%v, want a break at 3", brk, err)
		}
	})
}

func TestAuditChainDeletedTail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for i := 0; i < 3; i++ {
			if err := db.Audit(ctx, store.CLI, "test.event", "thing", "x", nil); err != nil {
				t.Fatal(err)
			}
		}
		storetest.TamperAudit(t, db, "DELETE FROM audit_log WHERE seq = 3")
		_, brk, err := db.VerifyAudit(ctx)
		if err != nil || brk == nil || brk.Seq != 3 {
			t.Fatalf("deleted last record: brk=%v err=%v", brk, err)
		}
	})
}
