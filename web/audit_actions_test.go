package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/payment"
	"github.com/perbendaharaan/ispeks/workflow"
)

// auditFamilies are the actions built at run time as a prefix and a member
// of a list: "request." + the workflow's event, "payment.import_" + the
// state an import ended in.
var auditFamilies = map[string]func() []string{
	"request.": func() []string {
		var out []string
		for _, e := range workflow.Events() {
			out = append(out, string(e))
		}
		return out
	},
	"payment.import_": payment.ImportStates,
}

// goPackage is the parsed non-test files of one folder.
type goPackage struct {
	fset  *token.FileSet
	files []*ast.File
}

// projectPackages parses every package of the module but this test's data.
func projectPackages(t *testing.T) map[string]*goPackage {
	t.Helper()
	pkgs := map[string]*goPackage{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != ".." && (strings.HasPrefix(n, ".") || n == "testdata" || n == "third_party" || n == "data") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		p := pkgs[dir]
		if p == nil {
			p = &goPackage{fset: token.NewFileSet()}
			pkgs[dir] = p
		}
		f, err := parser.ParseFile(p.fset, path, nil, 0)
		if err != nil {
			return err
		}
		p.files = append(p.files, f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// auditResolver finds the actions an expression may hold, following a
// parameter to the callers of its function and a struct field to the
// composite literals that fill it, within one package — and, for a
// function of crossPackage, to its callers in every package of all.
type auditResolver struct {
	t    *testing.T
	pkg  *goPackage
	seen map[ast.Node]bool
	all  map[string]*goPackage
}

// enclosing is the function declaration around pos.
func (r *auditResolver) enclosing(pos token.Pos) *ast.FuncDecl {
	for _, f := range r.pkg.files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Pos() <= pos && pos < fd.End() {
				return fd
			}
		}
	}
	return nil
}

func (r *auditResolver) where(n ast.Node) string { return r.pkg.fset.Position(n.Pos()).String() }

func (r *auditResolver) resolve(e ast.Expr) []string {
	if r.seen[e] {
		return nil
	}
	r.seen[e] = true
	switch x := e.(type) {
	case *ast.BasicLit:
		s, _ := strconv.Unquote(x.Value)
		return []string{s}
	case *ast.BinaryExpr:
		if lit, ok := x.X.(*ast.BasicLit); ok && x.Op == token.ADD {
			prefix, _ := strconv.Unquote(lit.Value)
			members, ok := auditFamilies[prefix]
			if !ok {
				r.t.Errorf("%s: an audit action built from %q and a value this test does not know: add its family to auditFamilies", r.where(x), prefix)
				return nil
			}
			var out []string
			for _, m := range members() {
				out = append(out, prefix+m)
			}
			return out
		}
	case *ast.Ident:
		if fd := r.enclosing(x.Pos()); fd != nil {
			if i := paramIndex(fd, x.Name); i >= 0 {
				return r.callers(fd.Name.Name, i)
			}
		}
	case *ast.SelectorExpr:
		return r.fields(x.Sel.Name)
	}
	r.t.Errorf("%s: an audit action this test cannot follow to its words", r.where(e))
	return nil
}

// paramIndex is the position of parameter name in fd's list, -1 if none.
func paramIndex(fd *ast.FuncDecl, name string) int {
	i := 0
	for _, f := range fd.Type.Params.List {
		for _, n := range f.Names {
			if n.Name == name {
				return i
			}
			i++
		}
		if len(f.Names) == 0 {
			i++
		}
	}
	return -1
}

// crossPackage are the functions whose callers are in other packages:
// store.Auditor's Record, which the modules call with their actions.
var crossPackage = map[string]bool{"Record": true}

// callers resolves argument i of every call of function fn in the package,
// or in every package for a function of crossPackage.
func (r *auditResolver) callers(fn string, i int) []string {
	if crossPackage[fn] && r.all != nil {
		var out []string
		for _, pkg := range r.all {
			in := &auditResolver{t: r.t, pkg: pkg, seen: r.seen}
			out = append(out, in.callers(fn, i)...)
		}
		return out
	}
	var out []string
	for _, f := range r.pkg.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || i >= len(call.Args) {
				return true
			}
			var name string
			switch fun := call.Fun.(type) {
			case *ast.Ident:
				name = fun.Name
			case *ast.SelectorExpr:
				name = fun.Sel.Name
			}
			if name == fn {
				out = append(out, r.resolve(call.Args[i])...)
			}
			return true
		})
	}
	return out
}

// fields resolves every value given to a struct field called name in the
// package's composite literals.
func (r *auditResolver) fields(name string) []string {
	var out []string
	for _, f := range r.pkg.files {
		ast.Inspect(f, func(n ast.Node) bool {
			if kv, ok := n.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && k.Name == name {
					out = append(out, r.resolve(kv.Value)...)
				}
			}
			return true
		})
	}
	return out
}

// TestEveryAuditActionHasASentence reads every .Audit( call of the project
// (the action is its third argument) and fails on an action the audit page
// has no sentence for: a BM page must never show a raw action code.
func TestEveryAuditActionHasASentence(t *testing.T) {
	found := map[string]string{}
	all := projectPackages(t)
	for _, pkg := range all {
		r := &auditResolver{t: t, pkg: pkg, seen: map[ast.Node]bool{}, all: all}
		for _, f := range pkg.files {
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "Audit" || len(call.Args) < 5 {
					return true
				}
				for _, a := range r.resolve(call.Args[2]) {
					found[a] = r.where(call)
				}
				return true
			})
		}
	}
	for _, must := range []string{"request.approve", "payslip.view", "user.password_change", "payment.import_rejected", "attachment.download"} {
		if _, ok := found[must]; !ok {
			t.Errorf("the scan missed %q: it no longer finds every action", must)
		}
	}
	for a, where := range found {
		if !slices.Contains(auditActions, a) {
			t.Errorf("%s records %q, which is not in auditActions", where, a)
		}
		for _, key := range []string{auditSentencePrefix + a, auditLabelPrefix + a} {
			if !i18n.Has(key) {
				t.Errorf("%s records %q, whose words %q are not in the catalogue", where, a, key)
			}
		}
		// The subject names itself: an import's or a delegation's is "#3"
		// (auditSubject), and a sentence that puts its own "#" before it
		// reads "##3".
		for _, lang := range []string{i18n.MS, i18n.EN} {
			if got := i18n.T(lang, auditSentencePrefix+a, "Object", "#3"); strings.Contains(got, "##3") {
				t.Errorf("%s: the sentence of %q puts a second # before its subject: %q", lang, a, got)
			}
		}
	}
	for _, a := range auditActions {
		if _, ok := found[a]; !ok {
			t.Errorf("auditActions lists %q, which no code records", a)
		}
	}
}
