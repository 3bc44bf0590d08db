package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestImportPaymentsCommand: `ispeks import payments FILE` imports a good
// file and prints one line; a bad one exits 1 with one line naming every
// bad line, and imports nothing.
func TestImportPaymentsCommand(t *testing.T) {
	c := cli{t: t, dsn: storetest.DSN(t, store.SQLite), dir: t.TempDir()}
	sample, err := os.ReadFile("../../payment/testdata/payments-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	text := strings.Replace(string(sample), "12500.00,credited", "12500.01,credited", 1)
	text = strings.Replace(text, "3180.00,failed", "3180.00,paid", 1)
	if err := os.WriteFile(bad, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := c.run("", "import", "payments", bad)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	if code != 1 || out != "" || len(lines) != 1 || !strings.Contains(lines[0], "line 6 amount: The amount 12,500.01 differs") ||
		!strings.Contains(lines[0], "line 8 status: Status \"paid\"") || !strings.Contains(lines[0], "nothing saved") {
		t.Fatalf("bad file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	db, err := store.Open(context.Background(), c.dsn, c.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, _ := db.IDB().NewSelect().TableExpr("payments").Count(context.Background()); n != 0 {
		t.Fatalf("%d payments after a bad file", n)
	}

	out = c.ok("", "import", "payments", "../../payment/testdata/payments-sample.csv")
	if !strings.HasPrefix(out, "import 2: 9 lines, 5 vouchers (5 new, 0 moved), 9 history rows, 0 mails queued; sha256 ") {
		t.Fatalf("import: %q", out)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"import", "payments"}, 2, "name one file"},
		{[]string{"import", "payments", "a.csv", "b.csv"}, 2, "name one file"},
		{[]string{"import", "payments", filepath.Join(t.TempDir(), "none.csv")}, 1, "cannot open"},
	} {
		_, errOut, code := c.run("", tc.args...)
		if code != tc.code || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d %q", tc.args, code, errOut)
		}
	}
}
