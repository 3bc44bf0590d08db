package document_test

import (
	"testing"

	"github.com/perbendaharaan/ispeks/document"
)

// measure runs op b.N times and reports ms/op (wall clock) and, where the
// platform can tell, cpu-ms/op: the process's CPU time per op, garbage
// collection on other cores included, which is what the latency budget of
// 5 ms per encrypted slip is about.
func measure(b *testing.B, op func() error) {
	b.ReportAllocs()
	cpu0, ok := cpuTime()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	if cpu1, ok1 := cpuTime(); ok && ok1 {
		b.ReportMetric((cpu1-cpu0)/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkSlip renders one pay slip.
func BenchmarkSlip(b *testing.B) {
	measure(b, func() error {
		_, err := slipPDF(names[0])
		return err
	})
}

// BenchmarkSlipEncrypted renders one pay slip and encrypts it.
func BenchmarkSlipEncrypted(b *testing.B) {
	measure(b, func() error {
		pdf, err := slipPDF(names[0])
		if err != nil {
			return err
		}
		_, err = document.Encrypt(pdf, password)
		return err
	})
}

// BenchmarkYear renders twelve monthly slips as one PDF and encrypts it.
func BenchmarkYear(b *testing.B) {
	measure(b, func() error {
		pdf, err := yearPDF(names[0])
		if err != nil {
			return err
		}
		_, err = document.Encrypt(pdf, password)
		return err
	})
}

// BenchmarkEncrypt encrypts an already rendered pay slip, to separate the
// cost of protection from the cost of rendering.
func BenchmarkEncrypt(b *testing.B) {
	pdf, err := slipPDF(names[0])
	if err != nil {
		b.Fatal(err)
	}
	measure(b, func() error {
		_, err := document.Encrypt(pdf, password)
		return err
	})
}
