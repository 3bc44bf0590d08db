package store_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// addProfiles adds n active profiles of PTJ 12010101 (and the PTJs
// 12010101 and 12010102) and returns their ids, in the order they were
// added.
func addProfiles(t *testing.T, db *store.DB, n int) []int64 {
	t.Helper()
	now := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	ptjs := []store.PTJ{{Code: "12010101", Name: "Jabatan Ujian", CreatedAt: now}, {Code: "12010102", Name: "Jabatan Lain", CreatedAt: now}}
	if _, err := db.IDB().NewInsert().Model(&ptjs).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, 0, n)
	for from := 0; from < n; from += 1000 {
		var users []store.User
		for i := from; i < min(from+1000, n); i++ {
			users = append(users, store.User{Login: fmt.Sprintf("8801010%05d", i), Name: fmt.Sprintf("Pegawai %05d", i), Email: fmt.Sprintf("p%d@melaka.gov.my", i),
				PTJCode: "12010101", Status: store.StatusActive, Lang: "ms", CreatedAt: now, UpdatedAt: now})
		}
		if _, err := db.IDB().NewInsert().Model(&users).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// grant gives the profiles of ids role, scoped to ptj when it is not empty.
func grant(t *testing.T, db *store.DB, role forms.Role, ptj string, ids ...int64) {
	t.Helper()
	var scope *string
	if ptj != "" {
		scope = &ptj
	}
	roles := make([]store.UserRole, len(ids))
	for i, id := range ids {
		roles[i] = store.UserRole{UserID: id, Role: role, PTJCode: scope}
	}
	if _, err := db.IDB().NewInsert().Model(&roles).Exec(ctx); err != nil {
		t.Fatal(err)
	}
}

// A mail's addressees are the active profiles holding the role, of the
// PTJ when one is given, in the order of their ids, on both databases.
func TestUsersWithRoleAreItsActiveHolders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ids := addProfiles(t, db, 8)
		grant(t, db, forms.RoleTreasuryApprover, "", ids[5], ids[1], ids[3])
		grant(t, db, forms.RoleControllingOfficer, "12010101", ids[2], ids[6])
		grant(t, db, forms.RoleControllingOfficer, "12010102", ids[4])
		grant(t, db, forms.RoleSysadmin, "", ids[0])
		if _, err := db.IDB().NewUpdate().Table("users").Set("status = ?", store.StatusInactive).Where("id = ?", ids[3]).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			role forms.Role
			ptj  string
			want []int64
		}{
			{forms.RoleTreasuryApprover, "", []int64{ids[1], ids[5]}}, // ids[3] is inactive
			{forms.RoleControllingOfficer, "12010101", []int64{ids[2], ids[6]}},
			{forms.RoleControllingOfficer, "12010102", []int64{ids[4]}},
			{forms.RoleControllingOfficer, "", []int64{ids[2], ids[4], ids[6]}},
			{forms.RoleAuditor, "", nil},
		} {
			list, err := db.UsersWithRole(ctx, tc.role, tc.ptj)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, u := range list {
				got = append(got, u.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s of %q: %v, want %v", tc.role, tc.ptj, got, tc.want)
			}
		}
	})
}

// On PostgreSQL the addressees' query reads no more profiles than the
// role has holders, though its statistics say the holders are all among
// the first profiles and one was granted the role since far beyond them:
// joined, PostgreSQL merged the holders with every profile up to the new
// one's (store's usersWithRole says why).
func TestUsersWithRoleReadsItsHoldersAlone(t *testing.T) {
	db := storetest.Open(t, store.Postgres)
	ids := addProfiles(t, db, 5000)
	grant(t, db, forms.RoleTreasuryApprover, "", ids[10:30]...)
	grant(t, db, forms.RoleControllingOfficer, "12010101", ids[30:50]...)
	if _, err := db.IDB().ExecContext(ctx, "ANALYZE users; ANALYZE user_roles"); err != nil {
		t.Fatal(err)
	}
	grant(t, db, forms.RoleTreasuryApprover, "", ids[4990])
	grant(t, db, forms.RoleControllingOfficer, "12010101", ids[4991])
	for _, tc := range []struct {
		inPTJ bool
		args  []any
	}{
		{false, []any{forms.RoleTreasuryApprover}},
		{true, []any{forms.RoleControllingOfficer, "12010101"}},
	} {
		// Prepared, as the store runs it: planned for its parameters.
		stmt, err := db.IDB().(*bun.DB).PrepareContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+store.UsersWithRoleQuery(db, tc.inPTJ))
		if err != nil {
			t.Fatal(err)
		}
		var out []byte
		if err := stmt.QueryRowContext(ctx, tc.args...).Scan(&out); err != nil {
			t.Fatal(err)
		}
		stmt.Close()
		var plans []struct{ Plan planNode }
		if err := json.Unmarshal(out, &plans); err != nil || len(plans) != 1 {
			t.Fatalf("%s: %v", out, err)
		}
		if read := plans[0].Plan.rowsOf("users"); read > 21 {
			t.Errorf("%v: %d profiles read for 21 holders:\n%s", tc.args, read, out)
		}
	}
}

// planNode is a node of PostgreSQL's plan as EXPLAIN (FORMAT JSON) gives it.
type planNode struct {
	Relation string     `json:"Relation Name"`
	Rows     float64    `json:"Actual Rows"` // a loop's, on average
	Loops    float64    `json:"Actual Loops"`
	Plans    []planNode `json:"Plans"`
}

// rowsOf is how many rows the nodes of the plan under n read of the
// relation, in all their loops.
func (n planNode) rowsOf(relation string) int64 {
	var rows float64
	if n.Relation == relation {
		rows = n.Rows * n.Loops
	}
	for _, p := range n.Plans {
		rows += float64(p.rowsOf(relation))
	}
	return int64(rows)
}
