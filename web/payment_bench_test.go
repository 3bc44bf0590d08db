package web_test

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/payment"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// BenchmarkPaymentSearch fills eMaklum with a million payments (one line
// a voucher; ISPEKS_BENCH_PAYMENTS sets another number) through the real
// import, beside a plain load of the same file into a table of its columns
// (PostgreSQL: COPY; SQLite: one prepared INSERT a line in one
// transaction), bare and with payments' indexes, then times the search API through the HTTP stack as a
// treasury approver sees it (every payment): by payee id, by a part of the
// payee's name, and by status and date range. bench/payment prints the
// figures; run it with -benchtime 1x.
func BenchmarkPaymentSearch(b *testing.B) {
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("ISPEKS_BENCH_PAYMENTS")); err == nil && v > 0 {
		n = v
	}
	dialects := storetest.Dialects
	if d := os.Getenv("ISPEKS_BENCH_DIALECT"); d != "" {
		dialects = []store.Dialect{store.Dialect(d)}
	}
	for _, d := range dialects {
		b.Run(string(d), func(b *testing.B) { benchPayments(b, d, n) })
	}
}

func benchPayments(b *testing.B, d store.Dialect, n int) {
	e := newEnv(b, d)
	now := time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	e.now = now
	ptjs := make([]string, 20)
	for i := range ptjs {
		ptjs[i] = fmt.Sprintf("120%05d", i+1)
	}
	path := filepath.Join(b.TempDir(), "payments.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := payment.WriteDemoFile(f, payment.DemoOptions{Vouchers: n, PTJs: ptjs, Today: now, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(path)
	b.Logf("%s: %d payments, file %.0f MB", d, n, float64(st.Size())/1e6)

	plain := plainLoad(b, e.db, path, false)
	indexed := plainLoad(b, e.db, path, true)
	in, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	probe := storetest.ProbeWrites(b, e.db)
	start := time.Now()
	imp, err := e.pay.Import(ctx, nil, "payments.csv", in)
	took := time.Since(start)
	waits := probe()
	in.Close()
	if err != nil {
		b.Fatal(err)
	}
	importRate := float64(imp.Lines) / took.Seconds()
	b.ReportMetric(plain, "plain-lines/s")
	b.ReportMetric(indexed, "indexed-lines/s")
	b.ReportMetric(importRate, "import-lines/s")
	b.Logf("%s: plain load into a bare table %.0f lines/s; into a table with payments' indexes %.0f lines/s; "+
		"import %.0f lines/s (%.1f s) = %.0f%% of the bare load, %.0f%% of the indexed one",
		d, plain, indexed, importRate, took.Seconds(), 100*importRate/plain, 100*importRate/indexed)
	b.ReportMetric(float64(waits.Longest.Milliseconds()), "longest-write-ms")
	b.Logf("%s: during the import, %s", d, waits)

	// What a database runs between imports: statistics and the visibility
	// map (autovacuum on PostgreSQL), on every table the import wrote, so
	// that autovacuum does not run beside the searches (it did, now and
	// then: searches by status and dates 8 ms p50 instead of 3).
	maintain := "VACUUM (ANALYZE) payments, payment_events, payment_payees"
	if d == store.SQLite {
		maintain = "ANALYZE"
	}
	if _, err := e.db.IDB().ExecContext(ctx, maintain); err != nil {
		b.Fatal(err)
	}

	e.user("700404045047", "Zainal Bin Abidin", "12010101", []forms.Role{forms.RoleTreasuryApprover}, nil, false)
	token := e.token("700404045047")
	r := rand.New(rand.NewPCG(2, 3))
	var names []string
	var payees []string
	if err := e.db.IDB().NewRaw("SELECT payee_id FROM payments WHERE voucher_no IN (?)", bun.In(sampleVouchers(r, n, 300))).Scan(ctx, &payees); err != nil {
		b.Fatal(err)
	}
	if err := e.db.IDB().NewRaw("SELECT payee_name FROM payments WHERE voucher_no IN (?)", bun.In(sampleVouchers(r, n, 300))).Scan(ctx, &names); err != nil {
		b.Fatal(err)
	}
	statuses := payment.Statuses()
	kinds := []struct {
		name  string
		query func() url.Values
	}{
		{"payee", func() url.Values { return url.Values{"payee_id": {payees[r.IntN(len(payees))]}} }},
		{"name", func() url.Values {
			// A part of a real name, as a clerk types it: 4–9 letters, any case.
			name := names[r.IntN(len(names))]
			i := r.IntN(max(len(name)-4, 1))
			part := strings.TrimSpace(name[i:min(len(name), i+4+r.IntN(6))])
			if len(part) < 3 {
				part = name[:min(len(name), 5)]
			}
			return url.Values{"q": {strings.ToLower(part)}}
		}},
		{"full_name", func() url.Values {
			// A whole name, as a clerk pastes it from a bill.
			return url.Values{"q": {strings.ToLower(names[r.IntN(len(names))])}}
		}},
		{"status_dates", func() url.Values {
			to := now.AddDate(0, 0, -r.IntN(90))
			from := to.AddDate(0, 0, -7-r.IntN(24))
			return url.Values{"status": {string(statuses[r.IntN(len(statuses))])}, "from": {from.Format("2006-01-02")}, "to": {to.Format("2006-01-02")}}
		}},
	}
	client := &http.Client{}
	const rounds = 300
	for _, k := range kinds {
		var ms []float64
		var found int
		for range rounds {
			req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/payments?"+k.query().Encode(), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			t0 := time.Now()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
			if resp.StatusCode != 200 {
				b.Fatalf("%s: %d %s", k.name, resp.StatusCode, body)
			}
			if !strings.Contains(string(body), `"items":[]`) {
				found++
			}
		}
		slices.Sort(ms)
		p50, p99 := ms[len(ms)/2], ms[len(ms)*99/100]
		b.ReportMetric(p50, "p50-ms-"+k.name)
		b.ReportMetric(p99, "p99-ms-"+k.name)
		b.Logf("%s: search by %s: p50 %.1f ms, p99 %.1f ms (%d searches, %d found something)", d, k.name, p50, p99, rounds, found)
	}

	// A later file, as the accounting system sends between the first
	// load's: a tenth as many new vouchers, into the table the first
	// filled (its indexes kept as it goes); once with a write beside it
	// every 50 ms, once with none (on SQLite its parts then share
	// transactions: store.DB.RunJob).
	for _, c := range []struct {
		prefix string
		seed   uint64
		probed bool
	}{{"W", 2, true}, {"X", 3, false}} {
		later := filepath.Join(b.TempDir(), "later-"+c.prefix+".csv")
		if f, err = os.Create(later); err != nil {
			b.Fatal(err)
		}
		if err := payment.WriteDemoFile(f, payment.DemoOptions{Vouchers: n / 10, PTJs: ptjs, Today: now, Seed: c.seed, Prefix: c.prefix}); err != nil {
			b.Fatal(err)
		}
		f.Close()
		if in, err = os.Open(later); err != nil {
			b.Fatal(err)
		}
		probe := func() storetest.WriteWaits { return storetest.WriteWaits{} }
		if c.probed {
			probe = storetest.ProbeWrites(b, e.db)
		}
		start = time.Now()
		imp, err = e.pay.Import(ctx, nil, "later.csv", in)
		took = time.Since(start)
		waits = probe()
		in.Close()
		if err != nil {
			b.Fatal(err)
		}
		if !c.probed {
			b.ReportMetric(took.Seconds(), "later-alone-s")
			b.Logf("%s: a later file of %d lines with no write beside it in %.1f s", d, imp.Lines, took.Seconds())
			continue
		}
		b.ReportMetric(float64(waits.Longest.Milliseconds()), "later-longest-write-ms")
		b.Logf("%s: a later file of %d lines in %.1f s; during it, %s", d, imp.Lines, took.Seconds(), waits)
	}
}

// sampleVouchers picks k voucher numbers of the n the demo file numbers.
func sampleVouchers(r *rand.Rand, n, k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = fmt.Sprintf("V%09d", 1+r.IntN(n))
	}
	return out
}

// plainLoad loads the file into a table of its eleven columns as text,
// with no check and no history: bare, or (indexed) with the primary key and
// the search indexes payments has, made from payments' own definitions. It
// returns lines per second.
func plainLoad(b *testing.B, db *store.DB, path string, indexed bool) float64 {
	b.Helper()
	cols := strings.Join(payment.Header, " TEXT, ") + " TEXT"
	stmts := []string{"CREATE TABLE plain_payments (" + cols + ")"}
	if indexed {
		stmts[0] = "CREATE TABLE plain_payments (" + cols + ", PRIMARY KEY (voucher_no))"
		q := "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'payments' AND sql IS NOT NULL"
		if db.Dialect == store.Postgres {
			q = "SELECT indexdef FROM pg_indexes WHERE tablename = 'payments' AND indexname <> 'payments_pkey'"
		}
		var defs []string
		if err := db.IDB().NewRaw(q).Scan(ctx, &defs); err != nil {
			b.Fatal(err)
		}
		for _, d := range defs {
			d = strings.Replace(d, "INDEX payments_", "INDEX plain_payments_", 1)
			d = strings.Replace(strings.Replace(d, " ON public.payments ", " ON plain_payments ", 1), " ON payments ", " ON plain_payments ", 1)
			stmts = append(stmts, d)
		}
	}
	for _, st := range stmts {
		if _, err := db.IDB().ExecContext(ctx, st); err != nil {
			b.Fatal(st, err)
		}
	}
	defer db.IDB().ExecContext(ctx, "DROP TABLE plain_payments") //nolint:errcheck
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	var lines int64
	if db.Dialect == store.Postgres {
		conn, err := db.IDB().(*bun.DB).Conn(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		res, err := pgdriver.CopyFrom(ctx, conn, f, "COPY plain_payments FROM STDIN WITH (FORMAT csv, HEADER true)")
		if err != nil {
			b.Fatal(err)
		}
		lines, _ = res.RowsAffected()
	} else {
		err := db.Tx(ctx, func(tx store.Conn) error {
			stmt, err := tx.IDB().(bun.Tx).PrepareContext(ctx, "INSERT INTO plain_payments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			if err != nil {
				return err
			}
			defer stmt.Close()
			return eachRecord(f, func(rec []string) error {
				args := make([]any, len(rec))
				for i, v := range rec {
					args[i] = v
				}
				lines++
				_, err := stmt.ExecContext(ctx, args...)
				return err
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return float64(lines) / time.Since(start).Seconds()
}

func eachRecord(r io.Reader, fn func([]string) error) error {
	cr := csv.NewReader(bufio.NewReaderSize(r, 256<<10))
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		return err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}
