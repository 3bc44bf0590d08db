package i18n_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/password"
	"github.com/perbendaharaan/ispeks/payment"     // registers the mail it sends; its words
	_ "github.com/perbendaharaan/ispeks/payslip"   // registers the mail it sends
	_ "github.com/perbendaharaan/ispeks/statement" // registers the mail it sends
	"github.com/perbendaharaan/ispeks/store"
	_ "github.com/perbendaharaan/ispeks/useradmin" // registers the mail it sends
	"github.com/perbendaharaan/ispeks/web"         // the audit page's actions; their words
	"github.com/perbendaharaan/ispeks/workflow"
)

// root is the module's top folder: the tests run in i18n/.
const root = ".."

// keyShape is what a catalogue key looks like: dotted lower-case words.
var keyShape = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// keyCalls are the functions whose argument at the index is a message key.
// A call that passes something else (prose, a concatenation) there is a
// sentence outside the catalogue.
var keyCalls = map[string]int{
	"i18n.T": 1, "i18n.Of": 0, "T": 1, "Of": 0,
	"apperr.New": 1, "apperr.Wrap": 2, "apperr.Field": 1,
	"tr": 1, "invalid": 0, "forbidden": 0, "reject": -1,
}

// source is what the tests read of the project: key references in Go
// calls (with where they are), every string literal of the Go code, and
// the key arguments of {{t "…"}} in templates.
type source struct {
	calls    map[string][]string // key → places
	literals map[string]bool
	bad      []string // key arguments that are not a literal key
}

func readSource(t *testing.T) *source {
	t.Helper()
	src := &source{calls: map[string][]string{}, literals: map[string]bool{}}
	tmplKey := regexp.MustCompile(`\bt "([^"]+)"`)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(path, ".html"), strings.HasSuffix(path, ".tmpl"):
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
				src.calls[m[1]] = append(src.calls[m[1]], path)
			}
		case strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
			src.readGo(t, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func (src *source) readGo(t *testing.T, path string) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if n.Kind == token.STRING {
				if s, err := strconv.Unquote(n.Value); err == nil {
					src.literals[s] = true
				}
			}
		case *ast.CallExpr:
			i, ok := keyCalls[callName(n.Fun)]
			if !ok || i < 0 || i >= len(n.Args) {
				return true
			}
			where := fset.Position(n.Pos()).String()
			lit, isLit := n.Args[i].(*ast.BasicLit)
			if !isLit {
				return true // a key built at run time: the families below cover it
			}
			s, _ := strconv.Unquote(lit.Value)
			if !keyShape.MatchString(s) {
				src.bad = append(src.bad, where+": "+strconv.Quote(s))
				return true
			}
			src.calls[s] = append(src.calls[s], where)
		}
		return true
	})
}

func callName(e ast.Expr) string {
	switch f := e.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}

func TestEveryKeyHasBothLanguages(t *testing.T) {
	for lang, keys := range i18n.Missing() {
		t.Errorf("%d keys lack %s: %s", len(keys), lang, strings.Join(keys, ", "))
	}
}

func TestEveryKeyArgumentIsAKey(t *testing.T) {
	src := readSource(t)
	for _, b := range src.bad {
		t.Errorf("a message is passed where a catalogue key belongs: %s", b)
	}
}

func TestEveryKeyNamedExists(t *testing.T) {
	src := readSource(t)
	for k, places := range src.calls {
		if !i18n.Has(k) {
			t.Errorf("key %q is not in the catalogue (used at %s)", k, strings.Join(places, ", "))
		}
	}
}

func TestEveryKeyIsUsed(t *testing.T) {
	src := readSource(t)
	families := dynamicFamilies()
	for _, k := range i18n.Keys() {
		if src.literals[k] || len(src.calls[k]) > 0 || families[k] || src.literals[k[:strings.LastIndexByte(k, '.')+1]] {
			continue
		}
		t.Errorf("key %q is never used", k)
	}
}

func TestEveryFamilyMemberExists(t *testing.T) {
	for k := range dynamicFamilies() {
		if !i18n.Has(k) {
			t.Errorf("key %q, built by the code for a member of its family, is not in the catalogue", k)
		}
	}
}

func TestTextsFillTheirArguments(t *testing.T) {
	for _, k := range i18n.Keys() {
		for _, l := range i18n.Langs {
			if got := i18n.T(l, k); got == k {
				t.Errorf("%s %s does not render", l, k)
			}
		}
	}
	if got := i18n.T("en", "request.done.created", "Ref", "BPP/2026/000001"); !strings.Contains(got, "BPP/2026/000001") {
		t.Errorf("arguments not filled: %q", got)
	}
	if got := i18n.T("xx", "event.approve"); got != i18n.T("ms", "event.approve") {
		t.Errorf("an unknown language reads %q, want BM", got)
	}
}

// TestLanguagesDiffer catches a text pasted into the wrong file: a key
// whose English is its BM, apart from names that read the same in both.
func TestLanguagesDiffer(t *testing.T) {
	for _, k := range i18n.Keys() {
		ms, en := i18n.T("ms", k), i18n.T("en", k)
		if ms == en && len(strings.Fields(ms)) > 3 && !slices.Contains(sameInBoth, k) {
			t.Errorf("%s reads the same in BM and English: %q", k, ms)
		}
	}
}

// sameInBoth are texts that are the same in both languages on purpose.
var sameInBoth = []string{}

// dynamicFamilies are the keys the code builds at run time from a member of
// a list (state.<state>, event.<event>, …), generated here from the same
// lists, plus every key of a family whose prefix the code names literally
// ("users.done." + what was done).
func dynamicFamilies() map[string]bool {
	out := map[string]bool{}
	add := func(prefix string, members ...string) {
		for _, m := range members {
			out[prefix+m] = true
		}
	}
	for _, k := range forms.Kinds {
		add("kind.", string(k))
		add("request.kind_about.", string(k))
	}
	for _, r := range forms.Roles {
		add("role.", string(r))
	}
	for _, m := range forms.Modules {
		add("module.", string(m), string(m)+".about")
	}
	for _, s := range workflow.States() {
		add("state.", string(s))
	}
	for _, e := range workflow.Events() {
		add("event.", string(e))
		add("request.done.", string(e))
		if e != workflow.Submit && e != workflow.Resubmit { // sent on through the form, not a button
			add("request.action_hint.", string(e))
		}
	}
	add("request.done.", "created", "draft", "saved") // what the form's own POSTs did
	for _, s := range workflow.States() {
		add("request.next.", string(s)) // who acts next, after an action
	}
	for _, k := range forms.Kinds {
		add("request.declaration.", string(k))
	}
	for _, a := range web.AuditActions() {
		add("audit.do.", a)
		add("audit.label.", a)
	}
	add("request.audience.", string(workflow.ToOfficers), string(workflow.ToTreasury), string(workflow.ToSysadmins),
		string(workflow.ToSubmitter), string(workflow.ToSubject))
	for _, st := range workflow.Stages() {
		add("request.error.only.", string(st))
		add("request.stage.", string(st))
	}
	add("password.rule.", password.Rules...)
	for _, k := range notify.Kinds() {
		add("mailops.kind.", string(k))
		add("mail."+string(k)+".", "subject", "body")
	}
	add("mailops.state.", store.OutboxQueued, store.OutboxSent, store.OutboxFailed)
	for _, st := range payment.Statuses() {
		add("payment.status.", string(st))
	}
	for _, m := range payment.Modes {
		add("payment.mode.", string(m))
	}
	add("payment.field.", payment.Header...)
	add("payment.import.state.", payment.ImportStates()...)
	add("payment.settings.done.", "saved")
	add("statement.mapping.done.", "imported", "set") // what the mapping page's POSTs did
	add("statement.year.done.", "generated", "published")
	return out
}

// TestFamiliesHaveNoStrays catches a key left behind in a family after its
// member went away (a state renamed, a mail kind removed).
func TestFamiliesHaveNoStrays(t *testing.T) {
	fam := dynamicFamilies()
	prefixes := map[string]bool{}
	for k := range fam {
		prefixes[k[:strings.LastIndexByte(k, '.')+1]] = true
	}
	for _, k := range i18n.Keys() {
		p := k[:strings.LastIndexByte(k, '.')+1]
		if prefixes[p] && !fam[k] && !strings.HasSuffix(k, ".about") {
			t.Errorf("key %q has no member of its family", k)
		}
	}
}
