package payslip_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// The speed figures of the issue, measured side by side (bench/payslip
// prints them): the import beside a plain COPY of the same file, one slip
// PDF, and publishing 50,000 employees.

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// benchIC is employee i's MyKad: a real date and place, unique for i below
// 13440 × 16.
func benchIC(i int) string {
	d := i % 13440
	return fmt.Sprintf("%02d%02d%02d%02d%04d", 60+d%40, 1+d/40%12, 1+d/480, 1+i/13440, i%10000)
}

// writePayroll writes a payroll file of about lines lines: employees paid
// ten items a month, in as many months as it takes, in 20 PTJs.
func writePayroll(b *testing.B, lines int) (string, int) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "gaji.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(strings.Join(payslip.Columns, ",") + "\n")
	employees := min(50_000, max(1, lines/10))
	items := []string{"0001,earning,GAJI POKOK,3120.55", "0102,earning,IMBUHAN TETAP KHIDMAT AWAM (ITKA),300.00",
		"0103,earning,IMBUHAN TETAP PERUMAHAN (ITP),300.00", "0105,earning,BANTUAN SARA HIDUP (BSH),300.00",
		"4001,deduction,CUKAI PENDAPATAN (PCB),145.20", "4002,deduction,KWSP (PEKERJA 11%),442.26",
		"4101,deduction,ZAKAT,50.00", "4201,deduction,BIRO ANGKASA - KOPERASI,210.35",
		"9001,employer,CARUMAN PENCEN MAJIKAN,545.00", "9002,employer,PERKESO (MAJIKAN),69.05"}
	n := 0
	for m := 0; n < lines; m++ {
		month := fmt.Sprintf("%04d-%02d", 2024+m/12, 1+m%12)
		for e := 0; e < employees && n < lines; e++ {
			ic := benchIC(e)
			pre := fmt.Sprintf("%s,B%07d,%s,PEGAWAI %06d BIN ABDULLAH,120%05d,PEMBANTU TADBIR,N19,MBB,1140%s,IG%s0,%s,",
				month, e, ic, e, 10101+e%20, ic[4:], ic[2:], ic[4:])
			for _, it := range items {
				if n == lines {
					break
				}
				w.WriteString(pre)
				w.WriteString(it)
				w.WriteByte('\n')
				n++
			}
		}
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return path, n
}

func benchPTJs(b *testing.B, db *store.DB) {
	b.Helper()
	for i := 0; i < 20; i++ {
		p := store.PTJ{Code: fmt.Sprintf("120%05d", 10101+i), Name: "PTJ " + strconv.Itoa(i), CreatedAt: time.Now()}
		if err := db.InsertPTJ(ctx, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// rss reads the resident set size, and its peak, in bytes (Linux).
func rss() (now, peak int64) {
	st := procStatus()
	return st["VmRSS:"], st["VmHWM:"]
}

// procStatus reads the sizes of /proc/self/status, in bytes.
func procStatus() map[string]int64 {
	out := map[string]int64{}
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return out
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[2] == "kB" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			out[f[0]] = kb << 10
		}
	}
	return out
}

// peakAnon samples the process's anonymous memory (its heap and SQLite's,
// not the pages of the database file that SQLite reads mapped, which the
// resident set counts too) every 20 ms until stop is called, which returns
// its growth at its peak.
func peakAnon() (stop func() int64) {
	before := procStatus()["RssAnon:"]
	var peak atomic.Int64
	done := make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			peak.Store(max(peak.Load(), procStatus()["RssAnon:"]-before))
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(done)
		<-ended
		return peak.Load()
	}
}

// resetPeak starts a new peak of the resident set size (Linux clear_refs).
func resetPeak() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// BenchmarkImport imports a payroll file of ISPEKS_BENCH_LINES lines
// (default 1,000,000) into each database, after a plain COPY of the same
// file into a table of its columns on PostgreSQL, in the same run. It
// reports lines/s, the growth of the peak resident set during the import
// (the file is never held in memory) and the longest a write beside it
// waited.
func BenchmarkImport(b *testing.B) {
	path, lines := writePayroll(b, envInt("ISPEKS_BENCH_LINES", 1_000_000))
	b.Run("postgres-plain-copy", func(b *testing.B) {
		db := storetest.Open(b, store.Postgres)
		if _, err := db.IDB().ExecContext(ctx, `CREATE TABLE plain_payroll (month VARCHAR(7), salary_no VARCHAR(8),
			ic_number VARCHAR(12), name VARCHAR(150), ptj_code VARCHAR(10), position VARCHAR(100), grade VARCHAR(10),
			bank_code VARCHAR(10), account_no VARCHAR(20), tax_no VARCHAR(13), epf_no VARCHAR(12), item_code VARCHAR(10),
			item_kind VARCHAR(10), item_name VARCHAR(100), amount NUMERIC(14,2))`); err != nil {
			b.Fatal(err)
		}
		conn, err := db.IDB().(*bun.DB).Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		var elapsed time.Duration
		for i := 0; i < b.N; i++ {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if _, err := pgdriver.CopyFrom(ctx, conn, f, "COPY plain_payroll FROM STDIN WITH (FORMAT csv, HEADER true)"); err != nil {
				b.Fatal(err)
			}
			elapsed += time.Since(start)
			f.Close()
		}
		b.ReportMetric(float64(lines)*float64(b.N)/elapsed.Seconds(), "lines/s")
	})
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			db := storetest.Open(b, d)
			benchPTJs(b, db)
			svc := payslip.New(db, links{}, payslip.Options{})
			var elapsed, wait time.Duration
			var growth, anonGrowth int64
			for i := 0; i < b.N; i++ {
				f, err := os.Open(path)
				if err != nil {
					b.Fatal(err)
				}
				resetPeak()
				before, _ := rss()
				probe := storetest.ProbeWrites(b, db)
				anon := peakAnon()
				start := time.Now()
				res, err := svc.Import(ctx, store.CLI, "gaji.csv", f, i > 0)
				elapsed += time.Since(start)
				wait = max(wait, probe().Longest)
				anonGrowth = max(anonGrowth, anon())
				_, peak := rss()
				f.Close()
				if err != nil {
					b.Fatal(err)
				}
				if res.Lines != lines {
					b.Fatalf("imported %d lines of %d", res.Lines, lines)
				}
				growth = max(growth, peak-before)
			}
			b.ReportMetric(float64(lines)*float64(b.N)/elapsed.Seconds(), "lines/s")
			b.ReportMetric(float64(growth)/(1<<20), "peak-RSS-growth-MB")
			// The same without the mapped file's pages (see peakAnon).
			b.ReportMetric(float64(anonGrowth)/(1<<20), "peak-anon-growth-MB")
			// The longest a write beside the import waited (storetest.ProbeWrites).
			b.ReportMetric(wait.Seconds(), "s-write-wait")
		})
	}
}

// seedMonth makes n employees with an active profile granted ePayslip
// and one imported month of slips for each, set-based (no import, no API).
func seedMonth(b *testing.B, db *store.DB, n int, month string) {
	b.Helper()
	series := fmt.Sprintf("generate_series(1, %d) AS s(g)", n)
	with := ""
	if db.Dialect == store.SQLite {
		with = fmt.Sprintf("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d) ", n)
		series = "s"
	}
	now := time.Now().UTC()
	stmts := []string{
		with + `INSERT INTO users (login, name, email, ptj_code, status, lang, created_at, updated_at)
			SELECT '7' || SUBSTR('00000000000' || g, -11, 11), 'PEGAWAI ' || g, 'p' || g || '@melaka.gov.my', '12010101', 'active', 'ms', ?, ? FROM ` + series,
		`INSERT INTO user_modules (user_id, module) SELECT id, '` + string(forms.ModulePayslip) + `' FROM users`,
		`INSERT INTO payroll_imports (file_name, sha256, lines, employees, slips, months, by_login, at) VALUES ('seed', '', 0, 0, 0, '', 'cli', ?)`,
		`INSERT INTO payroll_months (month, state, import_id, employees) VALUES ('` + month + `', 'imported', 1, 0)`,
		`INSERT INTO payslips (month, ic_number, salary_no, name, ptj_code, gross_sen, deductions_sen, net_sen, employer_sen, first_line, import_id, slip_no)
			SELECT '` + month + `', login, 'S' || id, name, ptj_code, 402055, 105555, 296500, 54500, id, 1, id FROM users`,
	}
	if db.Dialect == store.Postgres {
		stmts[0] = strings.Replace(stmts[0], "SUBSTR('00000000000' || g, -11, 11)", "LPAD(g::text, 11, '0')", 1)
	}
	for _, s := range stmts {
		var args []any
		for range strings.Count(s, "?") {
			args = append(args, now)
		}
		if _, err := db.IDB().NewRaw(s, args...).Exec(ctx); err != nil {
			b.Fatalf("seed: %v\n%s", err, s)
		}
	}
}

// BenchmarkPublish publishes a month of ISPEKS_BENCH_EMPLOYEES employees
// (default 50,000), every one with an active profile and the module, so
// one mail each: the state change, the notice rows and the outbox rows.
func BenchmarkPublish(b *testing.B) {
	n := envInt("ISPEKS_BENCH_EMPLOYEES", 50_000)
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				db := storetest.Open(b, d)
				p := store.PTJ{Code: "12010101", Name: "Jabatan", CreatedAt: time.Now()}
				if err := db.InsertPTJ(ctx, &p); err != nil {
					b.Fatal(err)
				}
				seedMonth(b, db, n, "2026-10")
				svc := payslip.New(db, links{}, payslip.Options{})
				start := time.Now()
				res, err := svc.Publish(ctx, store.CLI, "2026-10", "")
				elapsed += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if res.Mailed != n {
					b.Fatalf("mailed %d of %d", res.Mailed, n)
				}
				db.Close()
			}
			b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/publish")
			b.ReportMetric(float64(n)*float64(b.N)/elapsed.Seconds(), "employees/s")
		})
	}
}
