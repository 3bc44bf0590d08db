package store

import (
	"strconv"
	"strings"

	"github.com/perbendaharaan/ispeks/apperr"
)

// Page asks for one page of a list. Pages count from 1; the size is kept
// between 1 and MaxPageSize so that no request can ask for a whole table.
type Page struct {
	Number int
	Size   int
}

const (
	DefaultPageSize = 25
	MaxPageSize     = 200
	// MaxPageNumber bounds the page number, so that an offset never
	// overflows (a million pages of 200 is far beyond any list here).
	MaxPageNumber = 1_000_000
)

// ParsePage reads a page number and size as a query gives them ("" for
// the first page, the default size) and refuses, naming the field, a
// number or size that is not a whole number or is out of range (1 to
// MaxPageNumber, 1 to MaxPageSize).
func ParsePage(number, size string) (Page, error) {
	var p Page
	var fields []apperr.FieldError
	read := func(field, s string, max int, to *int) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > max {
			fields = append(fields, apperr.Field(field, "pager.error.range", "Max", max))
			return
		}
		*to = n
	}
	read("page", number, MaxPageNumber, &p.Number)
	read("page_size", size, MaxPageSize, &p.Size)
	if len(fields) > 0 {
		return Page{}, apperr.Fields(fields...)
	}
	return p, nil
}

// Limit is the page size to query.
func (p Page) Limit() int64 {
	switch {
	case p.Size <= 0:
		return DefaultPageSize
	case p.Size > MaxPageSize:
		return MaxPageSize
	}
	return int64(p.Size)
}

// Offset is the number of rows before the page (a page number beyond
// MaxPageNumber counts as MaxPageNumber: it cannot overflow).
func (p Page) Offset() int64 {
	if p.Number <= 1 {
		return 0
	}
	return int64(min(p.Number, MaxPageNumber)-1) * p.Limit()
}

// CountLimit is how far a list counts exactly. Counting every row a
// treasury user may see costs a scan of the table; past this many rows a
// list says "more than CountLimit" instead, which is all a reader uses.
const CountLimit = 1000

// Total is how many rows a list has in all: N exactly, or more than N when
// Exact is false (a list that stopped counting at CountLimit says so).
type Total struct {
	N     int64
	Exact bool
}

// Plus is the total of two lists: exact only when both are.
func (t Total) Plus(u Total) Total { return Total{N: t.N + u.N, Exact: t.Exact && u.Exact} }

// ExactTotal is a total that was counted in full.
func ExactTotal(n int64) Total { return Total{N: n, Exact: true} }

// CountedTotal is the total of a count that stopped at CountLimit+1 rows:
// exact up to CountLimit, "more than CountLimit" past it.
func CountedTotal(n int64) Total { return countedUpTo(n, CountLimit) }

// SearchCountLimit is how far a search of text counts exactly. Its total
// tells the reader whether to narrow the search, and its matches are read
// through an index whose every match costs a row: at 1,000,000 requests
// counting a common name to 1,000 took 7.7 ms of its page, and counting to
// 200 took its page's p50 from 10–16 ms to 6.
const SearchCountLimit = 200

// countedUpTo is the total of a count that stopped at limit+1 rows.
func countedUpTo(n, limit int64) Total { return Total{N: min(n, limit), Exact: n <= limit} }

// InBatches calls batch until it does fewer than size things (or fails),
// and returns how many it did in all: the loop of every job that works in
// short transactions of a bounded size (sealing the audit chain, mailing
// a publication's employees).
func InBatches(size int, batch func() (int, error)) (int, error) {
	total := 0
	for {
		n, err := batch()
		total += n
		if err != nil || n < size {
			return total, err
		}
	}
}
