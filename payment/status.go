package payment

import (
	"fmt"
	"strings"

	"github.com/perbendaharaan/ispeks/i18n"
)

// Status is where a payment (a voucher, baucar) stands, as the accounting
// system reports it and the national eMaklum shows it.
type Status string

const (
	Received   Status = "received"     // Diterima: the accounting office has the voucher
	Verified   Status = "verified"     // Disemak
	Approved   Status = "approved"     // Diluluskan
	SentToBank Status = "sent_to_bank" // Dihantar ke bank (EFT)
	Credited   Status = "credited"     // Diterima oleh bank: in the payee's account
	Failed     Status = "failed"       // Gagal diproses bank
	Issued     Status = "issued"       // Dikeluarkan: a cheque or bank draft
	Cancelled  Status = "cancelled"    // Dibatalkan
)

// statuses lists every status in the order of a payment's life, which is
// the order lists and filters show them in.
var statuses = []Status{Received, Verified, Approved, SentToBank, Credited, Failed, Issued, Cancelled}

// Statuses returns every status, in the order of a payment's life.
func Statuses() []Status { return append([]Status(nil), statuses...) }

// moves is the status graph, the one definition of which status may follow
// which (the README's diagram is drawn from it). A voucher may first appear
// at any status: the accounting system may send only where it stands now.
// After that:
//   - the forward path received → verified → approved → sent_to_bank →
//     credited or failed, and approved → issued for a cheque or bank draft;
//   - a payment that failed at the bank may be sent again or issued as a
//     cheque;
//   - any status that is not final may be cancelled;
//   - credited and cancelled are final.
var moves = map[Status][]Status{
	Received:   {Verified, Cancelled},
	Verified:   {Approved, Cancelled},
	Approved:   {SentToBank, Issued, Cancelled},
	SentToBank: {Credited, Failed, Cancelled},
	Failed:     {SentToBank, Issued, Cancelled},
	Issued:     {Cancelled},
	Credited:   nil,
	Cancelled:  nil,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := moves[s]
	return ok
}

// Final reports whether nothing may follow s.
func (s Status) Final() bool { return s.Valid() && len(moves[s]) == 0 }

// CanMove reports whether the graph lets a voucher at from move to to.
func CanMove(from, to Status) bool {
	for _, s := range moves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Next lists the statuses that may follow s.
func (s Status) Next() []Status { return append([]Status(nil), moves[s]...) }

// Label is the status as people know it, in lang: "Diterima oleh bank".
func (s Status) Label(lang string) string { return i18n.T(lang, "payment.status."+string(s)) }

// Notifies reports whether the payee hears of a payment reaching s: it was
// credited, failed at the bank or was cancelled.
func (s Status) Notifies() bool { return s == Credited || s == Failed || s == Cancelled }

// allowedMoves lists every allowed move as "from>to", for the import's
// set-based check in SQL.
func allowedMoves() []string {
	var out []string
	for _, from := range statuses {
		for _, to := range moves[from] {
			out = append(out, string(from)+">"+string(to))
		}
	}
	return out
}

// Mermaid draws the graph as a Mermaid stateDiagram-v2 for the README, in
// the order of statuses so that the output is stable: every status may be
// the first one seen.
func Mermaid() string {
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	for _, s := range statuses {
		fmt.Fprintf(&b, "    [*] --> %s\n", s)
	}
	for _, from := range statuses {
		for _, to := range moves[from] {
			fmt.Fprintf(&b, "    %s --> %s\n", from, to)
		}
	}
	for _, s := range statuses {
		if s.Final() {
			fmt.Fprintf(&b, "    %s --> [*]\n", s)
		}
	}
	return b.String()
}

// Mode is how a payment is made (cara bayaran).
type Mode string

const (
	EFT       Mode = "EFT"        // electronic funds transfer to the payee's account
	Cheque    Mode = "CHEQUE"     // cek
	BankDraft Mode = "BANK_DRAFT" // draf bank
)

// Modes lists every payment mode.
var Modes = []Mode{EFT, Cheque, BankDraft}

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == EFT || m == Cheque || m == BankDraft }

// Label is the mode in lang: "Cek".
func (m Mode) Label(lang string) string { return i18n.T(lang, "payment.mode."+string(m)) }
