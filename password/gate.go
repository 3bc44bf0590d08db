package password

import (
	"runtime"
	"sync/atomic"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
)

// Gate bounds how many argon2 derivations run at once. Each holds its
// Params.Memory (19 MiB with DefaultParams) while it runs, so fifty logins
// at once would hold about a gigabyte; through a gate of n slots memory
// stays near n × 19 MiB above the process's base however many arrive, and
// the rest wait their turn — for at most the gate's wait, after which
// Enter answers ErrBusy (the web layer's 503 with Retry-After).
type Gate struct {
	slots chan struct{}
	wait  time.Duration

	active, peak atomic.Int64
	derived      atomic.Int64
}

// ErrBusy answers a hash or verification that waited the gate's whole wait
// for a slot: the server is too busy now, try again shortly.
var ErrBusy = apperr.New(apperr.Unavailable, "error.busy")

// NewGate returns a gate of n slots (at least 1) whose waiters give up
// after wait.
func NewGate(n int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(n, 1)), wait: wait}
}

// DefaultGate has a slot per CPU the Go scheduler uses, and waiters give up
// after 5 seconds.
func DefaultGate() *Gate { return NewGate(runtime.GOMAXPROCS(0), 5*time.Second) }

// Enter takes a slot, waiting up to the gate's wait; ErrBusy when none came
// free. Every Enter that succeeds must be followed by one Leave.
func (g *Gate) Enter() error {
	select {
	case g.slots <- struct{}{}:
	default:
		t := time.NewTimer(g.wait)
		defer t.Stop()
		select {
		case g.slots <- struct{}{}:
		case <-t.C:
			return ErrBusy
		}
	}
	n := g.active.Add(1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	return nil
}

// Leave gives back the slot Enter took.
func (g *Gate) Leave() {
	g.active.Add(-1)
	<-g.slots
}

// GateStats are a gate's counters since it was made.
type GateStats struct {
	Derivations int64 // argon2 derivations run through the gate (hashes and verifications)
	Peak        int64 // the most that ran at once
}

// Stats returns the gate's counters.
func (g *Gate) Stats() GateStats {
	return GateStats{Derivations: g.derived.Load(), Peak: g.peak.Load()}
}

// work is the gate every Hash and Verify passes.
var work atomic.Pointer[Gate]

func init() { work.Store(DefaultGate()) }

// Work returns the gate every Hash and Verify passes (its Stats count the
// argon2 work the process has done).
func Work() *Gate { return work.Load() }

// SetWork makes g the gate of every Hash and Verify from now on (a server
// that wants other bounds, a test that counts) and returns the previous one.
func SetWork(g *Gate) *Gate { return work.Swap(g) }

// through runs one derivation through the current gate.
func through(f func() []byte) ([]byte, error) {
	g := Work()
	if err := g.Enter(); err != nil {
		return nil, err
	}
	defer g.Leave()
	g.derived.Add(1)
	return f(), nil
}
