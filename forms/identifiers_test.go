package forms

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/malaysia"
)

// today is the "now" of the tests: 1 June 2026, midday in Malaysia.
var today = time.Date(2026, 6, 1, 12, 0, 0, 0, malaysia.KL)

// Phrases that tell the MyKad messages apart.
const (
	msgMyKadShape = "must have 12 digits"
	msgMyKadDate  = "not a real birth date"
	msgMyKadPlace = "place-of-birth code"
	msgRequired   = "is required"
)

// wantInvalid fails unless err is an Invalid *apperr.Error with both
// messages, the English one containing enPart.
func wantInvalid(t *testing.T, err error, enPart string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.Invalid {
		t.Fatalf("error = %v, want an Invalid *apperr.Error", err)
	}
	ms, en := e.Message("ms"), e.Message("en")
	if ms == "" || en == "" || ms == en {
		t.Fatalf("error %v lacks a message in one language: MS %q, EN %q", err, ms, en)
	}
	if !strings.Contains(en, enPart) {
		t.Fatalf("EN message %q does not say %q", en, enPart)
	}
}

func TestParseLogin(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		myKad    bool
		msg      string // EN phrase of the error; "" if valid
	}{
		{in: "900101-04-5679", want: "900101045679", myKad: true},
		{in: " 900101045679 ", want: "900101045679", myKad: true},
		{in: "ADMIN", want: "admin"},
		{in: "Bendahari01", want: "bendahari01"},
		{in: "abc", want: "abc"},
		{in: strings.Repeat("a", 32), want: strings.Repeat("a", 32)},
		{in: "", msg: msgRequired},
		{in: "90010104567", msg: msgMyKadShape},    // a MyKad one digit short is not a service login
		{in: "123", msg: msgMyKadShape},            // neither is any string of digits
		{in: "900101-04-567", msg: msgMyKadShape},  // shaped like a MyKad
		{in: "901301-04-5679", msg: msgMyKadDate},  // 12 digits, impossible date
		{in: "901301045679", msg: msgMyKadDate},    // the same without dashes
		{in: "900101-00-5679", msg: msgMyKadPlace}, // unknown place code
		{in: "ab", msg: "service ID"},              // too short
		{in: strings.Repeat("a", 33), msg: "service ID"},
		{in: "1admin", msg: "service ID"}, // must start with a letter
		{in: "ali-baba", msg: "service ID"},
		{in: "ali baba", msg: "service ID"},
		{in: "ädmin", msg: "service ID"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, myKad, err := ParseLogin(tc.in)
			if tc.msg != "" {
				wantInvalid(t, err, tc.msg)
				return
			}
			if err != nil || got != tc.want || myKad != tc.myKad {
				t.Errorf("ParseLogin(%q) = %q, %v, %v; want %q, %v", tc.in, got, myKad, err, tc.want, tc.myKad)
			}
		})
	}
}

func TestMaskLogin(t *testing.T) {
	for in, want := range map[string]string{
		"900101-04-5679": "900101-**-***9",
		"900101045679":   "900101-**-***9",
		"901301045679":   "901301-**-***9", // invalid, still masked
		"90010104567":    "**********7",
		"Admin":          "admin",
		"My Secret!23":   "(invalid)",
		"":               "",
	} {
		if got := MaskLogin(in); got != want {
			t.Errorf("MaskLogin(%q) = %q, want %q", in, got, want)
		}
	}
}

// identifierCase is one row of the tables of the simple identifiers.
type identifierCase struct{ in, want, msg string }

func runIdentifierCases(t *testing.T, parse func(string) (string, error), cases []identifierCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parse(tc.in)
			if tc.msg != "" {
				wantInvalid(t, err, tc.msg)
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestParsePTJCode(t *testing.T) {
	runIdentifierCases(t, ParsePTJCode, []identifierCase{
		{in: "12010101", want: "12010101"},
		{in: " 12010101\t", want: "12010101"},
		{in: "", msg: msgRequired},
		{in: "1201010", msg: "8 digits"},
		{in: "120101011", msg: "8 digits"},
		{in: "1201010A", msg: "8 digits"},
		{in: "1201 0101", msg: "8 digits"},
	})
}

func TestParseEmail(t *testing.T) {
	const bad = "Invalid e-mail address"
	runIdentifierCases(t, ParseEmail, []identifierCase{
		{in: "siti@melaka.gov.my", want: "siti@melaka.gov.my"},
		{in: " Siti.Ahmad+bpp@Melaka.GOV.my ", want: "Siti.Ahmad+bpp@melaka.gov.my"}, // local part kept, domain folded
		{in: "a@b-c.my", want: "a@b-c.my"},
		{in: "", msg: msgRequired},
		{in: strings.Repeat("a", 64) + "@" + strings.Repeat("b", 187) + ".my", msg: "longer than 254"},
		{in: strings.Repeat("a", 65) + "@melaka.gov.my", msg: bad},
		{in: "Siti <siti@melaka.gov.my>", msg: bad},
		{in: "<siti@melaka.gov.my>", msg: bad},
		{in: "siti@melaka.gov.my (Siti)", msg: bad},
		{in: "siti@localhost", msg: bad},
		{in: "siti", msg: bad},
		{in: "siti@", msg: bad},
		{in: "siti@@melaka.gov.my", msg: bad},
		{in: "siti@melaka..gov.my", msg: bad},
		{in: "siti@melaka.gov.my.", msg: bad},
		{in: "siti@-melaka.gov.my", msg: bad},
		{in: "siti@melaka_negeri.gov.my", msg: bad},
		{in: "siti@[10.0.0.1]", msg: bad},
		{in: "sití@melaka.gov.my", msg: bad},
		{in: "si ti@melaka.gov.my", msg: bad},
		{in: `"siti"@melaka.gov.my`, msg: bad},
		{in: "a@b.my, c@d.my", msg: bad},
	})
}

func TestParseSalaryNo(t *testing.T) {
	runIdentifierCases(t, ParseSalaryNo, []identifierCase{
		{in: "a1234567", want: "A1234567"},
		{in: " 42 ", want: "42"},
		{in: "", msg: msgRequired},
		{in: "A12345678", msg: "1 to 8"},
		{in: "A-123", msg: "1 to 8"},
	})
}

func TestParseEmployerNo(t *testing.T) {
	runIdentifierCases(t, ParseEmployerNo, []identifierCase{
		{in: "E1234567890", want: "E1234567890"},
		{in: " e 12345 67890 ", want: "E1234567890"},
		{in: "", msg: msgRequired},
		{in: "E123456789", msg: "E followed by 10 digits"},
		{in: "E12345678901", msg: "E followed by 10 digits"},
		{in: "1234567890", msg: "E followed by 10 digits"},
		{in: "EE1234567890", msg: "E followed by 10 digits"},
	})
}

func TestParseTaxNo(t *testing.T) {
	runIdentifierCases(t, ParseTaxNo, []identifierCase{
		{in: "IG123456789", want: "IG123456789"},
		{in: "ig 1234567809 0", want: "IG12345678090"},
		{in: "IG1234567890", want: "IG1234567890"},
		{in: "", msg: msgRequired},
		{in: "IG12345678", msg: "IG followed by 9 to 11 digits"},
		{in: "IG123456789012", msg: "IG followed by 9 to 11 digits"},
		{in: "IGX23456789", msg: "IG followed by 9 to 11 digits"},
		{in: "SG12345678090", msg: "converted to IG"},
		{in: "og 123456789", msg: "converted to IG"},
	})
}

func TestField(t *testing.T) {
	_, err := ParsePTJCode("1")
	f := Field("ptj_code", err)
	if f.Field != "ptj_code" || !strings.Contains(f.Message("en"), "8 digits") || !strings.Contains(f.Message("ms"), "8 digit") {
		t.Errorf("Field kept %+v", f)
	}
	// The text of an error not written for users never reaches them.
	f = Field("x", errors.New("pq: relation users does not exist"))
	if f.Field != "x" || strings.Contains(f.Message("en")+f.Message("ms"), "pq") || f.Message("en") == "" || f.Message("ms") == "" {
		t.Errorf("Field of a foreign error = %+v", f)
	}
}

// FuzzParseMyKad checks that ParseMyKadAt never panics and that whatever it
// accepts is canonical, round-trips through Formatted, masks correctly,
// has a birth date that is not in the future, and is a MyKad login too.
func FuzzParseMyKad(f *testing.F) {
	for _, s := range []string{"900101-04-5679", "900101045679", "000229-01-0002", "250229-04-5679",
		"900101-00-5679", "", "-", "1", "9001010456790", " 260602 10 1234 ", "９００１０１０４５６７９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := malaysia.ParseMyKadAt(s, today)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		if len(k) != 12 || !malaysia.AllDigits(string(k)) {
			t.Fatalf("accepted %q as %q", s, k)
		}
		if again, err := malaysia.ParseMyKadAt(k.Formatted(), today); err != nil || again != k {
			t.Fatalf("Formatted %q does not parse back: %q, %v", k.Formatted(), again, err)
		}
		if m := k.Masked(); len(m) != 14 || m[:6] != string(k[:6]) || m[13] != k[11] || strings.Count(m, "*") != 5 {
			t.Fatalf("Masked(%q) = %q", k, m)
		}
		if b := k.BirthDateAt(today); b.IsZero() || b.After(today) {
			t.Fatalf("birth date %v of %q", b, k)
		}
		// ParseLogin uses the real clock, but between 2000 and 2099 the
		// century only changes which dates are valid for 29 February 00,
		// which both "today" and the real clock put in 2000.
		if login, isMyKad, err := ParseLogin(s); err != nil || !isMyKad || login != string(k) {
			t.Fatalf("ParseLogin(%q) = %q, %v, %v", s, login, isMyKad, err)
		}
	})
}

// TestCheckOfficialEmail: an address is official when its domain is a
// listed one or under it; the refusal names the listed domains; an empty
// list accepts every domain.
func TestCheckOfficialEmail(t *testing.T) {
	gov := []string{"gov.my", "melaka.my"}
	for _, tc := range []struct {
		email   string
		domains []string
		ok      bool
	}{
		{"siti@gov.my", gov, true},
		{"siti@melaka.gov.my", gov, true},
		{"siti@jkr.melaka.gov.my", gov, true},
		{"siti@MELAKA.GOV.MY", gov, true},
		{"siti@treasury.melaka.my", gov, true},
		{"siti@gmail.com", gov, false},
		{"siti@notgov.my", gov, false}, // a suffix that is not a whole label
		{"siti@gov.my.evil.com", gov, false},
		{"siti@gmail.com", nil, true}, // no list: any domain
	} {
		err := CheckOfficialEmail(tc.email, tc.domains)
		if tc.ok {
			if err != nil {
				t.Errorf("%s under %v: %v", tc.email, tc.domains, err)
			}
			continue
		}
		wantInvalid(t, err, "official")
		if en := err.(*apperr.Error).Message("en"); !strings.Contains(en, "gov.my, melaka.my") {
			t.Errorf("%s: the message %q does not name the domains", tc.email, en)
		}
	}
}
