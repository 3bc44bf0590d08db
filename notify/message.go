// Package notify renders, queues and delivers the portal's mail. It knows
// no Borang and no pay slip: the package that sends a kind of mail
// registers it (Register) with its content type, and the kind's words are
// in the language catalogue.
//
// A notification waits in an Outbox (the database's outbox table) until a
// Worker claims it, renders it once (Renderer) into a Message, and a Sender
// delivers that Message: over SMTP with go-mail, or into .eml files under
// the data directory when no SMTP server is configured, so that nothing is
// silently dropped.
//
// Rules every Sender keeps:
//   - A Message is identified by its ID; sending the same Message again (a
//     retry after an unclear SMTP answer) produces the same bytes: the same
//     Message-ID, Date and MIME boundaries, so that a receiving server or
//     mail client can recognise the duplicate.
//   - Errors say whether a retry may help: IsPermanent is true only when
//     retrying the same message cannot succeed.
//   - Recipients' addresses are never logged in full, and no mail ever carries
//     a password or a full MyKad number.
package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/malaysia"
)

// Address is one mailbox: a display name (may be empty) and an email address.
type Address struct {
	Name  string
	Email string
}

// Message is one rendered notification, ready to send.
//
// ID must be stable for the notification (e.g. "n-42", from the outbox row):
// it becomes the left part of the Message-ID header and the name of the .eml
// file, so it may hold only letters, digits, '.', '_' and '-'. Created becomes
// the Date header; it must be set by whoever creates the notification (not at
// send time), so that every attempt carries the same date.
type Message struct {
	ID      string
	To      []Address
	Subject string
	Text    string // plain-text body, always present
	HTML    string // HTML alternative; may be empty
	Created time.Time
}

// MessageID returns the Message-ID header value of notification id sent from
// host: "<id@host>". The same id always gives the same Message-ID.
func MessageID(id, host string) string { return "<" + id + "@" + host + ">" }

// idPattern keeps IDs safe both as a file name and as the dot-atom left part
// of a Message-ID (RFC 5322 §3.6.4).
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// validate checks what must hold before anything is rendered or sent. Its
// errors are permanent: sending the same message again cannot fix them.
func (m Message) validate() error {
	var problems []string
	if !idPattern.MatchString(m.ID) {
		problems = append(problems, fmt.Sprintf("bad ID %q (want letters, digits, '.', '_' or '-')", m.ID))
	}
	if len(m.To) == 0 {
		problems = append(problems, "no recipients")
	}
	for _, a := range m.To {
		if err := checkEmail(a.Email); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if strings.TrimSpace(m.Subject) == "" {
		problems = append(problems, "empty subject")
	}
	if strings.TrimSpace(m.Text) == "" {
		problems = append(problems, "empty text body")
	}
	if m.Created.IsZero() {
		problems = append(problems, "no creation time")
	}
	if len(problems) > 0 {
		return permanent(fmt.Errorf("notify: message %q: %s", m.ID, strings.Join(problems, "; ")))
	}
	return nil
}

// checkEmail accepts a bare address ("a@b.c") only: names travel separately
// in Address.Name, so that a display name can never smuggle in another address.
func checkEmail(email string) error {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return fmt.Errorf("invalid email address %q", malaysia.MaskEmail(email))
	}
	return nil
}

// maskEmails masks every recipient's address for logs.
func maskEmails(to []Address) []string {
	out := make([]string, len(to))
	for i, a := range to {
		out[i] = malaysia.MaskEmail(a.Email)
	}
	return out
}

// permanentError marks an error that a retry cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return &permanentError{err: err} }

// IsPermanent reports whether err means the message can never be delivered
// as it is, so the queue should mark it failed instead of retrying:
//   - true for a 5xx answer of the SMTP server to this message (MAIL FROM,
//     RCPT TO, or the end of DATA), and for an invalid Message;
//   - false for nil, 4xx answers, timeouts, refused or dropped connections,
//     and problems while setting up the session (greeting, EHLO, STARTTLS,
//     AUTH): those concern the server or our configuration, not the message,
//     and a retry after the operator fixes them must still deliver it.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	var pe *permanentError
	if errors.As(err, &pe) {
		return true
	}
	return smtpCode(err)/100 == 5
}
