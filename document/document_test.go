package document_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/document"
	"github.com/perbendaharaan/ispeks/document/documenttest"
)

const password = "850101105566"

func mustBytes(t *testing.T, d *document.Doc) []byte {
	t.Helper()
	b, err := d.Bytes()
	if err != nil {
		t.Fatalf("Bytes: %v", err)
	}
	return b
}

// pages splits pdftotext output into its pages.
func pages(text string) []string {
	return strings.Split(strings.TrimSuffix(text, "\f"), "\f")
}

// collapse squeezes runs of spaces, because -layout pads columns.
var spaces = regexp.MustCompile(` +`)

func collapse(s string) string { return spaces.ReplaceAllString(s, " ") }

func TestTextIsRealAndSearchable(t *testing.T) {
	d := newSlipDoc()
	slip(d, names[0], "Oktober", "SG-2026-10-0000123")
	d.Section("PENERIMA LAIN")
	var fields []document.Field
	for _, n := range names {
		fields = append(fields, document.Field{Label: "Nama", Value: n})
	}
	d.Fields(2, fields)
	text := collapse(documenttest.Text(t, mustBytes(t, d), ""))

	want := append([]string{
		"PERBENDAHARAAN NEGERI SELANGOR",
		"PENYATA GAJI",
		"Bulan Oktober 2026",
		"MAKLUMAT PEKERJA",
		"PENDAPATAN",
		"POTONGAN",
		"Jumlah Pendapatan 5,870.55",
		"Gaji Bersih 3,120.55",
		"Dijana pada 25/11/2026 14:03 · Rujukan: SG-2026-10-0000123",
		"Halaman 1 /",
	}, names...)
	for _, w := range want {
		t.Run(w, func(t *testing.T) {
			if !strings.Contains(text, w) {
				t.Errorf("extracted text lacks %q:\n%s", w, text)
			}
		})
	}
}

func TestAmountsAreRightAligned(t *testing.T) {
	d := newSlipDoc()
	d.Table([]document.Column{
		{Header: "Perihal", Width: 4},
		{Header: "Amaun (RM)", Width: 1, Align: document.AlignRight},
	}, [][]string{
		{"Gaji Pokok", "3,120.55"},
		{"Elaun", "5.00"},
		{"Tunggakan", "12,300.00"},
	}, []string{"Jumlah", "15,425.55"})
	text := documenttest.Text(t, mustBytes(t, d), "")

	// In -layout output right-aligned figures end in the same column.
	end := -1
	for _, amount := range []string{"3,120.55", "5.00", "12,300.00", "15,425.55", "Amaun (RM)"} {
		for line := range strings.SplitSeq(text, "\n") {
			i := strings.Index(line, amount)
			if i < 0 {
				continue
			}
			e := len([]rune(line[:i+len(amount)]))
			if end < 0 {
				end = e
			}
			if e != end {
				t.Errorf("%q ends at column %d, want %d:\n%s", amount, e, end, text)
			}
		}
	}
}

func TestEncryptedNeedsUserPassword(t *testing.T) {
	plain, err := slipPDF(names[3])
	if err != nil {
		t.Fatal(err)
	}
	enc, err := document.Encrypt(plain, password)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	for _, tc := range []struct {
		name     string
		password string
		opens    bool
	}{
		{"user password", password, true},
		{"no password", "", false},
		{"wrong password", "850101105567", false},
		{"password prefix", password[:6], false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := documenttest.Opens(t, enc, tc.password); got != tc.opens {
				t.Errorf("opens with %q = %v, want %v", tc.password, got, tc.opens)
			}
		})
	}
	t.Run("text survives encryption", func(t *testing.T) {
		if text := documenttest.Text(t, enc, password); !strings.Contains(text, names[3]) {
			t.Errorf("decrypted text lacks %q", names[3])
		}
	})
}

func TestEncryptUsesAES256AndAllowsPrinting(t *testing.T) {
	plain, err := slipPDF(names[0])
	if err != nil {
		t.Fatal(err)
	}
	enc, err := document.Encrypt(plain, password)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	info := documenttest.Info(t, enc, password)
	for _, want := range []string{"algorithm:AES-256", "print:yes", "change:no", "Title:           Penyata Gaji Oktober 2026", "Pages:           1"} {
		if !strings.Contains(info, want) {
			t.Errorf("pdfinfo lacks %q:\n%s", want, info)
		}
	}
}

func TestEncryptDrawsFreshOwnerPasswordAndSalts(t *testing.T) {
	plain, err := slipPDF(names[0])
	if err != nil {
		t.Fatal(err)
	}
	a, errA := document.Encrypt(plain, password)
	b, errB := document.Encrypt(plain, password)
	if errA != nil || errB != nil {
		t.Fatalf("Encrypt: %v, %v", errA, errB)
	}
	if bytes.Equal(a, b) {
		t.Error("two encryptions of one document are identical; owner password or salts are not random")
	}
}

func TestEncryptRejectsUnusablePasswords(t *testing.T) {
	plain, err := slipPDF(names[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, password string }{
		{"empty", ""},
		{"over 127 bytes", strings.Repeat("x", 128)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := document.Encrypt(plain, tc.password); !errors.Is(err, document.ErrPassword) {
				t.Errorf("Encrypt(%d bytes) error = %v, want ErrPassword", len(tc.password), err)
			}
		})
	}
	t.Run("not a pdf", func(t *testing.T) {
		if _, err := document.Encrypt([]byte("hello"), password); err == nil {
			t.Error("Encrypt of non-PDF input succeeded")
		}
	})
}

func TestYearKeepsHeaderAndOwnFooterOnEveryPage(t *testing.T) {
	pdf, err := yearPDF(names[1])
	if err != nil {
		t.Fatal(err)
	}
	got := pages(collapse(documenttest.Text(t, pdf, "")))
	if len(got) != 12 {
		t.Fatalf("got %d pages, want 12 (one per month)", len(got))
	}
	for i, page := range got {
		for _, want := range []string{
			"PERBENDAHARAAN NEGERI SELANGOR",
			"SULIT",
			"Bulan " + months[i] + " 2026",
			names[1],
			fmt.Sprintf("Rujukan: SG-2026-%02d-0000123", i+1),
			fmt.Sprintf("Halaman %d / 12", i+1),
		} {
			if !strings.Contains(page, want) {
				t.Errorf("page %d lacks %q", i+1, want)
			}
		}
	}
}

func TestSetFooterAppliesFromNextPage(t *testing.T) {
	d := document.New(document.Meta{Created: created})
	d.SetFooter(document.Footer{Text: "Rujukan: A"})
	d.AddPage()
	d.Text("first")
	d.SetFooter(document.Footer{Text: "Rujukan: B"})
	d.Text("still first")
	d.AddPage()
	d.Text("second")
	got := pages(documenttest.Text(t, mustBytes(t, d), ""))
	if len(got) != 2 {
		t.Fatalf("got %d pages, want 2", len(got))
	}
	for i, want := range []string{"Rujukan: A", "Rujukan: B"} {
		if !strings.Contains(got[i], want) || strings.Count(got[i], "Rujukan:") != 1 {
			t.Errorf("page %d footer: want only %q in\n%s", i+1, want, got[i])
		}
	}
	// pdftotext may drop the thin spaces around the slash.
	if !strings.Contains(strings.ReplaceAll(got[0], " ", ""), "1/2") || !strings.Contains(strings.ReplaceAll(got[1], " ", ""), "2/2") {
		t.Errorf("default page labels missing:\n%q", got)
	}
}

func TestLongBlocksBreakPages(t *testing.T) {
	var rows [][]string
	var para []string
	for i := 1; i <= 90; i++ {
		rows = append(rows, []string{fmt.Sprintf("Baris %d", i), strconv.Itoa(i*100) + ".00"})
		para = append(para, fmt.Sprintf("Ayat %d.", i))
	}
	cols := []document.Column{
		{Header: "Perihal", Width: 4},
		{Header: "Amaun (RM)", Width: 1, Align: document.AlignRight},
	}
	for _, tc := range []struct {
		name    string
		draw    func(d *document.Doc)
		item    string // printf pattern of the items that must all appear in order
		perPage string // text every page must show
		last    string // text the last page must show
	}{
		{
			name:    "table repeats its header row",
			draw:    func(d *document.Doc) { d.Table(cols, rows, []string{"Jumlah", "409,500.00"}) },
			item:    "Baris %d ",
			perPage: "Perihal",
			last:    "Jumlah",
		},
		{
			name: "panels repeat every header row",
			draw: func(d *document.Doc) {
				d.Panels(
					document.Panel{Title: "KIRI", Cols: cols, Rows: rows},
					document.Panel{Title: "KANAN", Cols: cols, Rows: rows[:10], Totals: [][]string{{"Jumlah", "5,500.00"}}},
				)
			},
			item:    "Baris %d ",
			perPage: "Perihal Amaun Perihal Amaun",
			last:    "Jumlah",
		},
		{
			name: "text flows line by line",
			draw: func(d *document.Doc) {
				for range 12 {
					d.Text(strings.Join(para, " "))
				}
			},
			item:    "Ayat %d.",
			perPage: "PERBENDAHARAAN NEGERI SELANGOR",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newSlipDoc()
			d.Title("LAPORAN")
			tc.draw(d)
			got := pages(collapse(documenttest.Text(t, mustBytes(t, d), "")))
			if len(got) < 2 {
				t.Fatalf("got %d page(s), want a break", len(got))
			}
			for i, page := range got {
				if !strings.Contains(page, "PERBENDAHARAAN NEGERI SELANGOR") || !strings.Contains(page, tc.perPage) {
					t.Errorf("page %d lacks header or %q:\n%s", i+1, tc.perPage, page)
				}
			}
			all := strings.Join(got, "\n") + " "
			at := 0
			for i := 1; i <= 90; i++ {
				item := fmt.Sprintf(tc.item, i)
				next := strings.Index(all[at:], item)
				if next < 0 {
					t.Fatalf("%q missing or out of order", item)
				}
				at += next + len(item)
			}
			if tc.last != "" && !strings.Contains(got[len(got)-1], tc.last) {
				t.Errorf("last page lacks %q", tc.last)
			}
		})
	}
}

func TestSameInputSameBytes(t *testing.T) {
	a, errA := yearPDF(names[0])
	b, errB := yearPDF(names[0])
	if errA != nil || errB != nil {
		t.Fatalf("render: %v, %v", errA, errB)
	}
	if !bytes.Equal(a, b) {
		t.Error("two renders of the same input differ")
	}
}

// Nothing may reach into the right margin: pdftotext -bbox reports every
// word's box, and the widest must end inside the body (A4 is 595.28 pt wide,
// the margins are 15 mm = 42.52 pt).
func TestLongTextStaysInsideTheMargins(t *testing.T) {
	long := "NUR 'AISYAH BINTI ABD. RAHMAN BIN WAN MOHD. ZULKIFLI AL-HAFIZ ÑÚÑEZ D'CRUZ A/L RAMASAMY A/P VELLU"
	unbroken := strings.Repeat("SG2026100000123", 12)
	d := newSlipDoc()
	d.SetHeader(document.Header{Lines: []string{strings.Repeat("PERBENDAHARAAN NEGERI ", 8), long}, Mark: "SULIT"})
	d.SetFooter(document.Footer{Text: strings.Repeat("Dijana pada 25/11/2026 14:03 · Rujukan: SG-2026-10-0000123 ", 4)})
	d.Title(long)
	d.Section(long + " " + long)
	d.Fields(3, []document.Field{{Label: "Nama penuh mengikut kad pengenalan", Value: long}, {Label: "Rujukan", Value: unbroken}, {Label: "Nama", Value: long}})
	d.Table([]document.Column{{Header: long}, {Header: "Amaun", Align: document.AlignRight}}, [][]string{{long, unbroken}}, []string{unbroken, "1,000,000,000.00"})
	d.Panels(document.Panel{Title: long, Cols: []document.Column{{Header: "A"}}, Rows: [][]string{{unbroken}}},
		document.Panel{Title: "B", Cols: []document.Column{{Header: long}}, Rows: [][]string{{long}}})
	d.Note(long + " " + unbroken)
	d.Text(long + " " + unbroken)
	pdf := mustBytes(t, d)

	text := collapse(documenttest.Text(t, pdf, ""))
	for _, word := range strings.Fields(long) {
		if !strings.Contains(text, word) {
			t.Errorf("wrapped text lost %q", word)
		}
	}

	file := t.TempDir() + "/long.pdf"
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(documenttest.Tool(t, "pdftotext"), "-bbox", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox: %v", err)
	}
	box := regexp.MustCompile(`xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)"`)
	boxes := box.FindAllStringSubmatch(string(out), -1)
	if len(boxes) < 50 {
		t.Fatalf("pdftotext -bbox found %d words, want the whole document", len(boxes))
	}
	for _, m := range boxes {
		lo, _ := strconv.ParseFloat(m[1], 64)
		hi, _ := strconv.ParseFloat(m[2], 64)
		if lo < 42.5-0.5 || hi > 595.28-42.52+0.5 {
			t.Errorf("word box %s..%s pt crosses a margin", m[1], m[2])
		}
	}
}

func TestUnprintableRunesAreReplaced(t *testing.T) {
	d := document.New(document.Meta{Created: created})
	d.Fields(1, []document.Field{{Label: "Nama", Value: "ALI\tBIN 😀 ABU\x00"}})
	text := collapse(documenttest.Text(t, mustBytes(t, d), ""))
	if !strings.Contains(text, "ALI BIN ? ABU") {
		t.Errorf("want control characters as spaces and emoji as ?, got:\n%s", text)
	}
}

func TestErrorsSurfaceFromBytes(t *testing.T) {
	for _, tc := range []struct {
		name string
		draw func(d *document.Doc)
		want error
	}{
		{"row wider than the columns", func(d *document.Doc) {
			d.Table([]document.Column{{Header: "A"}}, [][]string{{"1", "2"}})
		}, nil},
		{"table without columns", func(d *document.Doc) { d.Table(nil, nil) }, nil},
		{"change after Bytes", func(d *document.Doc) {
			d.Text("x")
			if _, err := d.Bytes(); err != nil {
				t.Fatal(err)
			}
			d.AddPage()
		}, document.ErrFinished},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := document.New(document.Meta{Created: created})
			tc.draw(d)
			_, err := d.Bytes()
			if err == nil {
				t.Fatal("Bytes succeeded")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("Bytes error = %v, want %v", err, tc.want)
			}
		})
	}
}

// Docs are per request, but many requests run at once: separate Docs and
// Encrypt must not share mutable state (run with -race).
func TestConcurrentDocsAndEncryptAreIndependent(t *testing.T) {
	const n = 6
	out := make([][]byte, n)
	errs := make(chan error, n)
	for i := range n {
		go func() {
			pdf, err := slipPDF(names[i])
			if err == nil {
				out[i], err = document.Encrypt(pdf, password)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for i, pdf := range out {
		if text := collapse(documenttest.Text(t, pdf, password)); !strings.Contains(text, names[i]) {
			t.Errorf("document %d lacks its own name %q", i, names[i])
		}
	}
}

func TestEmptyDocIsOneBlankPage(t *testing.T) {
	pdf := mustBytes(t, document.New(document.Meta{Created: created}))
	if info := documenttest.Info(t, pdf, ""); !strings.Contains(info, "Pages:           1") {
		t.Errorf("pdfinfo:\n%s", info)
	}
}
