// Package password holds everything the portal does with passwords and
// other secrets, apart from HTTP and SQL:
//
//   - hashing: argon2id with the OWASP parameters, kept in the standard PHC
//     string so the parameters can be raised later (Hash, Verify, VerifyDummy);
//   - the password policy of the JPA cyber-security policy and OWASP ASVS V2
//     (Policy.Check), whose every rejection names its rule (Rule);
//   - random secrets: session/API/set-password tokens stored only as a hash
//     (NewToken, HashToken) and temporary passwords read out to a user
//     (TemporaryPassword).
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters. They are written into every hash, so
// raising them later only makes Verify report needsRehash for old hashes.
type Params struct {
	Memory  uint32 // memory in KiB
	Time    uint32 // number of passes
	Threads uint8  // degree of parallelism
	SaltLen uint32 // salt length in bytes
	KeyLen  uint32 // derived key length in bytes
	// Normalize: the password was normalised (Normalize, NFKC) before it was
	// hashed, written ",n=nfkc" after the cost parameters. Hashes made before
	// the portal normalised passwords lack it, and Verify checks those
	// against the password as typed, so that nobody is locked out by the
	// change (and a login then rehashes it, see Normalized).
	Normalize bool
}

// DefaultParams are the OWASP Password Storage Cheat Sheet settings for
// argon2id (19 MiB, 2 passes, 1 thread) with a 16-byte salt and a 32-byte
// key, over the normalised password. Hash uses them and Verify asks for a
// rehash of anything else. Change them, if at all, once at start-up before
// any use.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32, Normalize: true}

// Bounds on parameters, for new hashes and for hashes read back. The upper
// bounds matter on the way in: a tampered hash row must not make a login
// allocate gigabytes or spin for minutes. The lower bounds are the argon2
// minimums (RFC 9106), and a key of at least 16 bytes also stops an empty key
// from comparing equal to an empty derived key, which would accept any
// password.
const (
	maxMemory  = 1 << 20 // KiB = 1 GiB
	maxTime    = 64
	minSaltLen = 8
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
)

const (
	phcAlgorithm = "argon2id"
	phcPrefix    = "$" + phcAlgorithm + "$"
)

// ErrInvalidHash is wrapped by every error Verify returns: the stored string
// is not an argon2id PHC hash this package can check. It is an internal
// error (a corrupt or foreign row), never the user's fault.
var ErrInvalidHash = errors.New("password: invalid argon2id hash")

// b64 is the PHC encoding: standard alphabet, no padding. Strict rejects
// non-zero trailing bits, so each hash has exactly one valid spelling.
var b64 = base64.RawStdEncoding.Strict()

// validate reports why p cannot be used, or nil.
func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("t=%d outside 1..%d", p.Time, maxTime)
	case p.Threads < 1:
		return errors.New("p must be at least 1")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("m=%d outside %d..%d KiB", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt of %d bytes outside %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key of %d bytes outside %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// MaxLength is the most characters (runes) a password may have: the policy's
// upper bound, and what Hash and Verify accept at all, so that no request
// (a 200 MB "password") makes argon2 read more than this.
const MaxLength = 128

// tooLong reports whether pw has more than MaxLength runes (counting no
// further than needed).
func tooLong(pw string) bool {
	if len(pw) <= MaxLength {
		return false
	}
	if len(pw) > utf8.UTFMax*MaxLength {
		return true
	}
	return utf8.RuneCountInString(pw) > MaxLength
}

// Hash hashes pw with DefaultParams and a fresh random salt and returns the
// PHC string $argon2id$v=19$m=19456,t=2,p=1,n=nfkc$<salt>$<key>. It may
// wait for a slot of the gate (Work) and fail with ErrBusy.
func Hash(pw string) (string, error) { return HashWith(DefaultParams, pw) }

// HashWith is Hash with explicit parameters; it fails if p is out of bounds
// or pw is longer than MaxLength (a *RuleError, too_long).
func HashWith(p Params, pw string) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("password: invalid params: %w", err)
	}
	if tooLong(pw) {
		return "", reject(RuleTooLong, "Max", MaxLength)
	}
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails: crypto/rand aborts the program instead
	key, err := derive(p, pw, salt)
	if err != nil {
		return "", err
	}
	return encode(p, salt, key), nil
}

// Verify reports whether pw matches the PHC hash encoded, comparing in
// constant time; it runs exactly one argon2 derivation whatever the answer
// (through the gate: it may fail with ErrBusy). needsRehash is true when pw
// matched but the hash was made with parameters other than DefaultParams:
// the caller should then store Hash(pw) while it still has the plain
// password. A hash made with Normalize checks Normalize(pw). A malformed or foreign
// hash gives an error wrapping ErrInvalidHash, never a panic. A pw longer
// than MaxLength is never right: it costs what a wrong one costs, and
// argon2 never reads it.
func Verify(pw, encoded string) (ok, needsRehash bool, err error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	long := tooLong(pw)
	if long {
		pw = ""
	}
	got, err := derive(p, pw, salt)
	if err != nil {
		return false, false, err
	}
	if long || subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	return true, p != DefaultParams, nil
}

// Readable reports whether encoded is a hash Verify can check (a corrupt or
// foreign row is not; a caller then spends VerifyDummy instead, so that
// such a row costs what any other does).
func Readable(encoded string) bool {
	_, _, _, err := decode(encoded)
	return err == nil
}

// Normalized reports whether encoded was made of a normalised password.
// After a successful Verify of a hash that was not, the caller should store
// Hash(pw): the same password then keeps working, normalised.
func Normalized(encoded string) bool {
	p, _, _, err := decode(encoded)
	return err == nil && p.Normalize
}

// VerifyDummy spends what a real Verify against a hash with DefaultParams
// spends — one argon2 derivation, through the gate — and matches nothing.
// Call it when there is no real hash to check (the login is unknown, the
// account has no password yet or is locked), so that response time does
// not reveal which logins exist or what state they are in. The dummy hash is
// built from DefaultParams on each call, so it keeps costing what a real
// hash costs after the parameters are raised. Its only error is ErrBusy.
func VerifyDummy(pw string) error {
	p := DefaultParams
	// An all-zero key is never argon2's output in practice; the result is
	// discarded anyway.
	_, _, err := Verify(pw, encode(p, make([]byte, p.SaltLen), make([]byte, p.KeyLen)))
	return err
}

// derive runs argon2id over pw (normalised when p says so) through the gate.
func derive(p Params, pw string, salt []byte) ([]byte, error) {
	if p.Normalize {
		pw = Normalize(pw)
	}
	return through(func() []byte { return argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen) })
}

// normalizedParam is the PHC parameter of Params.Normalize.
const normalizedParam = "n=nfkc"

func encode(p Params, salt, key []byte) string {
	norm := ""
	if p.Normalize {
		norm = "," + normalizedParam
	}
	return fmt.Sprintf("%sv=%d$m=%d,t=%d,p=%d%s$%s$%s", phcPrefix, argon2.Version,
		p.Memory, p.Time, p.Threads, norm, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decode parses a PHC argon2id string strictly: exactly the fields encode
// writes, in that order, within the bounds of validate.
func decode(encoded string) (p Params, salt, key []byte, err error) {
	fail := func(format string, args ...any) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: "+format, append([]any{ErrInvalidHash}, args...)...)
	}
	// "$argon2id$v=19$m=..,t=..,p=..$salt$key" splits into 6, the first empty.
	f := strings.Split(encoded, "$")
	if len(f) != 6 || f[0] != "" {
		return fail("want 5 $-separated fields")
	}
	if f[1] != phcAlgorithm {
		return fail("algorithm %q, want %s", f[1], phcAlgorithm)
	}
	if f[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("version %q, want v=%d", f[2], argon2.Version)
	}
	kv := strings.Split(f[3], ",")
	normalized := len(kv) == 4 && kv[3] == normalizedParam
	if len(kv) != 3 && !normalized {
		return fail("parameters %q, want m=,t=,p= and optionally %s", f[3], normalizedParam)
	}
	var nums [3]uint64
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(kv[i], name+"=")
		if !ok {
			return fail("parameter %q, want %s=", kv[i], name)
		}
		bits := 32
		if name == "p" {
			bits = 8
		}
		if nums[i], err = strconv.ParseUint(v, 10, bits); err != nil {
			return fail("parameter %s: %v", name, err)
		}
	}
	if salt, err = b64.DecodeString(f[4]); err != nil {
		return fail("salt: %v", err)
	}
	if key, err = b64.DecodeString(f[5]); err != nil {
		return fail("key: %v", err)
	}
	p = Params{
		Memory:    uint32(nums[0]),
		Time:      uint32(nums[1]),
		Threads:   uint8(nums[2]),
		SaltLen:   uint32(len(salt)),
		KeyLen:    uint32(len(key)),
		Normalize: normalized,
	}
	if err := p.validate(); err != nil {
		return fail("%v", err)
	}
	return p, salt, key, nil
}
