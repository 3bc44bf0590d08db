// Copyright ©2023 The go-pdf Authors. All rights reserved.
// Use of this source code is governed by a MIT-style
// license that can be found in the LICENSE file.

package fpdf

import "sync"

// ispeks: this file is not part of upstream fpdf (see PATCHES.md).
//
// AddUTF8FontFromBytes used to parse the whole TrueType file and build a
// 65,536-entry width table for every document, and then hash that table
// through encoding/json to name the font: about 5 ms of CPU for two fonts,
// most of the cost of a one-page pay slip. The parse depends only on the
// font bytes and the name only on the bytes and the font key, so both are
// computed once per process here and shared by every Fpdf.
//
// Only immutable results are shared: the font descriptor values and the
// width table, which fpdf never writes to after parsing. Everything the
// subsetter (GenerateCutFont) mutates stays per document, as before.

// utf8FontMetrics is what parsing a UTF-8 TrueType font yields; it is never
// modified after it is published in utf8FontCache.
type utf8FontMetrics struct {
	desc FontDescType
	up   int
	ut   int
	cw   []int // character widths by rune; read-only, shared by all documents

	ids sync.Map // font key (family+style) -> font ID, see generateFontID

	subset *utf8SubsetTables // nil when the font needs upstream's path
}

// utf8SubsetTables are the parts of a font that GenerateCutFont decoded
// from scratch for every document although they depend only on the font:
// the Unicode cmap (rune -> glyph) and the loca table (glyph offsets). The
// subsetter only reads them.
type utf8SubsetTables struct {
	charSymbolDictionary map[int]int
	symbolPosition       []int
}

// newUTF8SubsetTables decodes what GenerateCutFont would, the same way, or
// returns nil for a font it cannot decode; GenerateCutFont then takes
// upstream's path and fails (or not) exactly as upstream does.
func newUTF8SubsetTables(utf8Bytes []byte) (t *utf8SubsetTables) {
	defer func() {
		if recover() != nil {
			t = nil
		}
	}()
	utf := newUTF8Font(&fileReader{readerPosition: 0, array: utf8Bytes})
	utf.skip(4)
	utf.generateTableDescriptions()
	for _, name := range []string{"head", "maxp", "cmap", "loca", "glyf"} {
		if utf.tableDescriptions[name] == nil {
			return nil
		}
	}
	utf.SeekTable("head")
	utf.skip(50)
	locaFormat := utf.readUint16()
	utf.SeekTable("maxp")
	utf.skip(4)
	numSymbols := utf.readUint16()
	if locaFormat != 0 && locaFormat != 1 {
		return nil
	}
	if utf.generateCMAP() == nil {
		return nil
	}
	utf.parseLOCATable(locaFormat, numSymbols)
	return &utf8SubsetTables{
		charSymbolDictionary: utf.charSymbolDictionary,
		symbolPosition:       utf.symbolPosition,
	}
}

// maxCachedUTF8Fonts bounds the cache for programs that load many distinct
// fonts; fonts beyond it are parsed per document, as upstream does.
const maxCachedUTF8Fonts = 32

// utf8FontCache maps the font file's contents to its parsed metrics. Keying
// by contents rather than by slice address means a changed or reused byte
// slice can never be served someone else's metrics; looking a key up hashes
// and compares the bytes without allocating, which costs microseconds.
var utf8FontCache struct {
	sync.RWMutex
	m map[string]*utf8FontMetrics
}

// cachedUTF8Font returns the metrics of the TrueType font in utf8Bytes,
// parsing it only the first time these contents are seen.
func cachedUTF8Font(utf8Bytes []byte) (*utf8FontMetrics, error) {
	utf8FontCache.RLock()
	m := utf8FontCache.m[string(utf8Bytes)]
	utf8FontCache.RUnlock()
	if m != nil {
		return m, nil
	}

	utf8File := newUTF8Font(&fileReader{readerPosition: 0, array: utf8Bytes})
	if err := utf8File.parseFile(); err != nil {
		return nil, err
	}
	m = &utf8FontMetrics{
		desc: FontDescType{
			Ascent:       int(utf8File.Ascent),
			Descent:      int(utf8File.Descent),
			CapHeight:    utf8File.CapHeight,
			Flags:        utf8File.Flags,
			FontBBox:     utf8File.Bbox,
			ItalicAngle:  utf8File.ItalicAngle,
			StemV:        utf8File.StemV,
			MissingWidth: round(utf8File.DefaultWidth),
		},
		up: int(round(utf8File.UnderlinePosition)),
		ut: round(utf8File.UnderlineThickness),
		cw: utf8File.CharWidths,

		subset: newUTF8SubsetTables(utf8Bytes),
	}

	utf8FontCache.Lock()
	defer utf8FontCache.Unlock()
	if prev := utf8FontCache.m[string(utf8Bytes)]; prev != nil {
		return prev, nil // another goroutine parsed it first
	}
	if utf8FontCache.m == nil {
		utf8FontCache.m = make(map[string]*utf8FontMetrics)
	}
	if len(utf8FontCache.m) < maxCachedUTF8Fonts {
		utf8FontCache.m[string(utf8Bytes)] = m // the key is a private copy
	}
	return m, nil
}

// fontID returns generateFontID of the definition addFontFromBytes builds
// for this font under fontKey, computing it once per key. The ID is the same
// SHA-1 upstream computes, so documents keep their /F resource names.
func (m *utf8FontMetrics) fontID(def fontDefType) string {
	if id, ok := m.ids.Load(def.Name); ok {
		return id.(string)
	}
	id, _ := generateFontID(def)
	m.ids.Store(def.Name, id)
	return id
}
