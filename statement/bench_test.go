package statement_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// The speed figure of the issue (bench/statement prints it): generating
// the Borang EC of 50,000 employees from a year of published pay slips.

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// seedYear makes n employees, each with an active profile granted eEC, in
// 20 PTJs, and twelve published months of 2025 with ten pay items a slip
// (the same ten codes as payslip's import benchmark), set-based: 12 × n
// slips and 120 × n items.
func seedYear(b *testing.B, db *store.DB, n int) {
	b.Helper()
	series := fmt.Sprintf("generate_series(1, %d) AS s(g)", n)
	with := ""
	pad := func(expr string, width int) string { return fmt.Sprintf("LPAD((%s)::text, %d, '0')", expr, width) }
	if db.Dialect == store.SQLite {
		with = fmt.Sprintf("WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %d) ", n)
		series = "s"
		pad = func(expr string, width int) string {
			return fmt.Sprintf("SUBSTR('%s' || (%s), -%d, %d)", strings.Repeat("0", width), expr, width, width)
		}
	}
	var months []string
	for m := 1; m <= 12; m++ {
		months = append(months, fmt.Sprintf("('2025-%02d', %d)", m, m))
	}
	items := `WITH c(line_no, item_code, kind, name, base) AS (VALUES (1, '0001', 'earning', 'GAJI POKOK', 312055),
		(2, '0102', 'earning', 'IMBUHAN TETAP KHIDMAT AWAM (ITKA)', 30000), (3, '0103', 'earning', 'IMBUHAN TETAP PERUMAHAN (ITP)', 30000),
		(4, '0105', 'earning', 'BANTUAN SARA HIDUP (BSH)', 30000), (5, '4001', 'deduction', 'CUKAI PENDAPATAN (PCB)', 14520),
		(6, '4002', 'deduction', 'KWSP (PEKERJA 11%)', 44226), (7, '4101', 'deduction', 'ZAKAT', 5000),
		(8, '4201', 'deduction', 'BIRO ANGKASA - KOPERASI', 21035), (9, '9001', 'employer', 'CARUMAN PENCEN MAJIKAN', 54500),
		(10, '9002', 'employer', 'PERKESO (MAJIKAN)', 6905)) `
	now := time.Now().UTC()
	stmts := []string{
		with + `INSERT INTO users (login, name, email, ptj_code, status, lang, created_at, updated_at)
			SELECT '7' || ` + pad("g", 11) + `, 'PEGAWAI ' || g || ' BIN ABDULLAH', 'p' || g || '@melaka.gov.my', '120' || ` + pad("10101 + g % 20", 5) + `, 'active', 'ms', ?, ? FROM ` + series,
		`INSERT INTO user_modules (user_id, module) SELECT id, '` + string(forms.ModuleEC) + `' FROM users`,
		`INSERT INTO payroll_imports (file_name, sha256, lines, employees, slips, months, by_login, at) VALUES ('seed', '', 0, 0, 0, '', 'cli', ?)`,
		`WITH m(month, n) AS (VALUES ` + strings.Join(months, ", ") + `)
			INSERT INTO payroll_months (month, state, import_id, employees, published_at, published_by) SELECT month, 'published', 1, 0, ?, 'cli' FROM m`,
		`WITH m(month, n) AS (VALUES ` + strings.Join(months, ", ") + `)
			INSERT INTO payslips (month, ic_number, salary_no, name, ptj_code, position, grade, tax_no, epf_no, gross_sen, deductions_sen, net_sen, employer_sen, first_line, import_id, slip_no)
			SELECT m.month, u.login, 'B' || u.id, u.name, u.ptj_code, 'PEMBANTU TADBIR', 'N19', 'IG' || SUBSTR(u.login, 3) || '0', SUBSTR(u.login, 5),
				402055, 84781, 317274, 61405, u.id, 1, (m.n - 1) * ` + strconv.Itoa(n) + ` + u.id FROM m CROSS JOIN users u`,
		items + `INSERT INTO payslip_items (import_id, slip_no, line_no, item_code, kind, name, amount_sen)
			SELECT 1, p.slip_no, c.line_no, c.item_code, c.kind, c.name, c.base + p.slip_no % 997 FROM payslips p CROSS JOIN c`,
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
	if db.Dialect == store.Postgres {
		// As autovacuum leaves the pay tables between a month's import and
		// the year's end: a year's slips are not read for the first time
		// by its Borang EC (that first read sets every row's hint bits).
		if _, err := db.IDB().ExecContext(ctx, "VACUUM (ANALYZE)"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerate generates (from nothing) the Borang EC of 2025 for
// ISPEKS_BENCH_EMPLOYEES employees (default 50,000), each paid ten items in
// twelve published months (600,000 slips, 6,000,000 items), on each
// database; then publishes the year (a regeneration that changes nothing,
// and one mail per employee). Beside each, a write every 50 ms measures how
// long the job keeps other writers waiting.
func BenchmarkGenerate(b *testing.B) {
	n := envInt("ISPEKS_BENCH_EMPLOYEES", 50_000)
	for _, d := range storetest.Dialects {
		b.Run(string(d), func(b *testing.B) {
			var gen, pub, waitGen, waitPub time.Duration
			for i := 0; i < b.N; i++ {
				db := storetest.Open(b, d)
				for p := 0; p < 20; p++ {
					ptj := store.PTJ{Code: fmt.Sprintf("120%05d", 10101+p), Name: "PTJ " + strconv.Itoa(p), CreatedAt: time.Now()}
					if err := db.InsertPTJ(ctx, &ptj); err != nil {
						b.Fatal(err)
					}
				}
				seedYear(b, db, n)
				svc := statement.New(db, links{}, statement.Options{EmployerNo: employerNo()})
				if _, err := svc.LoadDefaultMapping(ctx, admin); err != nil {
					b.Fatal(err)
				}
				probe := storetest.ProbeWrites(b, db)
				start := time.Now()
				res, err := svc.Generate(ctx, admin, "2025")
				gen += time.Since(start)
				waitGen = max(waitGen, probe().Longest)
				if err != nil {
					b.Fatal(err)
				}
				if res.Statements != n || res.New != n || len(res.Unmapped) != 0 {
					b.Fatalf("generated %+v", res)
				}
				probe = storetest.ProbeWrites(b, db)
				start = time.Now()
				res, err = svc.Publish(ctx, admin, "2025")
				pub += time.Since(start)
				waitPub = max(waitPub, probe().Longest)
				if err != nil {
					b.Fatal(err)
				}
				if res.Mailed != n || res.Changed != 0 {
					b.Fatalf("published %+v", res)
				}
				db.Close()
			}
			b.ReportMetric(gen.Seconds()/float64(b.N), "s/generate")
			b.ReportMetric(pub.Seconds()/float64(b.N), "s/publish")
			b.ReportMetric(float64(n)*float64(b.N)/gen.Seconds(), "employees/s")
			// The longest a write beside them waited (storetest.ProbeWrites).
			b.ReportMetric(waitGen.Seconds(), "s-write-wait/generate")
			b.ReportMetric(waitPub.Seconds(), "s-write-wait/publish")
		})
	}
}
