package password

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
)

// Field is the form and JSON field that policy errors are attached to.
const Field = "new_password"

// Rule ids, stable: the JSON API returns them and pages may key on them.
const (
	RuleTooShort      = "too_short"
	RuleTooLong       = "too_long"
	RuleComposition   = "composition"
	RuleContainsLogin = "contains_login"
	RuleContainsIC    = "contains_ic"
	RuleContainsName  = "contains_name"
	RuleCommon        = "common"
	RuleWeak          = "weak"
	RuleReuse         = "reuse"
)

// Rules lists every rule id.
var Rules = []string{RuleTooShort, RuleTooLong, RuleComposition, RuleContainsLogin, RuleContainsIC, RuleContainsName, RuleCommon, RuleWeak, RuleReuse}

// History is how many of a user's passwords a new one may not repeat: the
// current one and the History-1 before it (kept as hashes).
const History = 5

// Policy is the password policy (JPA cyber-security policy; OWASP ASVS
// V2.1). Use DefaultPolicy; a zero Policy checks no length.
type Policy struct {
	MinLength int // in characters (runes), not bytes
	MaxLength int // in characters; 0 means no limit
	// RequireComposition demands at least one upper-case letter, lower-case
	// letter, digit and symbol (anything neither letter nor digit, space
	// included). ASVS would not ask for it; the JPA policy does.
	RequireComposition bool
	// MinScore is the least zxcvbn strength score (0–4) a password must
	// reach; 0 does not estimate. Score 3 means about 10^8 guesses, 4 about
	// 10^10 or more.
	MinScore int
	// Words are more words of the portal an attacker tries first (the
	// treasury's name), beyond the built-in ones (portalWords).
	Words []string
}

// DefaultPolicy is the JPA policy: 12 to 128 characters mixing upper and
// lower case, digits and symbols, and a strength estimate of 4. 128 leaves
// room for pass-phrases (ASVS 2.1.2) while bounding the work per check. The
// score is 4, not 3, because the composition rule and the 12-character
// minimum push weak passwords just over 3: "Abcdefgh123!", "Januari2026!!"
// and "iSPEKS#2026xx" all score 3 (10^8–10^9 guesses), while pass-phrases
// of two or three words with a digit and a symbol score 4.
func DefaultPolicy() Policy {
	return Policy{MinLength: 12, MaxLength: MaxLength, RequireComposition: true, MinScore: 4}
}

// Context is what Check knows about the user the password is for. Empty
// fields are not checked.
type Context struct {
	Login       string
	ICNumber    string // MyKad, with or without dashes
	Name        string // full name as held by the portal, e.g. "SITI AMINAH BINTI ABU"
	CurrentHash string // PHC hash of the current password; empty for a new user
	// Previous are the hashes of the passwords before the current one,
	// newest first; Check looks at the first History-1.
	Previous []string
}

// RuleError is the error Check returns for a rejected password: the rule id
// and the *apperr.Error (Code Invalid, one FieldError on Field) that pages
// and the API show. errors.As and apperr.As find the *apperr.Error through
// Unwrap.
type RuleError struct {
	Rule string
	Err  *apperr.Error
}

func (e *RuleError) Error() string { return "password rule " + e.Rule + ": " + e.Err.Error() }
func (e *RuleError) Unwrap() error { return e.Err }

// Rule returns the rule id of the first RuleError in err's chain, or "".
func Rule(err error) string {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Rule
	}
	return ""
}

// reject is the error of rule; its message is the catalogue's
// password.rule.<rule>, with args.
func reject(rule string, args ...any) error {
	return &RuleError{Rule: rule, Err: apperr.Fields(apperr.Field(Field, "password.rule."+rule, args...))}
}

// Check returns nil if pw may be set as the password of the user c
// describes, or a *RuleError naming the first rule it breaks. The password
// is judged as Hash stores it: normalised (NFKC; a non-breaking space is a
// space); its length and strength without the spaces around it and with
// runs of spaces as one. The rules, in the order checked (cheap first, the
// argon2 reuse check last):
//
//   - too_short, too_long: length in characters outside MinLength..MaxLength;
//   - composition: (with RequireComposition) an upper-case letter, a
//     lower-case letter, a digit or a symbol is missing; the message lists
//     which;
//   - contains_login: contains the login (case-insensitive; logins shorter
//     than 3 characters are not checked, they would forbid too much), or the
//     local part of an e-mail login;
//   - contains_ic: contains any 6 consecutive digits of the MyKad number
//     (from ICNumber, or from Login when that is a MyKad number), also once
//     symbols and spaces are removed from pw ("85-01-01"), or the birth date
//     it starts with written day first (DDMMYY, DDMMYYYY);
//   - contains_name: contains, case-insensitively, any part of the name of 4
//     or more letters, ignoring the patronymic words BIN, BINTI, A/L, A/P,
//     BT, B. and their variants;
//   - common: is on the common/breached list (common.txt, local.txt),
//     case-insensitively, as is, or once leading and trailing digits and
//     symbols are stripped ("Password123!" → "password"), or once common
//     look-alike substitutions are undone ("P@ssw0rd1!" → "password");
//   - weak: (with MinScore) zxcvbn estimates fewer guesses than the score
//     asks, counting as cheap guesses the portal's words (iSPEKS, Melaka,
//     the treasury, month names in BM and English, Words) and the user's
//     login, name and MyKad parts;
//   - reuse: matches CurrentHash or one of the History-1 Previous hashes
//     (one argon2 verification each).
//
// An error that is not a *RuleError (a stored hash unreadable, the server
// too busy to hash) is the system's, not the user's.
func (p Policy) Check(pw string, c Context) error {
	if tooLong(pw) && p.MaxLength > 0 {
		return reject(RuleTooLong, "Max", p.MaxLength)
	}
	pw = Normalize(pw)
	// Length and strength are judged without padding: spaces around the
	// password, and runs of them inside, count once ("Sept2026!" padded
	// with non-breaking spaces to 13 characters is still 9).
	core := strings.Join(strings.Fields(pw), " ")
	n := utf8.RuneCountInString(core)
	if n < p.MinLength {
		return reject(RuleTooShort, "Min", p.MinLength)
	}
	if p.MaxLength > 0 && n > p.MaxLength {
		return reject(RuleTooLong, "Max", p.MaxLength)
	}
	if p.RequireComposition {
		if missing := missingClasses(pw); len(missing) > 0 {
			return reject(RuleComposition, "Missing", missing)
		}
	}
	lower := strings.ToLower(pw)
	if containsLogin(lower, c.Login) {
		return reject(RuleContainsLogin)
	}
	if containsIC(pw, c.ICNumber) || containsIC(pw, icFromLogin(c.Login)) {
		return reject(RuleContainsIC)
	}
	if containsName(lower, c.Name) {
		return reject(RuleContainsName)
	}
	if isCommon(lower) {
		return reject(RuleCommon)
	}
	if p.MinScore > 0 && strength(core, p.guessable(c)) < p.MinScore {
		return reject(RuleWeak)
	}
	recent := append([]string{c.CurrentHash}, c.Previous[:min(len(c.Previous), History-1)]...)
	for _, h := range recent {
		if h == "" {
			continue
		}
		same, _, err := Verify(pw, h)
		if err != nil {
			return fmt.Errorf("password: checking reuse: %w", err)
		}
		if same {
			return reject(RuleReuse, "Count", History)
		}
	}
	return nil
}

// charClasses are the composition classes, in the order messages list them,
// each with its name in the catalogue.
var charClasses = []struct {
	has  func(rune) bool
	name string
}{
	{unicode.IsUpper, "password.class.upper"},
	{unicode.IsLower, "password.class.lower"},
	{unicode.IsDigit, "password.class.digit"},
	{isSymbol, "password.class.symbol"},
}

func isSymbol(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// missingClasses returns the names of the classes pw lacks.
func missingClasses(pw string) i18n.List {
	var out i18n.List
	for _, c := range charClasses {
		if !strings.ContainsFunc(pw, c.has) {
			out = append(out, i18n.Of(c.name))
		}
	}
	return out
}

// minLoginLen: shorter logins ("ali") occur inside too many good passwords.
const minLoginLen = 3

func containsLogin(lowerPw, login string) bool {
	login = strings.ToLower(strings.TrimSpace(login))
	local, _, _ := strings.Cut(login, "@")
	for _, s := range []string{login, local} {
		if utf8.RuneCountInString(s) >= minLoginLen && strings.Contains(lowerPw, s) {
			return true
		}
	}
	return false
}

// icRun is the shortest run of MyKad digits that counts: YYMMDD is 6.
const icRun = 6

// icFromLogin returns login if it is a MyKad number (12 digits once dashes
// and spaces are removed), as it is for most portal users, else "".
func icFromLogin(login string) string {
	s := icSeparators.Replace(login)
	if len(s) == 12 && onlyDigits(s) == s {
		return s
	}
	return ""
}

// icSeparators are the dashes and spaces people type in a MyKad number
// (built once: a Replacer builds its tables on first use). The layout keeps
// password free of malaysia, whose StripSeparators does the same.
var icSeparators = strings.NewReplacer("-", "", " ", "")

func containsIC(pw, ic string) bool {
	digits := onlyDigits(ic)
	if len(digits) < icRun {
		return false
	}
	// Also look with symbols and spaces removed, for "85-01-01" or
	// "01/01/1985". Letters stay, so digits they separate are not joined.
	joined := strings.Map(func(r rune) rune {
		if isSymbol(r) {
			return -1
		}
		return r
	}, pw)
	runs := dayFirstDates(digits[:icRun])
	for i := 0; i+icRun <= len(digits); i++ {
		runs = append(runs, digits[i:i+icRun])
	}
	for _, run := range runs {
		if strings.Contains(pw, run) || strings.Contains(joined, run) {
			return true
		}
	}
	return false
}

// dayFirstDates returns the birth date of a MyKad's leading YYMMDD written
// as Malaysians usually write dates: DDMMYY and DDMMYYYY (either century,
// since YY alone does not tell). It returns nil if yymmdd is not a date.
func dayFirstDates(yymmdd string) []string {
	yy, mm, dd := yymmdd[0:2], yymmdd[2:4], yymmdd[4:6]
	if mm < "01" || mm > "12" || dd < "01" || dd > "31" {
		return nil
	}
	return []string{dd + mm + yy, dd + mm + "19" + yy, dd + mm + "20" + yy}
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// minNamePart: shorter parts ("NUR", "ALI", "LEE") occur inside too many
// good passwords.
const minNamePart = 4

// patronymics are the words of Malaysian names meaning "son/daughter of";
// they are not the user's name (and BINTI is long enough to count).
var patronymics = map[string]bool{
	"BIN": true, "BINTI": true, "BINTE": true, "BTE": true, "BT": true, "BT.": true, "B.": true,
	"A/L": true, "A/P": true, "S/O": true, "D/O": true,
}

func containsName(lowerPw, name string) bool {
	for _, word := range strings.Fields(name) {
		if patronymics[strings.ToUpper(word)] {
			continue
		}
		// "ABDUL-RAHMAN" or "O'NEIL" hold two parts each.
		for _, part := range strings.FieldsFunc(word, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if utf8.RuneCountInString(part) >= minNamePart && strings.Contains(lowerPw, strings.ToLower(part)) {
				return true
			}
		}
	}
	return false
}

// minStem: stripping digits and symbols off a strong password can leave a
// short word ("Zebu" of "Zebu-8352-9917!") whose strength lies elsewhere;
// stems shorter than this are not looked up.
const minStem = 4

// unleet undoes the usual look-alike substitutions.
var unleet = strings.NewReplacer("@", "a", "4", "a", "3", "e", "1", "i", "!", "i", "0", "o", "$", "s", "5", "s", "7", "t")

func isCommon(lowerPw string) bool {
	candidates := []string{lowerPw, unleet.Replace(lowerPw)}
	if stem := strings.TrimFunc(lowerPw, func(r rune) bool { return !unicode.IsLetter(r) }); utf8.RuneCountInString(stem) >= minStem {
		candidates = append(candidates, stem, unleet.Replace(stem))
	}
	list := commonPasswords()
	for _, s := range candidates {
		if _, ok := list[s]; ok {
			return true
		}
	}
	return false
}
