package payment

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

var ctx = context.Background()

// links are the addresses the tests' mail leads to.
type links struct{}

func (links) Voucher(no string) string { return "https://ispeks.example/emaklum/vouchers/" + no }

// testNow is the tests' clock: 20 November 2026, 09:00 in Malaysia.
var testNow = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)

func newService(t testing.TB, db *store.DB, opt ...Options) *Service {
	t.Helper()
	db.Now = func() time.Time { return testNow }
	for _, p := range []store.PTJ{{Code: "12010101", Name: "Perbendaharaan Negeri"}, {Code: "12020202", Name: "Jabatan Kerja Raya"},
		{Code: "12030303", Name: "Jabatan Pendidikan"}} {
		p.CreatedAt = testNow
		if err := db.InsertPTJ(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{}
	if len(opt) > 0 {
		o = opt[0]
	}
	return New(db, links{}, o)
}

// user adds an active profile with roles (PTJ-scoped ones for its PTJ) and modules.
func user(t testing.TB, db *store.DB, login, ptj string, roles []forms.Role, modules ...forms.Module) *store.User {
	t.Helper()
	u := &store.User{Login: login, Name: "Pengguna " + login, Email: login + "@melaka.gov.my", PTJCode: ptj,
		Status: store.StatusActive, Lang: "ms", CreatedAt: testNow, UpdatedAt: testNow}
	for _, r := range roles {
		ur := store.UserRole{Role: r}
		if r.PTJScoped() {
			code := ptj
			ur.PTJCode = &code
		}
		u.Roles = append(u.Roles, ur)
	}
	for _, m := range modules {
		u.Modules = append(u.Modules, store.UserModule{Module: m})
	}
	if err := db.InsertUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	return u
}

// file is an import file: the header and lines.
func file(lines ...string) *strings.Reader {
	return strings.NewReader(strings.Join(append([]string{strings.Join(Header, ",")}, lines...), "\n") + "\n")
}

// sample is the accounting system's sample file.
func sample(t testing.TB) *os.File {
	t.Helper()
	f, err := os.Open("testdata/payments-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// count returns the rows of table.
func count(t testing.TB, db *store.DB, table string, where ...any) int {
	t.Helper()
	q := db.IDB().NewSelect().TableExpr(table)
	if len(where) > 0 {
		q = q.Where(where[0].(string), where[1:]...)
	}
	n, err := q.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
