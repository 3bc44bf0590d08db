package malaysia

import (
	"strconv"
	"strings"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
)

// LabelAmount names an amount field in messages ("Amaun" / "amount").
var LabelAmount = i18n.Of("label.amount")

// Amounts are integer sen (int64) everywhere; these functions turn what
// people write in ringgit into sen and back, digit by digit, never through
// a float, so that 0.1 + 0.2 stays 30 sen.

// ParseSen parses a non-negative amount in ringgit into sen: "3120.55",
// "3,120.55" → 312055; "300" → 30000; "0.5" → 50. The rules: digits, with
// optional thousands commas in the right places ("31,20" is refused: it may
// be a decimal comma); at most two decimals; no sign other than "+"; no
// amount beyond what int64 sen holds.
func ParseSen(s string) (int64, error) { return parseSen(s, false) }

// ParseSignedSen is ParseSen that also accepts a leading "-", for
// adjustments and arrears that may be negative.
func ParseSignedSen(s string) (int64, error) { return parseSen(s, true) }

func parseSen(s string, signed bool) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, Required(LabelAmount)
	}
	neg := false
	if t[0] == '-' || t[0] == '+' {
		neg = t[0] == '-'
		t = t[1:]
	}
	if neg && !signed {
		return 0, apperr.New(apperr.Invalid, "amount.negative")
	}
	whole, frac, point := strings.Cut(t, ".")
	if !grouped(whole) || point && (frac == "" || !AllDigits(frac)) {
		return 0, apperr.New(apperr.Invalid, "amount.invalid")
	}
	if len(frac) > 2 {
		return 0, apperr.New(apperr.Invalid, "amount.decimals")
	}
	// Accumulate the magnitude unsigned so that the most negative int64
	// (whose magnitude is one more than the largest) still parses.
	limit := uint64(1<<63 - 1)
	if neg {
		limit++
	}
	var u uint64
	for _, c := range []byte(strings.ReplaceAll(whole, ",", "") + frac + "00"[len(frac):]) {
		d := uint64(c - '0')
		if u > (limit-d)/10 {
			return 0, apperr.New(apperr.Invalid, "amount.too_large")
		}
		u = u*10 + d
	}
	if neg {
		return -int64(u), nil // for 1<<63, int64(u) is already the most negative value and negating keeps it
	}
	return int64(u), nil
}

// grouped reports whether s is digits, either without commas or with a comma
// before every group of three from the right ("1,234,567").
func grouped(s string) bool {
	if !strings.Contains(s, ",") {
		return AllDigits(s)
	}
	groups := strings.Split(s, ",")
	if len(groups[0]) > 3 || !AllDigits(groups[0]) {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 || !AllDigits(g) {
			return false
		}
	}
	return true
}

// FormatSen writes sen as ringgit with thousands commas and two decimals:
// 312055 → "3,120.55", -312055 → "-3,120.55", 50 → "0.50". ParseSignedSen
// reads it back to the same value.
func FormatSen(sen int64) string {
	u, sign := uint64(sen), ""
	if sen < 0 {
		u, sign = -u, "-" // unsigned negation: exact even for the most negative int64
	}
	digits := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.WriteString(sign)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	cents := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}

// FormatRM writes sen as an amount in ringgit for messages and pages, the
// way Malaysian documents print it: "RM3,120.55", "-RM3,120.55".
func FormatRM(sen int64) string {
	if s, neg := strings.CutPrefix(FormatSen(sen), "-"); neg {
		return "-RM" + s
	}
	return "RM" + FormatSen(sen)
}
