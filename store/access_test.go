package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// A profile's roles and modules come with it, in the query that reads it
// (by id, by login, and with a live session), as they were set.
func TestAccessReadWithProfile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.InsertPTJ(ctx, &store.PTJ{Code: "A01", Name: "Jabatan A"}); err != nil {
			t.Fatal(err)
		}
		ptj := "A01"
		officer := &store.User{Login: "750202045023", Name: "Pegawai", Email: "p@x.gov.my", PTJCode: ptj, Status: store.StatusActive, Lang: "ms",
			Roles: []store.UserRole{
				{Role: forms.RoleControllingOfficer, PTJCode: &ptj, ApprovalLimitSen: 5_000_000_00},
				{Role: forms.RolePTJRep, PTJCode: &ptj},
				{Role: forms.RoleAuditor}, // of every PTJ: no PTJ code
			},
			Modules: []store.UserModule{{Module: forms.ModulePayslip}, {Module: forms.ModuleEC}}}
		bare := &store.User{Login: "850505045059", Name: "Tiada Capaian", Email: "t@x.gov.my", PTJCode: ptj, Status: store.StatusActive, Lang: "en"}
		for _, u := range []*store.User{officer, bare} {
			if err := db.InsertUser(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now().UTC()
		for _, u := range []*store.User{officer, bare} {
			byID, err := db.UserByID(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			byLogin, err := db.UserByLogin(ctx, u.Login)
			if err != nil {
				t.Fatal(err)
			}
			hash := "session-of-" + u.Login
			if err := db.InsertSession(ctx, &store.Session{ID: hash, UserID: u.ID, Kind: store.SessionWeb, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			_, live, err := db.LiveSession(ctx, hash, now.Add(-time.Minute))
			if err != nil || live == nil {
				t.Fatalf("live session of %s: %v %v", u.Login, live, err)
			}
			for way, got := range map[string]*store.User{"by id": byID, "by login": byLogin, "with the session": live} {
				if !sameAccess(got, u) {
					t.Errorf("%s %s: roles %+v modules %+v, want %+v %+v", u.Login, way, got.Roles, got.Modules, u.Roles, u.Modules)
				}
				if got.Access != "" {
					t.Errorf("%s %s: the JSON stays behind: %q", u.Login, way, got.Access)
				}
			}
		}
	})
}

// sameAccess compares roles and modules in any order.
func sameAccess(got, want *store.User) bool {
	roles := map[forms.Role]store.UserRole{}
	for _, r := range got.Roles {
		roles[r.Role] = r
	}
	modules := map[forms.Module]store.UserModule{}
	for _, m := range got.Modules {
		modules[m.Module] = m
	}
	if len(roles) != len(want.Roles) || len(modules) != len(want.Modules) {
		return false
	}
	for _, r := range want.Roles {
		if !reflect.DeepEqual(roles[r.Role], r) {
			return false
		}
	}
	for _, m := range want.Modules {
		if modules[m.Module] != m {
			return false
		}
	}
	return true
}
