// Package web is the portal's HTTP face: the gin router (every route listed
// in routes.go with its access rule), middleware, page handlers and the JSON
// API, one file per group of pages. Handlers are thin: bind the input, call
// the domain (auth, useradmin and the modules), render.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/payment"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
)

// Services are the parts of the domain the pages and the API call.
type Services struct {
	// DB serves the plain reads of the operations pages (profiles, the
	// audit log, the outbox) and the readiness probe.
	DB    *store.DB
	Auth  *auth.Service
	Admin *useradmin.Service
	// Payslip is the ePayslip module (nil: its routes answer not found).
	Payslip *payslip.Service
	// Payment is eMaklum (status pembayaran).
	Payment *payment.Service
	// Statement is eEC, the yearly Borang EC (nil: its routes answer not found).
	Statement *statement.Service
	// Keys signs the one-time messages a page leaves for the page it
	// redirects to (prg.go), alike on every instance; nil: a key of this
	// process only.
	Keys *secret.Keyring
}

// Server serves the portal. Build it with NewServer; it is an http.Handler.
type Server struct {
	cfg    *config.Config
	db     *store.DB
	auth   *auth.Service
	admin  *useradmin.Service
	slips  *payslip.Service
	pay    *payment.Service
	ec     *statement.Service
	keys   *secret.Keyring
	log    *slog.Logger
	router *gin.Engine
	pages  pageSet
	now    func() time.Time

	metrics     *metrics
	crossOrigin *http.CrossOriginProtection
	table       []*route // every route and its rule, in the order registered
	wakeMail    func()   // nudges the mail workers after an action queued mail
}

// Option configures a Server beyond its required dependencies.
type Option func(*Server)

// WithMailWaker makes the server call wake after every action that queued
// mail, so that the workers in this process send it at once instead of at
// their next poll.
func WithMailWaker(wake func()) Option { return func(s *Server) { s.wakeMail = wake } }

// NewServer returns the portal's handler, wired to its dependencies.
func NewServer(cfg *config.Config, log *slog.Logger, svc Services, opts ...Option) (*Server, error) {
	s := &Server{cfg: cfg, db: svc.DB, auth: svc.Auth, admin: svc.Admin, slips: svc.Payslip, pay: svc.Payment, ec: svc.Statement,
		log: log, now: svc.DB.Now, crossOrigin: http.NewCrossOriginProtection(), wakeMail: func() {}}
	if s.keys = svc.Keys; s.keys == nil {
		s.keys = secret.Random()
	}
	for _, o := range opts {
		o(s)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.metrics = s.newMetrics()
	s.router = gin.New()
	s.router.RedirectTrailingSlash = true
	s.router.HandleMethodNotAllowed = true
	if err := s.router.SetTrustedProxies(cfg.Proxies()); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// ServeHTTP makes Server an http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// Run serves on ln until ctx ends, then stops taking new connections and lets
// the requests in flight finish (up to 30 seconds).
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
