package password

import (
	"errors"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
)

// strong passes every rule when nothing about the user is known.
const strong = "Zebra-Kopi-Tarik-42"

func TestCheck(t *testing.T) {
	siti := Context{Login: "sitinur", ICNumber: "850101-14-5678", Name: "SITI NURHALIZA BINTI TARUDIN"}
	muthu := Context{Name: "MUTHU A/L RAMASAMY"}
	nur := Context{Name: "NUR AIN B. ALI"}
	icLogin := Context{Login: "850101-14-5678"}
	mail := Context{Login: "ahmad.zaki@anm.gov.my"}

	for _, tc := range []struct {
		name string
		pw   string
		ctx  Context
		rule string // "" for accepted
	}{
		{"strong", strong, Context{}, ""},
		{"strong for siti", strong, siti, ""},
		{"exactly 12", "Zebra-Kopi-4", Context{}, ""},
		{"exactly 128", strings.Repeat("Zq7#", 32), Context{}, ""},

		{"too short", "Zebra-Kop-4", Context{}, RuleTooShort},
		{"too short in runes, not bytes", "Ékürü-Pöş-4", Context{}, RuleTooShort},
		{"too long", strings.Repeat("Zq7#", 32) + "x", Context{}, RuleTooLong},
		{"too long in runes", strings.Repeat("Zé7#", 32) + "é", Context{}, RuleTooLong},

		{"no upper", "zebra-kopi-tarik-42", Context{}, RuleComposition},
		{"no lower", "ZEBRA-KOPI-TARIK-42", Context{}, RuleComposition},
		{"no digit", "Zebra-Kopi-Tarik-XL", Context{}, RuleComposition},
		{"no symbol", "ZebraKopiTarik42", Context{}, RuleComposition},
		{"space is a symbol", "Zebra Kopi Tarik 42", Context{}, ""},

		{"login", "Sitinur#Kopi42", siti, RuleContainsLogin},
		{"e-mail login", "Ahmad.Zaki#2025x", mail, RuleContainsLogin},
		{"e-mail login, local part", "Kopi@ahmad.zaki9", mail, RuleContainsLogin},

		{"ic birth date", "Kopi#850101Tarik", siti, RuleContainsIC},
		{"ic last six", "Kopi#145678Tarik", siti, RuleContainsIC},
		{"ic with dashes", "Kopi#85-01-01Tarik", siti, RuleContainsIC},
		{"ic birth date DDMMYY", "Kopi#010185Tarik", siti, RuleContainsIC},
		{"ic birth date DD/MM/YYYY", "Kopi#01/01/1985Tarik", siti, RuleContainsIC},
		{"ic from login", "Kopi#010185Tarik", icLogin, RuleContainsIC},
		{"five ic digits are fine", "Kopi#85010Tarik", siti, ""},

		{"name", "Nurhaliza#2024Kopi", siti, RuleContainsName},
		{"surname, any case", "KopiTaRuDiN#2024", siti, RuleContainsName},
		{"four-letter name part", "Siti-Kopi-Tarik-42", siti, RuleContainsName},
		{"BINTI is not a name", "Binti-Kopi-Tarik-42", siti, ""},
		{"A/L name", "Ramasamy#Kopi42", muthu, RuleContainsName},
		{"short name parts are fine", "Nur-Ali-Kopi-Tarik-42", nur, ""},

		{"common", "Password123!", Context{}, RuleCommon},
		{"common, whole", "Qwertyuiop1!", Context{}, RuleCommon},
		{"common, leet", "P@ssw0rd2024!", Context{}, RuleCommon},
		{"common, leading digits", "2024!Football", Context{}, RuleCommon},
		{"local: Malaysia", "Malaysia@2024", Context{}, RuleCommon},
		{"local: Putrajaya", "Putrajaya#2025", Context{}, RuleCommon},
		{"local: Perbendaharaan", "Perbendaharaan1!", Context{}, RuleCommon},
		{"local: ispeks", "Ispeks@2024!", Context{}, RuleCommon},
		{"local: Melaka", "Melaka12345!", Context{}, RuleCommon},
		{"short stem is not looked up", "Zq!8352991745", Context{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := DefaultPolicy().Check(tc.pw, tc.ctx)
			if got := Rule(err); got != tc.rule {
				t.Fatalf("Check(%q) rule %q (%v), want %q", tc.pw, got, err, tc.rule)
			}
			if tc.rule != "" {
				assertRejection(t, err, tc.rule)
			}
		})
	}
}

func TestCheckReuse(t *testing.T) {
	current, err := Hash(strong)
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultPolicy()
	err = p.Check(strong, Context{CurrentHash: current})
	assertRejection(t, err, RuleReuse)
	if err := p.Check("Zebra-Kopi-Tarik-43", Context{CurrentHash: current}); err != nil {
		t.Fatalf("different password rejected: %v", err)
	}
	// Cheap rules come first: a short password is not hashed at all.
	if got := Rule(p.Check("x", Context{CurrentHash: current})); got != RuleTooShort {
		t.Fatalf("rule %q, want %q", got, RuleTooShort)
	}
	// An unreadable stored hash is the system's fault, not a rule.
	err = p.Check(strong, Context{CurrentHash: "$2a$10$legacy"})
	if err == nil || Rule(err) != "" || apperr.CodeOf(err) != apperr.Internal || !errors.Is(err, ErrInvalidHash) {
		t.Fatalf("corrupt CurrentHash: got %v (rule %q, code %q)", err, Rule(err), apperr.CodeOf(err))
	}
}

// TestRuleMessages checks that each rule has its own message in both
// languages, so a user can always tell which rule failed.
func TestRuleMessages(t *testing.T) {
	current, _ := HashWith(cheap, strong)
	ctx := Context{Login: "sitinur", ICNumber: "850101145678", Name: "SITI NURHALIZA", CurrentHash: current}
	samples := map[string]string{
		RuleTooShort:      "Ab1!",
		RuleTooLong:       strings.Repeat("Ab1!", 40),
		RuleComposition:   "zebra-kopi-tarik",
		RuleContainsLogin: "Sitinur#Kopi42",
		RuleContainsIC:    "Kopi#850101Tarik",
		RuleContainsName:  "Nurhaliza#Kopi42",
		RuleCommon:        "Password123!",
		RuleReuse:         strong,
	}
	seenMS, seenEN := map[string]string{}, map[string]string{}
	for rule, pw := range samples {
		err := DefaultPolicy().Check(pw, ctx)
		f := assertRejection(t, err, rule)
		if other, dup := seenMS[f.Message("ms")]; dup {
			t.Errorf("rules %s and %s share the BM message %q", rule, other, f.Message("ms"))
		}
		if other, dup := seenEN[f.Message("en")]; dup {
			t.Errorf("rules %s and %s share the English message %q", rule, other, f.Message("en"))
		}
		seenMS[f.Message("ms")], seenEN[f.Message("en")] = rule, rule
	}
}

func TestCompositionNamesMissingClasses(t *testing.T) {
	err := DefaultPolicy().Check("zebra-kopi-tarik", Context{})
	f := assertRejection(t, err, RuleComposition)
	for _, want := range []string{"huruf besar", "nombor"} {
		if !strings.Contains(f.Message("ms"), want) {
			t.Errorf("BM message %q does not name %q", f.Message("ms"), want)
		}
	}
	for _, want := range []string{"upper-case", "digit"} {
		if !strings.Contains(f.Message("en"), want) {
			t.Errorf("English message %q does not name %q", f.Message("en"), want)
		}
	}
	if strings.Contains(f.Message("en"), "lower-case letter,") || strings.Contains(f.Message("en"), "symbol.") {
		t.Errorf("English message %q names a class that is present", f.Message("en"))
	}
}

func TestCommonList(t *testing.T) {
	list := commonPasswords()
	if len(list) < 10000 {
		t.Fatalf("common list has %d entries, want at least 10,000", len(list))
	}
	for _, w := range []string{"password", "123456", "iloveyou", "malaysia", "putrajaya", "perbendaharaan", "ispeks", "katalaluan"} {
		if _, ok := list[w]; !ok {
			t.Errorf("%q missing from the common list", w)
		}
	}
	for w := range list {
		if strings.HasPrefix(w, "#") || w != strings.ToLower(strings.TrimSpace(w)) {
			t.Fatalf("list entry %q is a comment or not normalised", w)
		}
	}
}

// assertRejection checks the shape every rejection has: a *RuleError for
// rule wrapping an Invalid *apperr.Error with one message on Field in both
// languages. It returns that field error.
func assertRejection(t *testing.T, err error, rule string) apperr.FieldError {
	t.Helper()
	if got := Rule(err); got != rule {
		t.Fatalf("rule %q (%v), want %q", got, err, rule)
	}
	if !strings.Contains(err.Error(), rule) {
		t.Errorf("error text %q does not name rule %q", err.Error(), rule)
	}
	if apperr.CodeOf(err) != apperr.Invalid {
		t.Fatalf("code %q, want %q", apperr.CodeOf(err), apperr.Invalid)
	}
	ae := apperr.As(err)
	if len(ae.Fields) != 1 || ae.Fields[0].Field != Field {
		t.Fatalf("fields %+v, want one on %q", ae.Fields, Field)
	}
	f := ae.Fields[0]
	if f.Message("ms") == "" || f.Message("en") == "" || f.Message("ms") == f.Message("en") {
		t.Fatalf("field messages MS=%q EN=%q, want one in each language", f.Message("ms"), f.Message("en"))
	}
	return f
}
