package store

// Page asks for one page of a list. Pages count from 1; the size is kept
// between 1 and MaxPageSize so that no request can ask for a whole table.
type Page struct {
	Number int
	Size   int
}

const (
	DefaultPageSize = 25
	MaxPageSize     = 200
)

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

// Offset is the number of rows before the page.
func (p Page) Offset() int64 {
	if p.Number <= 1 {
		return 0
	}
	return int64(p.Number-1) * p.Limit()
}

// CountLimit is how far a list counts exactly. Counting every row a
// treasury user may see costs a scan of the table; past this many rows a
// list says "more than CountLimit" instead, which is all a reader uses.
const CountLimit = 1000

// Total is how many rows a list has in all: N exactly, or at least N when
// Exact is false (N is then CountLimit+1).
type Total struct {
	N     int64
	Exact bool
}

// ExactTotal is a total that was counted in full.
func ExactTotal(n int64) Total { return Total{N: n, Exact: true} }
