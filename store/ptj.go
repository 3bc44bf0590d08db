package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/perbendaharaan/ispeks/apperr"
)

// InsertPTJ stores p. A code already taken is a Conflict.
func (c Conn) InsertPTJ(ctx context.Context, p *PTJ) error {
	if _, err := c.idb.NewInsert().Model(p).Exec(ctx); err != nil {
		if IsUniqueViolation(err) {
			return apperr.New(apperr.Conflict, "ptj.error.exists", "Code", p.Code)
		}
		return fmt.Errorf("insert PTJ: %w", err)
	}
	return nil
}

// PTJ returns the PTJ of code, or a NotFound error.
func (c Conn) PTJ(ctx context.Context, code string) (*PTJ, error) {
	var p PTJ
	err := c.rd.NewSelect().Model(&p).Where("code = ?", code).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "ptj.error.not_found", "Code", code)
	}
	if err != nil {
		return nil, fmt.Errorf("read PTJ: %w", err)
	}
	return &p, nil
}

// ListPTJ returns the PTJs whose code or name contains q (all when q is
// empty), ordered by code, one page at a time, and how many match in all.
func (c Conn) ListPTJ(ctx context.Context, q string, page Page) ([]PTJ, int64, error) {
	var list []PTJ
	sel := c.rd.NewSelect().Model(&list).OrderExpr("code")
	if q = strings.TrimSpace(q); q != "" {
		like := "%" + EscapeLike(q) + "%"
		sel = sel.Where("(LOWER(code)"+likeLower+" OR LOWER(name)"+likeLower+")", like, like)
	}
	total, err := sel.Limit(page.Limit()).Offset(page.Offset()).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list PTJs: %w", err)
	}
	return list, total, nil
}
