// Command scale loads the portal with the data set of the scale issue —
// 100,000 requests over 200 PTJs, 50,000 profiles and 490,000 audit
// records — on SQLite and PostgreSQL, and measures through the real HTTP
// stack what a treasury or audit user waits for: the lists, the inbox and
// search (p50/p99), approvals by 50 officers at once (beside pgbench's
// TPC-B on the same cluster, run before and after them), the CSV export
// (beside the database's own CSV output) and the memory of a reminder
// sweep. bench/scale runs it.
//
//	go run ./bench/cmd/scale -db sqlite,postgres -pg postgres://…/postgres
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/web"
	"github.com/perbendaharaan/ispeks/workflow"
)

var (
	flagDB       = flag.String("db", "sqlite,postgres", "databases to measure")
	flagPG       = flag.String("pg", os.Getenv("ISPEKS_TEST_POSTGRES_URL"), "PostgreSQL server URL (a database is created and dropped there)")
	flagRequests = flag.Int("requests", 100_000, "requests")
	flagUsers    = flag.Int("users", 50_000, "profiles")
	flagPTJs     = flag.Int("ptjs", 200, "PTJs")
	flagNames    = flag.Int("names", 0, "names the requests' subjects have (0: the 625 given-and-family names; more: those with a third word, as many as needed)")
	flagAudit    = flag.Int("audit", 490_000, "audit records")
	flagRounds   = flag.Int("rounds", 1000, "requests per measured page (a p99 of 200 is its second-worst)")
	flagClients  = flag.Int("clients", 8, "concurrent clients for the throughput of the lists")
	flagApprove  = flag.Int("approvers", 50, "officers approving at once")
	flagTreasury = flag.Int("treasury", 20, "treasury approvers (each officer's approval mails every one)")
	flagEach     = flag.Int("approvals", 60, "approvals per officer")
	flagWarm     = flag.Int("warmup", 5, "approvals per officer done first and not measured (the pool's connections opened, their statements prepared and planned)")
	flagParts    = flag.String("parts", "pages,export,sweep,approvals", "what to measure")
	flagProfile  = flag.String("cpuprofile", "", "write a CPU profile of the measured parts to this file")
	flagMemProf  = flag.String("memprofile", "", "write a profile of what the run allocated, the seed's included, to this file")
	flagOnly     = flag.String("only", "", "measure only the pages whose path holds this (or, separated by commas, one of these)")
	flagKeep     = flag.Bool("keep", false, "keep the databases (prints where), to look at plans and statistics")
	flagQueries  = flag.Bool("queries", false, "before measuring each page, print the queries one visit runs and their times")
)

const pw = "Skala-Bench-2026!x"

// cheap keeps logins from being the bench: Verify reads the parameters from the hash.
var cheap = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func main() {
	flag.Parse()
	if *flagTreasury < 1 {
		fmt.Fprintln(os.Stderr, "scale: -treasury must be at least 1 (the export's and the lists' viewer is one)")
		os.Exit(2)
	}
	gin.SetMode(gin.ReleaseMode)
	// The collector's target serve runs with, unless GOGC is set (GOGC=100
	// measures Go's default).
	config.TuneGC(os.Getenv)
	if *flagMemProf != "" {
		runtime.MemProfileRate = 64 << 10 // finer than the default, for a page's allocations
	}
	for _, d := range strings.Split(*flagDB, ",") {
		if err := run(store.Dialect(strings.TrimSpace(d))); err != nil {
			fmt.Fprintf(os.Stderr, "scale %s: %v\n", d, err)
			os.Exit(1)
		}
	}
}

// portal is one database with the portal on it.
type portal struct {
	d     store.Dialect
	db    *store.DB
	dsn   string
	admin *useradmin.Service
	ts    *httptest.Server
	ptjs  []string
	reps  []string // one representative per PTJ
	offs  []string // one controlling officer per PTJ
	logs  []string // logins
}

func run(d store.Dialect) error {
	ctx := context.Background()
	p := &portal{d: d}
	dir, err := os.MkdirTemp("", "ispeks-scale-")
	if err != nil {
		return err
	}
	if !*flagKeep {
		defer os.RemoveAll(dir)
	}
	switch d {
	case store.SQLite:
		p.dsn = "sqlite:" + filepath.Join(dir, "ispeks.db")
	case store.Postgres:
		if *flagPG == "" {
			return fmt.Errorf("no PostgreSQL server: set -pg or ISPEKS_TEST_POSTGRES_URL")
		}
		name := "ispeks_scale_" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
		drop, err := createDatabase(ctx, *flagPG, name)
		if err != nil {
			return err
		}
		if !*flagKeep {
			defer drop()
		}
		u, _ := url.Parse(*flagPG)
		u.Path = "/" + name
		p.dsn = u.String()
	default:
		return fmt.Errorf("unknown database %q", d)
	}
	if p.db, err = store.Open(ctx, p.dsn, dir); err != nil {
		return err
	}
	if *flagQueries {
		w, r := p.db.IDB().(*bun.DB), p.db.ReadIDB().(*bun.DB)
		w.AddQueryHook(queries)
		if r != w {
			r.AddQueryHook(queries)
		}
	}
	defer p.db.Close()
	if _, err := p.db.Migrate(ctx); err != nil {
		return err
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.LoginThrottle = 1_000_000
	if err := cfg.Check(); err != nil {
		return err
	}
	keys := secret.Random()
	a := auth.New(p.db, auth.SettingsOf(&cfg), keys)
	p.admin = useradmin.New(p.db, a, web.NewLinks(cfg.BaseURL))
	srv, err := web.NewServer(&cfg, slog.New(slog.DiscardHandler), web.Services{DB: p.db, Auth: a, Admin: p.admin})
	if err != nil {
		return err
	}
	p.ts = httptest.NewServer(srv)
	defer p.ts.Close()
	// The audit sealer runs beside the server, as serve runs it.
	sealing, stopSealing := context.WithCancel(ctx)
	defer stopSealing()
	go p.db.RunAuditSealer(sealing, time.Second, func(err error) { fmt.Fprintln(os.Stderr, "audit seal:", err) })

	start := time.Now()
	if err := p.seed(ctx); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("\n== %s: %d requests, %d profiles, %d PTJs, %d treasury approvers, %d audit records (seeded in %s; GOGC %d)\n",
		d, *flagRequests, *flagUsers, *flagPTJs, *flagTreasury, *flagAudit, time.Since(start).Round(time.Second), config.GCTarget())
	if *flagKeep {
		fmt.Println("kept:", p.dsn)
	}

	if *flagProfile != "" {
		f, err := os.Create(*flagProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *flagMemProf != "" {
		defer func() {
			f, err := os.Create(*flagMemProf)
			if err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	for _, part := range []struct {
		name string
		run  func() error
	}{
		{"pages", p.pages},
		{"export", func() error { return p.export(ctx) }},
		{"sweep", func() error { return p.sweep(ctx) }},
		{"approvals", func() error { return p.approvals(ctx) }},
	} {
		if slices.Contains(strings.Split(*flagParts, ","), part.name) {
			if err := part.run(); err != nil {
				return fmt.Errorf("%s: %w", part.name, err)
			}
		}
	}
	return nil
}

// createDatabase makes a fresh database on the server and returns what drops it.
func createDatabase(ctx context.Context, server, name string) (func(), error) {
	admin, err := store.Open(ctx, server, "")
	if err != nil {
		return nil, err
	}
	if _, err := admin.IDB().ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return nil, err
	}
	return func() {
		_, _ = admin.IDB().ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	}, nil
}

var (
	given = []string{"NUR AISYAH", "MUHAMMAD HAZIQ", "LIM MEI", "SURESH", "WONG KAH", "SITI KHADIJAH", "KAVITHA", "AHMAD FAIZAL",
		"TAN BOON", "NORAINI", "MOHD RIDZUAN", "FARAH WAHIDA", "CHONG WEI", "RAJESH", "NURUL IZZAH", "HAFIZ", "LEE CHOON", "DEVI",
		"AZLAN", "ROSNAH", "KAMARUL", "YAP SOO", "PRIYA", "ZULKIFLI", "HASLINDA"}
	family = []string{"BIN ROSLI", "BINTI KAMAL", "LING", "A/L RAMASAMY", "WAI", "BINTI AWANG", "A/P MURUGAN", "BIN ABIDIN",
		"HOCK", "BINTI HASSAN", "BIN ISMAIL", "BINTI YUSOF", "KEAT", "A/L NAIR", "BINTI OMAR", "BIN SALLEH", "MENG", "A/P RAJU",
		"BIN HAMID", "BINTI SAAD", "BIN ARIFFIN", "FONG", "A/P KUMAR", "BIN ZAKARIA", "BINTI AHMAD"}
)

// name is a name as the payroll holds them, varied enough that a search
// for part of one finds a few in a hundred, as in life.
func name(i int) string { return given[i%len(given)] + " " + family[i/len(given)%len(family)] }

// subjectName is request i's subject's name: one of name's 625, or with
// -names, one of that many, each of the 625 followed by as many third
// words as it takes ("KAMARUL BIN SALLEH RAMAN"). A search of one of the
// 625 finds as many requests either way, in as many names as -names
// gives them: the table of names is then as large as it would be in a
// state whose people were each the subject of requests/names requests.
func subjectName(i int) string {
	if *flagNames <= 0 {
		return name(i * 7)
	}
	k := i * 7 % *flagNames // every name, when -names is prime to 7
	n := len(given) * len(family)
	if k < n {
		return name(k)
	}
	return name(k) + " " + syllables(k/n)
}

// syllables is a word of its own for each n > 0, as Malay names sound.
func syllables(n int) string {
	sounds := []string{"RA", "MAN", "SU", "DIN", "HA", "LI", "ZA", "KI", "NOR", "AZ", "MI", "RUL", "TA", "FA", "JA", "YU", "WAN", "NA", "DA", "SA"}
	var w string
	for ; n > 0; n /= len(sounds) {
		w = sounds[n%len(sounds)] + w
	}
	return w
}

// ic returns a MyKad-shaped number of someone born on 1 January of year
// (two digits) or, past the first 140,000, of the years after; unique for
// n < 140,000 × (100 − year).
func ic(year, n int) string {
	return fmt.Sprintf("%02d0101%02d%04d", year+n/140_000, 1+n/10000%14, n%10000)
}

// seed writes the data set straight into the tables, a batch at a time.
func (p *portal) seed(ctx context.Context) error {
	now := time.Now().UTC()
	hash, err := password.HashWith(cheap, pw)
	if err != nil {
		return err
	}
	var ptjs []store.PTJ
	for i := range *flagPTJs {
		code := fmt.Sprintf("12%06d", i+1)
		p.ptjs = append(p.ptjs, code)
		ptjs = append(ptjs, store.PTJ{Code: code, Name: "PTJ " + code, CreatedAt: now})
	}
	if _, err := p.db.IDB().NewInsert().Model(&ptjs).Exec(ctx); err != nil {
		return err
	}
	users := make([]store.User, 0, 1000)
	var roles []store.UserRole
	flush := func() error {
		if len(users) > 0 {
			if _, err := p.db.IDB().NewInsert().Model(&users).Returning("id").Exec(ctx); err != nil {
				return err
			}
		}
		users = users[:0]
		return nil
	}
	var ids []int64
	for i := range *flagUsers {
		u := store.User{Login: ic(80, i), Name: name(i), Email: fmt.Sprintf("p%d@melaka.gov.my", i),
			PTJCode: p.ptjs[i%len(p.ptjs)], Status: store.StatusActive, Lang: "ms", PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
		users = append(users, u)
		if len(users) == 1000 {
			batch := users
			if err := flush(); err != nil {
				return err
			}
			_ = batch
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := p.db.IDB().NewSelect().Table("users").Column("id").OrderExpr("id").Scan(ctx, &ids); err != nil {
		return err
	}
	// The first users of each PTJ hold its roles: a representative and an
	// officer per PTJ; then treasury approvers, sysadmins and auditors.
	grant := func(i int, role forms.Role, ptj string) {
		r := store.UserRole{UserID: ids[i], Role: role}
		if ptj != "" {
			r.PTJCode = &ptj
		}
		roles = append(roles, r)
	}
	n := len(p.ptjs)
	for k, code := range p.ptjs {
		grant(k, forms.RolePTJRep, code) // user k is of PTJ k (i % n)
		grant(k+n, forms.RoleControllingOfficer, code)
		p.reps = append(p.reps, ic(80, k))
		p.offs = append(p.offs, ic(80, k+n))
	}
	t := *flagTreasury
	for i := 2 * n; i < 2*n+t; i++ {
		grant(i, forms.RoleTreasuryApprover, "")
	}
	for i := 2*n + t; i < 2*n+t+5; i++ {
		grant(i, forms.RoleSysadmin, "")
	}
	grant(2*n+t+5, forms.RoleAuditor, "")
	p.logs = []string{ic(80, 2*n), ic(80, 2*n+t+5)} // a treasury approver, an auditor
	for start := 0; start < len(roles); start += 1000 {
		chunk := roles[start:min(start+1000, len(roles))]
		if _, err := p.db.IDB().NewInsert().Model(&chunk).Exec(ctx); err != nil {
			return err
		}
	}

	// Requests: most finished, the rest waiting at every stage.
	states := []struct {
		s workflow.State
		w int
	}{{workflow.Provisioned, 60}, {workflow.Rejected, 10}, {workflow.Withdrawn, 5}, {workflow.Submitted, 8},
		{workflow.OfficerApproved, 7}, {workflow.TreasuryApproved, 5}, {workflow.Draft, 3}, {workflow.Returned, 2}}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() workflow.State {
		x := rng.IntN(100)
		for _, s := range states {
			if x < s.w {
				return s.s
			}
			x -= s.w
		}
		return workflow.Provisioned
	}
	reqs := make([]store.Request, 0, 1000)
	for i := range *flagRequests {
		k := rng.IntN(n)
		since := now.Add(-time.Duration(rng.IntN(60*24)) * time.Hour)
		r := store.Request{Reference: fmt.Sprintf("BPP/2026/%06d", i+1), State: pick(), Version: 3,
			SubmitterID: ids[k], CreatedAt: since, UpdatedAt: since, StateSince: since}
		f := forms.Request{Kind: forms.KindRegistration, PTJCode: p.ptjs[k],
			Subject: forms.Subject{ICNumber: ic(85, i), Name: subjectName(i), Email: "x@melaka.gov.my"},
			Modules: []forms.Module{forms.ModulePayslip}, Justification: "Skala.", Declaration: true}
		r.SetForm(f)
		reqs = append(reqs, r)
		if len(reqs) == 1000 {
			if _, err := p.db.IDB().NewInsert().Model(&reqs).Exec(ctx); err != nil {
				return err
			}
			reqs = reqs[:0]
		}
	}
	if len(reqs) > 0 {
		if _, err := p.db.IDB().NewInsert().Model(&reqs).Exec(ctx); err != nil {
			return err
		}
	}
	// Audit records through the real chain, a thousand per transaction.
	for done := 0; done < *flagAudit; {
		k := min(1000, *flagAudit-done)
		err := p.db.Tx(ctx, func(tx store.Conn) error {
			for j := range k {
				u := (done + j) % *flagUsers
				if err := tx.Audit(ctx, store.Actor{UserID: ids[u], Login: ic(80, u)}, "request.approve", "request",
					fmt.Sprintf("BPP/2026/%06d", 1+(done+j)%*flagRequests), map[string]any{"event": "approve"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += k
	}
	// Sealed before measuring, as a running portal's chain is: left to the
	// sealer, the seed's records were chained during the measured parts
	// (PostgreSQL's sealer busy one core for 20 s at 490,000 of them, and
	// an action's own sealing after commit taking a thousand at once).
	if _, err := p.db.SealAudit(ctx, true); err != nil {
		return err
	}
	// The search index merged, as serve does at start and every hour.
	if _, err := p.db.MergeSearch(ctx); err != nil {
		return err
	}
	// The figures are of a portal in its steady state: statistics taken,
	// and on PostgreSQL the visibility map set and the seed's pages
	// written out, as autovacuum and the checkpointer would have done by
	// the time 100,000 requests had come in (measured during them, they
	// measured the seed's aftermath).
	steady := []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"}
	if p.d == store.Postgres {
		steady = []string{"VACUUM ANALYZE", "CHECKPOINT"}
	}
	for _, q := range steady {
		if _, err := p.db.IDB().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// client is a logged-in browser.
func (p *portal) client(login string) (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(p.ts.URL+"/login", url.Values{"login": {login}, "password": {pw}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("login %s: %d", login, resp.StatusCode)
	}
	return c, nil
}

// measure gets path rounds times over clients concurrent clients and
// returns the latencies' p50 and p99 and the requests per second.
func measure(c *http.Client, base, path string, clients int) (p50, p99 time.Duration, rate float64, err error) {
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr atomic.Value
	var wg sync.WaitGroup
	next := atomic.Int64{}
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(*flagRounds) {
				t := time.Now()
				resp, err := c.Get(base + path)
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					firstErr.CompareAndSwap(nil, fmt.Errorf("%s: %d", path, resp.StatusCode))
					return
				}
				mu.Lock()
				lat = append(lat, time.Since(t))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if e, ok := firstErr.Load().(error); ok {
		return 0, 0, 0, e
	}
	rate = float64(len(lat)) / time.Since(start).Seconds()
	slices.Sort(lat)
	return lat[len(lat)*50/100], lat[min(len(lat)-1, len(lat)*99/100)], rate, nil
}

func (p *portal) pages() error {
	treasury, err := p.client(p.logs[0])
	if err != nil {
		return err
	}
	officer, err := p.client(p.offs[0])
	if err != nil {
		return err
	}
	auditor, err := p.client(p.logs[1])
	if err != nil {
		return err
	}
	rows := []struct {
		who  string
		c    *http.Client
		path string
	}{
		{"treasury", treasury, "/requests"},
		{"treasury", treasury, "/requests?state=submitted"},
		{"treasury", treasury, "/requests?q=aisyah"},
		{"treasury", treasury, "/requests?q=kamarul+bin+salleh"},
		{"treasury", treasury, "/requests?q=aisyah+binti"},
		{"treasury", treasury, "/requests?q=ahmad+binti"},
		{"treasury", treasury, "/requests?q=binti"},
		{"treasury", treasury, "/requests?q=850101-01-0042"},
		{"treasury", treasury, "/requests?q=BPP/2026/0999"},
		{"treasury", treasury, "/requests?page=40"},
		{"treasury", treasury, "/inbox"},
		{"officer", officer, "/requests"},
		{"officer", officer, "/inbox"},
		{"auditor", auditor, "/requests?q=lim"},
		{"auditor", auditor, "/users"},
		{"auditor", auditor, "/users?q=aisyah"},
		{"auditor", auditor, "/users?q=nur+aisyah+a/l+nair"},
		{"auditor", auditor, "/users?q=binti"},
		{"auditor", auditor, "/users?page=40"},
		{"auditor", auditor, "/audit"},
		{"auditor", auditor, "/audit?actor=aisyah"},
		{"auditor", auditor, "/audit?actor=nur+aisyah+a/l+nair"},
		{"auditor", auditor, "/audit?actor=binti"},
		{"auditor", auditor, "/audit?actor=nur+aisyah+a/p"},
		{"auditor", auditor, "/audit?actor=binti&ref=BPP/2026/090000"},
		{"auditor", auditor, "/audit?action=request.approve"},
		{"treasury", treasury, "/api/v1/requests?q=kah&page_size=25"},
	}
	fmt.Printf("%-10s %-36s %10s %10s %12s   (%d requests each; p50/p99 one client at a time, rate with %d clients)\n",
		"who", "page", "p50", "p99", "req/s", *flagRounds, *flagClients)
	for _, r := range rows {
		if !measured(r.path) {
			continue
		}
		c := r.c
		if strings.HasPrefix(r.path, "/api/") {
			c, err = p.bearer(p.logs[0])
			if err != nil {
				return err
			}
		}
		if *flagQueries {
			if err := p.showQueries(c, r.path); err != nil {
				return err
			}
		}
		p50, p99, _, err := measure(c, p.ts.URL, r.path, 1)
		if err != nil {
			return err
		}
		_, _, rate, err := measure(c, p.ts.URL, r.path, *flagClients)
		if err != nil {
			return err
		}
		fmt.Printf("%-10s %-36s %10s %10s %12.0f\n", r.who, r.path, ms(p50), ms(p99), rate)
	}
	return nil
}

// queryLog is a bun query hook that keeps each query's text and time
// while on.
type queryLog struct {
	mu   sync.Mutex
	on   bool
	seen []string
}

func (l *queryLog) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context { return ctx }

func (l *queryLog) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.on {
		q := strings.Join(strings.Fields(e.Query), " ")
		if len(q) > 300 {
			q = q[:300] + "…"
		}
		l.seen = append(l.seen, fmt.Sprintf("    %8s  %s", ms(time.Since(e.StartTime)), q))
	}
}

var queries = &queryLog{}

// showQueries visits path once (after a visit to warm it) and prints the
// queries the visit ran, with their times.
func (p *portal) showQueries(c *http.Client, path string) error {
	get := func() error {
		resp, err := c.Get(p.ts.URL + path)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		return resp.Body.Close()
	}
	if err := get(); err != nil {
		return err
	}
	return logQueries(path, get)
}

// logQueries runs fn and prints the queries it ran, with their times.
func logQueries(label string, fn func() error) error {
	queries.mu.Lock()
	queries.on, queries.seen = true, nil
	queries.mu.Unlock()
	t := time.Now()
	err := fn()
	queries.mu.Lock()
	defer queries.mu.Unlock()
	queries.on = false
	fmt.Printf("  %s: %s in all\n%s\n", label, ms(time.Since(t)), strings.Join(queries.seen, "\n"))
	return err
}

// bearer is a client that sends an API token.
func (p *portal) bearer(login string) (*http.Client, error) {
	body := strings.NewReader(fmt.Sprintf(`{"login":%q,"password":%q}`, login, pw))
	resp, err := http.Post(p.ts.URL+"/api/v1/auth/token", "application/json", body)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Token == "" {
		return nil, fmt.Errorf("token for %s: %v", login, err)
	}
	return &http.Client{Transport: bearerTransport{out.Token}}, nil
}

type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// export times the CSV of every request as the treasury downloads it,
// beside the database's own CSV output of the same rows.
func (p *portal) export(ctx context.Context) error {
	c, err := p.client(p.logs[0])
	if err != nil {
		return err
	}
	query := `SELECT r.reference, r.kind, r.state, r.ptj_code, r.subject_name, r.subject_ic, u.name, r.created_at, r.updated_at
		FROM requests r JOIN users u ON u.id = r.submitter_id ORDER BY r.id`
	// Each is timed three times and the best kept: the machine's hiccups
	// only ever add time (one run's database CSV took 171 ms, the next 291).
	var portal, own time.Duration
	var n int64
	for range exportRuns {
		t := time.Now()
		resp, err := c.Get(p.ts.URL + "/requests/export.csv")
		if err != nil {
			return err
		}
		n, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("export: %d", resp.StatusCode)
		}
		portal = best(portal, time.Since(t))
		var cmd *exec.Cmd
		if p.d == store.Postgres {
			cmd = exec.Command("psql", p.dsn, "-q", "-c", "COPY ("+query+") TO STDOUT WITH CSV")
		} else {
			cmd = exec.Command("sqlite3", "-csv", strings.TrimPrefix(p.dsn, "sqlite:"), query)
		}
		cmd.Stdout = io.Discard
		t = time.Now()
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("database CSV: %w", err)
		}
		own = best(own, time.Since(t))
	}
	fmt.Printf("CSV export of %d requests, best of %d: portal %s (%d KB), database's own CSV %s: %.1f×\n",
		*flagRequests, exportRuns, portal.Round(time.Millisecond), n/1024, own.Round(time.Millisecond), portal.Seconds()/own.Seconds())
	return nil
}

const exportRuns = 3

// best is the shorter of two times, 0 being none yet.
func best(a, b time.Duration) time.Duration {
	if a == 0 || b < a {
		return b
	}
	return a
}

// sweep measures the memory a reminder sweep takes over every waiting request.
func (p *portal) sweep(ctx context.Context) error {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	t := time.Now()
	n, err := p.admin.SendReminders(ctx, 3)
	close(done)
	if err != nil {
		return err
	}
	runtime.ReadMemStats(&after)
	fmt.Printf("reminder sweep over %d requests: %d mails in %s, heap in use grew by at most %.1f MB\n",
		*flagRequests, n, time.Since(t).Round(time.Millisecond), float64(int64(peak.Load())-int64(before.HeapInuse))/(1<<20))
	return nil
}

// approvals has flagApprove officers approve their PTJ's submitted
// requests at once through the API, and compares with pgbench's TPC-B at
// as many clients on the same PostgreSQL.
func (p *portal) approvals(ctx context.Context) error {
	type job struct {
		id      int64
		version int64
	}
	officers := min(*flagApprove, len(p.offs))
	queues := make([][]job, officers)
	for k := range officers {
		var list []struct {
			ID      int64 `bun:"id"`
			Version int64 `bun:"version"`
		}
		err := p.db.IDB().NewSelect().Table("requests").Column("id", "version").
			Where("state = ? AND ptj_code = ?", workflow.Submitted, p.ptjs[k]).OrderExpr("id").Limit(int64(*flagEach)).Scan(ctx, &list)
		if err != nil {
			return err
		}
		for _, r := range list {
			queues[k] = append(queues[k], job{r.ID, r.Version})
		}
	}
	clients := make([]*http.Client, officers)
	for k := range officers {
		c, err := p.bearer(p.offs[k])
		if err != nil {
			return err
		}
		clients[k] = c
	}
	approve := func(c *http.Client, j job) (*http.Response, error) {
		body := strings.NewReader(fmt.Sprintf(`{"action":"approve","version":%d}`, j.version))
		return c.Post(p.ts.URL+"/api/v1/requests/"+strconv.FormatInt(j.id, 10)+"/actions", "application/json", body)
	}
	if *flagQueries && len(queues[0]) > 0 {
		j := queues[0][0] // one approval first, alone, with its queries
		queues[0] = queues[0][1:]
		err := logQueries("one approval", func() error {
			resp, err := approve(clients[0], j)
			if err == nil {
				resp.Body.Close()
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	// run has every officer approve their queue's jobs from..to at once
	// and returns the approvals' times, sorted, and how many failed.
	run := func(from, to int) (lat []time.Duration, failed int64) {
		var mu sync.Mutex
		var failures atomic.Int64
		var wg sync.WaitGroup
		for k := range officers {
			wg.Go(func() {
				for _, j := range queues[k][min(from, len(queues[k])):min(to, len(queues[k]))] {
					t := time.Now()
					resp, err := approve(clients[k], j)
					if err != nil || resp.StatusCode != 200 {
						failures.Add(1)
						if resp != nil {
							resp.Body.Close()
						}
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					lat = append(lat, time.Since(t))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		slices.Sort(lat)
		return lat, failures.Load()
	}
	// The first approvals open the pool's connections and prepare and plan
	// their statements (PostgreSQL plans a prepared statement anew for its
	// first five runs on a connection): a portal that has been running has
	// done that, and pgbench leaves its connections' set-up out of its tps.
	// They are measured apart.
	warm, warmFailed := run(0, *flagWarm)
	// pgbench runs before the approvals and after them, and the ratio is
	// taken to the mean of its two runs: on this host the same TPC-B ran
	// 2,505 to 4,630 transactions a second from one hour to the next, and
	// a single run beside the approvals' few seconds put the same code at
	// 0.21× and 0.34× two minutes apart.
	var (
		bench     *tpcb
		beforeErr error
	)
	if p.d == store.Postgres {
		if bench, beforeErr = newTPCB(ctx, *flagPG, officers); beforeErr == nil {
			defer bench.drop()
		}
	}
	before, err := bench.run()
	beforeErr = cmp.Or(beforeErr, err)
	cpu := cpuTimes()
	start := time.Now()
	lat, failed := run(*flagWarm, math.MaxInt)
	elapsed := time.Since(start)
	cpu = cpuTimes().minus(cpu)
	if len(lat) == 0 {
		return fmt.Errorf("no approval succeeded (%d failures)", failed)
	}
	rate := float64(len(lat)) / elapsed.Seconds()
	fmt.Printf("approvals by %d officers at once (HTTP API), %d of them after %d to warm up: %.0f/s, p50 %s, p99 %s, %d failed; CPU per approval: portal and its clients %s, database server %s",
		officers, len(lat), len(warm), rate, ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), failed+warmFailed,
		ms(cpu.self/time.Duration(len(lat))), ms(cpu.server/time.Duration(len(lat))))
	if len(warm) > 0 {
		fmt.Printf(" (the warm-up's p99 %s)", ms(warm[len(warm)*99/100]))
	}
	if p.d != store.Postgres {
		fmt.Println()
		return nil
	}
	after, err := bench.run()
	if err = cmp.Or(beforeErr, err); err != nil {
		fmt.Printf("; pgbench: %v\n", err)
		return nil
	}
	mean := (before.tps + after.tps) / 2
	perTx := (before.cpu + after.cpu) / 2
	fmt.Printf("; pgbench TPC-B at %d clients: %.0f tps before, %.0f after, %s of CPU a transaction; ratio %.2f× (to their mean); an approval's CPU that of %.1f transactions\n",
		officers, before.tps, after.tps, ms(perTx), rate/mean, float64(cpu.self+cpu.server)/float64(len(lat))/float64(perTx))
	return nil
}

// cpu is CPU time used so far by this process (the portal and the bench's
// clients) and by the database server's processes (PostgreSQL's, read from
// /proc; SQLite runs inside this process).
type cpu struct{ self, server time.Duration }

func (a cpu) minus(b cpu) cpu { return cpu{a.self - b.self, a.server - b.server} }

// cpuTimes reads the CPU times, in the kernel's clock ticks (100 a second).
func cpuTimes() cpu {
	tick := 10 * time.Millisecond
	read := func(stat string) (comm string, used time.Duration) {
		b, err := os.ReadFile(stat)
		if err != nil {
			return "", 0
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			return "", 0
		}
		// f[11], f[12]: utime, stime; f[13], f[14]: those of children
		// that ended (the server's backends that closed meanwhile).
		f := strings.Fields(s[end+1:])
		if len(f) < 15 {
			return "", 0
		}
		var ticks int64
		for _, v := range f[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			ticks += n
		}
		return s[open+1 : end], time.Duration(ticks) * tick
	}
	var c cpu
	_, c.self = read("/proc/self/stat")
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		if comm, used := read(p); comm == "postgres" {
			c.server += used
		}
	}
	return c
}

var (
	tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)
	txLine  = regexp.MustCompile(`transactions actually processed: ([0-9]+)`)
)

// tpcb is pgbench's TPC-B on a scratch database of the server: clients
// clients, scale 10.
type tpcb struct {
	bin, dsn string
	clients  int
	drop     func()
}

// tpcbRun is what one run of tpcb measured: its transactions a second,
// and the CPU a transaction cost pgbench and the server together.
type tpcbRun struct {
	tps float64
	cpu time.Duration
}

func newTPCB(ctx context.Context, server string, clients int) (*tpcb, error) {
	drop, err := createDatabase(ctx, server, "ispeks_pgbench")
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(server)
	u.Path = "/ispeks_pgbench"
	t := &tpcb{bin: "pgbench", dsn: u.String(), clients: clients, drop: drop}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(m) > 0 {
		t.bin = m[len(m)-1]
	}
	if out, err := exec.Command(t.bin, "-i", "-q", "-s", "10", t.dsn).CombinedOutput(); err != nil {
		drop()
		return nil, fmt.Errorf("pgbench -i: %v: %s", err, out)
	}
	return t, nil
}

// run runs TPC-B for 10 s. A nil t runs nothing.
func (t *tpcb) run() (tpcbRun, error) {
	if t == nil {
		return tpcbRun{}, nil
	}
	cmd := exec.Command(t.bin, "-c", strconv.Itoa(t.clients), "-j", "2", "-T", "10", t.dsn)
	server := cpuTimes().server
	out, err := cmd.CombinedOutput()
	if err != nil {
		return tpcbRun{}, fmt.Errorf("pgbench: %v: %s", err, out)
	}
	used := cpuTimes().server - server + cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	m, n := tpsLine.FindSubmatch(out), txLine.FindSubmatch(out)
	if m == nil || n == nil {
		return tpcbRun{}, fmt.Errorf("pgbench printed no tps: %s", out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	txs, _ := strconv.ParseInt(string(n[1]), 10, 64)
	if tps == 0 || txs == 0 {
		return tpcbRun{}, fmt.Errorf("pgbench ran no transaction: %s", out)
	}
	return tpcbRun{tps: tps, cpu: used / time.Duration(txs)}, nil
}

// measured says whether -only lets the page at path be measured.
func measured(path string) bool {
	for _, part := range strings.Split(*flagOnly, ",") {
		if strings.Contains(path, part) {
			return true
		}
	}
	return false
}
