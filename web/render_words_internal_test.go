package web

import (
	"bytes"
	"html"
	"html/template"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/i18n"
)

// Every text of the catalogue that a page prints as its own words
// (wordsIn) reads, in the page's text and in a quoted attribute, as the
// same text printed by t and escaped at each run, in both languages, and
// holds no character that would end the attribute or start a tag.
func TestWordsInReadAsPrinted(t *testing.T) {
	const page = `<p title="{{t "K"}}">{{t "K"}}</p>`
	for _, lang := range i18n.Langs {
		funcs := template.FuncMap{"t": func(key string, args ...any) string { return i18n.T(lang, key, args...) }}
		for _, key := range i18n.Keys() {
			src := strings.ReplaceAll(page, "K", key)
			run := func(words bool) string {
				tmpl := template.Must(template.New("p").Funcs(funcs).Parse(src))
				if words {
					wordsIn(tmpl.Tree.Root, lang)
				}
				var b bytes.Buffer
				if err := tmpl.Execute(&b, nil); err != nil {
					t.Fatalf("%s %s: %v", lang, key, err)
				}
				return b.String()
			}
			printed, own := run(false), run(true)
			if html.UnescapeString(own) != html.UnescapeString(printed) {
				t.Errorf("%s %s: as the page's words %q, printed %q", lang, key, own, printed)
			}
			inner := strings.TrimSuffix(strings.TrimPrefix(own, `<p title="`), `</p>`)
			if strings.ContainsAny(strings.Replace(inner, `">`, "", 1), `<>"'`) {
				t.Errorf("%s %s: %q is not escaped", lang, key, own)
			}
		}
	}
}

// An action that prints t with arguments, or declares a variable, stays an
// action: its words are filled at each run.
func TestWordsInLeavesArgumentsAndVariables(t *testing.T) {
	src := `{{$x := t "audit.at"}}{{$x}} {{t "audit.count" "Total" .}}`
	tmpl := template.Must(template.New("p").Funcs(template.FuncMap{"t": func(key string, args ...any) string { return i18n.T("en", key, args...) }}).Parse(src))
	wordsIn(tmpl.Tree.Root, "en")
	var b bytes.Buffer
	if err := tmpl.Execute(&b, "1,234"); err != nil {
		t.Fatal(err)
	}
	if want := i18n.T("en", "audit.at") + " " + html.EscapeString(i18n.T("en", "audit.count", "Total", "1,234")); html.UnescapeString(b.String()) != html.UnescapeString(want) {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
