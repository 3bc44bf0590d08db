package document

import (
	"fmt"
	"math"
)

// Type sizes (points) and line heights (millimetres) of the body. They are
// chosen so that a full pay slip (details, earnings, deductions, employer
// contributions, year-to-date) fits one A4 page.
const (
	sizeBody      = 9.0
	lineBody      = 4.3
	sizeCell      = 8.5
	lineCell      = 3.7
	sizeCellHead  = 7.8
	lineCellHead  = 3.5
	cellPadX      = 1.6
	cellPadY      = 0.75
	sizeLabel     = 8.3
	sizeValue     = 8.8
	sizeTitle     = 13.0
	lineTitle     = 6.0
	sizeSubtitle  = 9.0
	lineSubtitle  = 4.4
	sizeSection   = 9.0
	lineSection   = 4.2
	sectionMinBar = 6.2
	sizeNote      = 8.0
	lineNote      = 3.8
	notePad       = 2.4
	blockGap      = 2.5
)

// Align is the horizontal alignment of a table column.
type Align int

// The alignments. Amount columns use AlignRight so that figures line up on
// their last digit (the Go fonts' digits all have the same width).
const (
	AlignLeft Align = iota
	AlignRight
	AlignCenter
)

func (a Align) fpdf() string {
	switch a {
	case AlignRight:
		return "R"
	case AlignCenter:
		return "C"
	default:
		return "L"
	}
}

// Field is one label–value pair of a Fields grid. Either may be long: both
// wrap within their share of the row.
type Field struct {
	Label string
	Value string
}

// Column describes one table column.
//
// Width is a relative weight: the columns share the full body width in
// proportion to their weights, and a zero or negative weight counts as 1.
// Header is the column's heading in the header row; when every column's
// Header is empty the table has no header row.
type Column struct {
	Header string
	Width  float64
	Align  Align
}

// y is the current vertical position.
func (d *Doc) y() float64 { return d.pdf.GetY() }

// setY moves to y at the left margin.
func (d *Doc) setY(y float64) { d.pdf.SetXY(marginLeft, y) }

// atTop reports whether nothing has been drawn in the current page's body.
func (d *Doc) atTop() bool { return d.y() <= d.bodyTop+0.01 }

// ensure makes room for a block of height h: it starts the first page if
// needed, and a new page when the block would run into the footer and the
// current page already holds something (a block taller than a whole page is
// drawn from the top of a page anyway). It reports whether a page was
// started by a break, so a table can repeat its header row.
func (d *Doc) ensure(h float64) bool {
	if len(d.pageFooters) == 0 {
		d.AddPage()
		return false
	}
	if d.y()+h > bodyBottom && !d.atTop() {
		d.AddPage()
		return true
	}
	return false
}

// maxBodyHeight is the height a block can have on a fresh page.
func (d *Doc) maxBodyHeight() float64 { return bodyBottom - d.bodyTop }

// gapBefore adds space before a block unless it starts the page body or
// directly follows a section bar, which belongs to it.
func (d *Doc) gapBefore(gap float64) {
	if !d.atTop() && d.y() != d.barEnd {
		d.setY(d.y() + gap)
	}
}

// Title draws the document's title centred in bold, followed by optional
// subtitle lines (for example the pay period) in smaller muted type. Long
// titles wrap (up to four lines, subtitles up to eight, then they are cut
// with an ellipsis); the whole block stays on one page.
func (d *Doc) Title(title string, subtitle ...string) {
	if !d.usable() {
		return
	}
	d.ensureStarted()
	pdf := d.pdf
	pdf.SetFont(fontBold, "", sizeTitle)
	titleLines := limitLines(pdf, wrap(pdf, sanitize(title, true), contentWidth), 4, contentWidth)
	pdf.SetFont(fontRegular, "", sizeSubtitle)
	var subLines []string
	for _, s := range subtitle {
		subLines = append(subLines, wrap(pdf, sanitize(s, true), contentWidth)...)
	}
	subLines = limitLines(pdf, subLines, 8, contentWidth)
	h := float64(len(titleLines))*lineTitle + float64(len(subLines))*lineSubtitle
	d.gapBefore(blockGap)
	d.ensure(h)
	y := d.y()
	pdf.SetFont(fontBold, "", sizeTitle)
	setText(pdf, colNavy)
	for _, l := range titleLines {
		pdf.SetXY(marginLeft, y)
		pdf.CellFormat(contentWidth, lineTitle, l, "", 0, "C", false, 0, "")
		y += lineTitle
	}
	pdf.SetFont(fontRegular, "", sizeSubtitle)
	setText(pdf, colMuted)
	for _, l := range subLines {
		pdf.SetXY(marginLeft, y)
		pdf.CellFormat(contentWidth, lineSubtitle, l, "", 0, "C", false, 0, "")
		y += lineSubtitle
	}
	d.setY(y + blockGap)
	d.setErr(pdf.Error())
}

// ensureStarted starts page 1 for a layout call made before AddPage.
func (d *Doc) ensureStarted() {
	if len(d.pageFooters) == 0 && d.usable() {
		d.AddPage()
	}
}

// Section draws a full-width navy bar with title in white bold, opening a
// group of fields or a table. The bar is kept on the same page as at least
// two lines of what follows, so it is never stranded at a page's foot.
func (d *Doc) Section(title string) {
	if !d.usable() {
		return
	}
	d.ensureStarted()
	pdf := d.pdf
	pdf.SetFont(fontBold, "", sizeSection)
	inner := contentWidth - 2*cellPadX - 1
	lines := limitLines(pdf, wrap(pdf, clean(title), inner), 3, inner)
	barH := barHeight(len(lines))
	d.gapBefore(blockGap)
	d.ensure(barH + sectionAfter + 2*lineCell + 4*cellPadY)
	y := d.y()
	d.drawBar(lines, marginLeft, y, contentWidth, barH)
	d.barEnd = y + barH + sectionAfter
	d.setY(d.barEnd)
	d.setErr(pdf.Error())
}

// sectionAfter is the space between a section bar and its content.
const sectionAfter = 1.2

// barHeight is the height of a section bar holding n lines.
func barHeight(n int) float64 {
	return math.Max(sectionMinBar, float64(n)*lineSection+2*cellPadY+0.6)
}

// drawBar draws a navy bar of height h at (x, y) with lines in white bold,
// vertically centred.
func (d *Doc) drawBar(lines []string, x, y, width, h float64) {
	pdf := d.pdf
	setFill(pdf, colNavy)
	pdf.Rect(x, y, width, h, "F")
	pdf.SetFont(fontBold, "", sizeSection)
	setText(pdf, colWhite)
	ty := y + (h-float64(len(lines))*lineSection)/2
	for _, l := range lines {
		pdf.SetXY(x+cellPadX+0.4, ty)
		pdf.CellFormat(width-2*cellPadX-1, lineSection, l, "", 0, "L", false, 0, "")
		ty += lineSection
	}
}

// Fields draws label–value pairs in a grid of columns columns (clamped to
// 1..4, beyond which values would be a few letters wide), filled row by row. Labels are muted, values in ink; both
// wrap within their share so long names never overflow. A row is never split
// across pages.
func (d *Doc) Fields(columns int, fields []Field) {
	if !d.usable() {
		return
	}
	d.ensureStarted()
	if len(fields) == 0 {
		return
	}
	columns = min(max(columns, 1), maxFieldColumns)
	pdf := d.pdf
	const gutter = 6.0
	colW := (contentWidth - gutter*float64(columns-1)) / float64(columns)
	// Each grid column's labels get the width of its longest label, within
	// a quarter and a half of the column, so values keep as much room as
	// the labels allow.
	labelW := make([]float64, columns)
	pdf.SetFont(fontRegular, "", sizeLabel)
	for i, f := range fields {
		labelW[i%columns] = math.Max(labelW[i%columns], pdf.GetStringWidth(clean(f.Label))+3)
	}
	for i := range labelW {
		labelW[i] = math.Min(math.Max(labelW[i], colW*0.25), colW*0.45)
	}
	maxLines := int((d.maxBodyHeight() - 2*cellPadY) / lineCell)

	type cell struct{ label, value []string }
	for start := 0; start < len(fields); start += columns {
		end := min(start+columns, len(fields))
		cells := make([]cell, end-start)
		lines := 1
		for i, f := range fields[start:end] {
			lw, vw := labelW[i], colW-labelW[i]-2
			pdf.SetFont(fontRegular, "", sizeLabel)
			cells[i].label = limitLines(pdf, wrap(pdf, sanitize(f.Label, true), lw), maxLines, lw)
			pdf.SetFont(fontRegular, "", sizeValue)
			cells[i].value = limitLines(pdf, wrap(pdf, sanitize(f.Value, true), vw), maxLines, vw)
			lines = max(lines, len(cells[i].label), len(cells[i].value))
		}
		rowH := float64(lines)*lineCell + 2*cellPadY
		d.ensure(rowH)
		y := d.y()
		for i, c := range cells {
			x := marginLeft + float64(i)*(colW+gutter)
			lw := labelW[i]
			pdf.SetFont(fontRegular, "", sizeLabel)
			setText(pdf, colMuted)
			d.drawLines(c.label, x, y+cellPadY, lw, lineCell, "L")
			pdf.SetFont(fontRegular, "", sizeValue)
			setText(pdf, colInk)
			d.drawLines(c.value, x+lw+2, y+cellPadY, colW-lw-2, lineCell, "L")
			setDraw(pdf, colRule)
			pdf.SetLineWidth(0.15)
			pdf.Line(x, y+rowH, x+colW, y+rowH)
		}
		d.setY(y + rowH)
	}
	d.setY(d.y() + blockGap)
	d.setErr(pdf.Error())
}

// maxFieldColumns keeps grid cells wide enough for a label and a value.
const maxFieldColumns = 4

// drawLines draws lines top-down from (x, y) within width.
func (d *Doc) drawLines(lines []string, x, y, width, lh float64, align string) {
	for _, l := range lines {
		d.pdf.SetXY(x, y)
		d.pdf.CellFormat(width, lh, l, "", 0, align, false, 0, "")
		y += lh
	}
}

// Table draws rows under a shaded header row, followed by optional totals
// rows set in bold on a light fill above a dark rule.
//
// Every row, including totals, may have at most len(cols) cells: missing
// cells are blank, more is an error recorded on the Doc. Cells wrap within
// their column and a row is never split across pages. When the next row does
// not fit, the table continues on a new page under a repeated header row, and
// the header is never left alone at the foot of a page.
func (d *Doc) Table(cols []Column, rows [][]string, totals ...[]string) {
	d.Panels(Panel{Cols: cols, Rows: rows, Totals: totals})
}

// Panel is one table of a side-by-side band drawn by Panels.
//
// Title, when not empty, is drawn as a section bar over the panel only.
// Width is the panel's relative weight among the band's panels (zero or
// negative counts as 1); within a panel, columns share its width by their own
// weights. Cols, Rows and Totals follow the rules of Table.
type Panel struct {
	Title  string
	Width  float64
	Cols   []Column
	Rows   [][]string
	Totals [][]string
}

// Panels draws tables side by side, for example earnings next to deductions.
//
// The panels' rows are drawn in step: row i of every panel shares one line
// whose height is that of the tallest cell, and totals rows line up at the
// bottom below the longest panel, so "Jumlah Pendapatan" and "Jumlah
// Potongan" sit on the same line. Page breaks happen between lines and repeat
// every panel's header row, as in Table. One panel fills the body width.
func (d *Doc) Panels(panels ...Panel) {
	if !d.usable() {
		return
	}
	d.ensureStarted()
	if len(panels) == 0 {
		return
	}
	for pi, p := range panels {
		if len(p.Cols) == 0 {
			d.setErr(fmt.Errorf("table %d: no columns", pi+1))
			return
		}
		for i, r := range append(p.Rows[:len(p.Rows):len(p.Rows)], p.Totals...) {
			if len(r) > len(p.Cols) {
				d.setErr(fmt.Errorf("table %d: row %d has %d cells for %d columns", pi+1, i+1, len(r), len(p.Cols)))
				return
			}
		}
	}
	b := newBand(d, panels)
	pdf := d.pdf

	d.gapBefore(blockGap)
	first := true
	// line draws line i of the band: a body row or, with bold, a totals row.
	line := func(cells func(p int) []string, bold, firstTotal bool) {
		family := fontRegular
		if bold {
			family = fontBold
		}
		pdf.SetFont(family, "", sizeCell)
		lines := make([][][]string, len(b.tables))
		rowH := 0.0
		for p, t := range b.tables {
			if c := cells(p); c != nil {
				var h float64
				lines[p], h = t.layout(c, lineCell)
				rowH = math.Max(rowH, h)
			}
		}
		need := rowH
		if first {
			need += b.titleH + b.headH
		}
		if broke := d.ensure(need); first || broke {
			if first {
				b.drawTitles()
			}
			b.drawHead()
		}
		first = false
		y := d.y()
		for p, t := range b.tables {
			if lines[p] == nil {
				continue
			}
			if bold {
				setFill(pdf, colTotalFill)
				pdf.Rect(t.left, y, t.width, rowH, "F")
			}
			pdf.SetFont(family, "", sizeCell)
			setText(pdf, colInk)
			t.draw(lines[p], y, lineCell)
			if firstTotal {
				setDraw(pdf, colRuleDark)
				pdf.SetLineWidth(0.35)
				pdf.Line(t.left, y, t.left+t.width, y)
			}
			setDraw(pdf, colRule)
			pdf.SetLineWidth(0.15)
			pdf.Line(t.left, y+rowH, t.left+t.width, y+rowH)
		}
		d.setY(y + rowH)
	}
	nRows, nTotals := 0, 0
	for _, p := range panels {
		nRows = max(nRows, len(p.Rows))
		nTotals = max(nTotals, len(p.Totals))
	}
	for i := range nRows {
		line(func(p int) []string { return cell(panels[p].Rows, i) }, false, false)
	}
	for i := range nTotals {
		line(func(p int) []string { return cell(panels[p].Totals, i) }, true, i == 0)
	}
	if first {
		// No rows at all: titles and header alone still show the table.
		d.ensure(b.titleH + b.headH)
		b.drawTitles()
		b.drawHead()
	}
	d.setY(d.y() + blockGap)
	d.setErr(pdf.Error())
}

// cell returns rows[i], or nil when a panel has fewer rows.
func cell(rows [][]string, i int) []string {
	if i < len(rows) {
		if rows[i] == nil {
			return []string{}
		}
		return rows[i]
	}
	return nil
}

// band is the geometry of a Panels call.
type band struct {
	d      *Doc
	tables []*table
	titleH float64
	headH  float64
}

// panelGutter separates side-by-side panels.
const panelGutter = 5.0

func newBand(d *Doc, panels []Panel) *band {
	b := &band{d: d, tables: make([]*table, len(panels))}
	sum := 0.0
	for _, p := range panels {
		sum += weight(p.Width)
	}
	avail := contentWidth - panelGutter*float64(len(panels)-1)
	x := marginLeft
	pdf := d.pdf
	for i, p := range panels {
		w := avail * weight(p.Width) / sum
		t := newTable(d, p.Cols, x, w)
		if p.Title != "" {
			pdf.SetFont(fontBold, "", sizeSection)
			inner := w - 2*cellPadX - 1
			t.title = limitLines(pdf, wrap(pdf, clean(p.Title), inner), 3, inner)
			b.titleH = math.Max(b.titleH, barHeight(len(t.title)))
		}
		if t.hasHeader {
			pdf.SetFont(fontBold, "", sizeCellHead)
			var h float64
			t.head, h = t.layout(t.headers, lineCellHead)
			b.headH = math.Max(b.headH, h)
		}
		b.tables[i] = t
		x += w + panelGutter
	}
	if b.titleH > 0 {
		b.titleH += sectionAfter
	}
	return b
}

// drawTitles draws each titled panel's bar at the current y.
func (b *band) drawTitles() {
	if b.titleH == 0 {
		return
	}
	y := b.d.y()
	for _, t := range b.tables {
		if len(t.title) > 0 {
			b.d.drawBar(t.title, t.left, y, t.width, b.titleH-sectionAfter)
		}
	}
	b.d.setY(y + b.titleH)
}

// drawHead draws every panel's header row at the current y.
func (b *band) drawHead() {
	if b.headH == 0 {
		return
	}
	pdf := b.d.pdf
	y := b.d.y()
	for _, t := range b.tables {
		if !t.hasHeader {
			continue
		}
		setFill(pdf, colHeadFill)
		pdf.Rect(t.left, y, t.width, b.headH, "F")
		setDraw(pdf, colNavy)
		pdf.SetLineWidth(0.3)
		pdf.Line(t.left, y+b.headH, t.left+t.width, y+b.headH)
		pdf.SetFont(fontBold, "", sizeCellHead)
		setText(pdf, colNavy)
		t.draw(t.head, y, lineCellHead)
	}
	b.d.setY(y + b.headH)
}

// table holds one table's column geometry.
type table struct {
	d           *Doc
	left, width float64
	x, w        []float64
	align       []string
	maxLines    int
	title       []string
	hasHeader   bool
	headers     []string
	head        [][]string
}

func newTable(d *Doc, cols []Column, left, width float64) *table {
	t := &table{
		d: d, left: left, width: width,
		x: make([]float64, len(cols)), w: make([]float64, len(cols)),
		align: make([]string, len(cols)), headers: make([]string, len(cols)),
	}
	sum := 0.0
	for _, c := range cols {
		sum += weight(c.Width)
	}
	x := left
	for i, c := range cols {
		t.x[i] = x
		t.w[i] = width * weight(c.Width) / sum
		t.align[i] = c.Align.fpdf()
		t.headers[i] = c.Header
		t.hasHeader = t.hasHeader || c.Header != ""
		x += t.w[i]
	}
	// A row may take a fresh page's body minus a title bar and header row.
	t.maxLines = int((d.maxBodyHeight() - 25) / lineCell)
	return t
}

func weight(w float64) float64 {
	if w <= 0 || math.IsNaN(w) || math.IsInf(w, 0) {
		return 1
	}
	return w
}

// layout wraps each cell in the current font and returns the lines and the
// row height.
func (t *table) layout(cells []string, lh float64) ([][]string, float64) {
	pdf := t.d.pdf
	out := make([][]string, len(t.w))
	n := 1
	for i, c := range cells {
		inner := t.w[i] - 2*cellPadX
		out[i] = limitLines(pdf, wrap(pdf, sanitize(c, true), inner), t.maxLines, inner)
		n = max(n, len(out[i]))
	}
	return out, float64(n)*lh + 2*cellPadY
}

// draw writes laid-out cells into a row starting at y; cells are top-aligned
// so wrapped neighbours read from the same line.
func (t *table) draw(lines [][]string, y, lh float64) {
	for i, cell := range lines {
		t.d.drawLines(cell, t.x[i]+cellPadX, y+cellPadY, t.w[i]-2*cellPadX, lh, t.align[i])
	}
}

// Text draws a paragraph in body type, wrapped to the body width. Line feeds
// start new lines. Unlike other blocks a paragraph flows across pages line by
// line.
func (d *Doc) Text(paragraph string) {
	if !d.usable() {
		return
	}
	d.ensureStarted()
	pdf := d.pdf
	pdf.SetFont(fontRegular, "", sizeBody)
	lines := wrap(pdf, sanitize(paragraph, true), contentWidth)
	d.gapBefore(1)
	for _, l := range lines {
		if d.ensure(lineBody) {
			pdf.SetFont(fontRegular, "", sizeBody)
		}
		setText(pdf, colInk)
		y := d.y()
		pdf.SetXY(marginLeft, y)
		pdf.CellFormat(contentWidth, lineBody, l, "", 0, "L", false, 0, "")
		d.setY(y + lineBody)
	}
	d.setY(d.y() + blockGap)
	d.setErr(pdf.Error())
}

// Note draws text in small type inside a light box with a navy edge, for
// remarks such as "This statement is computer generated; no signature is
// required." The box stays on one page.
func (d *Doc) Note(text string) {
	if !d.usable() {
		return
	}
	d.ensureStarted()
	pdf := d.pdf
	pdf.SetFont(fontRegular, "", sizeNote)
	inner := contentWidth - 2*notePad - 1
	maxLines := int((d.maxBodyHeight() - 2*notePad) / lineNote)
	lines := limitLines(pdf, wrap(pdf, sanitize(text, true), inner), maxLines, inner)
	if len(lines) == 0 {
		return
	}
	h := float64(len(lines))*lineNote + 2*notePad
	d.gapBefore(1.5)
	d.ensure(h)
	y := d.y()
	setFill(pdf, colNoteFill)
	setDraw(pdf, colRule)
	pdf.SetLineWidth(0.2)
	pdf.Rect(marginLeft, y, contentWidth, h, "FD")
	setFill(pdf, colNavy)
	pdf.Rect(marginLeft, y, 1, h, "F")
	pdf.SetFont(fontRegular, "", sizeNote)
	setText(pdf, colInk)
	d.drawLines(lines, marginLeft+1+notePad, y+notePad, inner, lineNote, "L")
	d.setY(y + h + blockGap)
	d.setErr(pdf.Error())
}

// Rule draws a thin full-width horizontal line with a little space above and
// below.
func (d *Doc) Rule() {
	if !d.usable() {
		return
	}
	d.ensureStarted()
	d.ensure(3)
	y := d.y() + 1.5
	setDraw(d.pdf, colRule)
	d.pdf.SetLineWidth(0.2)
	d.pdf.Line(marginLeft, y, marginLeft+contentWidth, y)
	d.setY(y + 1.5)
}

// Spacer adds mm millimetres of vertical space. Space never starts a page
// and is dropped at the top of one; negative values count as zero.
func (d *Doc) Spacer(mm float64) {
	if !d.usable() {
		return
	}
	d.ensureStarted()
	if mm <= 0 || d.atTop() {
		return
	}
	d.setY(math.Min(d.y()+mm, bodyBottom))
}
