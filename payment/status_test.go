package payment

import (
	"flag"
	"slices"
	"testing"

	"github.com/perbendaharaan/ispeks/internal/readmetest"
)

var update = flag.Bool("update", false, "rewrite the payment status diagram in ../README.md")

func TestStatusGraph(t *testing.T) {
	for _, s := range Statuses() {
		if _, ok := moves[s]; !ok {
			t.Errorf("status %s has no entry in the graph", s)
		}
		for _, n := range s.Next() {
			if !n.Valid() {
				t.Errorf("%s moves to unknown %s", s, n)
			}
		}
	}
	finals := []Status{}
	for _, s := range Statuses() {
		if s.Final() {
			finals = append(finals, s)
		}
	}
	if !slices.Equal(finals, []Status{Credited, Cancelled}) {
		t.Errorf("final statuses %v", finals)
	}
	for _, c := range []struct {
		from, to Status
		ok       bool
	}{
		{Received, Verified, true}, {Verified, Approved, true}, {Approved, SentToBank, true}, {Approved, Issued, true},
		{SentToBank, Credited, true}, {SentToBank, Failed, true}, {Failed, SentToBank, true}, {Failed, Issued, true},
		{Issued, Cancelled, true}, {Received, Cancelled, true},
		{Received, Approved, false}, {Credited, Cancelled, false}, {Cancelled, Received, false}, {Failed, Credited, false},
		{Issued, Credited, false}, {Approved, Approved, false},
	} {
		if CanMove(c.from, c.to) != c.ok {
			t.Errorf("CanMove(%s, %s) = %v", c.from, c.to, !c.ok)
		}
	}
}

// TestREADMEDiagramIsCurrent keeps the README's copy of the status diagram
// equal to Mermaid(); `go test ./payment -run TestREADMEDiagram -update`
// renews it.
func TestREADMEDiagramIsCurrent(t *testing.T) {
	readmetest.Mermaid(t, "../README.md", "payment-diagram", Mermaid(), *update, "go test ./payment -run TestREADMEDiagram -update")
}
