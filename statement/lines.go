package statement

import (
	"strings"

	"github.com/perbendaharaan/ispeks/apperr"
)

// Line is a line of the Borang EC (C.P.8C), named by the form's own
// numbering, or None for a pay item that is not on the form.
type Line string

// The lines of the Borang EC a pay item can be mapped to, and None.
const (
	B1a  Line = "B1a"  // gaji kasar, upah atau gaji cuti (termasuk gaji lebih masa)
	B1b  Line = "B1b"  // fi, komisen atau bonus
	B1c  Line = "B1c"  // tip kasar, perkuisit, penerimaan sagu hati atau elaun-elaun lain
	B1d  Line = "B1d"  // cukai pendapatan yang dibayar oleh majikan bagi pihak pekerja
	B1f  Line = "B1f"  // ganjaran
	B2   Line = "B2"   // tunggakan dan lain-lain bagi tahun-tahun terdahulu
	B3   Line = "B3"   // manfaat berupa barangan
	B4   Line = "B4"   // nilai tempat kediaman
	B6   Line = "B6"   // pampasan kerana kehilangan pekerjaan
	C1   Line = "C1"   // pencen
	D1   Line = "D1"   // potongan cukai bulanan (PCB) yang dibayar kepada LHDNM
	D2   Line = "D2"   // arahan potongan CP38
	D3   Line = "D3"   // zakat yang dibayar melalui potongan gaji
	E1   Line = "E1"   // KWSP atau kumpulan wang pencen yang diluluskan (bahagian pekerja)
	E2   Line = "E2"   // PERKESO (bahagian pekerja)
	F    Line = "F"    // elaun, perkuisit, pemberian dan manfaat yang dikecualikan cukai
	None Line = "none" // not on the Borang EC (employer contributions, loans, cooperative dues…)
)

// Lines are the form's lines in its order. Each has a column <key>_sen in
// the statements table, and catalogue keys statement.line.<key> (its words
// on the form) and statement.be.<key> (where the figure goes in e-BE).
var Lines = []Line{B1a, B1b, B1c, B1d, B1f, B2, B3, B4, B6, C1, D1, D2, D3, E1, E2, F}

// Sections are the form's sections that hold figures, in order.
var Sections = []string{"B", "C", "D", "E", "F"}

// Key is the line's code in lower case: its catalogue keys' last part and
// its column's stem.
func (l Line) Key() string { return strings.ToLower(string(l)) }

// Section is the form's section letter of the line (B to F).
func (l Line) Section() string { return string(l[:1]) }

// Number is the line's number within its section as the form prints it:
// "1(a)" for B1a, "2" for B2, "" for F.
func (l Line) Number() string {
	n := string(l[1:])
	if len(n) == 2 {
		return n[:1] + "(" + n[1:] + ")"
	}
	return n
}

func (l Line) column() string { return l.Key() + "_sen" }

// LabelKey is the catalogue key of the line's words on the form.
func (l Line) LabelKey() string { return "statement.line." + l.Key() }

// FilingKey is the catalogue key of the guidance on where the line's
// figure goes in LHDN's e-BE form.
func (l Line) FilingKey() string { return "statement.be." + l.Key() }

// LinesOf returns the lines of section, in the form's order.
func LinesOf(section string) []Line {
	var out []Line
	for _, l := range Lines {
		if l.Section() == section {
			out = append(out, l)
		}
	}
	return out
}

var errLine = apperr.New(apperr.Invalid, "statement.error.line", "Lines", strings.Join(lineNames(), ", "))

func lineNames() []string {
	out := make([]string, 0, len(Lines)+1)
	for _, l := range Lines {
		out = append(out, string(l))
	}
	return append(out, string(None))
}

// ParseLine parses an EC line code as the form numbers it (B1a, D1, F) or
// "none", in any case; anything else is an error listing the codes.
func ParseLine(s string) (Line, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, string(None)) {
		return None, nil
	}
	for _, l := range Lines {
		if strings.EqualFold(t, string(l)) {
			return l, nil
		}
	}
	return "", errLine
}
