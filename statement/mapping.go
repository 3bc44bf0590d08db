package statement

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
)

// The mapping (pemetaan) says on which line of the Borang EC each payroll
// item code's amounts go, or None. The treasury keeps it on a page and
// imports it as CSV: the header "item_code,ec_line", then one line per
// item code. An import replaces the whole table, or, with any bad line,
// writes nothing. Every change is audited.

// MappingHeader is the mapping file's header row.
var MappingHeader = []string{"item_code", "ec_line"}

// DefaultMapping is the mapping shipped with the portal for the common
// civil-service item codes (README, "eEC"); `ispeks demo` loads it.
//
//go:embed default-mapping.csv
var DefaultMapping []byte

// Mapping is one item code's line.
type Mapping struct {
	Code      string    `bun:"item_code"`
	Line      Line      `bun:"ec_line"`
	UpdatedAt time.Time `bun:"updated_at"`
	UpdatedBy string    `bun:"updated_by"`
}

// Limits of a mapping file: a treasury has a few hundred item codes.
const (
	maxMappingBytes = 1 << 20
	maxMappingLine  = 1024
)

// BadMapping answers a mapping file with bad lines: nothing was written.
// It unwraps to an Invalid application error for callers that only need
// the message.
type BadMapping struct {
	Errors []payslip.LineError // the first payslip.MaxErrors
	Count  int
}

func (e *BadMapping) Error() string {
	return fmt.Sprintf("mapping file: %d errors, the first on line %d: %s", e.Count, e.Errors[0].Line, e.Errors[0].Message(i18n.EN))
}

func (e *BadMapping) Unwrap() error {
	return apperr.New(apperr.Invalid, "statement.error.bad_mapping", "Count", e.Count)
}

func (e *BadMapping) add(line int, field string, err error) {
	e.Count++
	if len(e.Errors) < payslip.MaxErrors {
		e.Errors = append(e.Errors, payslip.LineError{Line: line, FieldError: forms.Field(field, err)})
	}
}

var (
	errMappingColumns = apperr.New(apperr.Invalid, "statement.error.mapping_columns")
	errMappingHeader  = apperr.New(apperr.Invalid, "statement.error.mapping_header", "Want", strings.Join(MappingHeader, ","))
	errMappingEmpty   = apperr.New(apperr.Invalid, "statement.error.mapping_empty")
	errMappingUTF8    = apperr.New(apperr.Invalid, "statement.error.mapping_utf8")
	errMappingLong    = apperr.New(apperr.Invalid, "statement.error.mapping_long", "Max", maxMappingLine)
	errMappingQuotes  = apperr.New(apperr.Invalid, "statement.error.mapping_quotes")
	errMappingBig     = apperr.New(apperr.TooLarge, "statement.error.mapping_big", "Max", "1 MiB")
)

// ParseMappingLine parses one line of a mapping file (not the header):
// an item code (1–10 letters and digits, upper-cased) and an EC line code
// (ParseLine). The error's field names the bad column ("line" for the
// line as a whole).
func ParseMappingLine(s string) (code string, line Line, field string, err error) {
	if !utf8.ValidString(s) {
		return "", "", "line", errMappingUTF8
	}
	if len(s) > maxMappingLine {
		return "", "", "line", errMappingLong
	}
	f, serr := payslip.SplitLine(s, make([]string, 0, 2))
	if serr != nil {
		return "", "", "line", errMappingQuotes
	}
	if len(f) != len(MappingHeader) {
		return "", "", "line", errMappingColumns
	}
	for i, v := range f {
		if err := forms.CheckText(v, false); err != nil {
			return "", "", MappingHeader[i], err
		}
	}
	if code, err = payslip.ParseItemCode(strings.TrimSpace(f[0])); err != nil {
		return "", "", "item_code", err
	}
	if line, err = ParseLine(f[1]); err != nil {
		return "", "", "ec_line", err
	}
	return code, line, "", nil
}

// ParseMapping reads a whole mapping file: a UTF-8 byte order mark is
// allowed, blank lines are skipped, an item code may appear once. It
// returns the mapping by code, or a *BadMapping listing every bad line.
func ParseMapping(r io.Reader) (map[string]Line, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxMappingBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read mapping file: %w", err)
	}
	if len(data) > maxMappingBytes {
		return nil, errMappingBig
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	bad := &BadMapping{}
	out := map[string]Line{}
	first := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxMappingBytes+1)
	no, header := 0, false
	for sc.Scan() {
		no++
		raw := strings.TrimRight(sc.Text(), "\r")
		if !header {
			header = true
			cols, err := payslip.SplitLine(raw, nil)
			for i := range cols {
				cols[i] = strings.ToLower(strings.TrimSpace(cols[i]))
			}
			if err != nil || strings.Join(cols, ",") != strings.Join(MappingHeader, ",") {
				bad.add(no, "header", errMappingHeader)
				break // columns in another order: nothing after it can be read
			}
			continue
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		code, line, field, err := ParseMappingLine(raw)
		if err != nil {
			bad.add(no, field, err)
			continue
		}
		if at, dup := first[code]; dup {
			bad.add(no, "item_code", apperr.New(apperr.Invalid, "statement.error.mapping_twice", "Code", code, "Line", at))
			continue
		}
		first[code] = no
		out[code] = line
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read mapping file: %w", err)
	}
	switch {
	case !header:
		bad.add(1, "header", errMappingHeader)
	case len(out) == 0 && bad.Count == 0:
		bad.add(no, "line", errMappingEmpty)
	}
	if bad.Count > 0 {
		return nil, bad
	}
	return out, nil
}

// MappingImport is what an import of the mapping did.
type MappingImport struct {
	FileName                string
	SHA256                  string
	Rows                    int
	Added, Changed, Removed int
}

// ImportMapping replaces the mapping with the file read from r (name is
// its name, for the audit record), in one transaction with its audit
// record, or writes nothing: a file with any bad line answers a
// *BadMapping listing every bad line. Codes whose line stays the same keep
// when and by whom they were last set.
func (s *Service) ImportMapping(ctx context.Context, by store.Actor, name string, r io.Reader) (*MappingImport, error) {
	h := sha256.New()
	mapping, err := ParseMapping(io.TeeReader(r, h))
	if err != nil {
		return nil, err
	}
	res := &MappingImport{FileName: name, SHA256: hex.EncodeToString(h.Sum(nil)), Rows: len(mapping)}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		var old []Mapping
		if err := tx.IDB().NewRaw("SELECT item_code, ec_line, updated_at, updated_by FROM statement_mapping").Scan(ctx, &old); err != nil {
			return err
		}
		kept := map[string]Mapping{}
		for _, m := range old {
			switch l, ok := mapping[m.Code]; {
			case !ok:
				res.Removed++
			case l == m.Line:
				kept[m.Code] = m
			default:
				res.Changed++
			}
		}
		res.Added = len(mapping) - len(kept) - res.Changed
		now := s.now()
		rows := make([]Mapping, 0, len(mapping))
		for code, l := range mapping {
			m, ok := kept[code]
			if !ok {
				m = Mapping{Code: code, Line: l, UpdatedAt: now, UpdatedBy: by.Login}
			}
			rows = append(rows, m)
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].Code < rows[j].Code })
		if _, err := tx.IDB().NewRaw("DELETE FROM statement_mapping").Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.IDB().NewInsert().Model(&rows).ModelTableExpr("statement_mapping").Exec(ctx); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "ec.mapping.import", "ec_mapping", "", map[string]any{"file": name, "sha256": res.SHA256,
			"rows": res.Rows, "added": res.Added, "changed": res.Changed, "removed": res.Removed})
	})
	if err != nil {
		return nil, wrap("import EC mapping", err)
	}
	return res, nil
}

// LoadDefaultMapping replaces the mapping with DefaultMapping.
func (s *Service) LoadDefaultMapping(ctx context.Context, by store.Actor) (*MappingImport, error) {
	return s.ImportMapping(ctx, by, "default-mapping.csv", bytes.NewReader(DefaultMapping))
}

// SetMapping puts item code on line (None: not on the form), with an
// audit record of the line before and after; setting the line it has
// already changes nothing.
func (s *Service) SetMapping(ctx context.Context, by store.Actor, itemCode, ecLine string) (*Mapping, error) {
	code, err := payslip.ParseItemCode(strings.TrimSpace(itemCode))
	if err != nil {
		return nil, apperr.Fields(forms.Field("item_code", err))
	}
	line, err := ParseLine(ecLine)
	if err != nil {
		return nil, apperr.Fields(forms.Field("ec_line", err))
	}
	m := &Mapping{Code: code, Line: line, UpdatedAt: s.now(), UpdatedBy: by.Login}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		var before []Line
		if err := tx.IDB().NewRaw("SELECT ec_line FROM statement_mapping WHERE item_code = ?", code).Scan(ctx, &before); err != nil {
			return err
		}
		from := ""
		if len(before) > 0 {
			if before[0] == line {
				return errUnchanged
			}
			from = string(before[0])
		}
		if _, err := tx.IDB().NewInsert().Model(m).ModelTableExpr("statement_mapping").On("CONFLICT (item_code) DO UPDATE").
			Set("ec_line = EXCLUDED.ec_line, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by").Exec(ctx); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "ec.mapping.set", "ec_mapping", code, map[string]any{"from": from, "to": line})
	})
	if errors.Is(err, errUnchanged) {
		return m, nil
	}
	if err != nil {
		return nil, wrap("set EC mapping", err)
	}
	return m, nil
}

var errUnchanged = errors.New("unchanged")

// Mappings returns the mapping, by item code.
func (s *Service) Mappings(ctx context.Context) ([]Mapping, error) {
	var list []Mapping
	if err := s.db.ReadIDB().NewRaw("SELECT item_code, ec_line, updated_at, updated_by FROM statement_mapping ORDER BY item_code").Scan(ctx, &list); err != nil {
		return nil, fmt.Errorf("read EC mapping: %w", err)
	}
	return list, nil
}

// MappingCSV returns the mapping as a mapping file, which ImportMapping
// takes back unchanged.
func (s *Service) MappingCSV(ctx context.Context) ([]byte, error) {
	list, err := s.Mappings(ctx)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString(strings.Join(MappingHeader, ",") + "\n")
	for _, m := range list {
		b.WriteString(m.Code + "," + string(m.Line) + "\n")
	}
	return b.Bytes(), nil
}
