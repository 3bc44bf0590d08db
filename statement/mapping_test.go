package statement_test

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

func TestMappingImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// A byte order mark, CRLF, a blank line, a quoted field, codes and
		// lines in any case.
		res, err := f.svc.ImportMapping(ctx, admin, "peta.csv", strings.NewReader("\xEF\xBB\xBFItem_Code,EC_Line\r\n0001,b1a\r\n\r\nab12,\"NONE\"\r\n4001,D1\r\n"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 3 || res.Added != 3 || res.Changed != 0 || res.Removed != 0 || len(res.SHA256) != 64 {
			t.Fatalf("result: %+v", res)
		}
		list, err := f.svc.Mappings(ctx)
		if err != nil || len(list) != 3 || list[0].Code != "0001" || list[0].Line != statement.B1a || list[2].Code != "AB12" || list[2].Line != statement.None {
			t.Fatalf("mapping: %+v %v", list, err)
		}
		// Replacing: one kept (its setter stays), one changed, one removed, one added.
		f.set(f.now.Add(3600e9))
		by := store.Actor{Login: "sysadmin01"}
		res, err = f.svc.ImportMapping(ctx, by, "peta2.csv", strings.NewReader("item_code,ec_line\n0001,B1a\n4001,E1\n4101,D3\n"))
		if err != nil || res.Added != 1 || res.Changed != 1 || res.Removed != 1 || res.Rows != 3 {
			t.Fatalf("replace: %+v %v", res, err)
		}
		list, _ = f.svc.Mappings(ctx)
		if len(list) != 3 || list[0].UpdatedBy != "cli" || list[1].Line != statement.E1 || list[1].UpdatedBy != "sysadmin01" {
			t.Fatalf("after replacing: %+v", list)
		}
		var detail string
		if err := db.IDB().NewRaw("SELECT detail FROM audit_log WHERE action = 'ec.mapping.import' ORDER BY seq DESC LIMIT 1").Scan(ctx, &detail); err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{`"file":"peta2.csv"`, `"added":1`, `"changed":1`, `"removed":1`, `"rows":3`, res.SHA256} {
			if !strings.Contains(detail, w) {
				t.Errorf("audit detail %s lacks %s", detail, w)
			}
		}
		// The export reads back as the same mapping.
		csv, err := f.svc.MappingCSV(ctx)
		if err != nil || string(csv) != "item_code,ec_line\n0001,B1a\n4001,E1\n4101,D3\n" {
			t.Fatalf("export: %q %v", csv, err)
		}
	})
}

// TestMappingImportRefusesBadFiles: an unknown line code, a malformed
// line, a bad header: every bad line is listed and nothing is written.
func TestMappingImportRefusesBadFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.mapping("item_code,ec_line\n0001,B1a\n")
		cases := []struct {
			name, file string
			want       []string // line:field of every error
			text       string   // in the first error's English message
		}{
			{"unknown line code", "item_code,ec_line\n0001,B1a\n0102,B5\n4001,D1\n", []string{"3:ec_line"}, "Use one of: B1a, B1b"},
			{"malformed", "item_code,ec_line\n0001,B1a,extra\n\"0102,B1c\n0103\n01 03,B1c\n0104,B1c\n0104,B1b\n0105,B1\u202ec\n",
				[]string{"2:line", "3:line", "4:line", "5:item_code", "7:item_code", "8:ec_line"}, "two columns"},
			{"header", "code,line\n0001,B1a\n", []string{"1:header"}, "item_code,ec_line"},
			{"empty", "", []string{"1:header"}, "item_code,ec_line"},
			{"no lines", "item_code,ec_line\n\n", []string{"2:line"}, "no mapping lines"},
			{"not UTF-8", "item_code,ec_line\n0001,B1a\xff\n", []string{"2:line"}, "UTF-8"},
		}
		for _, c := range cases {
			_, err := f.svc.ImportMapping(ctx, admin, "peta.csv", strings.NewReader(c.file))
			var bad *statement.BadMapping
			if !errors.As(err, &bad) || !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("%s: %v", c.name, err)
			}
			var got []string
			for _, e := range bad.Errors {
				got = append(got, strconv.Itoa(e.Line)+":"+e.Field)
			}
			if strings.Join(got, " ") != strings.Join(c.want, " ") || bad.Count != len(c.want) {
				t.Errorf("%s: errors %v, want %v", c.name, got, c.want)
			}
			if msg := bad.Errors[0].Message("en"); !strings.Contains(msg, c.text) {
				t.Errorf("%s: message %q lacks %q", c.name, msg, c.text)
			}
		}
		list, _ := f.svc.Mappings(ctx)
		if len(list) != 1 || list[0].Code != "0001" {
			t.Fatalf("the mapping after refused files: %+v", list)
		}
		if n := f.count("audit_log", "action = 'ec.mapping.import'"); n != 1 {
			t.Fatalf("%d import audits", n)
		}
		big := "item_code,ec_line\n" + strings.Repeat("0001,B1a\n", 200_000)
		if _, err := f.svc.ImportMapping(ctx, admin, "big.csv", strings.NewReader(big)); !apperr.Is(err, apperr.TooLarge) {
			t.Fatalf("a file over 1 MiB: %v", err)
		}
	})
}

func TestSetMapping(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		if _, err := f.svc.SetMapping(ctx, admin, "4999", "d1"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetMapping(ctx, admin, "4999", "E2"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SetMapping(ctx, admin, "4999", "E2"); err != nil { // unchanged: no record
			t.Fatal(err)
		}
		var details []string
		if err := db.IDB().NewRaw("SELECT detail FROM audit_log WHERE action = 'ec.mapping.set' ORDER BY seq").Scan(ctx, &details); err != nil {
			t.Fatal(err)
		}
		if len(details) != 2 || details[0] != `{"from":"","to":"D1"}` || details[1] != `{"from":"D1","to":"E2"}` {
			t.Fatalf("audits: %v", details)
		}
		for _, c := range [][2]string{{"", "D1"}, {"49-99", "D1"}, {"4999", "B5"}, {"4999", ""}} {
			_, err := f.svc.SetMapping(ctx, admin, c[0], c[1])
			if ae := apperr.As(err); ae.Code != apperr.Invalid || len(ae.Fields) != 1 {
				t.Errorf("set %q %q: %v", c[0], c[1], err)
			}
		}
	})
}

// TestDefaultMapping: the shipped mapping parses and covers every item
// code of the shared payroll sample.
func TestDefaultMapping(t *testing.T) {
	m, err := statement.ParseMapping(bytes.NewReader(statement.DefaultMapping))
	if err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile("../payslip/testdata/payroll-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(string(sample)), "\n")[1:] {
		code := strings.Split(l, ",")[11]
		if _, ok := m[code]; !ok {
			t.Errorf("the default mapping lacks %s of the sample", code)
		}
	}
	if m["0001"] != statement.B1a || m["4001"] != statement.D1 || m["4002"] != statement.E1 || m["4101"] != statement.D3 || m["9001"] != statement.None {
		t.Errorf("default mapping: %v", m)
	}
}

func TestParseLine(t *testing.T) {
	for in, want := range map[string]statement.Line{"B1a": statement.B1a, "b1A": statement.B1a, " F ": statement.F, "None": statement.None, "e2": statement.E2} {
		if got, err := statement.ParseLine(in); err != nil || got != want {
			t.Errorf("ParseLine(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "B1", "B1e", "B5", "G", "none!", "D4"} {
		if _, err := statement.ParseLine(in); err == nil {
			t.Errorf("ParseLine(%q) accepted", in)
		}
	}
	for _, l := range statement.Lines {
		if got, err := statement.ParseLine(string(l)); err != nil || got != l || l.Section() < "B" || l.Section() > "F" {
			t.Errorf("line %s does not parse back", l)
		}
	}
	if statement.B1a.Number() != "1(a)" || statement.B2.Number() != "2" || statement.F.Number() != "" {
		t.Errorf("numbers: %s %s %s", statement.B1a.Number(), statement.B2.Number(), statement.F.Number())
	}
}

// FuzzParseMappingLine: any line either parses to a valid item code and
// EC line that read back the same, or is refused with the column named;
// nothing panics.
func FuzzParseMappingLine(f *testing.F) {
	for _, s := range []string{"0001,B1a", "ab12,none", `"4001","d1"`, "0001,B1a,x", "0001", "", ",", "0102,B5", `"0102,B1c`, "01 03,B1c", "0105,B1\u202ec", "0001,b1a\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, line, field, err := statement.ParseMappingLine(s)
		if err != nil {
			if field != "line" && field != "item_code" && field != "ec_line" {
				t.Fatalf("%q: error without a known field (%q): %v", s, field, err)
			}
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("%q: %v is not invalid input", s, err)
			}
			return
		}
		if code == "" || len(code) > 10 || strings.ToUpper(code) != code {
			t.Fatalf("%q: code %q", s, code)
		}
		c2, l2, _, err := statement.ParseMappingLine(code + "," + string(line))
		if err != nil || c2 != code || l2 != line {
			t.Fatalf("%q: %s,%s does not read back: %s %s %v", s, code, line, c2, l2, err)
		}
	})
}
