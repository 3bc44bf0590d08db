package document_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/document"
)

// The fixtures below build a realistic pay slip through the public API only,
// so tests and benchmarks measure what the pay-slip module will do.

var created = time.Date(2026, 11, 25, 14, 3, 0, 0, time.FixedZone("MYT", 8*3600))

// names are the Latin-script names the fonts must carry, accents included.
var names = []string{
	"NUR 'AISYAH BINTI ABD. RAHMAN",
	"LIM MEI LING",
	"SURESH A/L RAMASAMY",
	"JOSÉ D'CRUZ",
	"MUTHU A/L VELLU",
	"ÑÚÑEZ ÄÖÜ ß",
}

func halaman(page, total int) string { return fmt.Sprintf("Halaman %d / %d", page, total) }

func newSlipDoc() *document.Doc {
	d := document.New(document.Meta{
		Title:    "Penyata Gaji Oktober 2026",
		Author:   "Perbendaharaan Negeri",
		Subject:  "Penyata gaji",
		Creator:  "iSPEKS",
		Language: "ms-MY",
		Created:  created,
	})
	d.SetHeader(document.Header{
		Lines: []string{
			"PERBENDAHARAAN NEGERI SELANGOR",
			"Sistem Perakaunan Elektronik Kerajaan Negeri (iSPEKS)",
			"Agensi: Pejabat Setiausaha Kerajaan Negeri Selangor",
		},
		Mark: "SULIT",
	})
	return d
}

// slip adds one pay slip, starting on a new page, whose footer carries ref.
func slip(d *document.Doc, name, month, ref string) {
	d.SetFooter(document.Footer{
		Text:      "Dijana pada 25/11/2026 14:03 · Rujukan: " + ref,
		PageLabel: halaman,
	})
	d.AddPage()
	d.Title("PENYATA GAJI", "Bulan "+month+" 2026")
	d.Section("MAKLUMAT PEKERJA")
	d.Fields(2, []document.Field{
		{Label: "Nama", Value: name},
		{Label: "No. Kad Pengenalan", Value: "850101-10-5566"},
		{Label: "No. Gaji", Value: "00123456"},
		{Label: "Jawatan", Value: "Penolong Pegawai Tadbir"},
		{Label: "Gred", Value: "N29"},
		{Label: "Jabatan", Value: "Pejabat Setiausaha Kerajaan Negeri Selangor, Bahagian Pengurusan Sumber Manusia"},
		{Label: "Bank", Value: "Bank Islam Malaysia Berhad"},
		{Label: "No. Akaun", Value: "1202-3004-5566-77"},
		{Label: "No. KWSP", Value: "KW 18273645"},
		{Label: "No. Cukai", Value: "SG 10293847560"},
	})
	amount := []document.Column{
		{Header: "Kod", Width: 1.2},
		{Header: "Perihal", Width: 5},
		{Header: "RM", Width: 1.9, Align: document.AlignRight},
	}
	d.Panels(
		document.Panel{Title: "PENDAPATAN", Cols: amount, Rows: earnings,
			Totals: [][]string{{"", "Jumlah Pendapatan", "5,870.55"}}},
		document.Panel{Title: "POTONGAN", Cols: amount, Rows: deductions,
			Totals: [][]string{{"", "Jumlah Potongan", "2,750.00"}}},
	)
	d.Panels(
		document.Panel{Title: "CARUMAN MAJIKAN", Cols: amount, Rows: employer,
			Totals: [][]string{{"", "Jumlah Caruman Majikan", "1,020.15"}}},
		document.Panel{Title: "RINGKASAN", Cols: []document.Column{
			{Header: "Perkara", Width: 3},
			{Header: "RM", Width: 1.5, Align: document.AlignRight},
		}, Rows: [][]string{
			{"Pendapatan Kasar", "5,870.55"},
			{"Jumlah Potongan", "2,750.00"},
		}, Totals: [][]string{{"Gaji Bersih", "3,120.55"}}},
	)
	d.Section("TERKUMPUL TAHUN SEMASA (JANUARI – " + strings.ToUpper(month) + ")")
	d.Table([]document.Column{
		{Header: "Perkara", Width: 3},
		{Header: "Jumlah (RM)", Width: 1, Align: document.AlignRight},
		{Header: "Perkara", Width: 3},
		{Header: "Jumlah (RM)", Width: 1, Align: document.AlignRight},
	}, [][]string{
		{"Pendapatan kasar", "58,705.50", "KWSP (pekerja)", "6,457.60"},
		{"Cukai pendapatan (PCB)", "4,120.00", "PERKESO", "197.50"},
		{"Zakat", "1,200.00", "Gaji bersih", "31,205.50"},
	})
	d.Note("Penyata ini dijana oleh komputer dan tidak memerlukan tandatangan. Sebarang pertanyaan hendaklah dikemukakan kepada Unit Gaji agensi anda.")
}

var earnings = [][]string{
	{"0001", "Gaji Pokok", "3,120.55"},
	{"1102", "Elaun Imbuhan Tetap Perumahan", "300.00"},
	{"1121", "Elaun Imbuhan Tetap Khidmat Awam", "160.00"},
	{"1130", "Elaun Sara Hidup", "300.00"},
	{"1145", "Bantuan Sara Hidup (BSH) Penjawat Awam", "150.00"},
	{"1201", "Elaun Perumahan Wilayah", "250.00"},
	{"1210", "Elaun Keraian", "200.00"},
	{"1222", "Elaun Perjalanan", "180.00"},
	{"1305", "Elaun Lebih Masa (Oktober 2026)", "540.00"},
	{"1310", "Elaun Kritikal", "250.00"},
	{"1402", "Elaun Bahasa", "120.00"},
	{"1501", "Tunggakan Gaji (September 2026)", "300.00"},
}

var deductions = [][]string{
	{"5001", "KWSP (Pekerja 11%)", "645.76"},
	{"5002", "PERKESO", "19.75"},
	{"5003", "SIP (Sistem Insurans Pekerjaan)", "7.90"},
	{"5101", "Cukai Pendapatan (PCB)", "412.00"},
	{"5120", "Zakat Pendapatan", "120.00"},
	{"5201", "Pinjaman Perumahan Kerajaan", "650.00"},
	{"5210", "Pinjaman Kenderaan", "310.00"},
	{"5301", "Koperasi Perkhidmatan Awam", "200.00"},
	{"5310", "Insurans Takaful", "150.59"},
	{"5402", "Yuran Kesatuan (CUEPACS)", "10.00"},
	{"5501", "Tabung Kebajikan Staf", "5.00"},
	{"5601", "Potongan Lebih Bayar (Ogos 2026)", "219.00"},
}

var employer = [][]string{
	{"7001", "KWSP (Majikan 13%)", "763.17"},
	{"7002", "PERKESO (Majikan)", "69.05"},
	{"7003", "SIP (Majikan)", "7.90"},
	{"7010", "Caruman Pencen", "180.03"},
}

// slipPDF renders one pay slip for name.
func slipPDF(name string) ([]byte, error) {
	d := newSlipDoc()
	slip(d, name, "Oktober", "SG-2026-10-0000123")
	return d.Bytes()
}

var months = []string{"Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "September", "Oktober", "November", "Disember"}

// yearPDF renders twelve monthly slips into one PDF.
func yearPDF(name string) ([]byte, error) {
	d := newSlipDoc()
	for i, m := range months {
		slip(d, name, m, fmt.Sprintf("SG-2026-%02d-0000123", i+1))
	}
	return d.Bytes()
}
