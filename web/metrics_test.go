package web_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/store"
)

func scrape(t *testing.T, e *env, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// A monitor on an allowed address reads requests by route, logins by
// outcome, the outbox, the database pools and the transactions' turns;
// nobody else reads anything.
func TestMetrics(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
	b := e.browser()
	b.login(siti, "salah-sama-sekali")
	b.login(siti, testPassword)
	b.get("/requests")
	status, body := scrape(t, e, "")
	if status != 200 {
		t.Fatalf("from 127.0.0.1: %d", status)
	}
	for _, want := range []string{
		// Both logins redirect (post/redirect/get); the refused one's
		// login page answers 401.
		`ispeks_http_requests_total{method="POST",route="/login",status="303"} 2`,
		`ispeks_http_requests_total{method="GET",route="/login",status="401"} 1`,
		`ispeks_http_request_duration_seconds_bucket{method="GET",route="/requests"`,
		`ispeks_logins_total{channel="web",outcome="failed"} 1`,
		`ispeks_logins_total{channel="web",outcome="ok"} 1`,
		`ispeks_outbox_queued 0`, `ispeks_outbox_failed 0`, `ispeks_locked_profiles 0`, `ispeks_jobs_applying 0`,
		`go_sql_open_connections{db_name="write"}`,
		`ispeks_db_transactions_running 0`, `ispeks_db_transactions_waiting 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// An import stopped midway shows until the server finishes it.
	if _, err := e.db.IDB().ExecContext(context.Background(), `INSERT INTO jobs_applying (name, file, part_rows, through, last, started_at)
		VALUES ('payroll-import-7', 'gone', 2000, 2000, 9000, ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, body := scrape(t, e, ""); !strings.Contains(body, "ispeks_jobs_applying 1") {
		t.Errorf("metrics lack an import stopped midway:\n%s", body)
	}
}

func TestMetricsNeedAnAllowedAddressOrTheToken(t *testing.T) {
	e := newEnv(t, store.SQLite, func(c *config.Config) { c.MetricsAllow = "10.9.9.0/24"; c.MetricsToken = "rahsia-pemantau" })
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 403}, {"salah", 403}, {"rahsia-pemantau", 200}} {
		if status, body := scrape(t, e, tc.token); status != tc.want || tc.want == 403 && body != "" {
			t.Errorf("token %q: %d %q, want %d", tc.token, status, body, tc.want)
		}
	}
}
