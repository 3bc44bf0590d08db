package payslip

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
)

// The payroll file (fail gaji) is what the payroll system exports each
// month: UTF-8 CSV (RFC 4180 quoting within a line), the header row below,
// then one line per pay item of one employee in one month. This file reads
// it line by line without SQL, so that every rule is tested on its own.

// Columns is the documented header, in order.
var Columns = []string{"month", "salary_no", "ic_number", "name", "ptj_code", "position", "grade",
	"bank_code", "account_no", "tax_no", "epf_no", "item_code", "item_kind", "item_name", "amount"}

// Column indexes of Columns.
const (
	colMonth = iota
	colSalaryNo
	colIC
	colName
	colPTJ
	colPosition
	colGrade
	colBank
	colAccount
	colTaxNo
	colEPFNo
	colItemCode
	colKind
	colItemName
	colAmount
	nColumns
	nEmployeeColumns = colItemCode // columns 0..10 describe the employee, the rest the item
)

// Kind is the kind of a pay item.
type Kind string

const (
	Earning   Kind = "earning"   // pendapatan
	Deduction Kind = "deduction" // potongan
	Employer  Kind = "employer"  // caruman majikan, shown for information
)

// Field limits, as the tables hold them.
const (
	maxName     = 150
	maxPosition = 100
	maxGrade    = 10
	maxItemName = 100
	maxLineLen  = 64 << 10
)

// Line is one valid line of a payroll file: one pay item of one employee
// in one month. Strings are trimmed; identifiers are in their canonical form.
type Line struct {
	No        int // line number in the file, the header being 1
	Slip      int // the slip's number in the file: 1 for the first employee-month met, and so on
	SlipStart int // the line the slip starts on (its first line in the file)
	Month     string
	SalaryNo  string
	IC        string // MyKad, 12 digits
	Name      string
	PTJ       string
	Position  string
	Grade     string
	Bank      string
	Account   string
	TaxNo     string
	EPFNo     string
	ItemCode  string
	Kind      Kind
	ItemName  string
	AmountSen int64
}

// LineError is one reason a line is bad: its number, the column (or
// "header", "line") and the message.
type LineError struct {
	Line int
	apperr.FieldError
}

// MaxErrors is how many bad lines a result lists; the count of the rest is
// kept, so that a file of a million bad lines answers in bounded memory.
const MaxErrors = 1000

// ParseMonth parses a pay month written YYYY-MM (2000-01 to 2099-12).
func ParseMonth(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) != 7 || t[4] != '-' || !malaysia.AllDigits(t[:4]) || !malaysia.AllDigits(t[5:]) {
		return "", apperr.New(apperr.Invalid, "payslip.error.month")
	}
	y, _ := strconv.Atoi(t[:4])
	m, _ := strconv.Atoi(t[5:])
	if y < 2000 || y > 2099 || m < 1 || m > 12 {
		return "", apperr.New(apperr.Invalid, "payslip.error.month")
	}
	return t, nil
}

// monthIndex numbers a valid month: months since January 2000.
func monthIndex(m string) uint64 {
	y, _ := strconv.Atoi(m[:4])
	mm, _ := strconv.Atoi(m[5:])
	return uint64((y-2000)*12 + mm - 1)
}

// slipKey packs a month and a MyKad into one number: 40 bits hold the
// twelve digits, the month goes above them.
func slipKey(month, ic string) uint64 {
	n, _ := strconv.ParseUint(ic, 10, 64)
	return monthIndex(month)<<40 | n
}

// seen is what the first line of one employee's month said, as hashes, so
// that later lines of the same slip can be checked against it in a few
// bytes per slip.
type seen struct {
	line   int32
	slip   int32
	fields [nEmployeeColumns]uint32 // hash of each employee column
}

// Scanner reads a payroll file and checks every line. Known reports whether
// a PTJ code exists; Now dates MyKad numbers (no birth date in the future).
type Scanner struct {
	Known func(ptj string) bool
	Now   time.Time

	Errors     []LineError // the first MaxErrors
	ErrorCount int         // all of them
	Lines      int         // item lines read (header and blank lines not counted)
	Months     map[string]int
	Slips      int // employee-months
	Employees  int // distinct MyKad numbers

	slips     map[uint64]*seen
	employees map[uint64]struct{}
	prev      [nEmployeeColumns]string // the previous valid line's employee columns
	prevLine  Line
	prevOK    bool
	fields    []string
}

func (sc *Scanner) fail(line int, field, key string, args ...any) {
	sc.ErrorCount++
	if len(sc.Errors) < MaxErrors {
		sc.Errors = append(sc.Errors, LineError{Line: line, FieldError: apperr.Field(field, key, args...)})
	}
}

func (sc *Scanner) failErr(line int, field string, err error) {
	sc.ErrorCount++
	if len(sc.Errors) < MaxErrors {
		sc.Errors = append(sc.Errors, LineError{Line: line, FieldError: forms.Field(field, err)})
	}
}

// Scan reads r to its end and calls emit with each valid line for as long
// as no line was bad (after the first bad line the file can no longer be
// imported, so the remaining lines are only checked). It returns emit's
// error or a read error; bad lines are in Errors, not in the error.
func (sc *Scanner) Scan(r io.Reader, emit func(*Line) error) error {
	if sc.Now.IsZero() {
		sc.Now = time.Now()
	}
	sc.Months = map[string]int{}
	sc.slips = map[uint64]*seen{}
	sc.employees = map[uint64]struct{}{}
	sc.fields = make([]string, 0, nColumns)
	br := bufio.NewReaderSize(r, maxLineLen)
	no := 0
	header := false
	for {
		raw, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			no++
			sc.fail(no, "line", "payslip.error.too_long", "Max", maxLineLen)
			for errors.Is(err, bufio.ErrBufferFull) { // skip the rest of the line
				_, err = br.ReadSlice('\n')
			}
			if err != nil && err != io.EOF {
				return err
			}
			if err == io.EOF {
				break
			}
			continue
		}
		if err != nil && err != io.EOF {
			return err
		}
		if len(raw) == 0 && err == io.EOF {
			break
		}
		no++
		raw = bytes.TrimRight(raw, "\r\n")
		if !header {
			header = true
			if !sc.header(raw) {
				return nil // columns in another order: nothing after it can be read
			}
		} else if len(bytes.TrimSpace(raw)) > 0 {
			if l, ok := sc.line(no, raw); ok && sc.ErrorCount == 0 && emit != nil {
				if err := emit(l); err != nil {
					return err
				}
			}
		}
		if err == io.EOF {
			break
		}
	}
	switch {
	case !header:
		sc.fail(1, "header", "payslip.error.empty")
	case sc.Lines == 0 && sc.ErrorCount == 0:
		sc.fail(no, "line", "payslip.error.no_lines")
	}
	return nil
}

// header checks the header row (a UTF-8 byte order mark, which spreadsheet
// programs add, is allowed).
func (sc *Scanner) header(raw []byte) bool {
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF"))
	want := strings.Join(Columns, ",")
	if !utf8.Valid(raw) {
		sc.fail(1, "header", "payslip.error.not_utf8")
		return false
	}
	fields, err := SplitLine(string(raw), nil)
	got := make([]string, len(fields))
	for i, f := range fields {
		got[i] = strings.ToLower(strings.TrimSpace(f))
	}
	if err != nil || strings.Join(got, ",") != want {
		sc.fail(1, "header", "payslip.error.header", "Want", want)
		return false
	}
	return true
}

// line checks one item line and returns it when it is valid.
func (sc *Scanner) line(no int, raw []byte) (*Line, bool) {
	sc.Lines++
	if !utf8.Valid(raw) {
		sc.fail(no, "line", "payslip.error.not_utf8")
		return nil, false
	}
	f, err := SplitLine(string(raw), sc.fields[:0])
	sc.fields = f
	if err != nil {
		sc.fail(no, "line", "payslip.error.quotes")
		return nil, false
	}
	if len(f) != nColumns {
		sc.fail(no, "line", "payslip.error.columns", "Count", len(f), "Want", nColumns)
		return nil, false
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	before := sc.ErrorCount
	l := &sc.prevLine
	// Lines of one slip repeat the employee's columns: when they are the
	// same as the line before's, so is their verdict.
	same := sc.prevOK
	for i := 0; same && i < nEmployeeColumns; i++ {
		same = f[i] == sc.prev[i]
	}
	if !same {
		sc.prevOK = false
		sc.employee(no, f, l)
		if sc.ErrorCount > before {
			return nil, false
		}
		if !sc.consistent(no, l) {
			return nil, false
		}
		copy(sc.prev[:], f[:nEmployeeColumns])
		sc.prevOK = true
	}
	l.No = no
	sc.item(no, f, l)
	if sc.ErrorCount > before {
		return nil, false
	}
	sc.Months[l.Month]++
	return l, true
}

// employee checks the employee columns into l.
func (sc *Scanner) employee(no int, f []string, l *Line) {
	var err error
	if l.Month, err = ParseMonth(f[colMonth]); err != nil {
		sc.failErr(no, Columns[colMonth], err)
	}
	if l.SalaryNo, err = forms.ParseSalaryNo(f[colSalaryNo]); err != nil {
		sc.failErr(no, Columns[colSalaryNo], err)
	}
	ic, err := malaysia.ParseMyKadAt(f[colIC], sc.Now)
	if err != nil {
		sc.failErr(no, Columns[colIC], err)
	}
	l.IC = string(ic)
	l.Name = squeeze(f[colName])
	switch n := utf8.RuneCountInString(l.Name); {
	case n == 0:
		sc.failErr(no, Columns[colName], malaysia.Required(i18n.Of("label.name")))
	case n > maxName:
		sc.fail(no, Columns[colName], "payslip.error.too_long_text", "Max", maxName)
	}
	if l.PTJ, err = forms.ParsePTJCode(f[colPTJ]); err != nil {
		sc.failErr(no, Columns[colPTJ], err)
	} else if sc.Known != nil && !sc.Known(l.PTJ) {
		sc.fail(no, Columns[colPTJ], "payslip.error.ptj_unknown", "Code", l.PTJ)
	}
	l.Position = f[colPosition]
	if utf8.RuneCountInString(l.Position) > maxPosition {
		sc.fail(no, Columns[colPosition], "payslip.error.too_long_text", "Max", maxPosition)
	}
	l.Grade = strings.ToUpper(f[colGrade])
	if len(l.Grade) > maxGrade || !printableASCII(l.Grade) {
		sc.fail(no, Columns[colGrade], "payslip.error.grade", "Max", maxGrade)
	}
	l.Bank = strings.ToUpper(f[colBank])
	if len(l.Bank) > 10 || (l.Bank != "" && !alnum(l.Bank)) {
		sc.fail(no, Columns[colBank], "payslip.error.bank_code")
	}
	l.Account = malaysia.StripSeparators(f[colAccount])
	if len(l.Account) > 20 || (l.Account != "" && !malaysia.AllDigits(l.Account)) || (l.Account == "") != (l.Bank == "") {
		sc.fail(no, Columns[colAccount], "payslip.error.account_no")
	}
	l.TaxNo = ""
	if f[colTaxNo] != "" {
		if l.TaxNo, err = forms.ParseTaxNo(f[colTaxNo]); err != nil {
			sc.failErr(no, Columns[colTaxNo], err)
		}
	}
	l.EPFNo = strings.ToUpper(strings.ReplaceAll(f[colEPFNo], " ", ""))
	if len(l.EPFNo) > 12 || (l.EPFNo != "" && !alnum(l.EPFNo)) {
		sc.fail(no, Columns[colEPFNo], "payslip.error.epf_no")
	}
}

// consistent checks that one MyKad has one name, one salary number and
// the same details in all the lines of one month; it records the first.
func (sc *Scanner) consistent(no int, l *Line) bool {
	key := slipKey(l.Month, l.IC)
	var h [nEmployeeColumns]uint32
	vals := [nEmployeeColumns]string{l.Month, l.SalaryNo, l.IC, l.Name, l.PTJ, l.Position, l.Grade, l.Bank, l.Account, l.TaxNo, l.EPFNo}
	// A name differing only in case is the same name.
	vals[colName] = strings.ToUpper(vals[colName])
	for i, v := range vals {
		h[i] = hash32(v)
	}
	first, ok := sc.slips[key]
	if !ok {
		sc.Slips++
		sc.slips[key] = &seen{line: int32(no), slip: int32(sc.Slips), fields: h}
		l.Slip, l.SlipStart = sc.Slips, no
		ic, _ := strconv.ParseUint(l.IC, 10, 64)
		if _, dup := sc.employees[ic]; !dup {
			sc.employees[ic] = struct{}{}
			sc.Employees++
		}
		return true
	}
	l.Slip, l.SlipStart = int(first.slip), int(first.line)
	good := true
	for i := range h {
		if h[i] == first.fields[i] {
			continue
		}
		good = false
		key := "payslip.error.differs"
		switch i {
		case colName:
			key = "payslip.error.two_names"
		case colSalaryNo:
			key = "payslip.error.two_salary_nos"
		}
		sc.fail(no, Columns[i], key, "Line", int(first.line), "Month", l.Month)
	}
	return good
}

// item checks the item columns into l.
func (sc *Scanner) item(no int, f []string, l *Line) {
	var err error
	if l.ItemCode, err = ParseItemCode(f[colItemCode]); err != nil {
		sc.failErr(no, Columns[colItemCode], err)
	}
	l.Kind = Kind(strings.ToLower(f[colKind]))
	if l.Kind != Earning && l.Kind != Deduction && l.Kind != Employer {
		sc.fail(no, Columns[colKind], "payslip.error.item_kind")
	}
	l.ItemName = squeeze(f[colItemName])
	if n := utf8.RuneCountInString(l.ItemName); n == 0 || n > maxItemName {
		sc.fail(no, Columns[colItemName], "payslip.error.item_name", "Max", maxItemName)
	}
	if l.AmountSen, err = malaysia.ParseSen(f[colAmount]); err != nil {
		sc.failErr(no, Columns[colAmount], err)
	}
}

// ParseItemCode parses a pay item's code as the payroll writes it: 1–10
// letters and digits, upper-cased. eEC's mapping of item codes to Borang EC
// lines keys on the same form.
func ParseItemCode(s string) (string, error) {
	c := strings.ToUpper(s)
	if c == "" || len(c) > 10 || !alnum(c) {
		return c, errItemCode
	}
	return c, nil
}

var errItemCode = apperr.New(apperr.Invalid, "payslip.error.item_code")

// SplitLine splits one CSV line into fields, appending to dst: commas
// separate fields; a field that starts with a double quote runs to the
// closing quote, with "" standing for one quote inside. A quote elsewhere,
// or one left open, is an error (a field cannot span lines).
func SplitLine(s string, dst []string) ([]string, error) {
	for {
		if strings.HasPrefix(s, `"`) {
			var b strings.Builder
			s = s[1:]
			for {
				i := strings.IndexByte(s, '"')
				if i < 0 {
					return dst, errQuotes
				}
				b.WriteString(s[:i])
				s = s[i+1:]
				if strings.HasPrefix(s, `"`) {
					b.WriteByte('"')
					s = s[1:]
					continue
				}
				break
			}
			dst = append(dst, b.String())
			if s == "" {
				return dst, nil
			}
			if s[0] != ',' {
				return dst, errQuotes
			}
			s = s[1:]
			continue
		}
		i := strings.IndexByte(s, ',')
		field := s
		if i >= 0 {
			field = s[:i]
		}
		if strings.IndexByte(field, '"') >= 0 {
			return dst, errQuotes
		}
		dst = append(dst, field)
		if i < 0 {
			return dst, nil
		}
		s = s[i+1:]
	}
}

var errQuotes = errors.New("payslip: bad quoting")

// squeeze trims s and makes every run of white space one space; a string
// that needs nothing (the usual case) is returned as it is, unallocated.
func squeeze(s string) string {
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		switch c := s[i]; {
		case c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' '):
			clean = false
		case c < ' ' || c == 0x7f || c >= 0x80:
			clean = false // control characters, or Unicode space: the slow path decides
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// hash32 is FNV-1a, written out so that it allocates nothing.
func hash32(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	return h
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z') {
			return false
		}
	}
	return true
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
