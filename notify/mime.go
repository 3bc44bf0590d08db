package notify

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	netmail "net/mail"
	"strings"

	"github.com/wneessen/go-mail"

	"github.com/perbendaharaan/ispeks/malaysia"
)

// Render returns the RFC 5322 message (CRLF line ends) that sending m from
// from produces: the FileSender writes exactly these bytes and SMTPSender
// sends exactly these bytes, so an .eml file shows what SMTP would deliver.
// The same Message always renders to the same bytes.
func Render(from Address, m Message) ([]byte, error) {
	msg, err := buildMsg(from, m)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("notify: render message %q: %w", m.ID, err)
	}
	return buf.Bytes(), nil
}

// buildMsg builds the go-mail message for m. Everything go-mail would
// otherwise make up per call (Message-ID, Date, MIME boundary) is derived
// from m, so that a retry sends the same message, not a new one.
func buildMsg(from Address, m Message) (*mail.Msg, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	msg := mail.NewMsg(
		mail.WithBoundary(boundary(m.ID)),
		// No "User-Agent: go-mail vX": it says nothing useful to recipients.
		mail.WithNoDefaultUserAgent(),
	)
	msg.FromMailAddress(&netmail.Address{Name: from.Name, Address: from.Email})
	for _, a := range m.To {
		msg.AddToMailAddress(&netmail.Address{Name: a.Name, Address: a.Email})
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@" + domainOf(from.Email))
	msg.SetDateWithValue(m.Created.In(malaysia.KL))
	// RFC 3834: tells auto-responders (out-of-office, vacation) not to reply;
	// Exchange, common in government offices, reads the second header.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetGenHeader(mail.HeaderXAutoResponseSuppress, "All")
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// boundary derives the multipart boundary from the message ID. A hash cannot
// occur in quoted-printable body text by accident, so it is as safe as a
// random boundary, and it is the same on every attempt.
func boundary(id string) string {
	sum := sha256.Sum256([]byte("ispeks-mail-boundary:" + id))
	return "ispeks-" + hex.EncodeToString(sum[:16])
}

// domainOf returns the domain of an address, which names the host in
// Message-IDs (a sender owns its domain, so the IDs are globally unique).
func domainOf(email string) string {
	return email[strings.LastIndexByte(email, '@')+1:]
}
