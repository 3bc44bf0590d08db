package password

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// cheap are valid parameters that hash in well under a millisecond, for tests
// that need many hashes; they differ from DefaultParams on purpose.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashFormat(t *testing.T) {
	h, err := Hash("Kopi-Tarik-42!")
	if err != nil {
		t.Fatal(err)
	}
	// 16-byte salt = 22 base64 characters, 32-byte key = 43, no padding.
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1,n=nfkc\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(h) {
		t.Fatalf("hash %q is not the PHC form", h)
	}
	h2, _ := Hash("Kopi-Tarik-42!")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestVerify(t *testing.T) {
	const pw = "Kopi-Tarik-42!"
	h, err := Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	old, err := HashWith(cheap, pw)
	if err != nil {
		t.Fatal(err)
	}
	saltAt := strings.LastIndexByte(h, '$') - 5 // inside the salt
	for _, tc := range []struct {
		name, pw, hash  string
		ok, needsRehash bool
	}{
		{"round trip", pw, h, true, false},
		{"wrong password", "Kopi-Tarik-43!", h, false, false},
		{"case matters", strings.ToUpper(pw), h, false, false},
		{"empty password", "", h, false, false},
		{"tampered key", pw, flip(h, len(h)-10), false, false},
		{"tampered salt", pw, flip(h, saltAt), false, false},
		{"tampered params", pw, strings.Replace(h, "m=19456", "m=19457", 1), false, false},
		{"other params: rehash", pw, old, true, true},
		{"other params, wrong password: no rehash", "nope", old, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, rehash, err := Verify(tc.pw, tc.hash)
			if err != nil || ok != tc.ok || rehash != tc.needsRehash {
				t.Fatalf("Verify = %v, %v, %v; want %v, %v, nil", ok, rehash, err, tc.ok, tc.needsRehash)
			}
		})
	}
}

// flip changes the base64 character at i of h, keeping it valid base64.
func flip(h string, i int) string {
	c := byte('A')
	if h[i] == 'A' {
		c = 'B'
	}
	return h[:i] + string(c) + h[i+1:]
}

func TestVerifyMalformed(t *testing.T) {
	const salt, key = "c2FsdHNhbHRzYWx0c2FsdA", "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U"
	ok := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	if _, _, err := Verify("x", ok); err != nil {
		t.Fatalf("control hash rejected: %v", err)
	}
	for name, h := range map[string]string{
		"empty":             "",
		"plain text":        "Kopi-Tarik-42!",
		"bcrypt":            "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":           "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"no leading $":      "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"old version":       "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
		"no version":        "$argon2id$m=64,t=1,p=1$" + salt + "$" + key,
		"extra field":       ok + "$x",
		"params missing":    "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"params reordered":  "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"params junk":       "$argon2id$v=19$m=64x,t=1,p=1$" + salt + "$" + key,
		"negative":          "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key,
		"t=0":               "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"t huge":            "$argon2id$v=19$m=64,t=100000,p=1$" + salt + "$" + key,
		"p=0":               "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"p overflows uint8": "$argon2id$v=19$m=64,t=1,p=256$" + salt + "$" + key,
		"m below 8p":        "$argon2id$v=19$m=7,t=1,p=1$" + salt + "$" + key,
		"m above 1 GiB":     "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key,
		"m overflows":       "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + key,
		"salt not base64":   "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key,
		"salt padded":       "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"salt too short":    "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$" + key,
		"key empty":         "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$",
		"key too short":     "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$a2V5",
		"key non-canonical": "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:len(key)-1] + "f",
	} {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := Verify("x", h)
			if !errors.Is(err, ErrInvalidHash) || ok || rehash {
				t.Fatalf("Verify(%q) = %v, %v, %v; want false, false, ErrInvalidHash", h, ok, rehash, err)
			}
		})
	}
}

func TestHashWithInvalidParams(t *testing.T) {
	for name, p := range map[string]Params{
		"zero":       {},
		"no time":    {Memory: 64, Threads: 1, SaltLen: 16, KeyLen: 32},
		"no threads": {Memory: 64, Time: 1, SaltLen: 16, KeyLen: 32},
		"short salt": {Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		"short key":  {Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		"huge m":     {Memory: 1<<20 + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	} {
		if h, err := HashWith(p, "x"); err == nil {
			t.Errorf("%s: HashWith(%+v) = %q, want error", name, p, h)
		}
	}
}

func TestVerifyDummy(t *testing.T) {
	for _, pw := range []string{"", "Kopi-Tarik-42!", strings.Repeat("x", 200)} {
		if err := VerifyDummy(pw); err != nil {
			t.Fatalf("VerifyDummy(%q) = %v", pw, err)
		}
	}
}

// FuzzDecode checks that no stored string makes the parser panic. It calls
// decode, not Verify, so that fuzzing does not spend its time in argon2.
func FuzzDecode(f *testing.F) {
	h, _ := HashWith(cheap, "x")
	for _, s := range []string{h, "", "$", "$$$$$", "$argon2id$v=19$m=,t=,p=$$", "$argon2id$v=19$m=1,t=1,p=1$=$="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if _, _, _, err := decode(s); err != nil && !errors.Is(err, ErrInvalidHash) {
			t.Fatalf("decode(%q): error %v does not wrap ErrInvalidHash", s, err)
		}
	})
}

func BenchmarkHash(b *testing.B) {
	n := 0
	for b.Loop() {
		if _, err := Hash("Kopi-Tarik-42!"); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "hashes/s")
}

func BenchmarkVerify(b *testing.B) {
	h, err := Hash("Kopi-Tarik-42!")
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		if ok, _, _ := Verify("Kopi-Tarik-42!", h); !ok {
			b.Fatal("no match")
		}
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "verifications/s")
}

// BenchmarkVerifyDummy should match BenchmarkVerify: that is its purpose.
func BenchmarkVerifyDummy(b *testing.B) {
	n := 0
	for b.Loop() {
		VerifyDummy("Kopi-Tarik-42!")
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "verifications/s")
}
