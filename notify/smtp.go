package notify

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/wneessen/go-mail"
)

// SMTPSender sends each Message over its own SMTP connection with go-mail.
// It is safe for concurrent use.
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
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return &maskedError{
			msg: fmt.Sprintf("notify: send %q via %s: %s", m.ID, s.cfg, maskAddresses(err.Error())),
			err: err,
		}
	}
	return nil
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
