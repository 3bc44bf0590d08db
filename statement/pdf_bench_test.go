package statement

import (
	"syscall"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/document"
	"github.com/perbendaharaan/ispeks/payslip"
)

// benchStatement is a statement with every line filled and a part year.
func benchStatement() *Statement {
	st := &Statement{ID: 123, Year: 2025, Version: 2, EmployerNo: "E1234567890", StartMonth: "2025-03", EndMonth: "2025-11",
		Employee: payslip.Employee{Name: "NUR 'AISYAH BINTI ABD. RAHMAN", IC: "900101045679", SalaryNo: "00012345", PTJCode: "12010101",
			PTJName: "Jabatan Akauntan Negara Malaysia Cawangan Melaka", Position: "PEMBANTU TADBIR (KEWANGAN)", Grade: "W19",
			TaxNo: "IG20000000001", EPFNo: "30000001"}, amounts: map[Line]int64{}}
	for i, l := range Lines {
		st.amounts[l] = int64(1_000_000 + i*12_345)
	}
	return st
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkStatementPDF renders one full Borang EC and encrypts it with
// AES-256, as a download does after its one query: the budget is
// 5 ms of CPU.
func BenchmarkStatementPDF(b *testing.B) {
	s := New(nil, nil, Options{Treasury: "Perbendaharaan Negeri Melaka"})
	st := benchStatement()
	now := time.Date(2026, 2, 10, 14, 3, 0, 0, time.UTC)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		pdf, err := s.render(st, now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := document.Encrypt(pdf, st.Employee.IC); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
