package forms

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
)

func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		s         string
		multiline bool
		ok        bool
	}{
		{"Siti binti Ahmad", false, true},
		{"Jabatan Kerja Raya (JKR) — Unit Kewangan, 3/2026 ¿é? 日本", false, true},
		{"", false, true},
		{"baris satu\r\nbaris dua\tlajur", true, true},
		{"baris satu\nbaris dua", false, false},
		{"tab\there", false, false},
		{"nul\x00", true, false},
		{"esc\x1b[31m", true, false},
		{"bel\a", true, false},
		{"del\x7f", true, false},
		{"c1\u0085", true, false},
		{"bidi \u202eevil", true, false},
		{"isolate \u2066x\u2069", true, false},
		{"invalid \xff\xfe", true, false},
		{"replacement \ufffd", true, false},
		{"zero-width joiner \u200d and NBSP \u00a0 are text", false, true},
	} {
		err := CheckText(tc.s, tc.multiline)
		if (err == nil) != tc.ok {
			t.Errorf("CheckText(%q, %v) = %v, want ok=%v", tc.s, tc.multiline, err, tc.ok)
		}
		if err != nil && (!apperr.Is(err, apperr.Invalid) || Field("x", err).Message("en") == "") {
			t.Errorf("CheckText(%q): %v is not a field message", tc.s, err)
		}
	}
}

// FuzzCheckText checks that what CheckText accepts is valid UTF-8 with no
// control character outside tab and line breaks, and no bidi override.
func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"Siti", "a\x00b", "\u202e", "\xff", "baris\r\nbaris", "\t"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		if CheckText(s, multiline) != nil {
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("accepted invalid UTF-8 %q", s)
		}
		for _, r := range s {
			if (r < 0x20 && !(multiline && strings.ContainsRune("\t\r\n", r))) || (r >= 0x7f && r <= 0x9f) ||
				(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
				t.Fatalf("accepted %q (rune %U)", s, r)
			}
		}
	})
}
