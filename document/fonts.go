package document

import (
	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Font families registered in every Doc. The Go fonts are embedded in the
// binary, so output never depends on the fonts installed on a server, and
// they cover Latin (with all accents used in Malaysian names), Greek and
// Cyrillic. Their digits are tabular in both weights, which is what lets
// right-aligned amounts line up without a monospaced face.
const (
	fontRegular = "goregular"
	fontBold    = "gobold"
)

// registerFonts embeds the Go fonts as UTF-8 TrueType so that text is stored
// as Unicode with a ToUnicode map and stays searchable and copyable.
func registerFonts(pdf *fpdf.Fpdf) {
	pdf.AddUTF8FontFromBytes(fontRegular, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(fontBold, "", gobold.TTF)
}
