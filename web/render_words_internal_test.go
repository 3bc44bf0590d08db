package web

import (
	"bytes"
	"html"
	"html/template"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/templates"
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

// Every {{t "key"}} of the pages, which wordsIn sets as the page's own
// words escaped for HTML, stands where such text reads as printed: in the
// page's text, or in a quoted attribute that is not an address, a style
// or a script — never inside a <script> or a <style>.
func TestWordsInStandInTextOrQuotedAttributes(t *testing.T) {
	files, err := fs.Glob(templates.Pages, "pages/*.html")
	if err != nil {
		t.Fatal(err)
	}
	words := regexp.MustCompile(`\{\{-?\s*t\s+"[^"]*"\s*-?\}\}`)
	action := regexp.MustCompile(`\{\{.*?\}\}`)
	// attribute is the attribute a tag's text, up to a word, is open in:
	// its name, and the value so far, quoted and not closed.
	attribute := regexp.MustCompile(`([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*["'][^"']*$`)
	for _, f := range append(files, "layout.html") {
		src, err := fs.ReadFile(templates.Pages, f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		lower := strings.ToLower(text)
		for _, m := range words.FindAllStringIndex(text, -1) {
			at, found := m[0], text[m[0]:m[1]]
			for _, el := range []string{"script", "style"} {
				if strings.LastIndex(lower[:at], "<"+el) > strings.LastIndex(lower[:at], "</"+el) {
					t.Errorf("%s: %s inside a <%s>", f, found, el)
				}
			}
			lt := strings.LastIndex(text[:at], "<")
			if lt <= strings.LastIndex(text[:at], ">") {
				continue // the page's text
			}
			// In a tag: the other actions in it are not quotes.
			a := attribute.FindStringSubmatch(action.ReplaceAllString(text[lt:at], "x"))
			if a == nil {
				t.Errorf("%s: %s in a tag but not in a quoted attribute", f, found)
				continue
			}
			switch name := strings.ToLower(a[1]); {
			case name == "href", name == "src", name == "action", name == "formaction", name == "style", strings.HasPrefix(name, "on"):
				t.Errorf("%s: %s in the attribute %s, where escaping for HTML is not enough", f, found, name)
			}
		}
	}
}
