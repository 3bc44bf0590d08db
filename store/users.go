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

// NewUser is what it takes to create a profile directly: the CLI bootstrap of
// the treasury's first administrators and officers, and provisioning of an
// approved registration.
type NewUser struct {
	Login        string
	Name         string
	Email        string
	PTJCode      string
	Position     string
	Grade        string
	SalaryNo     string
	Roles        []forms.RoleGrant // PTJ-scoped roles take the user's PTJ
	Modules      []forms.Module
	PasswordHash string // empty: no password until a set-password link is used
	MustChange   bool   // the password was chosen by someone else
}

// validate normalises u and checks every field, reporting all failures at once.
func (u *NewUser) validate() error {
	var fields []apperr.FieldError
	login, _, err := forms.ParseLogin(u.Login)
	if err != nil {
		fields = append(fields, forms.Field("login", err))
	}
	u.Login = login
	if email, err := forms.ParseEmail(u.Email); err != nil {
		fields = append(fields, forms.Field("email", err))
	} else {
		u.Email = email
	}
	if code, err := forms.ParsePTJCode(u.PTJCode); err != nil {
		fields = append(fields, forms.Field("ptj_code", err))
	} else {
		u.PTJCode = code
	}
	u.Name = strings.Join(strings.Fields(u.Name), " ")
	if u.Name == "" {
		fields = append(fields, apperr.Field("name", "users.error.name_required"))
	}
	seen := map[forms.Role]bool{}
	for _, g := range u.Roles {
		if !g.Role.Valid() {
			fields = append(fields, apperr.Field("roles", "request.error.role_unknown", "Role", string(g.Role)))
		}
		if seen[g.Role] {
			fields = append(fields, apperr.Field("roles", "users.error.role_twice", "Role", string(g.Role)))
		}
		seen[g.Role] = true
	}
	for _, m := range u.Modules {
		if !m.Valid() {
			fields = append(fields, apperr.Field("modules", "request.error.modules_unknown", "List", string(m)))
		}
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	return nil
}

// CreateUser creates an active profile with its roles and modules, and audits
// it, all in one transaction. A taken login is a conflict; an unknown PTJ is
// invalid. Nothing is written when any check fails.
func (db *DB) CreateUser(ctx context.Context, actor Actor, nu NewUser) (*User, error) {
	if err := nu.validate(); err != nil {
		return nil, err
	}
	var u *User
	err := db.Tx(ctx, func(tx bun.Tx) error {
		var err error
		u, err = db.createUser(ctx, tx, actor, nu)
		return err
	})
	return u, err
}

// createUser is CreateUser inside a caller's transaction (provisioning uses it
// beside the request's own changes).
func (db *DB) createUser(ctx context.Context, tx bun.Tx, actor Actor, nu NewUser) (*User, error) {
	if _, err := db.PTJ(ctx, tx, nu.PTJCode); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Fields(forms.ErrPTJUnknown(nu.PTJCode))
		}
		return nil, err
	}
	now := db.Now()
	u := &User{
		Login: nu.Login, Name: nu.Name, Email: nu.Email, PTJCode: nu.PTJCode,
		Position: nu.Position, Grade: nu.Grade, SalaryNo: nu.SalaryNo,
		Status: StatusActive, Lang: "ms",
		PasswordHash: nu.PasswordHash, MustChange: nu.MustChange,
		CreatedAt: now, UpdatedAt: now,
	}
	if _, err := tx.NewInsert().Model(u).Returning("id").Exec(ctx); err != nil {
		if isUniqueViolation(err) {
			return nil, apperr.New(apperr.Conflict, "users.error.login_taken")
		}
		return nil, err
	}
	if err := db.setAccess(ctx, tx, u, nu.Roles, nu.Modules); err != nil {
		return nil, err
	}
	return u, db.appendAudit(ctx, tx, actor, "user.create", "user", u.Login, map[string]any{
		"ptj": u.PTJCode, "roles": nu.Roles, "modules": nu.Modules,
	})
}

// setAccess makes u's roles and modules exactly grants and modules.
func (db *DB) setAccess(ctx context.Context, tx bun.Tx, u *User, grants []forms.RoleGrant, modules []forms.Module) error {
	if _, err := tx.NewDelete().Model((*UserRole)(nil)).Where("user_id = ?", u.ID).Exec(ctx); err != nil {
		return err
	}
	if _, err := tx.NewDelete().Model((*UserModule)(nil)).Where("user_id = ?", u.ID).Exec(ctx); err != nil {
		return err
	}
	u.Roles, u.Modules = nil, nil
	for _, g := range grants {
		r := UserRole{UserID: u.ID, Role: g.Role, ApprovalLimitSen: g.ApprovalLimitSen}
		if g.Role.PTJScoped() {
			code := u.PTJCode
			r.PTJCode = &code
		}
		u.Roles = append(u.Roles, r)
	}
	for _, m := range modules {
		u.Modules = append(u.Modules, UserModule{UserID: u.ID, Module: m})
	}
	if len(u.Roles) > 0 {
		if _, err := tx.NewInsert().Model(&u.Roles).Exec(ctx); err != nil {
			return err
		}
	}
	if len(u.Modules) > 0 {
		if _, err := tx.NewInsert().Model(&u.Modules).Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

var errUserNotFound = apperr.New(apperr.NotFound, "users.error.not_found")

// UserByLogin returns the profile with login (normalised as on the login
// page), with its roles and modules.
func (db *DB) UserByLogin(ctx context.Context, login string) (*User, error) {
	return db.userWhere(ctx, db.DB, "login = ?", login)
}

// UserByID returns the profile with id, with its roles and modules.
func (db *DB) UserByID(ctx context.Context, id int64) (*User, error) {
	return db.userWhere(ctx, db.DB, "id = ?", id)
}

func (db *DB) userWhere(ctx context.Context, idb bun.IDB, where string, arg any) (*User, error) {
	u := new(User)
	err := idb.NewSelect().Model(u).Relation("Roles").Relation("Modules").Where("?TableAlias."+where, arg).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errUserNotFound
	}
	if err != nil {
		return nil, err
	}
	return u, nil
}

// UserFilter selects users for the user list.
type UserFilter struct {
	Q       string // part of the name, login or email
	PTJCode string
	Status  string
}

// ListUsers returns the users matching f, ordered by name, one page at a time.
func (db *DB) ListUsers(ctx context.Context, f UserFilter, page Page) ([]User, int64, error) {
	var list []User
	sel := db.NewSelect().Model(&list).Relation("Roles").Relation("Modules").OrderExpr("?TableAlias.name, ?TableAlias.id")
	if q := strings.TrimSpace(f.Q); q != "" {
		like := "%" + strings.ToLower(q) + "%"
		sel = sel.Where("(LOWER(?TableAlias.name) LIKE ? OR ?TableAlias.login LIKE ? OR LOWER(?TableAlias.email) LIKE ?)", like, like, like)
	}
	if f.PTJCode != "" {
		sel = sel.Where("?TableAlias.ptj_code = ?", f.PTJCode)
	}
	if f.Status != "" {
		sel = sel.Where("?TableAlias.status = ?", f.Status)
	}
	total, err := sel.Limit(page.Limit()).Offset(page.Offset()).ScanAndCount(ctx)
	return list, total, err
}

// ProfileInPTJ returns the profile with MyKad or login ic if it belongs to
// PTJ ptj; a profile of another PTJ answers NotFound like a missing one, so
// that a representative learns nothing about other PTJs' staff.
func (db *DB) ProfileInPTJ(ctx context.Context, ic, ptj string) (*User, error) {
	login, _, err := forms.ParseLogin(ic)
	if err != nil {
		return nil, apperr.Fields(forms.Field(forms.FieldICNumber, err))
	}
	u, err := db.UserByLogin(ctx, login)
	if err == nil && u.PTJCode != ptj {
		err = errNoProfileInPTJ
	}
	if apperr.Is(err, apperr.NotFound) {
		return nil, errNoProfileInPTJ
	}
	return u, err
}

var errNoProfileInPTJ = apperr.New(apperr.NotFound, "request.lookup.not_found")

// SetLang records the language ("ms" or "en") a user reads the portal in;
// their mail follows it.
func (db *DB) SetLang(ctx context.Context, userID int64, lang string) error {
	if lang != "en" {
		lang = "ms"
	}
	_, err := db.NewUpdate().Model((*User)(nil)).Set("lang = ?", lang).Where("id = ?", userID).Exec(ctx)
	return err
}
