// Package i18n is the portal's one language catalogue: every sentence a
// user reads — pages, error messages, field labels, workflow labels, mail
// subjects and bodies, month names — is a key here, in Bahasa Malaysia (the
// default) and English.
//
// The texts live in TOML files under messages/, one pair per area
// (core.ms.toml and core.en.toml, payslip.ms.toml and payslip.en.toml, …), so
// that a translator changes a text without touching Go. Each entry is a
// quoted key and its text:
//
//	"request.done.created" = "Permohonan {{.Ref}} telah dihantar untuk kelulusan."
//
// Texts are go-i18n message templates: {{.Name}} inserts the argument
// called Name. Callers pass arguments as name, value pairs:
//
//	i18n.T(lang, "request.done.created", "Ref", r.Reference)
//
// The rules a test keeps: every key has both languages, every key is used
// by the code or a template, and every key the code names exists.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
)

// The languages of the portal. Everything else a client asks for reads BM.
const (
	MS = "ms" // Bahasa Malaysia, the default
	EN = "en" // English
)

// Langs lists the languages every key must have, the default first.
var Langs = []string{MS, EN}

// Norm returns lang as one of Langs: "en" stays English, anything else is BM.
func Norm(lang string) string {
	if lang == EN {
		return EN
	}
	return MS
}

//go:embed messages/*.toml
var files embed.FS

// catalogue is the parsed message files. Plain texts (no template action)
// are kept ready in plain, so that most lookups are one map read; texts
// whose only actions print an argument ({{.Ref}}) are kept in pieces and
// filled in Go; the others (an {{if}}, a {{with}}) go through go-i18n's
// templates, parsed once. A text filled by its template cost a page of
// the audit log's 50 sentences a tenth of its CPU: go-i18n executes a
// text/template each time, every step of it a reflective call.
type catalogue struct {
	plain      map[string]map[string]string  // lang → key → text
	templated  map[string]map[string]bool    // lang → key → has {{…}}
	filled     map[string]map[string][]piece // lang → key → its pieces, if arguments are its only actions
	localizers map[string]*goi18n.Localizer
	keys       map[string]bool
}

// piece is a part of a text whose only actions print an argument: words,
// then the argument called arg ("" after the last words).
type piece struct {
	words, arg string
}

// argAction is a template action that prints an argument, and nothing
// else: {{.Ref}}, {{ .Ref }}.
var argAction = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

// pieces splits text into pieces if every action in it prints an argument.
func pieces(text string) ([]piece, bool) {
	var ps []piece
	at := 0
	for _, m := range argAction.FindAllStringSubmatchIndex(text, -1) {
		ps = append(ps, piece{words: text[at:m[0]], arg: text[m[2]:m[3]]})
		at = m[1]
	}
	ps = append(ps, piece{words: text[at:]})
	for _, p := range ps {
		if strings.Contains(p.words, "{{") || strings.Contains(p.words, "}}") {
			return nil, false
		}
	}
	return ps, true
}

var cat = mustLoad(files)

func mustLoad(fsys fs.FS) *catalogue {
	c, err := load(fsys)
	if err != nil {
		panic("i18n: " + err.Error()) // the files are embedded: a broken one never ships
	}
	return c
}

func load(fsys fs.FS) (*catalogue, error) {
	bundle := goi18n.NewBundle(language.Malay)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &catalogue{
		plain:      map[string]map[string]string{},
		templated:  map[string]map[string]bool{},
		filled:     map[string]map[string][]piece{},
		localizers: map[string]*goi18n.Localizer{},
		keys:       map[string]bool{},
	}
	for _, l := range Langs {
		c.plain[l], c.templated[l], c.filled[l] = map[string]string{}, map[string]bool{}, map[string][]piece{}
	}
	names, err := fs.Glob(fsys, "messages/*.toml")
	if err != nil {
		return nil, err
	}
	seen := map[string]string{} // lang/key → file, to refuse a key defined twice
	for _, name := range names {
		lang := langOf(name)
		if c.plain[lang] == nil {
			return nil, fmt.Errorf("%s: language %q is not one of %v", name, lang, Langs)
		}
		buf, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		mf, err := bundle.ParseMessageFileBytes(buf, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for _, m := range mf.Messages {
			if prev, dup := seen[lang+"/"+m.ID]; dup {
				return nil, fmt.Errorf("%s: key %q is already defined in %s", name, m.ID, prev)
			}
			seen[lang+"/"+m.ID] = name
			c.keys[m.ID] = true
			if strings.Contains(m.Other, "{{") {
				c.templated[lang][m.ID] = true
				if ps, ok := pieces(m.Other); ok {
					c.filled[lang][m.ID] = ps
				}
			} else {
				c.plain[lang][m.ID] = m.Other
			}
		}
	}
	for _, l := range Langs {
		c.localizers[l] = goi18n.NewLocalizer(bundle, l)
	}
	return c, nil
}

// langOf reads the language of a message file from its name: core.ms.toml → ms.
func langOf(name string) string {
	parts := strings.Split(path.Base(name), ".")
	if len(parts) < 3 {
		return ""
	}
	return parts[len(parts)-2]
}

// T returns the text of key in lang with args filled in; args are name,
// value pairs ("Ref", "BPP/2026/000001"). A key missing from the catalogue
// shows as itself, so that a gap is seen on the page and caught by tests.
func T(lang, key string, args ...any) string {
	lang = Norm(lang)
	if s, ok := cat.plain[lang][key]; ok {
		return s
	}
	if !cat.templated[lang][key] {
		return key
	}
	if s, ok := fill(lang, cat.filled[lang][key], args); ok {
		return s
	}
	data := make(map[string]any, len(args)/2)
	for i := 0; i+1 < len(args); i += 2 {
		if name, ok := args[i].(string); ok {
			data[name] = argIn(lang, args[i+1])
		}
	}
	s, err := cat.localizers[lang].Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil {
		return key
	}
	return s
}

// argIn is an argument's value as a text shows it: a Text argument (a
// field's label, a state's name) is words too, chosen in the same
// language.
func argIn(lang string, v any) any {
	switch v := v.(type) {
	case Text:
		return v.In(lang)
	case List:
		return v.In(lang)
	}
	return v
}

// fill writes the pieces of a text with args as its template would: words
// as they are, whole numbers as fmt.Print writes them. ok is false, and
// the template is left to write it, when the text is not in pieces or an
// argument it names is missing or of another type.
func fill(lang string, ps []piece, args []any) (string, bool) {
	if ps == nil {
		return "", false
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.words)
		if p.arg == "" {
			continue
		}
		v := any(nil)
		for i := 0; i+1 < len(args); i += 2 {
			if name, ok := args[i].(string); ok && name == p.arg {
				v = args[i+1] // the last of a name, as the template's map holds it
			}
		}
		switch v := argIn(lang, v).(type) {
		case string:
			b.WriteString(v)
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			fmt.Fprint(&b, v)
		default:
			return "", false // nil, or a value a template prints its own way (a pointer, a Stringer)
		}
	}
	return b.String(), true
}

// Has reports whether key is in the catalogue.
func Has(key string) bool { return cat.keys[key] }

// Keys returns every key of the catalogue, sorted (for tests and tools).
func Keys() []string {
	out := make([]string, 0, len(cat.keys))
	for k := range cat.keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Missing returns, per language, the keys that language lacks.
func Missing() map[string][]string {
	out := map[string][]string{}
	for _, k := range Keys() {
		for _, l := range Langs {
			if _, ok := cat.plain[l][k]; !ok && !cat.templated[l][k] {
				out[l] = append(out[l], k)
			}
		}
	}
	return out
}

// Text is a key and its arguments, for messages composed in one place and
// shown in another (an error's message, a field label): the words are
// chosen when the language is known.
type Text struct {
	Key  string
	Args []any
}

// Of returns key with args as a Text.
func Of(key string, args ...any) Text { return Text{Key: key, Args: args} }

// In returns the text in lang.
func (t Text) In(lang string) string { return T(lang, t.Key, t.Args...) }

// IsZero reports whether t names no key.
func (t Text) IsZero() bool { return t.Key == "" }

// List is several texts shown as one, joined by commas in the reader's
// language ("huruf besar, nombor").
type List []Text

// In returns the texts in lang, joined by ", ".
func (l List) In(lang string) string {
	parts := make([]string, len(l))
	for i, t := range l {
		parts[i] = t.In(lang)
	}
	return strings.Join(parts, ", ")
}
