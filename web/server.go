// Package web is the portal's HTTP face: the gin router (every route listed
// in routes.go with its access rule), middleware, page handlers and the JSON
// API. Handlers are thin: bind the input, call the store or the domain, render.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/store"
)

// Server serves the portal. Build it with NewServer; it is an http.Handler.
type Server struct {
	cfg    *config.Config
	db     *store.DB
	log    *slog.Logger
	router *gin.Engine
	pages  pageSet
	now    func() time.Time

	auth        store.AuthSettings
	crossOrigin *http.CrossOriginProtection
	table       []route // every route and its rule, in the order registered
	wakeMail    func()  // nudges the mail workers after an action queued mail
}

// Option configures a Server beyond its required dependencies.
type Option func(*Server)

// WithMailWaker makes the server call wake after every action that queued
// mail, so that the workers in this process send it at once instead of at
// their next poll.
func WithMailWaker(wake func()) Option { return func(s *Server) { s.wakeMail = wake } }

// AuthSettings turns the settings into the login rules the store applies.
func AuthSettings(cfg *config.Config) store.AuthSettings {
	as := store.DefaultAuthSettings()
	as.LockAfter = cfg.LockAfter
	as.LockFor = cfg.LockFor
	as.SessionIdle = cfg.SessionIdle
	as.SessionMax = cfg.SessionMax
	as.LinkTTL = cfg.LinkTTL
	as.Policy.RequireComposition = cfg.Composition
	return as
}

// NewServer returns the portal's handler, wired to its dependencies.
func NewServer(cfg *config.Config, db *store.DB, log *slog.Logger, opts ...Option) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	s := &Server{cfg: cfg, db: db, log: log, now: db.Now, auth: AuthSettings(cfg), crossOrigin: http.NewCrossOriginProtection(),
		wakeMail: func() {}}
	for _, o := range opts {
		o(s)
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
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
