package password

import (
	"errors"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
)

// strong passes every rule when nothing about the user is known.
const strong = "Zebra-Kopi-Tarik-42"

// long128 is a strong password of exactly 128 characters (a repeated
// pattern would be weak).
var long128 = ("Zebra-Kopi-Tarik-42-Bunga-Raya-Hujan-Petang-Ikan-Bilis-Goreng-Kereta-Merah-Laju-" +
	"Tasik-Biru-Rumah-Kampung-Cendana-Teduh-Nasi-Lemak-Sambal")[:128]

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
		{"exactly 128", long128, Context{}, ""},

		{"too short", "Zebra-Kop-4", Context{}, RuleTooShort},
		{"too short in runes, not bytes", "Ékürü-Pöş-4", Context{}, RuleTooShort},
		{"too long", long128 + "x", Context{}, RuleTooLong},
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
		RuleWeak:          "Aa1!Aa1!Aa1!",
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

// TestWeakPasswordsAreRefused: the passwords that passed the composition
// rule in the attack fail now (each names its rule), and the passwords the
// tests and the demo use still pass.
func TestWeakPasswordsAreRefused(t *testing.T) {
	nbsp := "\u00a0"
	for _, pw := range []string{"Aaaaaaaaaaa1!", "Abcdefgh123!", "Aa1!Aa1!Aa1!", "Januari2026!!", "iSPEKS#2026xx",
		"Melaka1!" + strings.Repeat(nbsp, 4), nbsp + nbsp + "Sept2026!" + nbsp + nbsp, "Disember#2025!", "MyPassw0rd!2026",
		"Treasury#2026x", "Perbendaharaan2026!"} {
		err := DefaultPolicy().Check(pw, Context{})
		if r := Rule(err); r != RuleWeak && r != RuleCommon && r != RuleTooShort {
			t.Errorf("Check(%q) = %v, want weak, common or (padding does not count) too short", pw, err)
		}
	}
	// The user's own details are cheap guesses too.
	siti := Context{Login: "900101045678", Name: "SITI NURHALIZA BINTI TARUDIN"}
	if err := DefaultPolicy().Check("Tarudin&Siti!90", siti); Rule(err) == "" {
		t.Errorf("a password of the user's name parts passes")
	}
	for _, pw := range []string{"Kuat-Sangat-2026!", "Salah-Sekali-2026!", "Baharu-Kuat-2026#", "Pautan-Sekali-2026!",
		"Kuat-Sangat-2026!x", "Cendana-Teduh-4817!", strong, "Saya suka nasi lemak 7", TemporaryPassword()} {
		if err := DefaultPolicy().Check(pw, siti); err != nil {
			t.Errorf("Check(%q) = %v, want accepted", pw, err)
		}
	}
}

// TestNormalisation: a password is the same password however it was typed
// (full-width letters, a non-breaking space), for the rules and for the
// hash; a hash made before normalisation still verifies the password as
// typed then, and says it should be made again.
func TestNormalisation(t *testing.T) {
	const typed = "Kuat Sangat-2026!"
	wide := "Ｋｕａｔ\u00a0Ｓａｎｇａｔ-２０２６！"
	if Normalize(wide) != typed {
		t.Fatalf("Normalize(%q) = %q", wide, Normalize(wide))
	}
	h, err := HashWith(Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32, Normalize: true}, wide)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := Verify(typed, h); !ok || !Normalized(h) {
		t.Fatalf("the normalised hash does not take the same password typed plainly (ok=%v)", ok)
	}
	legacy, _ := HashWith(cheap, wide) // made before normalisation
	if ok, rehash, _ := Verify(wide, legacy); !ok || !rehash || Normalized(legacy) {
		t.Fatalf("legacy hash: ok=%v rehash=%v normalized=%v", ok, rehash, Normalized(legacy))
	}
	if ok, _, _ := Verify(typed, legacy); ok {
		t.Fatal("a legacy hash matched another spelling: it was normalised after all")
	}
	// The rules judge the normalised form: padding with non-breaking spaces
	// is padding with spaces, which adds no length and no strength.
	if r := Rule(DefaultPolicy().Check("Password123!\u00a0\u00a0", Context{})); r != RuleCommon {
		t.Errorf("NBSP padding hid a common password: %q", r)
	}
	if r := Rule(DefaultPolicy().Check("Zebra-Kopi\u00a0\u00a0\u00a0", Context{})); r != RuleTooShort {
		t.Errorf("NBSP padding made up the length: %q", r)
	}
}

// TestCheckHistory: the new password may not be the current one nor one of
// the History-1 before it; older ones may come back.
func TestCheckHistory(t *testing.T) {
	pws := []string{"Zebra-Kopi-Tarik-40", "Zebra-Kopi-Tarik-41", "Zebra-Kopi-Tarik-42", "Zebra-Kopi-Tarik-43", "Zebra-Kopi-Tarik-44", "Zebra-Kopi-Tarik-45"}
	var hashes []string
	for _, pw := range pws {
		h, _ := HashWith(cheap, pw)
		hashes = append([]string{h}, hashes...) // newest first
	}
	c := Context{CurrentHash: hashes[0], Previous: hashes[1:]} // current …45, previous …44 … …40
	for i, pw := range pws {
		err := DefaultPolicy().Check(pw, c)
		if want := i >= len(pws)-History; (Rule(err) == RuleReuse) != want {
			t.Errorf("Check(%s) = %v; refused as reuse: want %v", pw, err, want)
		}
	}
	assertRejection(t, DefaultPolicy().Check(pws[len(pws)-1], c), RuleReuse)
}
