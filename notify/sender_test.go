package notify

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	good := []struct {
		url      string
		security security
		host     string
		port     int
		user     string
		password string
		shown    string
	}{
		{"smtp://mail.example.gov.my", startTLS, "mail.example.gov.my", 587, "", "", "smtp://mail.example.gov.my:587"},
		{"smtps://u:p@mail.example.gov.my", implicitTLS, "mail.example.gov.my", 465, "u", "p", "smtps://u@mail.example.gov.my:465"},
		{"smtp+insecure://localhost", noTLS, "localhost", 25, "", "", "smtp+insecure://localhost:25"},
		{"smtp://user%40dept:p%40ss%2F1@relay:2525/", startTLS, "relay", 2525, "user@dept", "p@ss/1", "smtp://user%40dept@relay:2525"},
		{"smtps://[::1]:4650", implicitTLS, "::1", 4650, "", "", "smtps://[::1]:4650"},
	}
	for _, c := range good {
		cfg, err := parseSMTPURL(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if cfg.security != c.security || cfg.host != c.host || cfg.port != c.port || cfg.user != c.user || cfg.password != c.password {
			t.Errorf("%s: got %+v", c.url, cfg)
		}
		if s := cfg.String(); s != c.shown {
			t.Errorf("%s: String() = %q, want %q", c.url, s, c.shown)
		}
	}

	bad := map[string]string{
		"http://mail.example.gov.my":      `ISPEKS_SMTP_URL: unknown scheme "http" (want smtp, smtps or smtp+insecure)`,
		"mail.example.gov.my:587":         `ISPEKS_SMTP_URL: unknown scheme "mail.example.gov.my" (want smtp, smtps or smtp+insecure)`,
		"smtp://":                         `ISPEKS_SMTP_URL: missing host (want smtp://host[:port])`,
		"smtp://u:secret@:25":             `ISPEKS_SMTP_URL: missing host (want smtp://host[:port])`,
		"smtp://mail:99999":               `ISPEKS_SMTP_URL: bad port "99999" (want 1-65535)`,
		"smtp://mail:0":                   `ISPEKS_SMTP_URL: bad port "0" (want 1-65535)`,
		"smtp://u:secret@mail:abc":        `ISPEKS_SMTP_URL: cannot parse: invalid port ":abc" after host`,
		"smtp://mail/path":                `ISPEKS_SMTP_URL: unexpected path, query or fragment (want smtp://[user:pass@]host[:port])`,
		"smtps://mail?auth=plain":         `ISPEKS_SMTP_URL: unexpected path, query or fragment (want smtps://[user:pass@]host[:port])`,
		"smtp://u:secret%zz@mail.example": `ISPEKS_SMTP_URL: cannot parse: invalid URL escape "%zz"`,
	}
	for url, want := range bad {
		_, err := NewSender(url, testFrom, t.TempDir(), nil)
		if err == nil {
			t.Errorf("%s: no error", url)
			continue
		}
		if err.Error() != want {
			t.Errorf("%s:\n got %q\nwant %q", url, err, want)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error shows the password: %v", url, err)
		}
	}
}

func TestNewSenderChecksFrom(t *testing.T) {
	for _, from := range []string{"", "not an address", "a@b.c, d@e.f"} {
		if _, err := NewSender("", from, t.TempDir(), nil); err == nil || !strings.Contains(err.Error(), "From address") {
			t.Errorf("from %q: err %v", from, err)
		}
	}
	s, err := NewSender("smtp://mail.example.gov.my", "noreply@example.gov.my", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(*SMTPSender).String(); got != "SMTP smtp://mail.example.gov.my:587" {
		t.Errorf("String() = %q", got)
	}
}

// Without SMTP, each notification becomes one .eml file with exactly the
// bytes SMTP would carry; a retry overwrites it; the log masks recipients.
func TestFileSender(t *testing.T) {
	dir := t.TempDir()
	var logBuf bytes.Buffer
	s, err := NewSender("", testFrom, dir, slog.New(slog.NewTextHandler(&logBuf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	fs, ok := s.(*FileSender)
	if !ok {
		t.Fatalf("got %T, want *FileSender", s)
	}
	m := testMessage("n-42")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	m.Subject = "iSPEKS: second attempt"
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "mail"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "n-42.eml" {
		t.Fatalf("files: %v (want only n-42.eml)", entries)
	}
	got, err := os.ReadFile(filepath.Join(dir, "mail", "n-42.eml"))
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Render(fs.from, m)
	if !bytes.Equal(got, want) {
		t.Errorf("file differs from Render:\n%s", got)
	}
	log := logBuf.String()
	if strings.Count(log, "\n") != 2 || !strings.Contains(log, "***@jabatan.example.gov.my") ||
		!strings.Contains(log, "n-42.eml") || !strings.Contains(log, "second attempt") {
		t.Errorf("log:\n%s", log)
	}
	if strings.Contains(log, "pp@") || strings.Contains(log, "timbalan@") {
		t.Errorf("log shows a full address:\n%s", log)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Send(ctx, testMessage("n-43")); err == nil || IsPermanent(err) {
		t.Errorf("cancelled: err %v", err)
	}
	if err := s.Send(context.Background(), Message{ID: "../x"}); err == nil || !IsPermanent(err) {
		t.Errorf("invalid message: err %v", err)
	}
}
