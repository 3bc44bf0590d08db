package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/perbendaharaan/ispeks/templates"
)

// Kind is the kind of a notification; each has one template file,
// templates/mail/<kind>.tmpl, holding both languages.
type Kind string

const (
	KindRequestSubmitted         Kind = "request_submitted"          // to controlling officers: awaits your approval
	KindRequestAwaitingTreasury  Kind = "request_awaiting_treasury"  // to treasury approvers
	KindRequestAwaitingProvision Kind = "request_awaiting_provision" // to system administrators
	KindRequestReturned          Kind = "request_returned"           // to the submitter, with remarks
	KindRequestRejected          Kind = "request_rejected"           // to the submitter, with remarks
	KindRequestProvisioned       Kind = "request_provisioned"        // to the submitter: done
	KindRequestWithdrawn         Kind = "request_withdrawn"          // to the officers who were told it awaited them
	KindWelcomeSetPassword       Kind = "welcome_set_password"       // to the new user: one-time set-password link
	KindAccessChanged            Kind = "access_changed"             // to the user whose access changed
	KindProfileDeactivated       Kind = "profile_deactivated"        // to the deactivated user
	KindPasswordResetLink        Kind = "password_reset_link"        // to the user: one-time set-password link
	KindReminder                 Kind = "reminder"                   // to approvers: requests waiting too long
)

// Kinds lists every notification kind.
var Kinds = []Kind{
	KindRequestSubmitted, KindRequestAwaitingTreasury, KindRequestAwaitingProvision,
	KindRequestReturned, KindRequestRejected, KindRequestProvisioned, KindRequestWithdrawn,
	KindWelcomeSetPassword, KindAccessChanged, KindProfileDeactivated,
	KindPasswordResetLink, KindReminder,
}

// Data is what a mail template may show. It deliberately has no field for a
// password or a MyKad number, and Render masks anything in it that looks
// like a MyKad number (see maskMyKad), so no mail can carry one.
type Data struct {
	Lang          string    // "ms" (default) or "en"
	RecipientName string    // for the greeting; may be empty
	Reference     string    // request reference, e.g. BPP/2026/000123
	KindLabel     string    // request kind in the mail's language, e.g. "Pendaftaran Baharu"
	PTJ           string    // PTJ code and name
	Remarks       string    // the approver's remarks (returned, rejected)
	Link          string    // full URL, built from the portal's base URL
	ExpiresAt     time.Time // when a one-time link expires
	Count         int       // reminder: number of requests waiting
	Days          int       // reminder: working days waited
}

// Expires is ExpiresAt as shown to people: in Asia/Kuala_Lumpur, e.g.
// "2 Januari 2026, 3:04 PTG" or "2 January 2026, 3:04 PM"; "" when unset.
func (d Data) Expires() string {
	if d.ExpiresAt.IsZero() {
		return ""
	}
	t := d.ExpiresAt.In(malaysia)
	hour := t.Hour() % 12
	if hour == 0 {
		hour = 12
	}
	month, am, pm := monthsEN[t.Month()-1], "AM", "PM"
	if d.Lang != "en" {
		month, am, pm = monthsMS[t.Month()-1], "PG", "PTG"
	}
	half := am
	if t.Hour() >= 12 {
		half = pm
	}
	return fmt.Sprintf("%d %s %d, %d:%02d %s", t.Day(), month, t.Year(), hour, t.Minute(), half)
}

var (
	monthsMS = [12]string{"Januari", "Februari", "Mac", "April", "Mei", "Jun", "Julai", "Ogos", "September", "Oktober", "November", "Disember"}
	monthsEN = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// myKad matches a MyKad number with or without dashes or spaces (and the
// first 12 digits of any longer run of digits).
var myKad = regexp.MustCompile(`\d{6}[- ]?\d{2}[- ]?\d{4}`)

// maskMyKad keeps only the last four digits of anything that looks like a
// MyKad number: enough for a person to recognise, useless to anyone else.
func maskMyKad(s string) string {
	return myKad.ReplaceAllStringFunc(s, func(m string) string {
		return "******-**-" + m[len(m)-4:]
	})
}

// masked returns d with every text field passed through maskMyKad.
func (d Data) masked() Data {
	for _, f := range []*string{&d.RecipientName, &d.Reference, &d.KindLabel, &d.PTJ, &d.Remarks, &d.Link} {
		*f = maskMyKad(*f)
	}
	return d
}

// Renderer renders notification mails from the embedded templates.
//
// Template files (templates/mail):
//   - layout.tmpl defines the frame of every mail: "frame.text.<lang>" and
//     "frame.html.<lang>" (greeting, request details, the link, closing and
//     the do-not-reply footer), which call the kind's body;
//   - <kind>.tmpl, one per Kind, defines for each language ms and en:
//     "subject.<lang>", "text.<lang>" and "html.<lang>" (the body).
//
// Text parts and subjects go through text/template, HTML parts through
// html/template, which escapes every value for its context.
type Renderer struct {
	kinds map[Kind]kindTemplates
}

type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// langs are the languages every template must provide; the first is the default.
var langs = []string{"ms", "en"}

// NewRenderer parses all mail templates once. It fails at once when a file
// is missing, superfluous or broken, lacks a language, or cannot render
// sample data, so that a bad template stops start-up, not a notification.
func NewRenderer() (*Renderer, error) {
	sub, err := fs.Sub(templates.Mail, "mail")
	if err != nil {
		return nil, err
	}
	return parseRenderer(sub)
}

// parseRenderer parses the templates in fsys (layout.tmpl and <kind>.tmpl).
func parseRenderer(fsys fs.FS) (*Renderer, error) {
	fail := func(err error) (*Renderer, error) { return nil, fmt.Errorf("notify: mail templates: %w", err) }
	textBase, err := texttemplate.ParseFS(fsys, "layout.tmpl")
	if err != nil {
		return fail(err)
	}
	htmlBase, err := htmltemplate.ParseFS(fsys, "layout.tmpl")
	if err != nil {
		return fail(err)
	}
	r := &Renderer{kinds: make(map[Kind]kindTemplates, len(Kinds))}
	for _, k := range Kinds {
		file := string(k) + ".tmpl"
		t, err := texttemplate.Must(textBase.Clone()).ParseFS(fsys, file)
		if err != nil {
			return fail(err)
		}
		h, err := htmltemplate.Must(htmlBase.Clone()).ParseFS(fsys, file)
		if err != nil {
			return fail(err)
		}
		r.kinds[k] = kindTemplates{text: t, html: h}
	}
	if err := r.check(fsys); err != nil {
		return fail(err)
	}
	return r, nil
}

// check makes sure every template is complete and renders, and that no file
// is left unused (a misspelt kind would otherwise never be noticed).
func (r *Renderer) check(fsys fs.FS) error {
	files, err := fs.Glob(fsys, "*.tmpl")
	if err != nil {
		return err
	}
	for _, f := range files {
		k := Kind(strings.TrimSuffix(path.Base(f), ".tmpl"))
		if _, ok := r.kinds[k]; !ok && f != "layout.tmpl" {
			return fmt.Errorf("%s: no notification kind %q", f, k)
		}
	}
	sample := Data{
		RecipientName: "Nama", Reference: "BPP/2026/000001", KindLabel: "Jenis", PTJ: "PTJ",
		Remarks: "Ulasan", Link: "https://ispeks.example/x", ExpiresAt: time.Unix(0, 0), Count: 2, Days: 3,
	}
	for _, k := range Kinds {
		for _, lang := range langs {
			for _, name := range []string{"subject.", "text.", "html."} {
				if r.kinds[k].text.Lookup(name+lang) == nil {
					return fmt.Errorf("%s.tmpl: no template %q", k, name+lang)
				}
			}
			sample.Lang = lang
			if _, _, _, err := r.Render(k, sample); err != nil {
				return err
			}
		}
	}
	return nil
}

// Render returns the subject, plain text and HTML of a kind of mail in
// d.Lang ("en", or BM for anything else). The subject is one line.
func (r *Renderer) Render(kind Kind, d Data) (subject, text, html string, err error) {
	t, ok := r.kinds[kind]
	if !ok {
		return "", "", "", fmt.Errorf("notify: unknown notification kind %q", kind)
	}
	d = d.masked()
	if d.Lang != "en" {
		d.Lang = langs[0]
	}
	var buf bytes.Buffer
	exec := func(e interface {
		ExecuteTemplate(w io.Writer, name string, data any) error
	}, name string) (string, error) {
		buf.Reset()
		if err := e.ExecuteTemplate(&buf, name+d.Lang, d); err != nil {
			return "", fmt.Errorf("notify: render %s: %w", kind, err)
		}
		return buf.String(), nil
	}
	if subject, err = exec(t.text, "subject."); err != nil {
		return "", "", "", err
	}
	if text, err = exec(t.text, "frame.text."); err != nil {
		return "", "", "", err
	}
	if html, err = exec(t.html, "frame.html."); err != nil {
		return "", "", "", err
	}
	// A subject is a header: one line, whatever the data held.
	return strings.Join(strings.Fields(subject), " "), tidyText(text), html, nil
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText lets templates be written readably: it drops trailing spaces and
// runs of blank lines that template actions leave behind.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	s = blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s) + "\n"
}
