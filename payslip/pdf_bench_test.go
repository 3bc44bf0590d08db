package payslip

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/document"
)

// benchSlip is a full slip: twelve earnings, twelve deductions, four
// employer contributions.
func benchSlip() *Slip {
	sl := &Slip{ID: 123, Month: "2026-10", Reference: "SG-2026-10-0000123",
		Employee: Employee{Name: "NUR 'AISYAH BINTI ABD. RAHMAN", IC: "900101045679", SalaryNo: "00012345", PTJCode: "12010101",
			PTJName: "Jabatan Akauntan Negara Malaysia Cawangan Melaka", Position: "PEMBANTU TADBIR (KEWANGAN)", Grade: "W19",
			Bank: "MBB", Account: "114012345678", TaxNo: "IG20000000001", EPFNo: "30000001"}}
	for i := 0; i < 12; i++ {
		sl.Items = append(sl.Items, Item{Code: fmt.Sprintf("0%03d", i+1), Kind: Earning, Name: "ELAUN KHIDMAT AWAM NO. " + fmt.Sprint(i), AmountSen: int64(30000 + i*1111)})
		sl.Items = append(sl.Items, Item{Code: fmt.Sprintf("4%03d", i+1), Kind: Deduction, Name: "POTONGAN BIRO ANGKASA NO. " + fmt.Sprint(i), AmountSen: int64(5000 + i*777)})
	}
	for i := 0; i < 4; i++ {
		sl.Items = append(sl.Items, Item{Code: fmt.Sprintf("9%03d", i+1), Kind: Employer, Name: "CARUMAN MAJIKAN " + fmt.Sprint(i), AmountSen: 54500})
	}
	sl.Totals = Totals{GrossSen: 1_000_000, DeductionsSen: 300_000, NetSen: 700_000, EmployerSen: 218_000}
	sl.YearToDate = Totals{GrossSen: 10_000_000, DeductionsSen: 3_000_000, NetSen: 7_000_000, EmployerSen: 2_180_000}
	return sl
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSlipPDF renders one full slip and encrypts it with AES-256, as a
// download does after its one query: the budget is 5 ms of CPU.
func BenchmarkSlipPDF(b *testing.B) {
	s := New(nil, nil, Options{Treasury: "Perbendaharaan Negeri Melaka"})
	sl := benchSlip()
	now := time.Date(2026, 11, 25, 14, 3, 0, 0, time.UTC)
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		pdf, err := s.render([]*Slip{sl}, now)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := document.Encrypt(pdf, sl.Employee.IC); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}
