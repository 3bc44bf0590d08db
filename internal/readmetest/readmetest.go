// Package readmetest keeps a generated block of the README equal to its
// source: a diagram drawn from the one definition in code.
package readmetest

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

// Mermaid checks that the README at path holds, between the markers
// <!-- name:start --> and <!-- name:end -->, the Mermaid diagram body.
// With update the block is rewritten instead of failing; run names the
// command that does it, for the failure's message.
func Mermaid(t testing.TB, path, name, body string, update bool, run string) {
	t.Helper()
	start, end := "<!-- "+name+":start -->", "<!-- "+name+":end -->"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := bytes.Cut(readme, []byte(start))
	block, after, ok2 := bytes.Cut(rest, []byte(end))
	if !ok1 || !ok2 {
		t.Fatalf("%s lacks the %s … %s markers", path, start, end)
	}
	want := "\n```mermaid\n" + body + "```\n"
	if string(block) == want {
		return
	}
	if !update {
		t.Fatalf("the %s in %s is stale; run %s", name, path, run)
	}
	out := slices.Concat(before, []byte(start+want+end), after)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
