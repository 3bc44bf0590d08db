package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const modulePath = "github.com/perbendaharaan/ispeks"

// allowedImports is the layout's rule, written once (README, "Layout of the
// code"): for each package of the project, the project packages it may
// import directly. A package missing here, or an import outside its row,
// fails TestDependencyRule. Standard library and third-party imports are
// checked separately (noSQLOrHTTP).
var allowedImports = map[string][]string{
	// Leaf helpers: words, errors, identifiers and money, keys, settings.
	"i18n":                  {},
	"apperr":                {"i18n"},
	"malaysia":              {"apperr", "i18n"},
	"secret":                {},
	"config":                {},
	"password":              {"apperr", "i18n"},
	"document":              {},
	"document/documenttest": {"document"},
	"internal/readmetest":   {}, // tests' helper: the README's generated diagrams
	// The domain's pure rules.
	"forms":    {"apperr", "i18n", "malaysia"},
	"workflow": {"apperr", "forms", "i18n", "malaysia"},
	// Pages, mail frames and static files.
	"templates": {},
	// Persistence, and mail delivery.
	"store":           {"apperr", "forms", "workflow", "notify", "malaysia", "i18n"},
	"store/storetest": {"store"},
	"notify":          {"templates", "i18n", "malaysia", "secret"},
	// Domain services on the database.
	"auth":      {"apperr", "config", "forms", "password", "secret", "store", "i18n", "malaysia"},
	"useradmin": {"apperr", "auth", "config", "forms", "i18n", "malaysia", "notify", "secret", "store", "workflow"},
	// The audit log's anchors outside the database.
	"anchor": {"i18n", "secret", "store"},
	// Modules: each its own; statement is built from payslip.
	"payslip":   moduleImports,
	"payment":   moduleImports,
	"statement": append(slices.Clone(moduleImports), "payslip"),
	// The HTTP face, and the binary that wires everything.
	"web":        {"apperr", "auth", "config", "forms", "i18n", "malaysia", "notify", "password", "payment", "payslip", "secret", "statement", "store", "templates", "useradmin", "workflow", "document"},
	"cmd/ispeks": nil, // anything
	// Benchmark programs wire the portal as the binary does.
	"bench/cmd/scale": nil,
}

// moduleImports is what a module (payslip, payment, statement) may use.
var moduleImports = []string{"apperr", "auth", "config", "document", "forms", "i18n", "malaysia", "notify", "password", "secret", "store"}

// noSQLOrHTTP are the packages whose rules are pure: no database, no HTTP.
var noSQLOrHTTP = []string{"forms", "workflow", "i18n", "apperr", "malaysia"}

var forbiddenInPure = []string{"database/sql", "net/http", "github.com/uptrace/bun", "github.com/gin-gonic/gin", "modernc.org/sqlite"}

type listed struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// goList returns every package of the project as `go list` sees it.
func goList(t *testing.T) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", modulePath+"/...")
	cmd.Dir = "../.."
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("go list: %v", err)
	}
	var pkgs []listed
	dec := json.NewDecoder(out)
	for {
		var p listed
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func short(path string) (string, bool) {
	if path == modulePath {
		return "", true
	}
	return strings.CutPrefix(path, modulePath+"/")
}

func TestDependencyRule(t *testing.T) {
	for _, p := range goList(t) {
		name, _ := short(p.ImportPath)
		allowed, known := allowedImports[name]
		if !known {
			t.Errorf("package %s has no row in allowedImports: decide what it may import", name)
			continue
		}
		if allowed == nil {
			continue
		}
		for _, imp := range p.Imports {
			dep, ours := short(imp)
			if ours && !slices.Contains(allowed, dep) {
				t.Errorf("%s imports %s, which the layout does not allow", name, dep)
			}
		}
	}
}

// TestNothingButCmdImportsWeb keeps the HTTP face at the edge: the domain
// and the modules never reach for it, even through another package (the
// binary and the benchmark programs, which wire the portal, excepted).
func TestNothingButCmdImportsWeb(t *testing.T) {
	for _, p := range goList(t) {
		name, _ := short(p.ImportPath)
		if name == "cmd/ispeks" || name == "web" || strings.HasPrefix(name, "bench/cmd/") {
			continue // the binary and the benchmark programs wire everything
		}
		if slices.Contains(p.Deps, modulePath+"/web") {
			t.Errorf("%s depends on web", name)
		}
	}
}

// TestPureRulesHaveNoSQLOrHTTP: the Borang's rules, the vocabulary and the
// leaf helpers are tested on their own, without a database or a server.
func TestPureRulesHaveNoSQLOrHTTP(t *testing.T) {
	for _, p := range goList(t) {
		name, _ := short(p.ImportPath)
		if !slices.Contains(noSQLOrHTTP, name) {
			continue
		}
		for _, d := range p.Deps {
			for _, bad := range forbiddenInPure {
				if d == bad || strings.HasPrefix(d, bad+"/") {
					t.Errorf("%s depends on %s", name, d)
				}
			}
		}
	}
}
