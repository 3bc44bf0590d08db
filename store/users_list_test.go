package store_test

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// A search of profiles finds a part of the name in any case, of the login
// or of the e-mail, and a term too short for a trigram; a renamed profile
// is found by its new name only, a profile whose e-mail changed by its new
// e-mail only; a search beside the other filters finds only the profiles
// they select; and a search matching many profiles counts them as a
// search of text is counted (SearchCountLimit), its pages in the order of
// the names, as the table read directly, to a page past the last — on
// both databases.
func TestListUsersSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedSearchProfiles(t, db)
		names := func(f store.UserFilter, page int) ([]string, store.Total) { return searchNames(t, db, f, page) }
		for _, tc := range []struct {
			f    store.UserFilter
			want []string
		}{
			{store.UserFilter{Q: "AHMAD bin"}, []string{"Ahmad Bin Abu", "Ahmad Bin Ali"}},
			{store.UserFilter{Q: "mei"}, []string{"Lim Mei Ling"}},
			{store.UserFilter{Q: "015555"}, []string{"Ahmad Bin Ali"}},
			{store.UserFilter{Q: "ml.lim@"}, []string{"Lim Mei Ling"}},
			{store.UserFilter{Q: "li"}, []string{"Ahmad Bin Ali", "Lim Mei Ling"}}, // under three characters: no trigram
			{store.UserFilter{Q: "zainab"}, []string{"Zainab Binti Omar"}},
			{store.UserFilter{Q: "aisyah binti"}, nil}, // the name before it was changed
			{store.UserFilter{Q: "johor.gov"}, []string{"Ahmad Bin Ali"}},
			{store.UserFilter{Q: "ahmad.ali@melaka"}, nil}, // the e-mail before it was changed
			{store.UserFilter{Q: "ahmad", PTJCode: "12010102"}, []string{"Ahmad Bin Abu"}},
			{store.UserFilter{Q: "ahmad", Status: store.StatusActive}, []string{"Ahmad Bin Ali"}},
			{store.UserFilter{Q: "ahmad", PTJCode: "12010102", Status: store.StatusActive}, nil},
			{store.UserFilter{Q: "ab", PTJCode: "12010102"}, []string{"Ahmad Bin Abu"}},
		} {
			got, total := names(tc.f, 1)
			if !slices.Equal(got, tc.want) || !total.Exact || total.N != int64(len(tc.want)) {
				t.Errorf("%+v: %v (%+v), want %v", tc.f, got, total, tc.want)
			}
		}
		var all []string
		if err := db.IDB().NewSelect().Table("users").Column("name").Where("name LIKE 'Siti Ujian%'").OrderExpr("name, id").Scan(ctx, &all); err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 20, 26, 27} {
			got, total := names(store.UserFilter{Q: "siti ujian"}, n)
			if want := (store.Total{N: store.SearchCountLimit}); total != want {
				t.Fatalf("page %d: total %+v, want %+v (%d match)", n, total, want, len(all))
			}
			from, to := min((n-1)*10, len(all)), min(n*10, len(all))
			if want := all[from:to]; !slices.Equal(got, want) {
				t.Errorf("page %d: %v, want %v", n, got, want)
			}
		}
	})
}

// A long part is found whole, though both databases look it up by some
// of its trigrams apart (TrigramsApart): a profile holding each of them
// elsewhere in its name is not found; a part with a letter beyond ASCII
// is looked up whole, and found — on both databases. (Such a letter's
// case is folded as the database's locale folds it: not at all on the
// tests' PostgreSQL, made --no-locale.)
func TestListUsersSearchFindsALongPartWhole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
		if _, err := db.IDB().NewInsert().Model(&store.PTJ{Code: "12010101", Name: "Jabatan Ujian", CreatedAt: now}).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		var users []store.User
		for i, name := range []string{"Ahmad Bin Abu", "Abu Bin Ahmad Abdullah", "Élan Bin Abu Bakar"} {
			users = append(users, store.User{Login: fmt.Sprintf("90010101%04d", i), Name: name, Email: fmt.Sprintf("u%d@melaka.gov.my", i),
				PTJCode: "12010101", Status: store.StatusActive, Lang: "ms", PasswordHash: "$argon2id$stored", CreatedAt: now, UpdatedAt: now})
		}
		if _, err := db.IDB().NewInsert().Model(&users).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string][]string{
			"ahmad bin abu":  {"Ahmad Bin Abu"}, // "ahm", "ad ", "bin", " ab", "abu": the other holds each
			"AHMAD ABDULLAH": {"Abu Bin Ahmad Abdullah"},
			"Élan bin abu":   {"Élan Bin Abu Bakar"},
			// Wildcards and quotes are characters like others.
			"ahmad%abu":   nil,
			`"ahmad" bin`: nil,
			"_________":   nil,
		} {
			got, total := searchNames(t, db, store.UserFilter{Q: q}, 1)
			if !slices.Equal(got, want) || total != (store.Total{N: int64(len(want)), Exact: true}) {
				t.Errorf("%q: %v (%+v), want %v", q, got, total, want)
			}
		}
	})
}

// A search of a part many profiles hold (commonMatches) walks them in the
// order of their names, and finds the same page and total as gathering
// every match and sorting it, with their number beside each or counted
// apart (countApartAbove, on SQLite): to a page past the last, beside the
// other filters — on both databases. (A part too short for a trigram is
// always walked: TestListUsersSearch.)
func TestListUsersSearchWalkedAsGathered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedSearchProfiles(t, db)
		// read is page n of f's search with no part common (gathered) or
		// every part (walked), and a gathered part's matches counted
		// beside the page or apart.
		read := func(f store.UserFilter, n int, common, apart int64) ([]string, store.Total) {
			defer store.SetCommonMatches(common)()
			defer store.SetCountApartAbove(apart)()
			return searchNames(t, db, f, n)
		}
		for _, f := range []store.UserFilter{
			{Q: "siti ujian"}, {Q: "melaka.gov"}, {Q: "ahmad"},
			{Q: "ahmad", PTJCode: "12010102"}, {Q: "bin", Status: store.StatusActive}, {Q: "ujian 1", Locked: true},
		} {
			for _, n := range []int{1, 2, 26, 27, 28} {
				gathered, gatheredTotal := read(f, n, math.MaxInt64, math.MaxInt64)
				for _, way := range []struct {
					name          string
					common, apart int64
				}{
					{"walked", 0, math.MaxInt64},
					{"gathered, counted apart", math.MaxInt64, -1},
				} {
					got, total := read(f, n, way.common, way.apart)
					if !slices.Equal(got, gathered) || total != gatheredTotal {
						t.Errorf("%+v page %d: %s %v (%+v), gathered %v (%+v)", f, n, way.name, got, total, gathered, gatheredTotal)
					}
				}
			}
		}
	})
}

// seedSearchProfiles stores the profiles the searches of profiles are
// tried on: four named, one renamed and one whose e-mail changed, and
// more than a search of text counts, named so that the names' order is
// not the ids'.
func seedSearchProfiles(t *testing.T, db *store.DB) {
	t.Helper()
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	ptjs := []store.PTJ{{Code: "12010101", Name: "Jabatan Ujian", CreatedAt: now}, {Code: "12010102", Name: "Jabatan Lain", CreatedAt: now}}
	if _, err := db.IDB().NewInsert().Model(&ptjs).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	var users []store.User
	add := func(login, name, email string) {
		users = append(users, store.User{Login: login, Name: name, Email: email, PTJCode: "12010101",
			Status: store.StatusActive, Lang: "ms", PasswordHash: "$argon2id$stored", CreatedAt: now, UpdatedAt: now})
	}
	add("900101015555", "Ahmad Bin Ali", "ahmad.ali@melaka.gov.my")
	add("900101015566", "Lim Mei Ling", "ml.lim@melaka.gov.my")
	add("900101015577", "Nur Aisyah Binti Omar", "aisyah@melaka.gov.my")
	add("900101015588", "Ahmad Bin Abu", "abu.ahmad@melaka.gov.my")
	users[len(users)-1].PTJCode, users[len(users)-1].Status = "12010102", store.StatusInactive
	// More than a search of requests counts, named so that the names'
	// order is not the ids'.
	for i := range store.SearchCountLimit + 60 {
		add(fmt.Sprintf("8801010%05d", i), fmt.Sprintf("Siti Ujian %03d", (i*7)%(store.SearchCountLimit+60)), fmt.Sprintf("siti%d@melaka.gov.my", i))
	}
	if _, err := db.IDB().NewInsert().Model(&users).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IDB().NewUpdate().Table("users").Set("name = 'Zainab Binti Omar'").Where("login = '900101015577'").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IDB().NewUpdate().Table("users").Set("email = 'ahmad.ali@johor.gov.my'").Where("login = '900101015555'").Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// searchNames is page (of 10) of the profiles f selects: their names, and
// the total; it fails t when a password hash was read.
func searchNames(t *testing.T, db *store.DB, f store.UserFilter, page int) ([]string, store.Total) {
	t.Helper()
	list, total, err := db.ListUsers(ctx, f, store.Page{Number: page, Size: 10})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, u := range list {
		if u.PasswordHash != "" {
			t.Errorf("%s's password hash is read into a list", u.Name)
		}
		out = append(out, u.Name)
	}
	return out, total
}

// The list reads each profile's roles and modules with it, in a search
// and without, and a profile of none has none, on both databases.
func TestListUsersReadsEachProfilesAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedSearchProfiles(t, db)
		ptj := "12010101"
		grants := map[string]struct {
			roles   []store.UserRole
			modules []store.UserModule
		}{
			"Ahmad Bin Ali": {[]store.UserRole{{Role: forms.RolePTJRep, PTJCode: &ptj}, {Role: forms.RoleAuditor}}, []store.UserModule{{Module: forms.ModulePayslip}, {Module: forms.ModuleEC}}},
			"Lim Mei Ling":  {nil, []store.UserModule{{Module: forms.ModuleMaklum}}},
		}
		if err := db.Tx(ctx, func(tx store.Conn) error {
			for name, g := range grants {
				var u store.User
				if err := tx.IDB().NewSelect().Model(&u).Where("name = ?", name).Scan(ctx); err != nil {
					return err
				}
				if err := tx.SetAccess(ctx, &u, g.roles, g.modules); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"", "li"} {
			list, _, err := db.ListUsers(ctx, store.UserFilter{Q: q}, store.Page{Number: 1, Size: 5})
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for _, u := range list {
				var roles []string
				for _, r := range u.Roles {
					if r.UserID != u.ID {
						t.Errorf("%q: %s's role %+v is another profile's", q, u.Name, r)
					}
					roles = append(roles, string(r.Role)+"@"+deref(r.PTJCode))
				}
				var modules []string
				for _, m := range u.Modules {
					modules = append(modules, string(m.Module))
				}
				slices.Sort(roles)
				slices.Sort(modules)
				g := grants[u.Name]
				var wantRoles, wantModules []string
				for _, r := range g.roles {
					wantRoles = append(wantRoles, string(r.Role)+"@"+deref(r.PTJCode))
				}
				for _, m := range g.modules {
					wantModules = append(wantModules, string(m.Module))
				}
				slices.Sort(wantRoles)
				slices.Sort(wantModules)
				if !slices.Equal(roles, wantRoles) || !slices.Equal(modules, wantModules) {
					t.Errorf("%q: %s has %v %v, want %v %v", q, u.Name, roles, modules, wantRoles, wantModules)
				}
				if _, ok := grants[u.Name]; ok {
					seen++
				}
			}
			if seen != len(grants) {
				t.Errorf("%q: the page %d of the profiles granted, want %d", q, seen, len(grants))
			}
		}
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
