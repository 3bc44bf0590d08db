package i18n

import (
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Every text filled in Go reads as its go-i18n template writes it, with
// words and with numbers for its arguments; a text whose argument is
// missing is left to the template.
func TestFilledTextsReadAsTheirTemplates(t *testing.T) {
	filled := 0
	for _, lang := range Langs {
		for key, ps := range cat.filled[lang] {
			for _, value := range []any{"Nur <Aisyah> & {{.X}}", 1234567, int64(-5), Text{Key: "event.approve"}} {
				var args []any
				data := map[string]any{}
				for _, p := range ps {
					if p.arg != "" {
						args = append(args, p.arg, value)
						data[p.arg] = argIn(lang, value)
					}
				}
				want, err := cat.localizers[lang].Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data})
				if err != nil {
					t.Fatalf("%s %s: %v", lang, key, err)
				}
				got, ok := fill(lang, ps, args)
				if !ok || got != want {
					t.Errorf("%s %s with %v: filled %q (%v), its template %q", lang, key, value, got, ok, want)
				}
			}
			filled++
		}
	}
	if filled < 100 {
		t.Errorf("%d texts filled in Go, want most of those with arguments", filled)
	}
	ref := "BPP/2026/000001"
	for _, args := range [][]any{nil, {"Ref", nil}, {"Ref", &ref}, {"Ref", 1.5}} {
		if _, ok := fill(MS, cat.filled[MS]["request.done.created"], args); ok {
			t.Errorf("a text with %v was filled in Go, want its template to write it", args)
		}
	}
	for _, text := range []string{"{{if .A}}a{{end}}", "{{- .A}}", "{{.A | printf}}", "a }} b {{.A}}"} {
		if _, ok := pieces(text); ok {
			t.Errorf("%q is in pieces, want its template to write it", text)
		}
	}
}

// BenchmarkT fills an audit record's sentence, as a page of the log does
// fifty times: in Go, and by its go-i18n template as before. go test
// ./i18n -run '^$' -bench T -benchmem.
func BenchmarkT(b *testing.B) {
	args := []any{"Actor", "Nur Aisyah binti Omar", "Object", "BPP/2026/000123"}
	b.Run("filled", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			T(MS, "audit.sentence_other", args...)
		}
	})
	b.Run("template", func(b *testing.B) {
		data := map[string]any{"Actor": args[1], "Object": args[3]}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cat.localizers[MS].Localize(&goi18n.LocalizeConfig{MessageID: "audit.sentence_other", TemplateData: data}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
