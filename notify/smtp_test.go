package notify

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// testServer is a real SMTP server (go-smtp) on 127.0.0.1 with an in-memory
// backend that records every delivered message and can be told to fail.
type testServer struct {
	port int

	mu       sync.Mutex
	received []received
	mails    int // MAIL FROM commands seen, delivered or not

	// Behaviour, set before use.
	user, password string     // when set, MAIL requires AUTH PLAIN with these
	rcptErr        error      // answer to RCPT TO
	dataErr        error      // answer at the end of DATA
	dropInData     bool       // close the connection in the middle of DATA
	conns          []net.Conn // for dropInData
}

type received struct {
	From string
	To   []string
	Data []byte
}

type serverMode int

const (
	plainServer    serverMode = iota // no TLS at all
	startTLSServer                   // offers STARTTLS
	implicitServer                   // TLS from the first byte (smtps)
)

// startServer starts a server in mode; cert is needed for the TLS modes.
func startServer(t *testing.T, mode serverMode, cert *tls.Certificate, setup func(*testServer)) *testServer {
	t.Helper()
	ts := &testServer{}
	if setup != nil {
		setup(ts)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{ts: ts, conn: c}, nil
	}))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case startTLSServer:
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*cert}}
	case implicitServer:
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	ts.port = l.Addr().(*net.TCPAddr).Port
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ts
}

func (ts *testServer) url(scheme string) string {
	return scheme + "://127.0.0.1:" + strconv.Itoa(ts.port)
}

func (ts *testServer) got() ([]received, int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.received...), ts.mails
}

type session struct {
	ts     *testServer
	conn   *smtp.Conn
	authed bool
	cur    received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.ts.user || password != s.ts.password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.ts.mu.Lock()
	s.ts.mails++
	s.ts.mu.Unlock()
	if s.ts.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.cur = received{From: from}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.ts.rcptErr != nil {
		return s.ts.rcptErr
	}
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	if s.ts.dropInData {
		io.ReadFull(r, make([]byte, 100))
		s.conn.Conn().Close()
		return errors.New("dropped")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.ts.dataErr != nil {
		return s.ts.dataErr
	}
	s.cur.Data = b
	s.ts.mu.Lock()
	s.ts.received = append(s.ts.received, s.cur)
	s.ts.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

// selfSigned returns a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "notify test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

const testFrom = "iSPEKS Perbendaharaan <noreply@ispeks.example.gov.my>"

func testMessage(id string) Message {
	return Message{
		ID:      id,
		To:      []Address{{Name: "Pegawai Pengawal", Email: "pp@jabatan.example.gov.my"}, {Email: "timbalan@jabatan.example.gov.my"}},
		Subject: "iSPEKS: Permohonan BPP/2026/000123 menunggu kelulusan tuan/puan",
		Text:    "Tuan/Puan,\n\nSila semak: https://ispeks.example.gov.my/permohonan/123\n",
		HTML:    `<p>Tuan/Puan,</p><p><a href="https://ispeks.example.gov.my/permohonan/123">semak</a></p>`,
		Created: time.Date(2026, 1, 2, 7, 4, 5, 0, time.UTC),
	}
}

func newTestSender(t *testing.T, url string, opts ...Option) Sender {
	t.Helper()
	opts = append([]Option{WithTimeout(5 * time.Second)}, opts...)
	s, err := NewSender(url, testFrom, t.TempDir(), nil, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func send(s Sender, m Message) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Send(ctx, m)
}

// The message arrives as rendered: envelope, headers, both parts; and a
// second send of the same notification carries the very same bytes.
func TestSMTPDeliversStableMessage(t *testing.T) {
	ts := startServer(t, plainServer, nil, nil)
	s := newTestSender(t, ts.url("smtp+insecure"))
	m := testMessage("n-42")
	for range 2 {
		if err := send(s, m); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := ts.got()
	if len(got) != 2 {
		t.Fatalf("received %d messages, want 2", len(got))
	}
	r := got[0]
	if r.From != "noreply@ispeks.example.gov.my" {
		t.Errorf("MAIL FROM %q", r.From)
	}
	if strings.Join(r.To, ",") != "pp@jabatan.example.gov.my,timbalan@jabatan.example.gov.my" {
		t.Errorf("RCPT TO %v", r.To)
	}
	if !bytes.Equal(got[0].Data, got[1].Data) {
		t.Errorf("retry sent different bytes:\n%s\n----\n%s", got[0].Data, got[1].Data)
	}
	want, err := Render(Address{Name: "iSPEKS Perbendaharaan", Email: "noreply@ispeks.example.gov.my"}, m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Data, want) {
		t.Errorf("sent bytes differ from Render:\n%s\n----\n%s", r.Data, want)
	}

	h, parts := parseMail(t, r.Data)
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	checks := map[string][2]string{
		"Subject":        {subject, m.Subject},
		"Message-ID":     {h.Get("Message-ID"), MessageID("n-42", "ispeks.example.gov.my")},
		"Message-ID fmt": {h.Get("Message-ID"), "<n-42@ispeks.example.gov.my>"},
		"Date":           {h.Get("Date"), "Fri, 02 Jan 2026 15:04:05 +0800"},
		"Auto-Submitted": {h.Get("Auto-Submitted"), "auto-generated"},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", name, c[0], c[1])
		}
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "Pegawai Pengawal" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if parts["text/plain"] != m.Text || parts["text/html"] != m.HTML {
		t.Errorf("parts = %q", parts)
	}
}

func TestSMTPErrorClassification(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(*testServer)
		permanent bool
	}{
		{"451 at RCPT", func(ts *testServer) {
			ts.rcptErr = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
		}, false},
		{"550 at RCPT", func(ts *testServer) {
			ts.rcptErr = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
		}, true},
		{"451 at end of DATA", func(ts *testServer) {
			ts.dataErr = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "queue full"}
		}, false},
		{"554 at end of DATA", func(ts *testServer) {
			ts.dataErr = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "content rejected"}
		}, true},
		{"connection dropped in DATA", func(ts *testServer) { ts.dropInData = true }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := startServer(t, plainServer, nil, c.setup)
			err := send(newTestSender(t, ts.url("smtp+insecure")), testMessage("n-1"))
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "pp@") {
				t.Errorf("error shows a full address: %v", err)
			}
			if IsPermanent(err) != c.permanent {
				t.Errorf("IsPermanent = %v, want %v (err: %v)", !c.permanent, c.permanent, err)
			}
			if got, _ := ts.got(); len(got) != 0 {
				t.Errorf("server stored %d messages", len(got))
			}
		})
	}
}

func TestSMTPConnectionFailuresAreTemporary(t *testing.T) {
	// Refused: a port nobody listens on any more.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := fmt.Sprintf("smtp+insecure://127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
	l.Close()
	if err := send(newTestSender(t, refused), testMessage("n-1")); err == nil || IsPermanent(err) {
		t.Errorf("refused: err %v, IsPermanent %v", err, IsPermanent(err))
	}

	// Timeout: a server that accepts but never greets.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s := newTestSender(t, fmt.Sprintf("smtp+insecure://%s", silent.Addr()), WithTimeout(300*time.Millisecond))
	start := time.Now()
	if err := send(s, testMessage("n-1")); err == nil || IsPermanent(err) {
		t.Errorf("silent server: err %v, IsPermanent %v", err, IsPermanent(err))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("timeout took %v", d)
	}
}

// smtp:// never falls back to plaintext when the server offers no STARTTLS.
func TestSMTPRequiresSTARTTLS(t *testing.T) {
	ts := startServer(t, plainServer, nil, nil)
	err := send(newTestSender(t, ts.url("smtp")), testMessage("n-1"))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a STARTTLS error", err)
	}
	if IsPermanent(err) {
		t.Error("a server set-up problem must stay retryable")
	}
	if _, mails := ts.got(); mails != 0 {
		t.Errorf("%d MAIL commands sent in plaintext", mails)
	}
}

// STARTTLS with a self-signed certificate and AUTH with a URL-encoded password.
func TestSMTPSTARTTLSWithAuth(t *testing.T) {
	cert, pool := selfSigned(t)
	ts := startServer(t, startTLSServer, cert, func(ts *testServer) { ts.user, ts.password = "mailer", "p@ss:w/rd" })
	url := fmt.Sprintf("smtp://mailer:p%%40ss%%3Aw%%2Frd@127.0.0.1:%d", ts.port)
	if err := send(newTestSender(t, url, WithTLSConfig(&tls.Config{RootCAs: pool})), testMessage("n-7")); err != nil {
		t.Fatal(err)
	}
	if got, _ := ts.got(); len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}

	wrong := fmt.Sprintf("smtp://mailer:nope@127.0.0.1:%d", ts.port)
	err := send(newTestSender(t, wrong, WithTLSConfig(&tls.Config{RootCAs: pool})), testMessage("n-8"))
	if err == nil || IsPermanent(err) {
		t.Errorf("bad password: err %v, IsPermanent %v (config problems stay retryable)", err, IsPermanent(err))
	}
}

func TestSMTPSImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	ts := startServer(t, implicitServer, cert, nil)
	if err := send(newTestSender(t, ts.url("smtps"), WithTLSConfig(&tls.Config{RootCAs: pool})), testMessage("n-9")); err != nil {
		t.Fatal(err)
	}
	if got, _ := ts.got(); len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	// Without trusting the certificate the handshake must fail.
	if err := send(newTestSender(t, ts.url("smtps")), testMessage("n-10")); err == nil {
		t.Error("untrusted certificate accepted")
	}
	if got, _ := ts.got(); len(got) != 1 {
		t.Errorf("received %d after the untrusted attempt", len(got))
	}
}

func TestSendRejectsInvalidMessagePermanently(t *testing.T) {
	ts := startServer(t, plainServer, nil, nil)
	s := newTestSender(t, ts.url("smtp+insecure"))
	bad := []func(*Message){
		func(m *Message) { m.ID = "../etc/passwd" },
		func(m *Message) { m.ID = "" },
		func(m *Message) { m.To = nil },
		func(m *Message) { m.To = []Address{{Email: "Evil <a@b.c>, x@y.z"}} },
		func(m *Message) { m.Subject = " " },
		func(m *Message) { m.Text = "" },
		func(m *Message) { m.Created = time.Time{} },
	}
	for i, f := range bad {
		m := testMessage("n-1")
		f(&m)
		err := send(s, m)
		if err == nil || !IsPermanent(err) {
			t.Errorf("case %d: err %v, IsPermanent %v", i, err, IsPermanent(err))
		}
	}
	if _, mails := ts.got(); mails != 0 {
		t.Errorf("invalid messages reached the server (%d MAIL)", mails)
	}
}

func TestIsPermanentNil(t *testing.T) {
	if IsPermanent(nil) || IsPermanent(context.DeadlineExceeded) || IsPermanent(errors.New("550 looks like a code")) {
		t.Error("only SMTP answers about a message and invalid messages are permanent")
	}
}
