// Package secret holds the portal's master key: the one secret the
// database never holds, so that a copy of the database (a backup, a
// replica, a support query) opens nothing. Everything that must be secret
// but reproducible is derived from it per purpose — the tokens of one-time
// set-password links, which a retried mail must carry unchanged, and the
// signatures of the audit log's checkpoints.
//
// The key is 32 random bytes, read from the environment variable
// ISPEKS_SECRET_KEY (base64) or from a file (by default
// <data-dir>/secret.key, created with mode 0600 at first start). Every
// instance of one portal must use the same key; losing it invalidates the
// links in mail not yet used and the checkpoints' signatures, nothing else.
package secret

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// keyLen is the size of the master key in bytes.
const keyLen = 32

// Keyring derives keys and tokens from the master key.
type Keyring struct{ master []byte }

// New returns a keyring over master (at least 32 bytes).
func New(master []byte) (*Keyring, error) {
	if len(master) < keyLen {
		return nil, fmt.Errorf("secret key: %d bytes, want at least %d", len(master), keyLen)
	}
	return &Keyring{master: append([]byte(nil), master...)}, nil
}

// Random returns a keyring over a fresh random key (for tests and demos
// that need no key to survive the process).
func Random() *Keyring {
	b := make([]byte, keyLen)
	rand.Read(b)
	k, _ := New(b)
	return k
}

// Load returns the keyring of encoded (a base64 key, as ISPEKS_SECRET_KEY
// holds it) when it is not empty, else of the key file at path, which is
// created with a fresh key (mode 0600) when it does not exist.
func Load(encoded, path string) (*Keyring, error) {
	if encoded = strings.TrimSpace(encoded); encoded != "" {
		b, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return nil, errors.New("ISPEKS_SECRET_KEY: not base64 (make one with: head -c 32 /dev/urandom | base64)")
		}
		return New(b)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b = make([]byte, keyLen)
		rand.Read(b)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("secret key file %s: %v", path, err)
		}
		// O_EXCL: of two instances starting at once, one writes, the other reads.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			return Load("", path)
		}
		if err != nil {
			return nil, fmt.Errorf("secret key file %s: %v", path, err)
		}
		_, err = f.Write([]byte(base64.StdEncoding.EncodeToString(b) + "\n"))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("secret key file %s: %v", path, err)
		}
		return New(b)
	}
	if err != nil {
		return nil, fmt.Errorf("secret key file %s: %v", path, err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("secret key file %s: not base64", path)
	}
	return New(raw)
}

// Key returns the key of purpose ("password-link", "audit-checkpoint"):
// keys of different purposes are unrelated, so one cannot stand for another.
func (k *Keyring) Key(purpose string) []byte {
	m := hmac.New(sha256.New, k.master)
	m.Write([]byte("ispeks/" + purpose))
	return m.Sum(nil)
}

// Token returns the token of purpose for nonce: the same nonce always gives
// the same token, and without the master key nobody can compute it.
// Tokens are 43 characters of base64url (256 bits).
func (k *Keyring) Token(purpose, nonce string) string {
	m := hmac.New(sha256.New, k.Key(purpose))
	m.Write([]byte(nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Sign returns the HMAC-SHA256 of msg under the key of purpose, in hex.
func (k *Keyring) Sign(purpose string, msg []byte) []byte {
	m := hmac.New(sha256.New, k.Key(purpose))
	m.Write(msg)
	return m.Sum(nil)
}
