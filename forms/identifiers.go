package forms

import (
	"net/mail"
	"strings"

	"github.com/perbendaharaan/ispeks/malaysia"
)

// Identifiers as Malaysian civil servants write them. Each parser accepts
// the forms people type (dashes, spaces, lower case), returns the canonical
// form the store keeps, and on failure an Invalid *apperr.Error whose message
// says what is expected. Name the field with Field.

// ParseLogin parses what a user types in the login box: either a MyKad
// number (dashes allowed), the login of every civil servant, returned as 12
// digits with isMyKad true; or a service login (for accounts that are not a
// person's) of 3–32 ASCII letters and digits starting with a letter,
// returned in lower case (logins are case-insensitive).
//
// Anything made only of digits, dashes and spaces is taken as an attempt at
// a MyKad and gets the MyKad's message: a service login must start with a
// letter precisely so that a mistyped MyKad (11 digits, a wrong date) is
// never accepted as some other account's name.
func ParseLogin(s string) (login string, isMyKad bool, err error) {
	t := strings.TrimSpace(s)
	switch {
	case t == "":
		return "", false, malaysia.Required(labelLogin)
	case looksLikeMyKad(t):
		k, err := malaysia.ParseMyKad(t)
		if err != nil {
			return "", false, err
		}
		return string(k), true, nil
	case serviceLogin(t):
		return strings.ToLower(t), false, nil
	}
	return "", false, invalid("login.error.invalid_id")
}

// MaskLogin returns a login, as typed or as stored, fit for logs: a MyKad
// masked as MyKad.Masked (other strings of digits masked but for the last
// one), a service login as it is (lower case), and anything else as
// "(invalid)" — what is neither may well be a password typed in the wrong box.
func MaskLogin(login string) string {
	t := strings.TrimSpace(login)
	switch {
	case t == "":
		return ""
	case looksLikeMyKad(t):
		d := malaysia.StripSeparators(t)
		if len(d) == 12 {
			return malaysia.MyKad(d).Masked()
		}
		return strings.Repeat("*", len(d)-1) + d[len(d)-1:]
	case serviceLogin(t):
		return strings.ToLower(t)
	}
	return "(invalid)"
}

// looksLikeMyKad reports whether s is made of digits, dashes and spaces
// only, with at least one digit.
func looksLikeMyKad(s string) bool {
	digit := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			digit = true
		case c != '-' && c != ' ':
			return false
		}
	}
	return digit
}

// serviceLogin reports whether s is 3–32 ASCII letters and digits starting
// with a letter.
func serviceLogin(s string) bool {
	return len(s) >= 3 && len(s) <= 32 && isLetter(s[0]) && allAlnum(s)
}

// ParsePTJCode parses a PTJ (pusat tanggungjawab) code: exactly 8 digits, as
// the federal chart of accounts has them, after trimming surrounding spaces.
func ParsePTJCode(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", malaysia.Required(labelPTJCode)
	}
	if len(t) != 8 || !malaysia.AllDigits(t) {
		return "", invalid("ptj.error.code")
	}
	return t, nil
}

// ParseEmail parses an e-mail address and returns it with the domain in
// lower case (the local part is kept: only its owner's server may fold it).
// The rules: a bare address (no display name, no angle brackets) that
// net/mail accepts; at most 254 characters (the SMTP limit) and 64 before
// the @; printable ASCII only, because not every government mail relay
// speaks SMTPUTF8; a domain of at least two dot-separated labels of
// letters, digits and inner hyphens.
func ParseEmail(s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", malaysia.Required(labelEmail)
	}
	if len(t) > 254 {
		return "", invalid("email.too_long")
	}
	bad := func() (string, error) {
		return "", invalid("email.invalid")
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] >= 0x7f {
			return bad()
		}
	}
	a, err := mail.ParseAddress(t)
	if err != nil || a.Name != "" || a.Address != t {
		return bad()
	}
	at := strings.LastIndexByte(t, '@')
	local, domain := t[:at], strings.ToLower(t[at+1:])
	if len(local) > 64 || !hostname(domain) {
		return bad()
	}
	return local + "@" + domain, nil
}

// CheckOfficialEmail reports whether the address email (as ParseEmail
// returns it) is under one of the treasury's official mail domains: its
// domain is one of domains or a subdomain of one (pegawai@jkr.melaka.gov.my
// is under gov.my; pegawai@notgov.my is not). An empty list accepts every
// domain. The refusal names the domains, so that the one who typed the
// address knows what is accepted.
func CheckOfficialEmail(email string, domains []string) error {
	if len(domains) == 0 {
		return nil
	}
	at := strings.LastIndexByte(email, '@')
	domain := strings.ToLower(email[at+1:])
	for _, d := range domains {
		if domain == d || strings.HasSuffix(domain, "."+d) {
			return nil
		}
	}
	return invalid("email.not_official", "Domains", strings.Join(domains, ", "))
}

// hostname reports whether d is two or more dot-separated labels of 1–63
// letters, digits and hyphens, no label starting or ending with a hyphen.
func hostname(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isLetter(l[i]) && !isDigit(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	return true
}

// ParseSalaryNo parses a salary number (no. gaji): 1–8 ASCII letters and
// digits, trimmed and returned in upper case.
func ParseSalaryNo(s string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "" {
		return "", malaysia.Required(labelSalaryNo)
	}
	if len(t) > 8 || !allAlnum(t) {
		return "", invalid("salary_no.invalid")
	}
	return t, nil
}

// ParseEmployerNo parses an employer number (no. majikan, as on Borang EC):
// E followed by 10 digits. Spaces are removed and the letter upper-cased.
func ParseEmployerNo(s string) (string, error) {
	t := strings.ToUpper(stripSpaces(s))
	if t == "" {
		return "", malaysia.Required(labelEmployerNo)
	}
	if !prefixedDigits(t, "E", 10, 10) {
		return "", invalid("employer_no.invalid")
	}
	return t, nil
}

// ParseTaxNo parses an income-tax number (no. cukai pendapatan): IG
// followed by 9–11 digits. Spaces are removed and the letters upper-cased.
// The old SG and OG numbers, converted to IG by LHDN in 2023, get a message
// saying so.
func ParseTaxNo(s string) (string, error) {
	t := strings.ToUpper(stripSpaces(s))
	if t == "" {
		return "", malaysia.Required(labelTaxNo)
	}
	if prefixedDigits(t, "SG", 9, 11) || prefixedDigits(t, "OG", 9, 11) {
		return "", invalid("tax_no.old_prefix")
	}
	if !prefixedDigits(t, "IG", 9, 11) {
		return "", invalid("tax_no.invalid")
	}
	return t, nil
}

// prefixedDigits reports whether s is prefix followed by min–max digits.
func prefixedDigits(s, prefix string, min, max int) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	return ok && len(rest) >= min && len(rest) <= max && malaysia.AllDigits(rest)
}

// stripSpaces trims s and removes the spaces inside it.
func stripSpaces(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), " ", "") }

func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// allAlnum reports whether s is non-empty and all ASCII letters and digits.
func allAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && !isLetter(s[i]) {
			return false
		}
	}
	return s != ""
}
