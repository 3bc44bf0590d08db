package forms

import (
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
)

// CheckText returns nil when s may be stored as the text of a field, or an
// Invalid error (name the field with Field) when it holds what a person
// never types and what only harms downstream: invalid UTF-8 (which JSON
// decoding would silently turn into U+FFFD, so U+FFFD itself is refused
// too), NUL and the other C0 control characters, DEL and the C1 controls,
// and the bidirectional overrides and isolates U+202A–U+202E and
// U+2066–U+2069, which make text read differently from how it is stored
// ("Trojan Source"). Tab, line feed and carriage return are allowed only
// when multiline (remarks, a justification: browsers send a textarea's
// line breaks as CR LF). The web layer applies it to every query, form and
// JSON value; importers may apply it to the text cells of a file.
func CheckText(s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return errBadText
	}
	for _, r := range s {
		if !textRune(r, multiline) {
			return errBadText
		}
	}
	return nil
}

var errBadText = apperr.New(apperr.Invalid, "field.bad_text")

// textRune reports whether r may appear in a text field.
func textRune(r rune, multiline bool) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return multiline
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0, DEL, C1
		return false
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return false
	case r == utf8.RuneError:
		return false
	}
	return true
}
