package workflow

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/internal/readmetest"
)

var update = flag.Bool("update", false, "rewrite the workflow diagram in ../README.md")

func TestStatesAreFinalExactlyWhenNothingLeavesThem(t *testing.T) {
	for _, s := range States() {
		leaves := slices.ContainsFunc(edges, func(x edge) bool { return x.from == s })
		if s.Final() == leaves {
			t.Errorf("%s: Final() = %v but has outgoing edges = %v", s, s.Final(), leaves)
		}
		if (StageOf(s) == "") != s.Final() || (Awaiting(s) == "") != (StageOf(s) == "" || StageOf(s) == StageSubmitter) {
			t.Errorf("%s: stage %q, awaiting %q", s, StageOf(s), Awaiting(s))
		}
	}
}

func TestLabelsExistInBothLanguages(t *testing.T) {
	want := map[State][2]string{
		Draft: {"Draf", "Draft"}, Submitted: {"Dikemukakan", "Submitted"},
		Returned: {"Dikembalikan untuk pindaan", "Returned for amendment"}, OfficerApproved: {"Diluluskan Pegawai Pengawal", "Approved by controlling officer"},
		TreasuryApproved: {"Diluluskan Perbendaharaan", "Approved by State Treasury"}, Provisioned: {"Diproses", "Provisioned"},
		Rejected: {"Ditolak", "Rejected"}, Withdrawn: {"Ditarik balik", "Withdrawn"},
	}
	for _, s := range States() {
		if s.Label("ms") != want[s][0] || s.Label("") != want[s][0] || s.Label("en") != want[s][1] {
			t.Errorf("%s: labels %q/%q", s, s.Label("ms"), s.Label("en"))
		}
	}
	for _, e := range Events() {
		if e.Label("ms") == "" || e.Label("en") == "" || e.Label("ms") == string(e) {
			t.Errorf("%s: labels %q/%q", e, e.Label("ms"), e.Label("en"))
		}
	}
	if Approve.Label("ms") != "Lulus" || Return.Label("en") != "Return for amendment" {
		t.Errorf("event labels %q, %q", Approve.Label("ms"), Return.Label("en"))
	}
}

func TestParseEvent(t *testing.T) {
	for _, e := range Events() {
		if got, err := ParseEvent(string(e)); got != e || err != nil {
			t.Errorf("ParseEvent(%q) = %q, %v", e, got, err)
		}
	}
	for _, s := range []string{"", "Approve", "approve ", "delete"} {
		_, err := ParseEvent(s)
		if e := apperr.As(err); e.Code != apperr.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "action" {
			t.Errorf("ParseEvent(%q) = %v, want Invalid on action", s, err)
		}
	}
}

func TestMermaidDrawsEveryEdgeOfTheGraph(t *testing.T) {
	m := Mermaid()
	if !strings.HasPrefix(m, "stateDiagram-v2\n    [*] --> draft\n") || m != Mermaid() {
		t.Errorf("diagram does not start as expected or is not stable:\n%s", m)
	}
	for _, c := range edges {
		if line := "    " + string(c.from) + " --> " + string(c.to) + ": " + string(c.event) + "\n"; !strings.Contains(m, line) {
			t.Errorf("diagram lacks %q", line)
		}
	}
	for _, s := range []State{Provisioned, Rejected, Withdrawn} {
		if !strings.Contains(m, "    "+string(s)+" --> [*]\n") {
			t.Errorf("diagram does not end at %s", s)
		}
	}
	if n := strings.Count(m, "\n"); n != 2+len(edges)+3 {
		t.Errorf("diagram has %d lines, want %d", n, 2+len(edges)+3)
	}
}

func TestReferenceFormat(t *testing.T) {
	for _, c := range []struct {
		year int
		seq  int64
		want string
	}{{2026, 123, "BPP/2026/000123"}, {2026, 1, "BPP/2026/000001"}, {2027, 1234567, "BPP/2027/1234567"}} {
		if got := Reference(c.year, c.seq); got != c.want {
			t.Errorf("Reference(%d, %d) = %q, want %q", c.year, c.seq, got, c.want)
		}
	}
}

// TestREADMEDiagramIsCurrent keeps the README's copy of the diagram equal to
// Mermaid(); `go test ./workflow -run TestREADMEDiagram -update` renews it.
func TestREADMEDiagramIsCurrent(t *testing.T) {
	readmetest.Mermaid(t, "../README.md", "workflow-diagram", Mermaid(), *update, "go test ./workflow -run TestREADMEDiagram -update")
}
