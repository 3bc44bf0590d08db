package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	texttemplate "text/template"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/templates"
)

// Kind is the kind of a notification. The package that sends a kind of
// mail registers it (Register) with the type of its content; its words are
// the catalogue's mail.<kind>.subject and mail.<kind>.body.
type Kind string

// Content is what one kind of mail carries: stored in the outbox as JSON
// when the mail is queued, turned into words in the recipient's language
// when it is sent. A Content must hold no password and no full MyKad
// number; the renderer masks anything MyKad-shaped in what it shows, so
// that no mail can carry one.
type Content interface {
	// Args are the catalogue arguments of the subject and body, as name,
	// value pairs, in lang.
	Args(lang string) []any
	// Link is the address the mail leads to; "" for none. A one-time link
	// derives its token with keys when the mail is sent, so that the outbox
	// never holds it.
	Link(keys *secret.Keyring) string
	// Details are rows shown under the body (a request's reference, kind
	// and PTJ); the zero Details for none.
	Details(lang string) Details
}

// Details are the rows under a mail's body, under a heading.
type Details struct {
	Heading string
	Rows    []Detail
}

// Detail is one labelled value of Details, in the mail's language.
type Detail struct{ Label, Value string }

// kindSpec is a registered kind: how to make an empty Content to read the
// stored JSON into, and a sample to check its words by at start.
type kindSpec struct {
	empty  func() Content
	sample Content
}

var kinds = map[Kind]kindSpec{}

// Register adds a kind of mail with its content type C, shown by sample.
// Call it once per kind, from the sending package's variable declarations;
// a second registration of a kind panics, as it is a programming error.
func Register[C Content](kind Kind, sample C) Kind {
	if _, dup := kinds[kind]; dup {
		panic("notify: mail kind " + string(kind) + " registered twice")
	}
	kinds[kind] = kindSpec{
		empty:  func() Content { return any(new(C)).(Content) },
		sample: sample,
	}
	return kind
}

// Kinds lists every registered kind, sorted.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Renderer renders notification mails: the frame of templates/mail
// (layout.tmpl, the same for every kind and language) around the kind's
// words from the catalogue. Text parts go through text/template, HTML
// parts through html/template, which escapes every value for its context.
type Renderer struct {
	text  map[string]*texttemplate.Template // lang → frame
	html  map[string]*htmltemplate.Template
	keys  *secret.Keyring
	kinds map[Kind]kindSpec
}

// NewRenderer parses the mail frame once per language and renders every
// registered kind's sample in both, so that a broken template or a missing
// word stops start-up, not a notification. keys derives one-time links.
func NewRenderer(keys *secret.Keyring) (*Renderer, error) {
	return newRenderer(templates.Mail, keys, kinds)
}

// newRenderer parses mail/layout.tmpl of fsys and checks every kind of ks.
func newRenderer(fsys fs.FS, keys *secret.Keyring, ks map[Kind]kindSpec) (*Renderer, error) {
	r := &Renderer{text: map[string]*texttemplate.Template{}, html: map[string]*htmltemplate.Template{}, keys: keys, kinds: ks}
	for _, lang := range i18n.Langs {
		t := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
		text, err := texttemplate.New("layout.tmpl").Funcs(texttemplate.FuncMap{"t": t}).ParseFS(fsys, "mail/layout.tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: mail frame: %w", err)
		}
		html, err := htmltemplate.New("layout.tmpl").Funcs(htmltemplate.FuncMap{"t": t}).ParseFS(fsys, "mail/layout.tmpl")
		if err != nil {
			return nil, fmt.Errorf("notify: mail frame: %w", err)
		}
		r.text[lang], r.html[lang] = text, html
	}
	for k, spec := range ks {
		for _, lang := range i18n.Langs {
			for _, part := range []string{".subject", ".body"} {
				if !i18n.Has("mail." + string(k) + part) {
					return nil, fmt.Errorf("notify: mail kind %s has no text mail.%s%s", k, k, part)
				}
			}
			data, err := json.Marshal(spec.sample)
			if err != nil {
				return nil, err
			}
			if _, _, _, err := r.Render(k, lang, "Nama", data); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

// frame is what layout.tmpl shows.
type frame struct {
	Lang       string
	Name       string
	Paragraphs []string
	Link       string
	Details    Details
}

// Render returns the subject, plain text and HTML of a mail of kind in lang
// ("en", or BM for anything else) to the recipient called name, from its
// stored content data. The subject is one line.
func (r *Renderer) Render(kind Kind, lang, name string, data []byte) (subject, text, html string, err error) {
	spec, ok := r.kinds[kind]
	if !ok {
		return "", "", "", fmt.Errorf("notify: unknown notification kind %q", kind)
	}
	c := spec.empty()
	if err := json.Unmarshal(data, c); err != nil {
		return "", "", "", fmt.Errorf("notify: %s content: %w", kind, err)
	}
	lang = i18n.Norm(lang)
	args := c.Args(lang)
	for i := 1; i < len(args); i += 2 {
		if s, ok := args[i].(string); ok {
			args[i] = malaysia.MaskText(s)
		}
	}
	f := frame{Lang: lang, Name: malaysia.MaskText(name), Link: c.Link(r.keys), Details: c.Details(lang)}
	for i := range f.Details.Rows {
		f.Details.Rows[i].Value = malaysia.MaskText(f.Details.Rows[i].Value)
	}
	body := i18n.T(lang, "mail."+string(kind)+".body", args...)
	for _, p := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			f.Paragraphs = append(f.Paragraphs, p)
		}
	}
	var buf bytes.Buffer
	exec := func(t interface {
		ExecuteTemplate(io.Writer, string, any) error
	}, name string) (string, error) {
		buf.Reset()
		if err := t.ExecuteTemplate(&buf, name, f); err != nil {
			return "", fmt.Errorf("notify: render %s: %w", kind, err)
		}
		return buf.String(), nil
	}
	if text, err = exec(r.text[lang], "text"); err != nil {
		return "", "", "", err
	}
	if html, err = exec(r.html[lang], "html"); err != nil {
		return "", "", "", err
	}
	subject = i18n.T(lang, "mail."+string(kind)+".subject", args...)
	// A subject is a header: one line, whatever the data held.
	return strings.Join(strings.Fields(subject), " "), tidyText(text), html, nil
}

var blankLines = regexp.MustCompile(`\n{3,}`)

// tidyText lets the frame be written readably: it drops trailing spaces and
// runs of blank lines that template actions leave behind.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\r")
	}
	s = blankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n")
	return strings.TrimSpace(s) + "\n"
}
