// Package document writes the portal's printable A4 PDFs (pay slips, Borang
// EC statements) and protects them with a password.
//
// The package is a leaf: it knows nothing about pay slips or tax forms and
// imports no package of this project. Callers hand it already-translated
// strings and a handful of layout calls; the package guarantees that every
// string ends up as real, searchable text set in the embedded Go fonts, so a
// document looks the same on every server and every name with accents
// survives copy and paste.
//
// A Doc is not safe for concurrent use; build one per request. Separate Docs
// and Encrypt may run concurrently.
//
// Cost: fpdf is vendored with patches (third_party/fpdf/PATCHES.md) so that
// the two embedded fonts are parsed once per process instead of once per
// document; what remains per document is subsetting the fonts and zlib.
// A pay slip costs about 3 ms of CPU and Encrypt adds about 1 ms
// (go test ./document/ -run '^$' -bench .).
package document

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/go-pdf/fpdf"
)

// Page geometry in millimetres. The page is A4 portrait; every measure below
// is relative to its edges so that header, body and footer never overlap.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginLeft   = 15.0
	marginRight  = 15.0
	marginTop    = 12.0
	contentWidth = pageWidth - marginLeft - marginRight

	// footerRuleY is where the footer's hairline sits; the body must end
	// above footerGap so that the last row never touches it.
	footerRuleY = pageHeight - 13.0
	footerGap   = 3.0
	bodyBottom  = footerRuleY - footerGap
)

// ErrFinished is returned by Bytes and WriteTo (and recorded by every layout
// call) when a Doc is changed after it was serialised: fpdf closes the
// document on output, so later pages could never reach the file.
var ErrFinished = errors.New("document: changed after Bytes or WriteTo")

// Meta is the document information dictionary.
//
// Created is written as both creation and modification date; callers fix it
// (usually to the generation time they also print in the footer) so that the
// same input always renders the same bytes. A zero Created is replaced by the
// Unix epoch rather than the wall clock, for the same reason.
type Meta struct {
	Title   string
	Author  string
	Subject string
	Creator string
	// Language is an optional BCP 47 tag such as "ms-MY" or "en-GB" that
	// screen readers use to pick a voice.
	Language string
	Created  time.Time
}

// Header is the block drawn at the top of every page.
//
// Lines[0] is the issuer (for example the treasury's name) and is set in bold;
// the remaining lines (agency, system, document kind) follow in smaller muted
// type. Mark, when not empty, is printed at the top right (for example
// "SULIT"). A line too long for the page is shrunk to fit rather than cut. An
// empty Header draws nothing and the body starts at the top margin.
type Header struct {
	Lines []string
	Mark  string
}

// Footer is the line drawn at the bottom of every page.
//
// Text is printed at the left (for example "Dijana pada 25/11/2026 14:03 ·
// Rujukan: SG-2026-10-0000123"). PageLabel, when set, formats the page number
// printed at the right, for example
//
//	func(page, total int) string { return fmt.Sprintf("Halaman %d / %d", page, total) }
//
// page counts from 1 across the whole PDF and total is the number of pages in
// the PDF; both are only known when the document is written, which is why
// footers are drawn last. A nil PageLabel prints "page / total".
type Footer struct {
	Text      string
	PageLabel func(page, total int) string
}

// Doc is one PDF under construction.
//
// Layout calls append to the current page and start a new page (repeating the
// header, and a table's header row) when the next block would run into the
// footer; a block is never split across pages except Text, which flows line
// by line. The first layout call starts page 1 if AddPage was not called.
// Layout calls never fail individually: the first error is kept and returned
// by Bytes or WriteTo, and later calls do nothing.
type Doc struct {
	pdf    *fpdf.Fpdf
	header Header
	footer Footer

	// pageFooters[i] is the footer page i+1 was started with; footers are
	// drawn only when the total page count is known.
	pageFooters []Footer

	// bodyTop is the first y the body may use on the current page, i.e.
	// just below that page's header.
	bodyTop float64
	// barEnd is the y just below the last section bar, so that the block
	// that follows it does not add its own gap.
	barEnd float64

	out      []byte
	finished bool
	err      error
}

// New returns an empty document with meta as its information dictionary.
// No page exists until AddPage or the first layout call.
func New(meta Meta) *Doc {
	pdf := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		SizeStr:        "A4",
	})
	d := &Doc{pdf: pdf}
	created := meta.Created
	if created.IsZero() {
		created = time.Unix(0, 0).UTC()
	}
	// Sorted catalogue plus fixed dates make the output a pure function of
	// the input; fpdf otherwise walks its font maps in random order.
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(created)
	pdf.SetModificationDate(created)
	pdf.SetTitle(meta.Title, true)
	pdf.SetAuthor(meta.Author, true)
	pdf.SetSubject(meta.Subject, true)
	pdf.SetCreator(meta.Creator, true)
	pdf.SetProducer("github.com/go-pdf/fpdf", false)
	if meta.Language != "" {
		pdf.SetLang(meta.Language)
	}
	pdf.SetMargins(marginLeft, marginTop, marginRight)
	pdf.SetCellMargin(0)
	// Pagination is ours: fpdf's automatic break would start pages without
	// our header and split rows in the middle.
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetDisplayMode("fullwidth", "single")
	registerFonts(pdf)
	d.setErr(pdf.Error())
	return d
}

// SetHeader sets the header drawn on every page started after this call; the
// current page keeps the header it was started with.
func (d *Doc) SetHeader(h Header) {
	d.header = Header{Lines: append([]string(nil), h.Lines...), Mark: h.Mark}
}

// SetFooter sets the footer of every page started after this call; the
// current page keeps the footer it was started with. To bundle several slips
// in one PDF, call SetFooter with the slip's reference and then AddPage.
func (d *Doc) SetFooter(f Footer) {
	d.footer = f
}

// AddPage starts a new page with the current header and footer. Each
// separate document bundled into one PDF (one slip per month, say) starts
// with AddPage.
func (d *Doc) AddPage() {
	if !d.usable() {
		return
	}
	d.pdf.AddPage()
	d.pageFooters = append(d.pageFooters, d.footer)
	d.barEnd = -1
	d.bodyTop = d.drawHeader()
	d.pdf.SetXY(marginLeft, d.bodyTop)
	d.setErr(d.pdf.Error())
}

// PageCount reports how many pages the document has so far.
func (d *Doc) PageCount() int {
	return len(d.pageFooters)
}

// Bytes finishes the document and returns the PDF; a document without pages
// becomes one blank page. The document cannot be changed afterwards (later
// layout calls record ErrFinished), and calling Bytes again returns the same
// slice, which callers must therefore not modify.
func (d *Doc) Bytes() ([]byte, error) {
	if !d.finished {
		d.finish()
	}
	if d.err != nil {
		return nil, d.err
	}
	return d.out, nil
}

// finish draws the footers, which need the page total, and serialises.
func (d *Doc) finish() {
	if d.err == nil && len(d.pageFooters) == 0 {
		d.AddPage()
	}
	d.finished = true
	if d.err != nil {
		return
	}
	d.drawFooters()
	if d.err != nil {
		return
	}
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		d.err = fmt.Errorf("document: write pdf: %w", err)
		return
	}
	d.out = buf.Bytes()
}

// WriteTo finishes the document like Bytes and writes the PDF to w.
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	b, err := d.Bytes()
	if err != nil {
		return 0, err
	}
	n, err := w.Write(b)
	if err != nil {
		return int64(n), fmt.Errorf("document: write pdf: %w", err)
	}
	return int64(n), nil
}

// usable reports whether layout calls may still draw, recording ErrFinished
// for calls made after the document was written.
func (d *Doc) usable() bool {
	if d.finished {
		d.setErr(ErrFinished)
		return false
	}
	return d.err == nil
}

// setErr keeps the first error only: later errors are usually consequences.
func (d *Doc) setErr(err error) {
	if err != nil && d.err == nil {
		if errors.Is(err, ErrFinished) {
			d.err = err
			return
		}
		d.err = fmt.Errorf("document: %w", err)
	}
}

// drawHeader draws the current header at the top of the current page and
// returns the y at which the body starts.
func (d *Doc) drawHeader() float64 {
	h := d.header
	if len(h.Lines) == 0 && h.Mark == "" {
		return marginTop
	}
	pdf := d.pdf
	y := marginTop
	markWidth := 0.0
	const markHeight = 5.0
	if h.Mark != "" {
		mark := clean(h.Mark)
		pdf.SetFont(fontBold, "", 8.5)
		markWidth = pdf.GetStringWidth(mark) + 4
		setText(pdf, colNavy)
		pdf.SetDrawColor(colNavy.r, colNavy.g, colNavy.b)
		pdf.SetLineWidth(0.3)
		pdf.SetXY(pageWidth-marginRight-markWidth, y)
		pdf.CellFormat(markWidth, markHeight, mark, "1", 0, "C", false, 0, "")
		markWidth += 3
	}
	for i, line := range h.Lines {
		family, size, minSize, lh, c := fontRegular, 8.5, 6.5, 4.0, colMuted
		if i == 0 {
			family, size, minSize, lh, c = fontBold, 11.5, 8.0, 5.5, colNavy
		}
		width := contentWidth
		if y < marginTop+markHeight {
			// Lines beside the mark's box must stop short of it.
			width -= markWidth
		}
		y = d.fitLine(clean(line), marginLeft, y, width, lh, family, size, minSize, c, "L")
	}
	if len(h.Lines) == 0 {
		y += markHeight
	}
	y += 1.5
	pdf.SetDrawColor(colNavy.r, colNavy.g, colNavy.b)
	pdf.SetLineWidth(0.45)
	pdf.Line(marginLeft, y, pageWidth-marginRight, y)
	return y + 5
}

// drawFooters draws every page's footer once the page total is known.
func (d *Doc) drawFooters() {
	pdf := d.pdf
	total := len(d.pageFooters)
	for i, f := range d.pageFooters {
		pdf.SetPage(i + 1)
		// The page's content stream may end in any graphics state, so every
		// colour, width and font is set explicitly here.
		pdf.SetDrawColor(colRule.r, colRule.g, colRule.b)
		pdf.SetFillColor(255, 255, 255)
		pdf.SetLineWidth(0.2)
		pdf.Line(marginLeft, footerRuleY, pageWidth-marginRight, footerRuleY)

		label := fmt.Sprintf("%d / %d", i+1, total)
		if f.PageLabel != nil {
			label = clean(f.PageLabel(i+1, total))
		}
		const size, lh = 7.5, 3.4
		pdf.SetFont(fontRegular, "", size)
		labelWidth := pdf.GetStringWidth(label)
		setText(pdf, colMuted)
		pdf.SetXY(pageWidth-marginRight-labelWidth, footerRuleY+1)
		pdf.CellFormat(labelWidth, lh, label, "", 0, "R", false, 0, "")
		if f.Text != "" {
			d.fitLine(clean(f.Text), marginLeft, footerRuleY+1, contentWidth-labelWidth-6, lh,
				fontRegular, size, 5.5, colMuted, "L")
		}
	}
	d.setErr(pdf.Error())
}
