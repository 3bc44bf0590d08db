package document

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
)

// rgb is a colour of the palette below.
type rgb struct{ r, g, b int }

// The palette is deliberately small: navy for structure, near-black for data,
// grey for labels and hairlines, so a slip prints well in black and white.
var (
	colInk       = rgb{26, 26, 26}
	colMuted     = rgb{86, 94, 106}
	colNavy      = rgb{24, 52, 92}
	colRule      = rgb{196, 202, 210}
	colRuleDark  = rgb{60, 72, 90}
	colHeadFill  = rgb{230, 235, 241}
	colTotalFill = rgb{242, 244, 247}
	colNoteFill  = rgb{246, 247, 249}
	colWhite     = rgb{255, 255, 255}
)

func setText(pdf *fpdf.Fpdf, c rgb) { pdf.SetTextColor(c.r, c.g, c.b) }
func setFill(pdf *fpdf.Fpdf, c rgb) { pdf.SetFillColor(c.r, c.g, c.b) }
func setDraw(pdf *fpdf.Fpdf, c rgb) { pdf.SetDrawColor(c.r, c.g, c.b) }

// ellipsis marks text cut because it could not fit on a page.
const ellipsis = "…"

// clean makes s safe for a single line: control characters become spaces.
func clean(s string) string { return sanitize(s, false) }

// sanitize replaces what the embedded fonts and fpdf cannot carry. fpdf
// writes text as two-byte glyph codes, so characters outside the Basic
// Multilingual Plane (emoji, some rare CJK) would turn into two wrong glyphs
// and can crash its width lookup; they become "?". Invalid UTF-8 becomes
// U+FFFD. Control characters become spaces, except line feeds when
// keepNewlines is set.
func sanitize(s string, keepNewlines bool) string {
	ok := true
	for _, r := range s {
		if r == utf8.RuneError || r > 0xFFFF || (unicode.IsControl(r) && !(keepNewlines && r == '\n')) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\n' && keepNewlines:
			b.WriteRune(r)
		case r == '\r' && keepNewlines:
			// CRLF collapses to the LF that follows.
		case unicode.IsControl(r):
			b.WriteByte(' ')
		case r == utf8.RuneError:
			b.WriteRune('\uFFFD')
		case r > 0xFFFF:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wrap breaks s into lines no wider than width in the current font. Line
// feeds force a break; a word wider than the line is broken between
// characters. Empty input yields no lines.
func wrap(pdf *fpdf.Fpdf, s string, width float64) []string {
	if s == "" {
		return nil
	}
	space := pdf.GetStringWidth(" ")
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		var cur strings.Builder
		curWidth := 0.0
		flush := func() {
			lines = append(lines, cur.String())
			cur.Reset()
			curWidth = 0
		}
		for _, word := range words {
			ww := pdf.GetStringWidth(word)
			if cur.Len() > 0 && curWidth+space+ww <= width {
				cur.WriteByte(' ')
				cur.WriteString(word)
				curWidth += space + ww
				continue
			}
			if cur.Len() > 0 {
				flush()
			}
			for ww > width {
				head, rest := splitWord(pdf, word, width)
				lines = append(lines, head)
				word = rest
				ww = pdf.GetStringWidth(word)
			}
			cur.WriteString(word)
			curWidth = ww
		}
		flush()
	}
	// Trailing blank lines only add height.
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// splitWord returns the longest prefix of word (at least one character) that
// fits width, and the rest.
func splitWord(pdf *fpdf.Fpdf, word string, width float64) (string, string) {
	cut := 0
	for i, r := range word {
		end := i + utf8.RuneLen(r)
		if cut > 0 && pdf.GetStringWidth(word[:end]) > width {
			break
		}
		cut = end
	}
	return word[:cut], word[cut:]
}

// limitLines keeps at most max lines, ending the last kept line with an
// ellipsis that still fits width, so an absurdly long value is visibly cut
// instead of running over the footer.
func limitLines(pdf *fpdf.Fpdf, lines []string, max int, width float64) []string {
	if max < 1 {
		max = 1
	}
	if len(lines) <= max {
		return lines
	}
	lines = lines[:max:max]
	last := lines[max-1]
	for last != "" && pdf.GetStringWidth(last+ellipsis) > width {
		_, size := utf8.DecodeLastRuneInString(last)
		last = last[:len(last)-size]
	}
	lines[max-1] = last + ellipsis
	return lines
}

// fitSize returns the largest size not above size (in 0.1 pt steps) at which
// s fits width in family, or 0 when even minSize is too large.
func fitSize(pdf *fpdf.Fpdf, s, family string, size, minSize, width float64) float64 {
	pdf.SetFont(family, "", size)
	w := pdf.GetStringWidth(s)
	if w <= width {
		return size
	}
	// Width scales linearly with size, so one division finds the size.
	fitted := math.Floor(size*width/w*10) / 10
	if fitted < minSize {
		return 0
	}
	return fitted
}

// fitLine draws s at (x, y) within width: at size if it fits, shrunk down to
// minSize if that is enough, otherwise wrapped at minSize. It returns the y
// below the text.
func (d *Doc) fitLine(s string, x, y, width, lh float64, family string, size, minSize float64, c rgb, align string) float64 {
	pdf := d.pdf
	lines := []string{s}
	if fitted := fitSize(pdf, s, family, size, minSize, width); fitted > 0 {
		pdf.SetFont(family, "", fitted)
	} else {
		pdf.SetFont(family, "", minSize)
		lines = wrap(pdf, s, width)
	}
	setText(pdf, c)
	for _, line := range lines {
		pdf.SetXY(x, y)
		pdf.CellFormat(width, lh, line, "", 0, align, false, 0, "")
		y += lh
	}
	return y
}
