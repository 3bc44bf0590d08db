package web

import (
	"bytes"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// TestUploadRoutes: a route marked upload takes a file up to the upload
// limit (and its importer reads the file as sent, NUL bytes and all),
// refuses one over it with 413, and still checks the form's text fields;
// an unmarked route keeps the default limit.
func TestUploadRoutes(t *testing.T) {
	s := bareServer(t, func(cfg *config.Config) {
		cfg.UploadLimit = 256 << 10 // small, for the test (Check wants 1 MiB or more)
	})
	imported := func(c *gin.Context) {
		fh, err := c.FormFile("file")
		if err != nil {
			s.fail(c, err)
			return
		}
		f, _ := fh.Open()
		defer f.Close()
		b, _ := io.ReadAll(f)
		c.String(http.StatusOK, "%s %d", c.PostForm("month"), bytes.Count(b, []byte{0}))
	}
	s.handle(&s.router.RouterGroup, "POST", "/test/import", Public, imported).upload()
	s.handle(&s.router.RouterGroup, "POST", "/test/form", Public, imported)
	send := func(path, month string, size int) (int, string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("month", month)
		fw, _ := w.CreateFormFile("file", "gaji.csv")
		_, _ = fw.Write(bytes.Repeat([]byte("a,b\x00\n"), size/5))
		_ = w.Close()
		req := httptest.NewRequest("POST", path, &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, out := send("/test/import", "2026-11", 200<<10); code != http.StatusOK || out != "2026-11 40960" {
		t.Errorf("200 KiB import: %d %q", code, out)
	}
	if code, out := send("/test/import", "2026-11", 300<<10); code != http.StatusRequestEntityTooLarge || !strings.Contains(out, "256 KiB") {
		t.Errorf("300 KiB import: %d", code)
	}
	if code, out := send("/test/import", "2026\x0011", 1<<10); code != http.StatusUnprocessableEntity || !strings.Contains(out, "month") {
		t.Errorf("NUL in a text field of an import: %d", code)
	}
	if code, _ := send("/test/form", "2026-11", 100<<10); code != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KiB to a route not marked upload: %d", code)
	}
}

// TestAbsentModule: a route of a module whose service the server was not
// given answers 404 after its rule (an anonymous visitor still goes to the
// login page, the public status check is simply not there), and nothing
// links to it.
func TestAbsentModule(t *testing.T) {
	s := bareServer(t, func(*config.Config) {})
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/epayslip", http.StatusSeeOther}, // the rule first: log in
		{"GET", "/emaklum/semak", http.StatusNotFound},
		{"GET", "/api/v1/statements", http.StatusUnauthorized},
	} {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
		if w.Code != tc.want {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, w.Code, tc.want)
		}
	}
	for _, rt := range s.Routes() {
		if strings.HasPrefix(rt.Path, "/epayslip") || strings.HasPrefix(rt.Path, "/eec") || strings.HasPrefix(rt.Path, "/emaklum") {
			if !rt.absent {
				t.Errorf("%s %s: not marked absent", rt.Method, rt.Path)
			}
		}
	}
}

// bareServer is a server on SQLite with logins only (no module, no
// Borang service), its settings checked and then changed by set.
func bareServer(t *testing.T, set func(*config.Config)) *Server {
	t.Helper()
	gin.SetMode(gin.TestMode)
	db := storetest.Open(t, store.SQLite)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	if err := cfg.Check(); err != nil {
		t.Fatal(err)
	}
	set(&cfg)
	s, err := NewServer(&cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), Services{DB: db, Auth: auth.New(db, auth.SettingsOf(&cfg), secret.Random())})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
