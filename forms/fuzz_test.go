package forms

import (
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/malaysia"
)

// FuzzParsePTJCode checks that ParsePTJCode never panics, fails only with an
// Invalid error, and accepts exactly 8 ASCII digits (spaces around them
// trimmed), returning them canonical and parsing back to themselves.
func FuzzParsePTJCode(f *testing.F) {
	for _, s := range []string{"12010101", " 12010101 ", "1201010", "120101011", "1201O101", "", "１２０１０１０１", "12010101\x00", "-1201010"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := ParsePTJCode(s)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("ParsePTJCode(%q): %v is not Invalid", s, err)
			}
			return
		}
		if len(code) != 8 || !malaysia.AllDigits(code) || code != strings.TrimSpace(s) {
			t.Fatalf("ParsePTJCode(%q) = %q", s, code)
		}
		if again, err := ParsePTJCode(code); err != nil || again != code {
			t.Fatalf("%q does not parse back: %q %v", code, again, err)
		}
	})
}

// FuzzParseLogin checks that what the login box accepts is canonical — 12
// digits for a MyKad, 3–32 lower-case letters and digits otherwise — parses
// back to itself, and masks without showing a MyKad whole.
func FuzzParseLogin(f *testing.F) {
	for _, s := range []string{"900101-04-5679", "sysadmin01", "SysAdmin01", "ab", "9001", "a\x00b", " 900101045679 ", "x@y", "９００１０１０４５６７９", "900101900100"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		login, isMyKad, err := ParseLogin(s)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("ParseLogin(%q): %v is not Invalid", s, err)
			}
			return
		}
		if isMyKad != (len(login) == 12 && malaysia.AllDigits(login)) || (!isMyKad && (login != strings.ToLower(login) || len(login) < 3 || len(login) > 32)) {
			t.Fatalf("ParseLogin(%q) = %q, %v", s, login, isMyKad)
		}
		if again, _, err := ParseLogin(login); err != nil || again != login {
			t.Fatalf("%q does not parse back: %q %v", login, again, err)
		}
		// The birth date stays (900101-**-***9): the place code and serial
		// may not show after it (the date's own digits may repeat them).
		if isMyKad && strings.Contains(MaskLogin(login)[6:], login[6:11]) {
			t.Fatalf("MaskLogin(%q) = %q", login, MaskLogin(login))
		}
	})
}
