package password

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
)

// useGate makes g the gate for the test.
func useGate(t *testing.T, g *Gate) {
	old := SetWork(g)
	t.Cleanup(func() { SetWork(old) })
}

// TestGateBoundsConcurrentHashing: however many verifications arrive at
// once, no more run together than the gate has slots.
func TestGateBoundsConcurrentHashing(t *testing.T) {
	g := NewGate(2, time.Minute)
	useGate(t, g)
	h, _ := HashWith(cheap, strong)
	var wg sync.WaitGroup
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if ok, _, err := Verify(strong, h); !ok || err != nil {
				t.Errorf("Verify: %v %v", ok, err)
			}
		}()
	}
	wg.Wait()
	if st := g.Stats(); st.Peak > 2 || st.Derivations != 101 {
		t.Fatalf("stats %+v, want at most 2 at once and 101 derivations (1 hash, 100 verifications)", st)
	}
}

// TestGateGivesUp: a verification that finds every slot taken for the
// gate's whole wait answers ErrBusy (503), without hashing.
func TestGateGivesUp(t *testing.T) {
	g := NewGate(1, 20*time.Millisecond)
	useGate(t, g)
	if err := g.Enter(); err != nil {
		t.Fatal(err)
	}
	_, _, err := Verify(strong, "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U")
	if !errors.Is(err, ErrBusy) || apperr.CodeOf(err) != apperr.Unavailable {
		t.Fatalf("Verify with the gate full: %v", err)
	}
	if _, err := Hash(strong); !errors.Is(err, ErrBusy) {
		t.Fatalf("Hash with the gate full: %v", err)
	}
	g.Leave()
	if err := VerifyDummy(strong); err != nil {
		t.Fatalf("after Leave: %v", err)
	}
}

// TestOneDerivationPerCheck: Verify and VerifyDummy cost exactly one argon2
// derivation whatever the answer — right, wrong, empty or overlong
// password — so that a caller spending one of them per failure spends the
// same on every failure.
func TestOneDerivationPerCheck(t *testing.T) {
	g := NewGate(4, time.Minute)
	useGate(t, g)
	h, _ := HashWith(cheap, strong)
	count := func(f func()) int64 {
		before := g.Stats().Derivations
		f()
		return g.Stats().Derivations - before
	}
	for name, f := range map[string]func(){
		"right":    func() { Verify(strong, h) },
		"wrong":    func() { Verify("Salah-Sekali-2026!", h) },
		"empty":    func() { Verify("", h) },
		"overlong": func() { Verify(strings.Repeat("x", 10<<20), h) },
		"dummy":    func() { VerifyDummy("x") },
	} {
		if n := count(f); n != 1 {
			t.Errorf("%s: %d derivations", name, n)
		}
	}
	if _, err := Hash(strings.Repeat("x", MaxLength+1)); Rule(err) != RuleTooLong {
		t.Errorf("Hash of 129 characters: %v", err)
	}
}
