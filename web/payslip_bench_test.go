package web_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// BenchmarkSlipPage loads the pay-slip page with ISPEKS_BENCH_EMPLOYEES
// employees (default 50,000) × 24 published months in PostgreSQL, four
// items a slip, from 64 concurrent logged-in clients for
// ISPEKS_BENCH_SECONDS (default 10), and then a bare gin handler answering
// a page of the same size on the same machine, the same way: requests per
// second and the 99th percentile of each. Between them, the same clients on
// /password, a page that only checks the session, which every logged-in
// page does before its own work. The seed is set-based SQL, not
// the API. bench/payslip prints the two side by side.
func BenchmarkSlipPage(b *testing.B) {
	employees := benchEnv("ISPEKS_BENCH_EMPLOYEES", 50_000)
	seconds := benchEnv("ISPEKS_BENCH_SECONDS", 10)
	const clients = 64
	e := newEnv(b, store.Postgres)
	first := e.user("800101215001", "Pegawai Satu", "12010101", nil, []forms.Module{forms.ModulePayslip}, false)
	months := make([]string, 24)
	for i := range months {
		months[i] = fmt.Sprintf("%04d-%02d", 2024+i/12, 1+i%12)
	}
	seed := []string{
		`INSERT INTO users (login, name, email, ptj_code, status, lang, password_hash, created_at, updated_at)
			SELECT LPAD((60 + g % 40)::text, 2, '0') || LPAD((1 + g / 40 % 12)::text, 2, '0') || LPAD((1 + g / 480 % 28)::text, 2, '0')
				|| LPAD((1 + g / 13440)::text, 2, '0') || LPAD((g % 10000)::text, 4, '0'), 'PEGAWAI ' || g, 'p' || g || '@melaka.gov.my', '12010101', 'active', 'ms', ?, NOW(), NOW()
			FROM generate_series(2, ?) AS s(g)`,
		`INSERT INTO user_modules (user_id, module) SELECT id, 'epayslip' FROM users WHERE id <> ?`,
		`INSERT INTO payroll_imports (file_name, sha256, lines, employees, slips, months, by_login, at) VALUES ('seed', '', 0, 0, 0, '', 'cli', NOW())`,
		`INSERT INTO payroll_months (month, state, import_id, employees, published_at) SELECT m, 'published', 1, ?, NOW() FROM UNNEST(?::text[]) AS m`,
		`ANALYZE`,
	}
	monthArray := "{" + strings.Join(months, ",") + "}"
	args := [][]any{{first.PasswordHash, employees}, {first.ID}, nil, {employees, monthArray}, nil}
	// A month at a time: each statement stays within the driver's read timeout.
	for k, m := range months {
		seed = append(seed[:len(seed)-1], `INSERT INTO payslips (month, ic_number, salary_no, name, ptj_code, position, grade, bank_code, account_no,
				tax_no, epf_no, gross_sen, deductions_sen, net_sen, employer_sen, first_line, import_id, slip_no)
			SELECT ?, u.login, 'S' || u.id, u.name, u.ptj_code, 'PEMBANTU TADBIR', 'N19', 'MBB', '114012345678', 'IG20000000001', '30000001',
				402055, 105555, 296500, 54500, 1, 1, ? + u.id FROM users u`,
			`INSERT INTO payslip_items (import_id, slip_no, line_no, item_code, kind, name, amount_sen)
			SELECT 1, p.slip_no, i, '000' || i, CASE WHEN i <= 2 THEN 'earning' WHEN i = 3 THEN 'deduction' ELSE 'employer' END,
				CASE WHEN i = 1 THEN 'GAJI POKOK' WHEN i = 2 THEN 'IMBUHAN TETAP KHIDMAT AWAM (ITKA)' WHEN i = 3 THEN 'CUKAI PENDAPATAN (PCB)' ELSE 'CARUMAN PENCEN MAJIKAN' END,
				CASE WHEN i = 1 THEN 372055 WHEN i = 2 THEN 30000 WHEN i = 3 THEN 105555 ELSE 54500 END
			FROM payslips p CROSS JOIN generate_series(1, 4) AS s(i) WHERE p.month = ?`, `ANALYZE`)
		args = append(args[:len(args)-1], []any{m, (k + 1) * 1_000_000}, []any{m}, nil)
	}
	start := time.Now()
	for i, s := range seed {
		if _, err := e.db.IDB().NewRaw(s, args[i]...).Exec(ctx); err != nil {
			b.Fatalf("seed: %v\n%s", err, s)
		}
	}
	b.Logf("seeded %d employees × %d months in %s", employees, len(months), time.Since(start).Round(time.Second))

	// 64 employees log in, each with a session of their own.
	cookies := make([]string, clients)
	for i := range cookies {
		g := 2 + i*(employees/clients)
		login := fmt.Sprintf("%02d%02d%02d%02d%04d", 60+g%40, 1+g/40%12, 1+g/480%28, 1+g/13440, g%10000)
		br := e.browser()
		if r := br.login(login, testPassword); r.Status != http.StatusSeeOther {
			b.Fatalf("login %s: %d", login, r.Status)
		}
		u, _ := url.Parse(e.ts.URL)
		for _, c := range br.c.Jar.Cookies(u) {
			cookies[i] = c.Name + "=" + c.Value
		}
	}
	page := get(b, e.ts.URL+"/epayslip/2025-06", cookies[0])
	if !strings.Contains(page, "RM 2,965.00") {
		b.Fatalf("the slip page:\n%s", page)
	}

	b.Run("slip-page", func(b *testing.B) {
		load(b, clients, time.Duration(seconds)*time.Second, func(i int, rnd *rand.Rand) (string, string) {
			return e.ts.URL + "/epayslip/" + months[rnd.IntN(len(months))], cookies[i]
		})
		b.ReportMetric(float64(len(page)), "page-bytes")
	})
	// The same clients on a page with no query of its own, to show what
	// the session check every logged-in page makes costs on this database.
	b.Run("logged-in-page", func(b *testing.B) {
		load(b, clients, time.Duration(seconds)*time.Second, func(i int, rnd *rand.Rand) (string, string) {
			return e.ts.URL + "/password", cookies[i]
		})
	})
	b.Run("bare-gin", func(b *testing.B) {
		r := gin.New()
		body := []byte(page)
		r.GET("/epayslip/:month", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", body) })
		ts := httptest.NewServer(r)
		defer ts.Close()
		load(b, clients, time.Duration(seconds)*time.Second, func(i int, rnd *rand.Rand) (string, string) {
			return ts.URL + "/epayslip/" + months[rnd.IntN(len(months))], cookies[i]
		})
		b.ReportMetric(float64(len(body)), "page-bytes")
	})
}

func benchEnv(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// load runs clients goroutines, each its own client, requesting the
// address next gives until d has passed, and reports requests per second
// and the 99th percentile of the latencies.
func load(b *testing.B, clients int, d time.Duration, next func(i int, rnd *rand.Rand) (string, string)) {
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	var failed sync.Once
	end := time.Now().Add(d)
	start := time.Now()
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(i), 1))
			for time.Now().Before(end) {
				addr, cookie := next(i, rnd)
				req, _ := http.NewRequest("GET", addr, nil)
				req.Header.Set("Cookie", cookie)
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Do(func() { b.Error(err) })
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					failed.Do(func() { b.Errorf("%s: %d", addr, resp.StatusCode) })
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	if len(all) == 0 {
		b.Fatal("no request answered")
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
}

func get(b *testing.B, addr, cookie string) string {
	req, _ := http.NewRequest("GET", addr, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}
