package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/store"
)

// BenchmarkLogin compares logins per second through the real HTTP stack (gin,
// middleware, store, SQLite, argon2id at OWASP parameters) with raw argon2id
// verifications per second, both on every core. bench/login prints the ratio.
func BenchmarkLogin(b *testing.B) {
	hash, err := password.Hash(testPassword)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("argon2id", func(b *testing.B) {
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if ok, _, _ := password.Verify(testPassword, hash); !ok {
					b.Error("verify failed")
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verifies/s")
	})
	b.Run("http", func(b *testing.B) {
		e := newEnv(b, store.SQLite)
		u := e.user(siti, "Siti Binti Ahmad", "12010101", nil, nil, false)
		if _, err := e.db.IDB().ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE id = ?", hash, u.ID); err != nil {
			b.Fatal(err)
		}
		body := `{"login":"` + siti + `","password":"` + testPassword + `"}`
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := http.Post(e.ts.URL+"/api/v1/auth/token", "application/json", strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("login: %d", resp.StatusCode)
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "logins/s")
	})
}
