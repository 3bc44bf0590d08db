package payment

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
)

// The import file is CSV in UTF-8 from the accounting system, one status
// event of a voucher per line, under this header line (exactly these
// columns, in this order):
//
//	voucher_no,ptj_code,payee_id,payee_name,invoice_no,amount,status,status_date,payment_mode,payment_ref,bank_account
//
// The columns, and the rules ParseLine holds each to:
//   - voucher_no: the voucher (baucar) number, 1–20 letters, digits, '-'
//     or '.'; kept in capitals.
//   - ptj_code: the PTJ that pays, 8 digits.
//   - payee_id: a MyKad number (a civil servant's claim; dashes allowed) or
//     a company registration number: 3–20 letters, digits and '-', with at
//     least one digit; kept in capitals, a MyKad without dashes.
//   - payee_name: up to 150 characters (spaces collapsed).
//   - invoice_no: the payee's invoice or claim number, up to 40 characters.
//   - amount: ringgit, more than zero, at most two decimals ("12500.00",
//     "12,500.00").
//   - status: one of the statuses of the graph (received, verified,
//     approved, sent_to_bank, credited, failed, issued, cancelled).
//   - status_date: the date of that status, YYYY-MM-DD, not after today (in
//     Malaysia).
//   - payment_mode: EFT, CHEQUE or BANK_DRAFT. sent_to_bank, credited and
//     failed are EFT; issued is a cheque or a bank draft.
//   - payment_ref: the EFT or cheque reference, up to 40 characters;
//     required once a payment is sent to the bank or issued (sent_to_bank,
//     credited, failed, issued).
//   - bank_account: the payee's account, 5–20 digits (spaces and dashes
//     dropped), or empty.
//
// The rules that need the voucher's history (the move the graph allows, a
// date not before the last one, the same amount and payee) are checked by
// the import against the file's earlier lines and the database.

// Header is the import file's first line.
var Header = []string{"voucher_no", "ptj_code", "payee_id", "payee_name", "invoice_no", "amount",
	"status", "status_date", "payment_mode", "payment_ref", "bank_account"}

// Column names of the import file, as line errors name their field.
const (
	ColVoucher = "voucher_no"
	ColPTJ     = "ptj_code"
	ColPayee   = "payee_id"
	ColName    = "payee_name"
	ColInvoice = "invoice_no"
	ColAmount  = "amount"
	ColStatus  = "status"
	ColDate    = "status_date"
	ColMode    = "payment_mode"
	ColRef     = "payment_ref"
	ColAccount = "bank_account"
	// ColLine is the field of an error about the line as a whole (its
	// number of fields, CSV it is not).
	ColLine = "line"
)

// Limits of the text columns.
const (
	maxVoucher = 20
	maxPayeeID = 20
	maxName    = 150
	maxInvoice = 40
	maxRef     = 40
	maxAccount = 20
	minAccount = 5
)

// labels name the columns in messages.
var labels = map[string]i18n.Text{
	ColVoucher: i18n.Of("payment.label.voucher_no"),
	ColPayee:   i18n.Of("payment.label.payee_id"),
	ColName:    i18n.Of("payment.label.payee_name"),
	ColInvoice: i18n.Of("payment.label.invoice_no"),
	ColStatus:  i18n.Of("payment.label.status"),
	ColDate:    i18n.Of("payment.label.status_date"),
	ColMode:    i18n.Of("payment.label.payment_mode"),
}

// Line is one line of an import file: a status event of a voucher, with
// the voucher's particulars as the accounting system sends them each time.
type Line struct {
	Voucher   string
	PTJ       string
	PayeeID   string
	PayeeName string
	Invoice   string
	AmountSen int64
	Status    Status
	Date      string // YYYY-MM-DD, a date in Malaysia
	Mode      Mode
	Ref       string
	Account   string
}

// Record is l as a line of an import file, which ParseLine reads back to l.
func (l Line) Record() []string {
	return []string{l.Voucher, l.PTJ, l.PayeeID, l.PayeeName, l.Invoice, malaysia.FormatSen(l.AmountSen),
		string(l.Status), l.Date, string(l.Mode), l.Ref, l.Account}
}

// ParseLine reads one record of an import file (after the header) against
// the column rules above; today is the date in Malaysia (YYYY-MM-DD) that
// no status date may pass. It returns every problem of the record, each
// naming its column, or none and the normalised line.
func ParseLine(rec []string, today string) (Line, []apperr.FieldError) {
	if len(rec) != len(Header) {
		return Line{}, []apperr.FieldError{apperr.Field(ColLine, "payment.line.fields", "Got", len(rec), "Want", len(Header))}
	}
	var p []apperr.FieldError
	bad := func(col string, err error) { p = append(p, forms.Field(col, err)) }
	var l Line
	var err error

	if l.Voucher, err = parseVoucher(rec[0]); err != nil {
		bad(ColVoucher, err)
	}
	if l.PTJ, err = forms.ParsePTJCode(rec[1]); err != nil {
		bad(ColPTJ, err)
	}
	if l.PayeeID, err = ParsePayeeID(rec[2]); err != nil {
		bad(ColPayee, err)
	}
	if l.PayeeName, err = text(ColName, strings.Join(strings.Fields(rec[3]), " "), maxName, true); err != nil {
		bad(ColName, err)
	}
	if l.Invoice, err = ParseReference(ColInvoice, rec[4], maxInvoice, true); err != nil {
		bad(ColInvoice, err)
	}
	if l.AmountSen, err = malaysia.ParseSen(rec[5]); err != nil {
		bad(ColAmount, err)
	} else if l.AmountSen == 0 {
		bad(ColAmount, apperr.New(apperr.Invalid, "payment.line.amount_zero"))
	}
	statusOK := false
	if l.Status, err = ParseStatus(rec[6]); err != nil {
		bad(ColStatus, err)
	} else {
		statusOK = true
	}
	if l.Date, err = ParseDate(ColDate, rec[7]); err != nil {
		bad(ColDate, err)
	} else if l.Date > today {
		bad(ColDate, apperr.New(apperr.Invalid, "payment.line.date_future", "Date", l.Date))
	}
	modeOK := false
	if l.Mode, err = parseMode(rec[8]); err != nil {
		bad(ColMode, err)
	} else {
		modeOK = true
	}
	if l.Ref, err = ParseReference(ColRef, rec[9], maxRef, false); err != nil {
		bad(ColRef, err)
	}
	if l.Account, err = parseAccount(rec[10]); err != nil {
		bad(ColAccount, err)
	}
	if statusOK && modeOK && !modeFits(l.Status, l.Mode) {
		bad(ColMode, apperr.New(apperr.Invalid, "payment.line.mode_status", "Mode", string(l.Mode), "Status", string(l.Status)))
	}
	if statusOK && l.Ref == "" && needsRef(l.Status) && len(p) == 0 {
		bad(ColRef, apperr.New(apperr.Invalid, "payment.line.ref_needed", "Status", string(l.Status)))
	}
	if len(p) > 0 {
		return Line{}, p
	}
	return l, nil
}

// modeFits reports whether a payment at status s can be made by mode m: a
// bank's answer is about a transfer, an issued payment is paper.
func modeFits(s Status, m Mode) bool {
	switch s {
	case SentToBank, Credited, Failed:
		return m == EFT
	case Issued:
		return m == Cheque || m == BankDraft
	}
	return true
}

// needsRef reports whether a payment at s has a payment reference.
func needsRef(s Status) bool { return s == SentToBank || s == Credited || s == Failed || s == Issued }

// parseVoucher reads a voucher number: letters, digits, '-' and '.', which
// travel in a page's address as they are.
func parseVoucher(s string) (string, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	if t == "" {
		return "", malaysia.Required(labels[ColVoucher])
	}
	if len(t) > maxVoucher || !charsIn(t, "-.") {
		return "", apperr.New(apperr.Invalid, "payment.line.voucher", "Max", maxVoucher)
	}
	return t, nil
}

// ParseVoucher reads a voucher number as the import keeps it, for a page's
// address or a search: ok is false when s cannot be one.
func ParseVoucher(s string) (string, bool) {
	v, err := parseVoucher(s)
	return v, err == nil
}

// ParsePayeeID reads a payee id: a MyKad number (dashes and spaces
// allowed), kept as its 12 digits, or a company registration number (the
// SSM's 12-digit number, or an older one such as 123456-X), in capitals:
// 3–20 letters, digits and '-', at least one digit.
func ParsePayeeID(s string) (string, error) {
	t := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if t == "" {
		return "", malaysia.Required(labels[ColPayee])
	}
	if d := malaysia.StripSeparators(t); len(d) == 12 && malaysia.AllDigits(d) && strings.Count(t, "-") == 2 && len(t) == 14 {
		t = d // 900101-04-5679: a MyKad written with its dashes
	}
	if len(t) < 3 || len(t) > maxPayeeID || !charsIn(t, "-") || !strings.ContainsAny(t, "0123456789") {
		return "", apperr.New(apperr.Invalid, "payment.line.payee")
	}
	return t, nil
}

// ParseReference reads an invoice number or a payment reference: trimmed,
// in capitals (so that a search need not guess the case), printable, at
// most max characters; required when need.
func ParseReference(col, s string, max int, need bool) (string, error) {
	return text(col, strings.ToUpper(strings.TrimSpace(s)), max, need)
}

// text checks a free-text value: no control characters, valid UTF-8, at
// most max characters, present when need.
func text(col, t string, max int, need bool) (string, error) {
	if t == "" {
		if need {
			return "", malaysia.Required(labels[col])
		}
		return "", nil
	}
	if !utf8.ValidString(t) || strings.ContainsFunc(t, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", apperr.New(apperr.Invalid, "payment.line.control")
	}
	if utf8.RuneCountInString(t) > max {
		return "", apperr.New(apperr.Invalid, "payment.line.too_long", "Max", max)
	}
	return t, nil
}

// ParseStatus reads a status by its name in the file ("sent_to_bank").
func ParseStatus(s string) (Status, error) {
	t := Status(strings.ToLower(strings.TrimSpace(s)))
	if t == "" {
		return "", malaysia.Required(labels[ColStatus])
	}
	if !t.Valid() {
		return "", apperr.New(apperr.Invalid, "payment.line.status", "Value", clip(string(t)))
	}
	return t, nil
}

// ParseDate reads a calendar date written YYYY-MM-DD.
func ParseDate(col, s string) (string, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return "", malaysia.Required(labels[col])
	}
	d, err := time.Parse(malaysia.ISODate, t)
	if err != nil || d.Format(malaysia.ISODate) != t {
		return "", apperr.New(apperr.Invalid, "payment.line.date")
	}
	return t, nil
}

// parseMode reads a payment mode ("EFT", "cheque", "bank draft").
func parseMode(s string) (Mode, error) {
	t := Mode(strings.ReplaceAll(strings.ToUpper(strings.Join(strings.Fields(s), " ")), " ", "_"))
	if t == "" {
		return "", malaysia.Required(labels[ColMode])
	}
	if !t.Valid() {
		return "", apperr.New(apperr.Invalid, "payment.line.mode", "Value", clip(string(t)))
	}
	return t, nil
}

// parseAccount reads a bank account number: its digits, spaces and dashes
// dropped; empty when the payment is not a transfer.
func parseAccount(s string) (string, error) {
	t := malaysia.StripSeparators(strings.TrimSpace(s))
	if t == "" {
		return "", nil
	}
	if len(t) < minAccount || len(t) > maxAccount || !malaysia.AllDigits(t) {
		return "", apperr.New(apperr.Invalid, "payment.line.account", "Min", minAccount, "Max", maxAccount)
	}
	return t, nil
}

// MaskAccount shows only the last four digits of a bank account number:
// "•••• 6789"; empty stays empty.
func MaskAccount(a string) string {
	if a == "" {
		return ""
	}
	if len(a) <= 4 {
		return "••••"
	}
	return "•••• " + a[len(a)-4:]
}

// charsIn reports whether s holds only ASCII letters, digits and the
// characters of extra.
func charsIn(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}

// clip shortens a value quoted back in a message.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 20 {
		return strconv.Quote(s)
	}
	return strconv.Quote(string([]rune(s)[:20]) + "…")
}
