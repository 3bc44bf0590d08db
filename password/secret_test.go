package password

import (
	"regexp"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	tokenRe := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	hashRe := regexp.MustCompile(`^[0-9a-f]{64}$`)
	seen := map[string]bool{}
	for range 1000 {
		tok, hash := NewToken()
		if !tokenRe.MatchString(tok) || !hashRe.MatchString(hash) {
			t.Fatalf("NewToken() = %q, %q: wrong form", tok, hash)
		}
		if hash != HashToken(tok) {
			t.Fatalf("hash %q != HashToken(%q)", hash, tok)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
	}
}

func TestHashToken(t *testing.T) {
	// SHA-256("abc"), FIPS 180-2 test vector.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashToken("abc"); got != want {
		t.Fatalf("HashToken(abc) = %s, want %s", got, want)
	}
}

func TestTemporaryPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		pw := TemporaryPassword()
		if len(pw) != 16 {
			t.Fatalf("%q: length %d, want 16", pw, len(pw))
		}
		if err := DefaultPolicy().Check(pw, Context{}); err != nil {
			t.Fatalf("%q fails the policy: %v", pw, err)
		}
		if strings.ContainsAny(pw, "O0oIl1|'`\"") {
			t.Fatalf("%q has a look-alike character", pw)
		}
		if seen[pw] {
			t.Fatalf("%q repeated", pw)
		}
		seen[pw] = true
	}
}
