package notify

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/wneessen/go-mail"
	gomailsmtp "github.com/wneessen/go-mail/smtp"
)

// SMTPSender sends each Message over its own SMTP connection with go-mail.
// It is safe for concurrent use. The Worker instead sends a backlog over a
// few long-lived connections (see smtpSession).
type SMTPSender struct {
	cfg    smtpConfig
	from   Address
	client *mail.Client
}

// newSMTPSender configures the go-mail client once, so that a bad setting
// fails at start-up rather than at the first notification.
func newSMTPSender(cfg smtpConfig, from Address, o options) (*SMTPSender, error) {
	// The port is always set explicitly: go-mail's WithTLSPortPolicy and
	// WithSSLPort would otherwise pick ports and may fall back to port 25
	// without encryption, which smtp:// and smtps:// must never do.
	opts := []mail.Option{mail.WithPort(cfg.port)}
	switch cfg.security {
	case startTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case implicitTLS:
		opts = append(opts, mail.WithSSL())
	case noTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if o.tlsConfig != nil {
		tc := o.tlsConfig.Clone()
		if tc.ServerName == "" {
			tc.ServerName = cfg.host // STARTTLS verifies the certificate against it
		}
		opts = append(opts, mail.WithTLSConfig(tc))
	}
	if o.timeout > 0 {
		opts = append(opts, mail.WithTimeout(o.timeout))
	}
	if cfg.user != "" {
		// Auto-discovery picks the strongest mechanism the server offers and
		// refuses PLAIN and LOGIN on an unencrypted connection.
		opts = append(opts,
			mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(cfg.user),
			mail.WithPassword(cfg.password))
	}
	client, err := mail.NewClient(cfg.host, opts...)
	if err != nil {
		return nil, fmt.Errorf("ISPEKS_SMTP_URL: %w", err)
	}
	return &SMTPSender{cfg: cfg, from: from, client: client}, nil
}

// Send renders m (see Render) and delivers it over a new connection. The
// error wraps go-mail's, with recipients' addresses masked in its text;
// IsPermanent tells a rejected message from a failure worth retrying.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := buildMsg(s.from, m)
	if err != nil {
		return err
	}
	return s.sendError(m, s.client.DialAndSendWithContext(ctx, msg))
}

// sendError wraps a go-mail error about m for the caller, or returns nil.
func (s *SMTPSender) sendError(m Message, err error) error {
	if err == nil {
		return nil
	}
	return &maskedError{
		msg: fmt.Sprintf("notify: send %q via %s: %s", m.ID, s.cfg, maskAddresses(err.Error())),
		err: err,
	}
}

// sessionSender is a Sender that can keep one connection open for many
// messages. The Worker opens a session per sending goroutine, so that a
// backlog costs one connection set-up (TCP, EHLO, STARTTLS, AUTH) per
// goroutine instead of one per message.
type sessionSender interface {
	Sender
	session() senderSession
}

// senderSession sends messages one after another over a connection it opens
// at the first Send and keeps until Close. It is not safe for concurrent use.
type senderSession interface {
	Sender
	Close() error
}

func (s *SMTPSender) session() senderSession { return &smtpSession{s: s} }

// smtpSession reuses one SMTP connection. The go-mail Client of the
// SMTPSender holds only configuration here; each session dials its own
// connection (*smtp.Client), so sessions never share protocol state.
//
// After any error the connection is dropped and the next message dials a
// new one: an error may leave the SMTP dialogue in an unknown state (half a
// DATA, a failed RSET), and a fresh connection is cheap next to sending a
// message twice or into a confused session.
type smtpSession struct {
	s    *SMTPSender
	conn *gomailsmtp.Client
}

// Send delivers m like SMTPSender.Send, with the same errors, but over the
// session's connection. As with SMTPSender.Send, ctx bounds dialling only;
// every SMTP command is bounded by the sender's timeout.
func (ss *smtpSession) Send(ctx context.Context, m Message) error {
	msg, err := buildMsg(ss.s.from, m)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return ss.s.sendError(m, ss.send(ctx, msg))
}

func (ss *smtpSession) send(ctx context.Context, msg *mail.Msg) error {
	reused := ss.conn != nil
	if !reused {
		conn, err := ss.s.client.DialToSMTPClientWithContext(ctx)
		if err != nil {
			return fmt.Errorf("dial failed: %w", err)
		}
		ss.conn = conn
	}
	err := ss.s.client.SendWithSMTPClient(ss.conn, msg)
	if err == nil {
		return nil
	}
	ss.drop()
	if msg.IsDelivered() {
		// The server accepted the message (250 after DATA) and only the RSET
		// that go-mail sends afterwards failed: reporting an error would make
		// the queue send the message again.
		return nil
	}
	var se *mail.SendError
	if reused && errors.As(err, &se) && se.Reason == mail.ErrConnCheck {
		// go-mail checks the connection (NOOP) before MAIL FROM, so nothing
		// of this message reached the server: the server has closed the
		// connection while it was idle, and a new one may send it at once.
		return ss.send(ctx, msg)
	}
	return fmt.Errorf("send failed: %w", err)
}

// drop closes the connection without a QUIT: after an error the server may
// not answer one, and waiting for its timeout would only delay the next message.
func (ss *smtpSession) drop() {
	if ss.conn != nil {
		ss.conn.Close()
		ss.conn = nil
	}
}

// Close ends the session with a QUIT, so that the server sees a clean end;
// it is a no-op when no connection is open.
func (ss *smtpSession) Close() error {
	if ss.conn == nil {
		return nil
	}
	err := ss.s.client.CloseWithSMTPClient(ss.conn)
	ss.drop() // Quit leaves the connection open when the server did not answer
	return err
}

// maskedError shows a message with recipients' addresses masked (go-mail
// lists them in its errors, and the queue logs and stores errors) while
// keeping the original error for errors.As, which IsPermanent needs.
type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

var mailbox = regexp.MustCompile(`[^\s<>@,;:"'()\[\]]+@`)

// maskAddresses replaces the mailbox part of every address in s with "***".
func maskAddresses(s string) string { return mailbox.ReplaceAllString(s, "***@") }

// String describes where mail goes, without the password, for start-up logs.
func (s *SMTPSender) String() string { return "SMTP " + s.cfg.String() }

// smtpCode returns the SMTP reply code of a failure to send a message (e.g.
// 451, 550), or 0 when the server gave no answer about the message (refused
// or dropped connection, timeout, session set-up). go-mail reports
// per-message failures as *mail.SendError; a failure while dialling, saying
// EHLO, STARTTLS or AUTH is a plain error and deliberately yields 0.
func smtpCode(err error) int {
	var se *mail.SendError
	if errors.As(err, &se) {
		return se.ErrorCode()
	}
	return 0
}
