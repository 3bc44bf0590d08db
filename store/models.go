package store

import (
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/forms"
)

// PTJ is a Pusat Tanggungjawab: an office that owns users and requests.
type PTJ struct {
	bun.BaseModel `bun:"table:ptj"`

	Code       string    `bun:"code,pk" json:"code"`
	Name       string    `bun:"name" json:"name"`
	Department string    `bun:"department" json:"department"`
	CreatedAt  time.Time `bun:"created_at" json:"-"`
}

// User statuses. Only an active profile may log in or be served by a module.
const (
	StatusActive   = "active"
	StatusInactive = "inactive" // nyah aktif: history stays, login ends
)

// User is a profile: one employee, with the roles and modules granted to them.
type User struct {
	bun.BaseModel `bun:"table:users"`

	ID                int64      `bun:"id,pk,autoincrement"`
	Login             string     `bun:"login"` // MyKad (12 digits) or a service login
	Name              string     `bun:"name"`
	Email             string     `bun:"email"`
	PTJCode           string     `bun:"ptj_code"`
	Position          string     `bun:"position"` // jawatan
	Grade             string     `bun:"grade"`    // gred
	SalaryNo          string     `bun:"salary_no"`
	Status            string     `bun:"status"`
	Lang              string     `bun:"lang"`
	PasswordHash      string     `bun:"password_hash"`
	MustChange        bool       `bun:"must_change"`         // set by someone else: change before anything else
	PasswordExpiresAt *time.Time `bun:"password_expires_at"` // a temporary password's end
	PasswordChangedAt *time.Time `bun:"password_changed_at"`
	FailedAttempts    int        `bun:"failed_attempts"`
	LockedAt          *time.Time `bun:"locked_at"`
	LockedUntil       *time.Time `bun:"locked_until"` // the lock's end; nil while locked: until unlocked
	LockCount         int        `bun:"lock_count"`   // locks in a row since the last good login
	CreatedAt         time.Time  `bun:"created_at"`
	UpdatedAt         time.Time  `bun:"updated_at"`

	Roles   []UserRole   `bun:"rel:has-many,join:id=user_id"`
	Modules []UserModule `bun:"rel:has-many,join:id=user_id"`

	// Access is the roles and modules as JSON, read with the profile in
	// the same query (accessColumn) and decoded into Roles and Modules.
	Access string `bun:"access,scanonly"`
}

// UserRole is one role of a profile, with its PTJ scope and approval limit.
type UserRole struct {
	bun.BaseModel `bun:"table:user_roles"`

	UserID           int64      `bun:"user_id,pk"`
	Role             forms.Role `bun:"role,pk"`
	PTJCode          *string    `bun:"ptj_code"` // only for PTJ-scoped roles
	ApprovalLimitSen int64      `bun:"approval_limit_sen"`
}

// UserModule is one module granted to a profile.
type UserModule struct {
	bun.BaseModel `bun:"table:user_modules"`

	UserID int64        `bun:"user_id,pk"`
	Module forms.Module `bun:"module,pk"`
}

// HasRole reports whether u holds role (for any PTJ).
func (u *User) HasRole(role forms.Role) bool {
	for _, r := range u.Roles {
		if r.Role == role {
			return true
		}
	}
	return false
}

// HasRoleFor reports whether u holds role for the PTJ code (a role without a
// PTJ scope holds for every PTJ).
func (u *User) HasRoleFor(role forms.Role, ptj string) bool {
	for _, r := range u.Roles {
		if r.Role == role && (r.PTJCode == nil || *r.PTJCode == ptj) {
			return true
		}
	}
	return false
}

// HasModule reports whether u was granted module m.
func (u *User) HasModule(m forms.Module) bool {
	for _, x := range u.Modules {
		if x.Module == m {
			return true
		}
	}
	return false
}

// Active reports whether the profile is active.
func (u *User) Active() bool { return u.Status == StatusActive }
