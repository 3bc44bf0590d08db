package payslip

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/i18n"
)

var parseNow = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

const header = "month,salary_no,ic_number,name,ptj_code,position,grade,bank_code,account_no,tax_no,epf_no,item_code,item_kind,item_name,amount\n"

// good is a valid line; line() changes one column of it.
var good = []string{"2026-10", "00012345", "900101045679", "SITI BINTI AHMAD", "12010101", "PEMBANTU TADBIR", "N19",
	"MBB", "114012345678", "IG20000000001", "30000001", "0001", "earning", "GAJI POKOK", "3120.55"}

func line(col int, value string) string {
	f := append([]string(nil), good...)
	f[col] = value
	return strings.Join(f, ",") + "\n"
}

func scan(t *testing.T, file string) (*Scanner, []Line) {
	t.Helper()
	sc := &Scanner{Known: func(c string) bool { return c == "12010101" || c == "12020202" }, Now: parseNow}
	var got []Line
	if err := sc.Scan(strings.NewReader(file), func(l *Line) error { got = append(got, *l); return nil }); err != nil {
		t.Fatal(err)
	}
	return sc, got
}

func TestScanGoodLine(t *testing.T) {
	sc, lines := scan(t, header+line(colName, " Siti  binti Ahmad ")+line(colItemCode, "0102"))
	if sc.ErrorCount != 0 {
		t.Fatalf("errors: %+v", sc.Errors)
	}
	if len(lines) != 2 || lines[0].No != 2 || lines[1].No != 3 {
		t.Fatalf("lines: %+v", lines)
	}
	l := lines[0]
	if l.Name != "Siti binti Ahmad" || l.AmountSen != 312055 || l.IC != "900101045679" || l.Kind != Earning || l.Month != "2026-10" {
		t.Fatalf("parsed: %+v", l)
	}
	if sc.Lines != 2 || sc.Slips != 1 || sc.Employees != 1 || sc.Months["2026-10"] != 2 {
		t.Fatalf("counts: lines %d slips %d employees %d months %v", sc.Lines, sc.Slips, sc.Employees, sc.Months)
	}
}

// TestScanBadLines: each reason a line is refused, with its line number,
// column and message; nothing is emitted once a line is bad.
func TestScanBadLines(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		line  int
		field string
		want  string // in the English message
	}{
		{"MyKad not a real date", header + line(colIC, "900230045679"), 2, "ic_number", "date"},
		{"MyKad wrong length", header + line(colIC, "90010104567"), 2, "ic_number", "12 digits"},
		{"unknown PTJ", header + line(colPTJ, "99999999"), 2, "ptj_code", "99999999 does not exist"},
		{"PTJ not 8 digits", header + line(colPTJ, "1201"), 2, "ptj_code", ""},
		{"bad amount", header + line(colAmount, `"12,34.5"`), 2, "amount", ""},
		{"three decimals", header + line(colAmount, "12.345"), 2, "amount", ""},
		{"negative amount", header + line(colAmount, "-5.00"), 2, "amount", ""},
		{"empty amount", header + line(colAmount, ""), 2, "amount", ""},
		{"month not YYYY-MM", header + line(colMonth, "10/2026"), 2, "month", "YYYY-MM"},
		{"month 13", header + line(colMonth, "2026-13"), 2, "month", "YYYY-MM"},
		{"two names in one month", header + line(colItemCode, "0001") + line(colName, "SITI AHMAD"), 3, "name", "another name on line 2"},
		{"two salary numbers in one month", header + line(colItemCode, "0001") + line(colSalaryNo, "00099999"), 3, "salary_no", "another salary number on line 2"},
		{"two PTJs in one month", header + line(colItemCode, "0001") + line(colPTJ, "12020202"), 3, "ptj_code", "line 2"},
		{"header not the documented one", strings.Replace(header, "amount", "amaun", 1) + line(0, "2026-10"), 1, "header", "not the documented one"},
		{"header in another order", "salary_no,month" + header[strings.Index(header, ",ic_number"):] + line(0, "2026-10"), 1, "header", "not the documented one"},
		{"not UTF-8", header + line(colName, "SITI \xff AHMAD"), 2, "line", "UTF-8"},
		{"header not UTF-8", "month\xff" + header[5:], 1, "header", "UTF-8"},
		{"empty file", "", 1, "header", "empty"},
		{"header only", header, 1, "line", "no pay lines"},
		{"too few columns", header + "2026-10,00012345\n", 2, "line", "2 columns"},
		{"open quote", header + strings.Replace(line(0, "2026-10"), "SITI BINTI AHMAD", `"SITI BINTI AHMAD`, 1), 2, "line", "quotation"},
		{"unknown item kind", header + line(colKind, "bonus"), 2, "item_kind", "earning, deduction or employer"},
		{"empty item name", header + line(colItemName, " "), 2, "item_name", ""},
		{"bad salary number", header + line(colSalaryNo, "123456789"), 2, "salary_no", ""},
		{"bad tax number", header + line(colTaxNo, "SG20000000001"), 2, "tax_no", ""},
		{"account without bank", header + line(colBank, ""), 2, "account_no", ""},
		{"empty name", header + line(colName, ""), 2, "name", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, lines := scan(t, tc.file)
			if sc.ErrorCount == 0 {
				t.Fatalf("accepted: %+v", lines)
			}
			var found bool
			for _, e := range sc.Errors {
				msg := e.Message(i18n.EN)
				if e.Line == tc.line && e.Field == tc.field && strings.Contains(msg, tc.want) && !strings.Contains(msg, "payslip.") {
					found = true
				}
			}
			if !found {
				var got []string
				for _, e := range sc.Errors {
					got = append(got, e.Field+"@"+strconv.Itoa(e.Line)+": "+e.Message(i18n.EN))
				}
				t.Fatalf("want line %d %s %q; got %v", tc.line, tc.field, tc.want, got)
			}
			// A file with a bad line emits nothing after it (and nothing at all when it is the first).
			for _, l := range lines {
				if l.No >= tc.line {
					t.Fatalf("line %d emitted after the bad line %d", l.No, tc.line)
				}
			}
		})
	}
}

// TestScanReportsEveryBadLine: errors on several lines are all listed, and
// the good lines between them do not hide them.
func TestScanReportsEveryBadLine(t *testing.T) {
	f := header + line(colAmount, "x") + line(colItemCode, "0002") + line(colMonth, "2026") + line(colIC, "900101005679")
	sc, _ := scan(t, f)
	if sc.ErrorCount != 3 || sc.Errors[0].Line != 2 || sc.Errors[1].Line != 4 || sc.Errors[2].Line != 5 {
		t.Fatalf("errors: %+v", sc.Errors)
	}
}

func TestScanBOMAndCRLFAndQuotes(t *testing.T) {
	f := "\xEF\xBB\xBF" + strings.ReplaceAll(header, "\n", "\r\n") +
		strings.Replace(line(colItemName, `"POTONGAN ""KHAS"", KOPERASI"`), "\n", "\r\n", 1) + "\r\n"
	sc, lines := scan(t, f)
	if sc.ErrorCount != 0 || len(lines) != 1 || lines[0].ItemName != `POTONGAN "KHAS", KOPERASI` {
		t.Fatalf("errors %+v lines %+v", sc.Errors, lines)
	}
}

func TestScanCapsTheList(t *testing.T) {
	var b strings.Builder
	b.WriteString(header)
	for i := 0; i < MaxErrors+50; i++ {
		b.WriteString(line(colAmount, "x"))
	}
	sc, _ := scan(t, b.String())
	if sc.ErrorCount != MaxErrors+50 || len(sc.Errors) != MaxErrors {
		t.Fatalf("count %d listed %d", sc.ErrorCount, len(sc.Errors))
	}
}

func TestSplitLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		bad  bool
	}{
		{"a,b,c", []string{"a", "b", "c"}, false},
		{`"a,b",c`, []string{"a,b", "c"}, false},
		{`"a ""q""",`, []string{`a "q"`, ""}, false},
		{",,", []string{"", "", ""}, false},
		{`a"b,c`, nil, true},
		{`"a"b,c`, nil, true},
		{`"abc`, nil, true},
	}
	for _, tc := range tests {
		got, err := SplitLine(tc.in, nil)
		if (err != nil) != tc.bad || (!tc.bad && strings.Join(got, "|") != strings.Join(tc.want, "|")) {
			t.Errorf("SplitLine(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func TestParseMonth(t *testing.T) {
	for in, ok := range map[string]bool{"2026-10": true, " 2026-01 ": true, "2026-1": false, "2026-00": false, "1999-12": false, "26-10": false, "2026/10": false} {
		if _, err := ParseMonth(in); (err == nil) != ok {
			t.Errorf("ParseMonth(%q): %v", in, err)
		}
	}
}

// FuzzScanLine feeds any line after the header: the scanner must never
// panic, and a line it accepts must hold what the tables can store.
func FuzzScanLine(f *testing.F) {
	f.Add(strings.TrimSuffix(line(0, "2026-10"), "\n"))
	f.Add(`2026-10,00012345,900101045679,"SITI ""A"" AHMAD",12010101,,,,,,,0001,deduction,"X, Y",0.50`)
	f.Add("2026-10,,,,,,,,,,,,,,")
	f.Add(`"`)
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		sc := &Scanner{Known: func(string) bool { return true }, Now: parseNow}
		err := sc.Scan(strings.NewReader(header+s), func(l *Line) error {
			if _, err := ParseMonth(l.Month); err != nil || len(l.IC) != 12 || l.Name == "" || l.AmountSen < 0 ||
				len(l.SalaryNo) > 8 || len(l.ItemCode) > 10 || len(l.Grade) > 10 || len(l.Bank) > 10 || len(l.Account) > 20 {
				t.Fatalf("accepted a line the tables cannot hold: %+v", l)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
