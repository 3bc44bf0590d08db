package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"time"
)

// Sender delivers one Message. Send may be called again with the same
// Message after an error; it then delivers the same bytes (see Render).
// Use IsPermanent on its error to decide between retrying and giving up.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Option adjusts NewSender; the options exist mainly for tests.
type Option func(*options)

type options struct {
	tlsConfig *tls.Config
	timeout   time.Duration
}

// WithTLSConfig sets the TLS configuration for STARTTLS and implicit TLS,
// e.g. RootCAs that trust a test server's self-signed certificate. Its
// ServerName defaults to the host of the SMTP URL.
func WithTLSConfig(c *tls.Config) Option { return func(o *options) { o.tlsConfig = c } }

// WithTimeout bounds connecting and each SMTP command (default 15 s).
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// NewSender returns the Sender that smtpURL (ISPEKS_SMTP_URL) asks for:
//
//   - "" → a FileSender writing <dataDir>/mail/<ID>.eml and logging a line
//     per message, for the embedded mode with no mail server;
//   - smtp://[user:pass@]host[:port] → SMTP with STARTTLS required (no
//     plaintext fallback), default port 587;
//   - smtps://[user:pass@]host[:port] → SMTP over implicit TLS, default 465;
//   - smtp+insecure://[user:pass@]host[:port] → SMTP without TLS, for a relay
//     on the local host or network only, default port 25.
//
// User and password are URL-decoded (write "@" as %40); when given, the
// strongest AUTH mechanism the server offers is used (PLAIN and LOGIN only
// under TLS). from is the From address, "Name <addr>" or "addr"; its domain
// names the host part of Message-IDs. log may be nil (slog.Default).
func NewSender(smtpURL, from, dataDir string, log *slog.Logger, opts ...Option) (Sender, error) {
	fromAddr, err := parseFrom(from)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	if smtpURL == "" {
		return newFileSender(dataDir, fromAddr, log), nil
	}
	cfg, err := parseSMTPURL(smtpURL)
	if err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return newSMTPSender(cfg, fromAddr, o)
}

// parseFrom accepts "Name <addr>" or a bare address.
func parseFrom(from string) (Address, error) {
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return Address{}, fmt.Errorf("mail From address %q is not valid: %w", from, err)
	}
	return Address{Name: a.Name, Email: a.Address}, nil
}

// security is how the connection to the SMTP server is protected.
type security int

const (
	startTLS    security = iota // smtp://: plain connect, then STARTTLS required
	implicitTLS                 // smtps://: TLS from the first byte
	noTLS                       // smtp+insecure://: never encrypted
)

// smtpConfig is a parsed ISPEKS_SMTP_URL.
type smtpConfig struct {
	scheme   string
	security security
	host     string
	port     int
	user     string
	password string
}

// schemes maps each accepted URL scheme to its security and default port.
var schemes = map[string]struct {
	security security
	port     int
}{
	"smtp":          {startTLS, 587},
	"smtps":         {implicitTLS, 465},
	"smtp+insecure": {noTLS, 25},
}

// parseSMTPURL checks an ISPEKS_SMTP_URL. Its errors name the setting and
// what is wrong, and never repeat the URL, which may hold a password.
func parseSMTPURL(raw string) (smtpConfig, error) {
	fail := func(format string, args ...any) (smtpConfig, error) {
		return smtpConfig{}, fmt.Errorf("ISPEKS_SMTP_URL: "+format, args...)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// *url.Error quotes the whole URL; keep only its reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fail("cannot parse: %v", err)
	}
	s, ok := schemes[u.Scheme]
	if !ok {
		return fail("unknown scheme %q (want smtp, smtps or smtp+insecure)", u.Scheme)
	}
	cfg := smtpConfig{scheme: u.Scheme, security: s.security, host: u.Hostname(), port: s.port}
	if cfg.host == "" {
		return fail("missing host (want %s://host[:port])", u.Scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fail("bad port %q (want 1-65535)", p)
		}
		cfg.port = n
	}
	// Nothing after the host has a meaning; refuse it rather than ignore it.
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return fail("unexpected path, query or fragment (want %s://[user:pass@]host[:port])", u.Scheme)
	}
	if u.User != nil {
		cfg.user = u.User.Username()
		cfg.password, _ = u.User.Password()
	}
	return cfg, nil
}

// String shows the configuration without the password.
func (c smtpConfig) String() string {
	u := url.URL{Scheme: c.scheme, Host: net.JoinHostPort(c.host, strconv.Itoa(c.port))}
	if c.user != "" {
		u.User = url.User(c.user)
	}
	return u.String()
}
