// Package documenttest reads PDFs back in tests, through poppler-utils
// (pdftotext, pdfinfo), so tests can assert on what a reader really shows.
//
// When a tool is missing the calling test is skipped, unless the environment
// variable ISPEKS_TEST_REQUIRE_PDFTOTEXT is "1": then it fails, so that CI,
// which installs poppler-utils, can never pass by skipping.
package documenttest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// RequireEnv is the environment variable that turns a missing tool from a
// skip into a failure.
const RequireEnv = "ISPEKS_TEST_REQUIRE_PDFTOTEXT"

// Text returns the text pdftotext extracts from pdf with -layout, so columns
// keep their horizontal order and pages are separated by form feeds ("\f").
// A non-empty password is passed as the user password (-upw). Any failure,
// including a wrong password, fails the test; use Opens to test passwords.
func Text(t testing.TB, pdf []byte, password string) string {
	t.Helper()
	out, stderr, err := run(t, "pdftotext", pdf, password, "-layout", "-enc", "UTF-8")
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, stderr)
	}
	return out
}

// Opens reports whether pdftotext can open pdf with password ("" for none).
// It is false exactly when pdftotext refuses the password ("Incorrect
// password"); any other failure fails the test.
func Opens(t testing.TB, pdf []byte, password string) bool {
	t.Helper()
	_, stderr, err := run(t, "pdftotext", pdf, password)
	if err == nil {
		return true
	}
	if strings.Contains(stderr, "Incorrect password") {
		return false
	}
	t.Fatalf("pdftotext: %v: %s", err, stderr)
	return false
}

// Info returns pdfinfo's report on pdf (page count, metadata, and the
// encryption line such as "Encrypted: yes (print:yes ... algorithm:AES-256)").
func Info(t testing.TB, pdf []byte, password string) string {
	t.Helper()
	out, stderr, err := run(t, "pdfinfo", pdf, password)
	if err != nil {
		t.Fatalf("pdfinfo: %v: %s", err, stderr)
	}
	return out
}

// Tool returns the path of a poppler-utils tool, skipping or failing the test
// when it is not installed (see RequireEnv).
func Tool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("%s not found and %s=1: install poppler-utils", name, RequireEnv)
		}
		t.Skipf("%s not found (install poppler-utils, or set %s=1 to fail instead)", name, RequireEnv)
	}
	return path
}

// run writes pdf to a temporary file and runs tool on it with args, the
// password, the file and "-" (stdout) where the tool takes an output file.
func run(t testing.TB, tool string, pdf []byte, password string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	path := Tool(t, tool)
	file := filepath.Join(t.TempDir(), "document.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatalf("write pdf: %v", err)
	}
	if password != "" {
		args = append(args, "-upw", password)
	}
	args = append(args, file)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	var out, errOut bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.String(), errOut.String(), err
}
