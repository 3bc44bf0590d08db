package forms

import (
	"bytes"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Supporting documents of a Borang (lampiran: surat lantikan, a letter of
// transfer) are PDF, JPEG or PNG files. What a file is comes from its first
// bytes, never from its name: a program renamed to .pdf is still a program.

// The content types a Borang's attachment may have.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// FieldFile is the field of an attachment in a form.
const FieldFile = "file"

// MaxAttachmentName is the longest file name kept, in characters.
const MaxAttachmentName = 100

// magic are the first bytes of each accepted type (the signatures the
// standard library's content sniffing uses for them too).
var magic = []struct {
	prefix []byte
	typ    string
	ext    string
}{
	{[]byte("%PDF-"), TypePDF, ".pdf"},
	{[]byte("\xFF\xD8\xFF"), TypeJPEG, ".jpg"},
	{[]byte("\x89PNG\r\n\x1a\n"), TypePNG, ".png"},
}

// AttachmentType returns the content type of an attachment read from its
// first bytes, or an Invalid error when it is none of PDF, JPEG and PNG
// (an empty file included).
func AttachmentType(data []byte) (string, error) {
	for _, m := range magic {
		if bytes.HasPrefix(data, m.prefix) {
			return m.typ, nil
		}
	}
	if len(data) == 0 {
		return "", invalid("attachment.error.empty")
	}
	return "", invalid("attachment.error.type")
}

// AttachmentName is the name a file is kept and offered under: the last
// part of name as sent, without control or path characters, at most
// MaxAttachmentName characters, ending in its type's extension (a PNG
// sent as "surat.pdf" is kept as "surat.png"), "lampiran" when nothing is
// left.
func AttachmentName(name, contentType string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r):
			return -1
		case strings.ContainsRune(`/\:*?"<>|;`, r):
			return '_'
		}
		return r
	}, name)
	ext := ""
	for _, m := range magic {
		if m.typ == contentType {
			ext = m.ext
		}
	}
	base := strings.TrimSpace(strings.TrimSuffix(name, path.Ext(name)))
	if lower := strings.ToLower(path.Ext(name)); contentType == TypeJPEG && lower == ".jpeg" {
		ext = ".jpeg"
	}
	if base == "" || base == "." || base == ".." {
		base = "lampiran"
	}
	if r := []rune(base); len(r) > MaxAttachmentName-len(ext) {
		base = strings.TrimSpace(string(r[:MaxAttachmentName-len(ext)]))
	}
	return base + ext
}
