package useradmin

import (
	"context"
	"strconv"
	"strings"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
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
func (s *Service) CreateUser(ctx context.Context, by store.Actor, nu NewUser) (*store.User, error) {
	if err := nu.validate(); err != nil {
		return nil, err
	}
	var u *store.User
	err := s.db.Tx(ctx, func(tx store.Conn) error {
		var err error
		u, err = s.createUser(ctx, tx, by, nu)
		return err
	})
	return u, err
}

// createUser is CreateUser inside a caller's transaction (provisioning uses it
// beside the request's own changes).
func (s *Service) createUser(ctx context.Context, tx store.Conn, by store.Actor, nu NewUser) (*store.User, error) {
	if _, err := tx.PTJ(ctx, nu.PTJCode); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Fields(forms.ErrPTJUnknown(nu.PTJCode))
		}
		return nil, err
	}
	now := s.now()
	u := &store.User{
		Login: nu.Login, Name: nu.Name, Email: nu.Email, PTJCode: nu.PTJCode,
		Position: nu.Position, Grade: nu.Grade, SalaryNo: nu.SalaryNo,
		Status: store.StatusActive, Lang: "ms",
		PasswordHash: nu.PasswordHash, MustChange: nu.MustChange,
		CreatedAt: now, UpdatedAt: now,
		Roles: grantsFor(nu.PTJCode, nu.Roles), Modules: modulesOf(nu.Modules),
	}
	if err := tx.InsertUser(ctx, u); err != nil {
		return nil, err
	}
	return u, tx.Audit(ctx, by, "user.create", "user", u.Login, map[string]any{
		"ptj": u.PTJCode, "roles": nu.Roles, "modules": nu.Modules,
	})
}

// grantsFor turns granted roles into a profile's role rows: the PTJ-scoped
// roles (Wakil PTJ, Pegawai Pengawal) act for the profile's PTJ.
func grantsFor(ptj string, grants []forms.RoleGrant) []store.UserRole {
	out := make([]store.UserRole, 0, len(grants))
	for _, g := range grants {
		r := store.UserRole{Role: g.Role, ApprovalLimitSen: g.ApprovalLimitSen}
		if g.Role.PTJScoped() {
			code := ptj
			r.PTJCode = &code
		}
		out = append(out, r)
	}
	return out
}

func modulesOf(ms []forms.Module) []store.UserModule {
	out := make([]store.UserModule, 0, len(ms))
	for _, m := range ms {
		out = append(out, store.UserModule{Module: m})
	}
	return out
}

// AddPTJ records a new PTJ and audits it. A code already taken is a conflict.
func (s *Service) AddPTJ(ctx context.Context, by store.Actor, p store.PTJ) error {
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
	p.CreatedAt = s.now()
	return s.db.Tx(ctx, func(tx store.Conn) error {
		if err := tx.InsertPTJ(ctx, &p); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "ptj.add", "ptj", p.Code, map[string]any{"name": p.Name, "department": p.Department})
	})
}

// SetCeiling sets the ceiling of approval limit for role, in sen, and audits it.
func (s *Service) SetCeiling(ctx context.Context, by store.Actor, role forms.Role, sen int64) error {
	if !role.Valid() {
		return apperr.Fields(apperr.Field("role", "role.error.unknown"))
	}
	if sen < 0 {
		return apperr.Fields(apperr.Field("ceiling", "ceiling.error.negative"))
	}
	return s.db.Tx(ctx, func(tx store.Conn) error {
		if err := tx.SetCeiling(ctx, role, sen); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "ceiling.set", "role", string(role), map[string]any{"ceiling_sen": sen})
	})
}

// RetryMail queues a failed mail again with a fresh count of attempts, and
// audits it; a mail no longer failed (a second click) is a Conflict.
func (s *Service) RetryMail(ctx context.Context, by store.Actor, id int64) error {
	return s.db.Tx(ctx, func(tx store.Conn) error {
		ok, err := tx.RetryFailed(ctx, id)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.New(apperr.Conflict, "mailops.error.not_failed")
		}
		return tx.Audit(ctx, by, "outbox.retry", "outbox", itoa(id), nil)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
