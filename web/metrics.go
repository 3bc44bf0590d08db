package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/store"
)

// metrics is what /metrics shows, in Prometheus' format: requests by route
// and status with their latency, logins by outcome and the profiles locked
// now, the mail waiting and failed, imports and publications, and the use
// of the database's connection pools and of its turns for transactions.
// Each Server has a registry of its own.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	logins   *prometheus.CounterVec
	jobs     *prometheus.CounterVec
}

func (s *Server) newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ispeks_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "ispeks_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
	}, []string{"route", "method"})
	m.logins = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ispeks_logins_total", Help: "Logins by channel (web, api) and outcome (ok, failed, throttled).",
	}, []string{"channel", "outcome"})
	m.jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ispeks_jobs_total", Help: "Imports and publications by kind and outcome (ok, refused, unfinished, error).",
	}, []string{"job", "outcome"})
	m.reg.MustRegister(m.requests, m.latency, m.logins, m.jobs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Read from the database when scraped: a monitor sees the outbox and the
	// locks of every instance, not of this one alone.
	gauge := func(name, help string, read func(context.Context) (float64, error)) {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			v, err := read(ctx)
			if err != nil {
				s.log.Warn("metrics", "metric", name, "error", err)
				return math.NaN()
			}
			return v
		}))
	}
	gauge("ispeks_outbox_queued", "Mail waiting to be sent.", func(ctx context.Context) (float64, error) {
		q, _, err := s.db.OutboxWaiting(ctx)
		return float64(q), err
	})
	gauge("ispeks_outbox_failed", "Mail the workers gave up on (see /ops/mail).", func(ctx context.Context) (float64, error) {
		_, f, err := s.db.OutboxWaiting(ctx)
		return float64(f), err
	})
	gauge("ispeks_locked_profiles", "Profiles locked by failed logins now.", func(ctx context.Context) (float64, error) {
		n, err := s.db.CountLocked(ctx)
		return float64(n), err
	})
	gauge("ispeks_jobs_applying", "Imports being saved in parts (SQLite), or stopped midway for the server to finish: one that stays is stuck.",
		func(ctx context.Context) (float64, error) {
			names, err := s.db.JobsApplying(ctx, "")
			return float64(len(names)), err
		})
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ispeks_db_transactions_running",
		Help: "Transactions running now (at most as many as the database's turns)."},
		func() float64 { r, _, _ := s.db.Transactions(); return float64(r) }))
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "ispeks_db_transactions_waiting",
		Help: "Transactions waiting for their turn, first come first served."},
		func() float64 { _, w, _ := s.db.Transactions(); return float64(w) }))
	for name, pool := range s.db.Pools() {
		m.reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	return m
}

// measure counts and times every request, by the route that served it.
func (m *metrics) measure(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched" // a path no route serves: one series, not one per path
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

// login counts a login's outcome: ok, failed or throttled.
func (m *metrics) login(channel string, err error) {
	outcome := "ok"
	switch {
	case err == nil:
	case isThrottled(err):
		outcome = "throttled"
	default:
		outcome = "failed"
	}
	m.logins.WithLabelValues(channel, outcome).Inc()
}

// job counts an import's or a publication's outcome: ok, refused (the
// input broke a rule), unfinished (stopped midway, for the server to
// finish) or error.
func (m *metrics) job(kind string, err error) {
	outcome := "ok"
	switch {
	case err == nil:
	case isUserError(err):
		outcome = "refused"
	case errors.Is(err, store.ErrUnfinished):
		outcome = "unfinished"
	default:
		outcome = "error"
	}
	m.jobs.WithLabelValues(kind, outcome).Inc()
}

// metricsPage answers a monitor that the route's rule let through.
func (s *Server) metricsPage(c *gin.Context) {
	promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}).ServeHTTP(c.Writer, c.Request)
}

// monitorAllowed reports whether the caller is a monitor: a client address
// in --metrics-allow, or the bearer token of --metrics-token.
func (s *Server) monitorAllowed(c *gin.Context) bool {
	if tok := s.cfg.MetricsToken; tok != "" {
		if h, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(strings.TrimSpace(h)), []byte(tok)) == 1 {
			return true
		}
	}
	ip := net.ParseIP(c.ClientIP())
	for _, n := range s.cfg.MetricsNets() {
		if ip != nil && n.Contains(ip) {
			return true
		}
	}
	return false
}

func isThrottled(err error) bool { return errors.Is(err, auth.ErrThrottled) }

func isUserError(err error) bool {
	code := apperr.CodeOf(err)
	return code != apperr.Internal && code != apperr.Unavailable
}
