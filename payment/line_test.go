package payment

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
)

const today = "2026-11-20"

// good is a valid line of the sample file; each case changes a column.
func good() []string {
	return []string{"V2026000101", "12010101", "201901012345", "SYARIKAT MAJU JAYA SDN BHD", "INV-2026-0451", "12500.00",
		"sent_to_bank", "2026-11-06", "EFT", "EFT2026110600123", "5140123456789"}
}

func with(col int, v string) []string {
	r := good()
	r[col] = v
	return r
}

func TestParseLineValid(t *testing.T) {
	cases := []struct {
		name string
		rec  []string
		want func(l Line) bool
	}{
		{"the sample line", good(), func(l Line) bool {
			return l.Voucher == "V2026000101" && l.AmountSen == 1250000 && l.Status == SentToBank && l.Mode == EFT && l.Account == "5140123456789"
		}},
		{"voucher in small letters is kept in capitals", with(0, " v2026-01.a "), func(l Line) bool { return l.Voucher == "V2026-01.A" }},
		{"MyKad with dashes is kept as digits", with(2, "900101-04-5679"), func(l Line) bool { return l.PayeeID == "900101045679" }},
		{"old company number keeps its dash", with(2, "123456-x"), func(l Line) bool { return l.PayeeID == "123456-X" }},
		{"name spaces collapse", with(3, "  SITI   BINTI  AHMAD "), func(l Line) bool { return l.PayeeName == "SITI BINTI AHMAD" }},
		{"invoice in capitals", with(4, "inv/pne/77"), func(l Line) bool { return l.Invoice == "INV/PNE/77" }},
		{"amount with commas", with(5, "12,500.5"), func(l Line) bool { return l.AmountSen == 1250050 }},
		{"status in capitals", with(6, " CREDITED "), func(l Line) bool { return l.Status == Credited }},
		{"date of today", with(7, today), func(l Line) bool { return l.Date == today }},
		{"bank account with dashes", with(10, "514-0123-456789"), func(l Line) bool { return l.Account == "5140123456789" }},
		{"no bank account", with(10, ""), func(l Line) bool { return l.Account == "" }},
		{"approved needs no reference", func() []string { r := with(6, "approved"); r[9] = ""; return r }(), func(l Line) bool { return l.Ref == "" }},
		{"bank draft written with a space", func() []string { r := with(6, "issued"); r[8] = "bank draft"; return r }(), func(l Line) bool { return l.Mode == BankDraft }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, p := ParseLine(c.rec, today)
			if len(p) > 0 {
				t.Fatalf("problems: %v", messages(p))
			}
			if !c.want(l) {
				t.Fatalf("parsed %+v", l)
			}
			again, p := ParseLine(l.Record(), today)
			if len(p) > 0 || again != l {
				t.Fatalf("Record() does not read back: %+v %v", again, messages(p))
			}
		})
	}
}

func TestParseLineInvalid(t *testing.T) {
	cases := []struct {
		name  string
		rec   []string
		field string
		en    string // part of the English message
	}{
		{"too few fields", good()[:10], ColLine, "10 fields"},
		{"no voucher", with(0, " "), ColVoucher, "required"},
		{"voucher with a slash", with(0, "V/2026/1"), ColVoucher, "letters, digits"},
		{"voucher too long", with(0, strings.Repeat("9", 21)), ColVoucher, "20"},
		{"PTJ of seven digits", with(1, "1201010"), ColPTJ, "8 digits"},
		{"no payee", with(2, ""), ColPayee, "required"},
		{"payee without a digit", with(2, "ABCDEF"), ColPayee, "MyKad"},
		{"payee with a slash", with(2, "12/34"), ColPayee, "MyKad"},
		{"name with a control character", with(3, "SITI\x01"), ColName, "control"},
		{"name too long", with(3, strings.Repeat("A", 151)), ColName, "150"},
		{"invalid UTF-8", with(3, "SITI \xff"), ColName, "control"},
		{"no invoice", with(4, ""), ColInvoice, "required"},
		{"zero amount", with(5, "0.00"), ColAmount, "more than zero"},
		{"negative amount", with(5, "-5.00"), ColAmount, "negative"},
		{"three decimals", with(5, "5.001"), ColAmount, "two decimal"},
		{"unknown status", with(6, "paid"), ColStatus, `"paid"`},
		{"date the wrong way", with(7, "06/11/2026"), ColDate, "YYYY-MM-DD"},
		{"no such date", with(7, "2026-02-30"), ColDate, "YYYY-MM-DD"},
		{"date after today", with(7, "2026-11-21"), ColDate, "has not come"},
		{"unknown mode", with(8, "CASH"), ColMode, `"CASH"`},
		{"sent to the bank by cheque", with(8, "CHEQUE"), ColMode, "sent_to_bank"},
		{"issued by EFT", with(6, "issued"), ColMode, "issued"},
		{"sent to the bank without a reference", with(9, ""), ColRef, "sent_to_bank"},
		{"account with letters", with(10, "51401234X"), ColAccount, "digits"},
		{"account too short", with(10, "1234"), ColAccount, "digits"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, p := ParseLine(c.rec, today)
			if len(p) == 0 {
				t.Fatalf("accepted: %+v", l)
			}
			if p[0].Field != c.field || !strings.Contains(p[0].Message("en"), c.en) {
				t.Fatalf("got %s: %q, want %s: …%s…", p[0].Field, p[0].Message("en"), c.field, c.en)
			}
			if p[0].Message("ms") == p[0].Message("en") {
				t.Errorf("no BM message: %q", p[0].Message("ms"))
			}
		})
	}
}

// TestParseLineReportsEveryField: a line with several bad columns names each.
func TestParseLineReportsEveryField(t *testing.T) {
	rec := good()
	rec[0], rec[5], rec[7] = "", "abc", "2026-13-01"
	_, p := ParseLine(rec, today)
	var fields []string
	for _, f := range p {
		fields = append(fields, f.Field)
	}
	if !slices.Equal(fields, []string{ColVoucher, ColAmount, ColDate}) {
		t.Fatalf("fields %v", fields)
	}
}

func TestMaskAccount(t *testing.T) {
	for in, want := range map[string]string{"5140123456789": "•••• 6789", "": "", "1234": "••••"} {
		if got := MaskAccount(in); got != want {
			t.Errorf("MaskAccount(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseLine: whatever a line holds, parsing never panics, and a line it
// accepts is normalised: written out and read again it is the same line,
// and it keeps the column rules.
func FuzzParseLine(f *testing.F) {
	f.Add(strings.Join(good(), ","))
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := csv.NewReader(strings.NewReader(s)).Read()
		if err != nil {
			return
		}
		l, p := ParseLine(rec, today)
		for _, x := range p {
			if x.Field == "" || x.Message(i18n.EN) == "" {
				t.Fatalf("a problem without field or words: %+v", x)
			}
		}
		if len(p) > 0 {
			return
		}
		if l.AmountSen <= 0 || !l.Status.Valid() || !l.Mode.Valid() || l.Date > today || len(l.Voucher) > maxVoucher {
			t.Fatalf("accepted out of its rules: %+v", l)
		}
		again, p := ParseLine(l.Record(), today)
		if len(p) > 0 || again != l {
			t.Fatalf("not normalised: %+v → %+v %v", l, again, messages(p))
		}
	})
}

func messages(p []apperr.FieldError) []string {
	var out []string
	for _, x := range p {
		out = append(out, x.Field+": "+x.Message(i18n.EN))
	}
	return out
}
