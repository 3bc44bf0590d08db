// Package workflow decides what may happen to a Borang Pentadbiran Pengguna
// request: its states and events (one graph, in looplab/fsm), who may fire
// each event (the guards, including segregation of duties), whom a transition
// must be told about, and which provisioning effect it has. It also holds the
// working-day calendar behind the reminders and the reference number format.
//
// The package is pure: it decides on a snapshot (Request, Actor, Action,
// now) and returns a Transition; the store applies it in one database
// transaction. No HTTP and no SQL live here.
package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/looplab/fsm"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
)

// State is the status (status permohonan) of a request. A request starts as
// a Draft and ends in one of the Final states, after which nothing fires.
type State string

const (
	Draft            State = "draft"             // Draf
	Submitted        State = "submitted"         // Dikemukakan: awaits the controlling officer
	Returned         State = "returned"          // Dikembalikan untuk pindaan: back with the submitter
	OfficerApproved  State = "officer_approved"  // Diluluskan Pegawai Pengawal: awaits the State Treasury
	TreasuryApproved State = "treasury_approved" // Diluluskan Perbendaharaan: awaits the sysadmin
	Provisioned      State = "provisioned"       // Diproses (final)
	Rejected         State = "rejected"          // Ditolak (final)
	Withdrawn        State = "withdrawn"         // Ditarik balik (final)
)

var states = []State{Draft, Submitted, Returned, OfficerApproved, TreasuryApproved, Provisioned, Rejected, Withdrawn}

// States lists every state in diagram order.
func States() []State { return append([]State(nil), states...) }

// Final reports whether no event may fire at s any more.
func (s State) Final() bool { return s == Provisioned || s == Rejected || s == Withdrawn }

// FinalStates lists the states nothing fires at, in diagram order.
func FinalStates() []State {
	var out []State
	for _, s := range states {
		if s.Final() {
			out = append(out, s)
		}
	}
	return out
}

// WaitingStates lists the states where a request waits for someone to act,
// in the order a request passes them.
func WaitingStates() []State {
	return []State{Draft, Returned, Submitted, OfficerApproved, TreasuryApproved}
}

// Label is the state's name for people, in lang ("en", or BM otherwise).
// An unknown state shows as itself, so a bad row is visible, not hidden.
func (s State) Label(lang string) string { return labelOf(s.Text(), string(s), lang) }

// Text is the state's name as a catalogue key: state.<id>.
func (s State) Text() i18n.Text { return i18n.Of("state." + string(s)) }

// labelOf is t in lang, or v itself when the catalogue has no such key.
func labelOf(t i18n.Text, v, lang string) string {
	if !i18n.Has(t.Key) {
		return v
	}
	return t.In(lang)
}

// Event is an action (tindakan) someone fires on a request.
type Event string

const (
	Submit    Event = "submit"    // Hantar
	Approve   Event = "approve"   // Lulus
	Reject    Event = "reject"    // Tolak
	Return    Event = "return"    // Kembalikan (untuk pindaan)
	Resubmit  Event = "resubmit"  // Hantar semula
	Withdraw  Event = "withdraw"  // Tarik balik
	Provision Event = "provision" // Proses (the sysadmin carries it out in iSPEKS)
)

var events = []Event{Submit, Approve, Reject, Return, Resubmit, Withdraw, Provision}

// Events lists every event, in the order buttons are shown.
func Events() []Event { return append([]Event(nil), events...) }

// NeedsRemarks reports whether e must say why (catatan): a rejection or a
// return, whose reader must learn what to do.
func (e Event) NeedsRemarks() bool { return e == Reject || e == Return }

// Irreversible reports whether e cannot be undone once fired, so that a
// page asks for a confirmation first.
func (e Event) Irreversible() bool {
	return e == Approve || e == Reject || e == Withdraw || e == Provision
}

// ThroughForm reports whether e sends a Borang on: it is fired through the
// form, which checks every field, not as a button on its own.
func (e Event) ThroughForm() bool { return e == Submit || e == Resubmit }

// ParseEvent reads an event name as a form or the API sends it. An unknown
// name is an Invalid error on the field "action".
func ParseEvent(s string) (Event, error) {
	if slices.Contains(events, Event(s)) {
		return Event(s), nil
	}
	return "", apperr.Fields(apperr.Field("action", "request.error.unknown_action"))
}

// Label is the event's button text, in lang ("en", or BM otherwise).
func (e Event) Label(lang string) string { return labelOf(e.Text(), string(e), lang) }

// Text is the event's name as a catalogue key: event.<id>.
func (e Event) Text() i18n.Text { return i18n.Of("event." + string(e)) }

// graph is THE definition of the workflow: Decide, Available and Mermaid all
// read it, so the rules, the buttons and the drawn diagram cannot disagree.
// approve appears twice because its destination depends on its source.
var graph = fsm.Events{
	{Name: string(Submit), Src: []string{string(Draft)}, Dst: string(Submitted)},
	{Name: string(Approve), Src: []string{string(Submitted)}, Dst: string(OfficerApproved)},
	{Name: string(Approve), Src: []string{string(OfficerApproved)}, Dst: string(TreasuryApproved)},
	{Name: string(Reject), Src: []string{string(Submitted), string(OfficerApproved), string(TreasuryApproved)}, Dst: string(Rejected)},
	{Name: string(Return), Src: []string{string(Submitted), string(OfficerApproved)}, Dst: string(Returned)},
	{Name: string(Resubmit), Src: []string{string(Returned)}, Dst: string(Submitted)},
	{Name: string(Withdraw), Src: []string{string(Draft), string(Submitted), string(Returned)}, Dst: string(Withdrawn)},
	{Name: string(Provision), Src: []string{string(TreasuryApproved)}, Dst: string(Provisioned)},
}

// target is where e, fired at from, lands, as a machine of the graph says:
// an event the graph does not allow at from is a Conflict, because the
// request has (usually) moved on since the actor saw it.
func target(from State, e Event) (State, error) {
	m, ok := moves[move{from, e}]
	if !ok { // a state or event the graph does not know
		m = onMachine(from, e)
	}
	if m.err != nil {
		return "", apperr.Wrap(apperr.Conflict, m.err, "request.error.not_allowed", "Event", e.Text(), "State", from.Text())
	}
	return m.to, nil
}

// move is an event fired at a state.
type move struct {
	from State
	e    Event
}

// landing is where a move lands (to), or why it cannot be made (err).
type landing struct {
	to  State
	err error
}

// moves is every event fired at every state, once, when the program
// starts. A list of requests asks Available of each row, which asks
// target of each event: a machine built for each of those was a quarter
// of what an inbox page allocated (1.6 GB of a bench's 6.3).
var moves = func() map[move]landing {
	m := map[move]landing{}
	for _, s := range states {
		for _, e := range events {
			m[move{s, e}] = onMachine(s, e)
		}
	}
	return m
}()

// onMachine fires e on a machine of the graph at from. The machine is thrown
// away: the store owns the state.
func onMachine(from State, e Event) landing {
	f := fsm.NewFSM(string(from), graph, nil)
	if err := f.Event(context.Background(), string(e)); err != nil {
		return landing{err: err}
	}
	return landing{to: State(f.Current())}
}

// Mermaid draws the graph as a Mermaid stateDiagram-v2 for the README, in
// the order the graph is written so that the output is stable.
func Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", Draft)
	for _, d := range graph {
		for _, src := range d.Src {
			fmt.Fprintf(&b, "    %s --> %s: %s\n", src, d.Dst, d.Name)
		}
	}
	for _, s := range states {
		if s.Final() {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	return b.String()
}

// Reference formats the yearly sequence number of a request (nombor rujukan):
// Reference(2026, 123) == "BPP/2026/000123". BPP = Borang Pentadbiran Pengguna.
func Reference(year int, seq int64) string {
	return fmt.Sprintf(ReferencePrefix+"%04d/%06d", year, seq)
}

// ReferencePrefix starts every request's reference, and nothing else a
// request holds: a search that starts with it is a search of references.
const ReferencePrefix = "BPP/"
