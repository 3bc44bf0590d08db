package statement

import (
	"context"
	"fmt"
)

// StatementOf reads any employee's statement of year, published or not:
// the tests check every employee's figures, profile or not.
func (s *Service) StatementOf(ctx context.Context, ic string, year int) (*Statement, error) {
	var rows []row
	if err := s.db.ReadIDB().NewRaw(`SELECT `+statementColumns+` FROM statements s LEFT JOIN ptj t ON t.code = s.ptj_code
		WHERE s.ic_number = ? AND s.year = ?`, ic, year).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("no statement of %s in %d", ic, year)
	}
	return rows[0].statement(), nil
}

// WhenStaged runs fn at the end of each generation's staging, before its
// apply.
func (s *Service) WhenStaged(fn func()) { s.staged = fn }
