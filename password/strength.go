package password

import (
	"strings"
	"unicode"

	"github.com/trustelem/zxcvbn"
)

// portalWords are what an attacker of this portal tries before anything
// else, beside the user's own details: the system, the state and the
// treasury, and the months (a password changed every few months so often
// names one), in Bahasa Malaysia and English, as zxcvbn's "user inputs"
// (cheap guesses wherever they appear, in any case, reversed or in l33t).
var portalWords = []string{
	"ispeks", "spek", "melaka", "malacca", "treasury", "perbendaharaan", "bendahari", "negeri", "kerajaan",
	"akauntan", "janm", "anm", "jabatan", "kewangan", "gaji", "malaysia", "putrajaya", "password", "katalaluan", "laluan",
	"januari", "februari", "mac", "april", "mei", "jun", "julai", "ogos", "september", "oktober", "november", "disember",
	"january", "february", "march", "may", "june", "july", "august", "october", "december",
	"jan", "feb", "mar", "apr", "jul", "ogo", "sep", "sept", "okt", "oct", "nov", "dis", "dec", "aug",
}

// guessable are the words zxcvbn counts as cheap guesses for the user c
// describes: the portal's, the policy's, and the user's login, name parts
// and MyKad parts (the number, its birth date both ways, its last four).
func (p Policy) guessable(c Context) []string {
	words := append(append([]string(nil), portalWords...), p.Words...)
	if l := strings.ToLower(strings.TrimSpace(c.Login)); l != "" {
		local, _, _ := strings.Cut(l, "@")
		words = append(words, l, local)
	}
	for _, w := range strings.FieldsFunc(c.Name, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if !patronymics[strings.ToUpper(w)] && len(w) > 1 {
			words = append(words, strings.ToLower(w))
		}
	}
	for _, ic := range []string{c.ICNumber, icFromLogin(c.Login)} {
		d := onlyDigits(ic)
		if len(d) != 12 {
			continue
		}
		words = append(words, d, d[:6], d[6:8], d[8:], d[6:])
		words = append(words, dayFirstDates(d[:6])...)
	}
	return words
}

// strength is zxcvbn's score (0–4) of pw with words as cheap guesses.
func strength(pw string, words []string) int {
	return zxcvbn.PasswordStrength(pw, words).Score
}
