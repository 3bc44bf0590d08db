package password

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math/big"
)

// tokenBytes of randomness make a token unguessable (256 bits), which is why
// a plain unsalted SHA-256 is enough to store it: there is nothing to brute
// force, unlike a password.
const tokenBytes = 32

// NewToken returns a fresh random token for a session, an API client or a
// one-time set-password link (32 random bytes, base64url without padding, 43
// characters) and its HashToken. Give the token to the user; store only the
// hash, so a leaked database holds no usable tokens.
func NewToken() (token, hash string) {
	b := make([]byte, tokenBytes)
	rand.Read(b) // never fails: crypto/rand aborts the program instead
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of token in lower-case hex, the form stored
// in the database and looked up by. Looking up by hash also means no
// comparison ever runs on the secret itself, so timing reveals nothing.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Alphabets of temporary passwords. They leave out characters that look or
// sound alike when a password is read out or copied from paper: O/0/o, I/l/1,
// and symbols such as |, ' or ` that have no clear name.
const (
	tempUpper   = "ABCDEFGHJKLMNPQRSTUVWXYZ"
	tempLower   = "abcdefghijkmnpqrstuvwxyz"
	tempDigits  = "23456789"
	tempSymbols = "#$%&*+=?@"
	tempLen     = 16
)

// TemporaryPassword returns a random 16-character password that passes
// DefaultPolicy, for an administrator to give to a user after a reset (the
// user must change it at the next login). It has at least one character of
// each class, so composition holds by construction; it is regenerated in
// the (astronomically unlikely) case that it still fails a rule.
func TemporaryPassword() string {
	all := tempUpper + tempLower + tempDigits + tempSymbols
	for {
		b := []byte{pick(tempUpper), pick(tempLower), pick(tempDigits), pick(tempSymbols)}
		for len(b) < tempLen {
			b = append(b, pick(all))
		}
		// Fisher–Yates, so the guaranteed classes are not always in front.
		for i := len(b) - 1; i > 0; i-- {
			j := randIntn(i + 1)
			b[i], b[j] = b[j], b[i]
		}
		if pw := string(b); DefaultPolicy().Check(pw, Context{}) == nil {
			return pw
		}
	}
}

func pick(alphabet string) byte { return alphabet[randIntn(len(alphabet))] }

// randIntn returns a uniform random int in [0, n) from crypto/rand.
func randIntn(n int) int {
	v, err := rand.Int(rand.Reader, big.NewInt(int64(n)))
	if err != nil {
		panic("password: crypto/rand failed: " + err.Error()) // cannot happen: the default Reader never fails
	}
	return int(v.Int64())
}
