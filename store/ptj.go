package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
)

// AddPTJ records a new PTJ and audits it. A code already taken is a conflict.
func (db *DB) AddPTJ(ctx context.Context, actor Actor, p PTJ) error {
	code, err := forms.ParsePTJCode(p.Code)
	if err != nil {
		return apperr.Fields(forms.Field("code", err))
	}
	p.Code = code
	p.Name = strings.TrimSpace(p.Name)
	p.Department = strings.TrimSpace(p.Department)
	if p.Name == "" {
		return apperr.Fields(apperr.Field("name", "ptj.error.name_required"))
	}
	p.CreatedAt = db.Now()
	return db.Tx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(&p).Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "ptj.error.exists", "Code", p.Code)
			}
			return err
		}
		return db.appendAudit(ctx, tx, actor, "ptj.add", "ptj", p.Code, map[string]any{"name": p.Name, "department": p.Department})
	})
}

// PTJ returns the PTJ of code, or a NotFound error.
func (db *DB) PTJ(ctx context.Context, idb bun.IDB, code string) (*PTJ, error) {
	var p PTJ
	err := idb.NewSelect().Model(&p).Where("code = ?", code).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "ptj.error.not_found", "Code", code)
	}
	return &p, err
}

// ListPTJ returns the PTJs whose code or name contains q (all when q is
// empty), ordered by code, one page at a time, and how many match in all.
func (db *DB) ListPTJ(ctx context.Context, q string, page Page) ([]PTJ, int64, error) {
	var list []PTJ
	sel := db.NewSelect().Model(&list).OrderExpr("code")
	if q = strings.TrimSpace(q); q != "" {
		like := "%" + strings.ToLower(q) + "%"
		sel = sel.Where("(LOWER(code) LIKE ? OR LOWER(name) LIKE ?)", like, like)
	}
	total, err := sel.Limit(page.Limit()).Offset(page.Offset()).ScanAndCount(ctx)
	return list, total, err
}
