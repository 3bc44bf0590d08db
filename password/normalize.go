package password

import "golang.org/x/text/unicode/norm"

// Normalize returns pw in Unicode normalisation form NFKC, as NIST SP
// 800-63B (5.1.1.2) asks before a password is checked or hashed: the same
// password typed on another keyboard or pasted from another program
// (full-width letters, a ligature, a non-breaking space for a space) is
// then the same password, and padding with look-alike characters gains
// nothing against the strength estimate. Check, Hash and Verify apply it.
func Normalize(pw string) string { return norm.NFKC.String(pw) }
