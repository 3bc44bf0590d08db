package web_test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// proxy forwards TCP connections to target until stop, which closes the
// listener and every connection: a database server that went away.
type proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.stop)
	return p
}

func (p *proxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
}

// TestDatabaseDownAnswers503: with the database gone (SQLite's pool closed,
// PostgreSQL's server unreachable), pages answer 503 with the error page in
// the user's language and the API its error shape, both with Retry-After —
// not 500.
func TestDatabaseDownAnswers503(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			var e *env
			var down func()
			if d == store.SQLite {
				e = newEnv(t, d)
				down = func() { e.db.Close() }
			} else {
				dsn := storetest.DSN(t, d)
				u, _ := url.Parse(dsn)
				p := startProxy(t, u.Host)
				u.Host = p.ln.Addr().String()
				db, err := store.Open(ctx, u.String(), t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				e = newEnvOn(t, db)
				down = p.stop
			}
			e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RolePTJRep}, nil, false)
			b := e.browser()
			b.login(siti, testPassword)
			en := e.browser()
			en.get("/lang/en")
			en.login(siti, testPassword)
			tok := e.token(siti)
			down()

			for _, tc := range []struct {
				b    *browser
				path string
				word string
			}{{b, "/requests", "pangkalan data"}, {en, "/requests", "database"}, {b, "/", "pangkalan data"}} {
				r := tc.b.get(tc.path)
				if r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, tc.word) {
					t.Errorf("page %s: %d Retry-After=%q", tc.path, r.Status, r.Header.Get("Retry-After"))
				}
			}
			if r := e.browser().login(siti, testPassword); r.Status != http.StatusServiceUnavailable {
				t.Errorf("login: %d", r.Status)
			}
			for _, p := range []string{"/api/v1/requests", "/api/v1/me"} {
				status, out := e.api("GET", p, tok, nil)
				if status != http.StatusServiceUnavailable || errorCode(out) != "unavailable" {
					t.Errorf("API %s: %d %v", p, status, out)
				}
			}
			status, h, _ := e.raw("GET", "/readyz", "", nil)
			if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
				t.Errorf("/readyz: %d", status)
			}
		})
	}
}
