package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/workflow"
)

// Request is a stored Borang Pentadbiran Pengguna iSPEKS: the form as last
// submitted or amended, where it stands in the workflow and who sent it.
//
// Version grows by one with every change; an action names the version its
// actor saw, so that a decision on a page that has gone stale changes nothing.
type Request struct {
	bun.BaseModel `bun:"table:requests"`

	ID              int64          `bun:"id,pk,autoincrement"`
	Reference       string         `bun:"reference"` // BPP/2026/000123
	Kind            forms.Kind     `bun:"kind"`
	State           workflow.State `bun:"state"`
	Version         int64          `bun:"version"`
	PTJCode         string         `bun:"ptj_code"`
	SubjectIC       string         `bun:"subject_ic"`
	SubjectName     string         `bun:"subject_name"`
	SubjectEmail    string         `bun:"subject_email"`
	SubjectPosition string         `bun:"subject_position"`
	SubjectGrade    string         `bun:"subject_grade"`
	SubjectSalaryNo string         `bun:"subject_salary_no"`
	SubjectUserID   *int64         `bun:"subject_user_id"`
	ModulesJSON     string         `bun:"modules"`
	RolesJSON       string         `bun:"roles"`
	Justification   string         `bun:"justification"`
	Declaration     bool           `bun:"declaration"`
	SubmitterID     int64          `bun:"submitter_id"`
	CreatedAt       time.Time      `bun:"created_at"`
	UpdatedAt       time.Time      `bun:"updated_at"`
	StateSince      time.Time      `bun:"state_since"`
	LastRemindedAt  *time.Time     `bun:"last_reminded_at"`

	PTJ       *PTJ           `bun:"rel:belongs-to,join:ptj_code=code"`
	Submitter *User          `bun:"rel:belongs-to,join:submitter_id=id"`
	Events    []RequestEvent `bun:"rel:has-many,join:id=request_id"`
}

// RequestEvent is one transition in a request's history (sejarah).
type RequestEvent struct {
	bun.BaseModel `bun:"table:request_events"`

	ID            int64          `bun:"id,pk,autoincrement"`
	RequestID     int64          `bun:"request_id"`
	Event         workflow.Event `bun:"event"`
	From          workflow.State `bun:"from_state"`
	To            workflow.State `bun:"to_state"`
	ActorID       int64          `bun:"actor_id"`
	ActorLogin    string         `bun:"actor_login"`
	ActorName     string         `bun:"actor_name"`
	OnBehalfID    *int64         `bun:"on_behalf_id"`
	OnBehalfLogin *string        `bun:"on_behalf_login"`
	OnBehalfName  *string        `bun:"on_behalf_name"`
	Remarks       string         `bun:"remarks"`
	At            time.Time      `bun:"at"`
}

// Modules are the modules the form asks for.
func (r *Request) Modules() []forms.Module {
	var ms []forms.Module
	_ = json.Unmarshal([]byte(r.ModulesJSON), &ms)
	return ms
}

// Roles are the roles and approval limits the form asks for.
func (r *Request) Roles() []forms.RoleGrant {
	var gs []forms.RoleGrant
	_ = json.Unmarshal([]byte(r.RolesJSON), &gs)
	return gs
}

// Form is the request as the Borang the PTJ representative filled in.
func (r *Request) Form() forms.Request {
	return forms.Request{
		Kind: r.Kind, PTJCode: r.PTJCode,
		Subject: forms.Subject{
			ICNumber: r.SubjectIC, Name: r.SubjectName, Email: r.SubjectEmail,
			Position: r.SubjectPosition, Grade: r.SubjectGrade, SalaryNo: r.SubjectSalaryNo,
		},
		Modules: r.Modules(), Roles: r.Roles(),
		Justification: r.Justification, Declaration: r.Declaration,
	}
}

func (r *Request) setForm(f forms.Request) {
	r.Kind, r.PTJCode = f.Kind, f.PTJCode
	r.SubjectIC, r.SubjectName, r.SubjectEmail = f.Subject.ICNumber, f.Subject.Name, f.Subject.Email
	r.SubjectPosition, r.SubjectGrade, r.SubjectSalaryNo = f.Subject.Position, f.Subject.Grade, f.Subject.SalaryNo
	ms, gs := f.Modules, f.Roles
	if ms == nil {
		ms = []forms.Module{}
	}
	if gs == nil {
		gs = []forms.RoleGrant{}
	}
	mj, _ := json.Marshal(ms)
	gj, _ := json.Marshal(gs)
	r.ModulesJSON, r.RolesJSON = string(mj), string(gj)
	r.Justification, r.Declaration = f.Justification, f.Declaration
}

// snapshot is what the workflow decides on.
func (r *Request) snapshot() workflow.Request {
	s := workflow.Request{
		Kind: r.Kind, State: r.State, Version: r.Version, PTJCode: r.PTJCode, SubjectIC: r.SubjectIC,
		Submitter: workflow.Person{UserID: r.SubmitterID},
	}
	if r.Submitter != nil {
		s.Submitter = person(r.Submitter)
	}
	for _, e := range r.Events {
		act := workflow.Act{By: workflow.Person{UserID: e.ActorID, Login: e.ActorLogin, Name: e.ActorName}, Event: e.Event, From: e.From}
		if e.OnBehalfID != nil {
			act.OnBehalfOf = &workflow.Person{UserID: *e.OnBehalfID, Login: deref(e.OnBehalfLogin), Name: deref(e.OnBehalfName)}
		}
		s.History = append(s.History, act)
	}
	return s
}

func person(u *User) workflow.Person {
	return workflow.Person{UserID: u.ID, Login: u.Login, Name: u.Name}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Ceilings returns the treasury's ceiling of approval limit per role, in sen.
func (db *DB) Ceilings(ctx context.Context, idb bun.IDB) (map[forms.Role]int64, error) {
	var rows []struct {
		Role       forms.Role `bun:"role"`
		CeilingSen int64      `bun:"ceiling_sen"`
	}
	if err := idb.NewSelect().Table("role_ceilings").Column("role", "ceiling_sen").Scan(ctx, &rows); err != nil {
		return nil, err
	}
	m := make(map[forms.Role]int64, len(rows))
	for _, r := range rows {
		m[r.Role] = r.CeilingSen
	}
	return m, nil
}

// SetCeiling sets the ceiling of approval limit for role, in sen, and audits it.
func (db *DB) SetCeiling(ctx context.Context, actor Actor, role forms.Role, sen int64) error {
	if !role.Valid() {
		return apperr.Fields(apperr.Field("role", "role.error.unknown"))
	}
	if sen < 0 {
		return apperr.Fields(apperr.Field("ceiling", "ceiling.error.negative"))
	}
	return db.Tx(ctx, func(tx bun.Tx) error {
		if _, err := tx.NewRaw(`INSERT INTO role_ceilings (role, ceiling_sen) VALUES (?, ?)
			ON CONFLICT (role) DO UPDATE SET ceiling_sen = EXCLUDED.ceiling_sen`, role, sen).Exec(ctx); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, actor, "ceiling.set", "role", string(role), map[string]any{"ceiling_sen": sen})
	})
}

var errRequestNotFound = apperr.New(apperr.NotFound, "request.error.not_found")

// CreateRequest records a new Borang from by, as a draft or submitted at once
// (draft false), in one transaction with its reference, history, audit record
// and notifications. Everything the form and the business rules check is
// reported at once, and nothing is written unless all hold.
func (db *DB) CreateRequest(ctx context.Context, by *User, f forms.Request, draft bool) (*Request, error) {
	var out *Request
	err := db.Tx(ctx, func(tx bun.Tx) error {
		if err := db.checkForm(ctx, tx, &f, draft, 0); err != nil {
			return err
		}
		now := db.Now()
		r := &Request{State: workflow.Draft, Version: 1, SubmitterID: by.ID, CreatedAt: now, UpdatedAt: now, StateSince: now, Submitter: by}
		r.setForm(f)
		var err error
		if r.PTJ, err = db.PTJ(ctx, tx, f.PTJCode); err != nil {
			return err
		}
		// The submitter must be one who may submit it: the workflow's rule.
		if _, err := db.decide(ctx, tx, r, by, workflow.Action{Event: workflow.Submit, Version: 1}); err != nil {
			return err
		}
		ref, err := db.nextReference(ctx, tx, now)
		if err != nil {
			return err
		}
		r.Reference = ref
		if _, err := tx.NewInsert().Model(r).Returning("id").Exec(ctx); err != nil {
			if isUniqueViolation(err) {
				return db.openRequestConflict(ctx, tx, f.Subject.ICNumber)
			}
			return err
		}
		if err := db.appendAudit(ctx, tx, Actor{UserID: by.ID, Login: by.Login}, "request.create", "request", r.Reference,
			map[string]any{"kind": r.Kind, "ptj": r.PTJCode, "subject": forms.MaskLogin(r.SubjectIC)}); err != nil {
			return err
		}
		if !draft {
			if _, err := db.apply(ctx, tx, r, by, workflow.Action{Event: workflow.Submit, Version: r.Version}, ActOptions{}); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AmendRequest replaces the form of a draft or returned request (version as
// the amender saw it) and, with submit, sends it on: submit from a draft,
// resubmit after a return.
func (db *DB) AmendRequest(ctx context.Context, by *User, id, version int64, f forms.Request, submit bool) (*Request, error) {
	err := db.Tx(ctx, func(tx bun.Tx) error {
		r, err := db.lockRequestFor(ctx, tx, by, id)
		if err != nil {
			return err
		}
		event := workflow.Submit
		if r.State == workflow.Returned {
			event = workflow.Resubmit
		}
		now := db.Now()
		// Whoever may send it on may amend it, and only while it is theirs.
		if _, err := db.decide(ctx, tx, r, by, workflow.Action{Event: event, Version: version}); err != nil {
			return err
		}
		// The kind and the subject's PTJ stay as first filed.
		f.Kind, f.PTJCode = r.Kind, r.PTJCode
		if err := db.checkForm(ctx, tx, &f, !submit, r.ID); err != nil {
			return err
		}
		r.setForm(f)
		res, err := tx.NewUpdate().Model(r).
			Column("subject_ic", "subject_name", "subject_email", "subject_position", "subject_grade", "subject_salary_no",
				"modules", "roles", "justification", "declaration").
			Set("version = version + 1").Set("updated_at = ?", now).
			Where("id = ? AND version = ?", r.ID, version).Exec(ctx)
		if err != nil {
			if isUniqueViolation(err) {
				return db.openRequestConflict(ctx, tx, f.Subject.ICNumber)
			}
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errStale
		}
		r.Version++
		if err := db.appendAudit(ctx, tx, Actor{UserID: by.ID, Login: by.Login}, "request.amend", "request", r.Reference, nil); err != nil {
			return err
		}
		if submit {
			_, err = db.apply(ctx, tx, r, by, workflow.Action{Event: event, Version: r.Version}, ActOptions{})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return db.requestByID(ctx, db.DB, id)
}

// checkForm normalises and validates f and checks the rules that need the
// database: the PTJ exists; a registration's subject has no profile yet, the
// other kinds' subject has one in the same PTJ (active; a password reset may
// also be for a locked profile); no other open request for the subject.
func (db *DB) checkForm(ctx context.Context, tx bun.Tx, f *forms.Request, draft bool, self int64) error {
	f.Normalize()
	ceilings, err := db.Ceilings(ctx, tx)
	if err != nil {
		return err
	}
	verr := f.Validate(forms.ValidateOptions{Draft: draft, Ceilings: ceilings, Now: db.Now()})
	var fields []apperr.FieldError
	if e := apperr.As(verr); e != nil {
		fields = e.Fields
	} else if verr != nil {
		return verr
	}
	bad := func(name string) bool {
		for _, fe := range fields {
			if fe.Field == name {
				return true
			}
		}
		return false
	}
	if f.PTJCode != "" && !bad(forms.FieldPTJCode) {
		if _, err := db.PTJ(ctx, tx, f.PTJCode); apperr.Is(err, apperr.NotFound) {
			fields = append(fields, forms.ErrPTJUnknown(f.PTJCode))
		} else if err != nil {
			return err
		}
	}
	if f.Subject.ICNumber != "" && !bad(forms.FieldICNumber) {
		u, err := db.userWhere(ctx, tx, "login = ?", f.Subject.ICNumber)
		switch {
		case err != nil && !apperr.Is(err, apperr.NotFound):
			return err
		case f.Kind == forms.KindRegistration && u != nil:
			fields = append(fields, forms.ErrSubjectHasProfile())
		case f.Kind != forms.KindRegistration && u == nil:
			fields = append(fields, forms.ErrSubjectHasNoProfile())
		case f.Kind != forms.KindRegistration && u.PTJCode != f.PTJCode:
			fields = append(fields, forms.ErrSubjectInOtherPTJ())
		case f.Kind != forms.KindRegistration && !u.Active():
			fields = append(fields, apperr.Field(forms.FieldICNumber, "request.error.subject_inactive"))
		}
	}
	if len(fields) > 0 {
		return apperr.Fields(fields...)
	}
	var open Request
	err = tx.NewSelect().Model(&open).Column("reference").
		Where("subject_ic = ? AND state NOT IN (?) AND id <> ?", f.Subject.ICNumber, bun.In(finalStates()), self).
		Limit(1).Scan(ctx)
	if err == nil {
		return forms.ErrOpenRequestExists(open.Reference)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

// openRequestConflict names the open request that won a race for the subject.
func (db *DB) openRequestConflict(ctx context.Context, tx bun.Tx, ic string) error {
	var ref string
	_ = db.NewSelect().Table("requests").Column("reference").
		Where("subject_ic = ? AND state NOT IN (?)", ic, bun.In(finalStates())).Limit(1).Scan(ctx, &ref)
	return forms.ErrOpenRequestExists(ref)
}

func finalStates() []string {
	var out []string
	for _, s := range workflow.States() {
		if s.Final() {
			out = append(out, string(s))
		}
	}
	return out
}

// nextReference takes the next number of now's year (in Malaysia): the
// counter row's lock makes the numbers unique and without gaps between
// committed requests.
func (db *DB) nextReference(ctx context.Context, tx bun.Tx, now time.Time) (string, error) {
	year := now.In(malaysia.KL).Year()
	var seq int64
	err := tx.NewRaw(`INSERT INTO request_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = request_counters.last + 1
		RETURNING last`, year).Scan(ctx, &seq)
	if err != nil {
		return "", err
	}
	return workflow.Reference(year, seq), nil
}

var errStale = apperr.New(apperr.Conflict, "request.error.stale")

// lockRequest reads request id with its submitter and history inside tx,
// holding its row lock on PostgreSQL until tx ends (SQLite's write
// transaction already holds the whole database).
func (db *DB) lockRequest(ctx context.Context, tx bun.Tx, id int64) (*Request, error) {
	if db.Dialect == Postgres {
		var one int64
		err := tx.NewRaw("SELECT id FROM requests WHERE id = ? FOR UPDATE", id).Scan(ctx, &one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errRequestNotFound
		}
		if err != nil {
			return nil, err
		}
	}
	return db.requestByID(ctx, tx, id)
}

// lockRequestFor is lockRequest for a request by may see; any other answers
// NotFound, which does not tell whether it exists.
func (db *DB) lockRequestFor(ctx context.Context, tx bun.Tx, by *User, id int64) (*Request, error) {
	r, err := db.lockRequest(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if ok, err := db.canSee(ctx, by, r); err != nil || !ok {
		return nil, cmp.Or[error](err, errRequestNotFound)
	}
	return r, nil
}

func (db *DB) requestByID(ctx context.Context, idb bun.IDB, id int64) (*Request, error) {
	r := new(Request)
	err := idb.NewSelect().Model(r).Relation("PTJ").Relation("Submitter").
		Relation("Events", func(q *bun.SelectQuery) *bun.SelectQuery { return q.OrderExpr("id") }).
		Where("?TableAlias.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errRequestNotFound
	}
	return r, err
}

// actor is by as the workflow sees them: roles and delegations.
func (db *DB) actor(ctx context.Context, idb bun.IDB, by *User) (workflow.Actor, error) {
	a := workflow.Actor{Person: person(by), Active: by.Active()}
	for _, r := range by.Roles {
		a.Roles = append(a.Roles, workflow.Grant{Role: r.Role, PTJCode: deref(r.PTJCode)})
	}
	var err error
	a.Delegations, err = db.delegationsTo(ctx, idb, by.ID)
	return a, err
}

// decide asks the workflow whether by may fire act on r now.
func (db *DB) decide(ctx context.Context, idb bun.IDB, r *Request, by *User, act workflow.Action) (workflow.Transition, error) {
	a, err := db.actor(ctx, idb, by)
	if err != nil {
		return workflow.Transition{}, err
	}
	return workflow.Decide(r.snapshot(), a, act, db.Now())
}

// ActOptions are choices an action may carry beyond the event.
type ActOptions struct {
	// TemporaryPassword makes a provisioned registration or password reset
	// set a one-time temporary password, returned once in ActResult, instead
	// of mailing a set-password link (for a subject who cannot receive mail).
	TemporaryPassword bool
}

// ActResult is the outcome of an action.
type ActResult struct {
	Request *Request
	// TemporaryPassword is shown once, to the sysadmin who provisioned, and
	// never stored in clear.
	TemporaryPassword string
	// Mailed reports that notifications were queued (workers may be woken).
	Mailed bool
}

// Act fires act on request id for by, all in one transaction: the workflow's
// decision, the new state and version, the history row, the audit record,
// the provisioning effect and the notifications. A stale version, an event
// the state does not allow or a refused guard changes nothing.
func (db *DB) Act(ctx context.Context, as AuthSettings, by *User, id int64, act workflow.Action, opt ActOptions) (*ActResult, error) {
	var res *ActResult
	err := db.Tx(ctx, func(tx bun.Tx) error {
		r, err := db.lockRequestFor(ctx, tx, by, id)
		if err != nil {
			return err
		}
		if act.Event == workflow.Submit || act.Event == workflow.Resubmit {
			// A draft goes out only as a whole, valid Borang.
			f := r.Form()
			if err := db.checkForm(ctx, tx, &f, false, r.ID); err != nil {
				return err
			}
		}
		res, err = db.applyWith(ctx, tx, as, r, by, act, opt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return res, nil // res.Request is the request as the action left it
}

// apply fires a submitter's event (submit, resubmit), which provisions
// nothing and so needs no login settings.
func (db *DB) apply(ctx context.Context, tx bun.Tx, r *Request, by *User, act workflow.Action, opt ActOptions) (*ActResult, error) {
	return db.applyWith(ctx, tx, AuthSettings{}, r, by, act, opt)
}

// applyWith is the one place a request changes state.
func (db *DB) applyWith(ctx context.Context, tx bun.Tx, as AuthSettings, r *Request, by *User, act workflow.Action, opt ActOptions) (*ActResult, error) {
	now := db.Now()
	t, err := db.decide(ctx, tx, r, by, act)
	if err != nil {
		return nil, err
	}
	if opt.TemporaryPassword && !(t.Effect == workflow.CreateProfile || t.Effect == workflow.ResetPassword) {
		return nil, apperr.Fields(apperr.Field("temporary_password", "request.error.temp_password_kind"))
	}
	upd, err := tx.NewUpdate().Model((*Request)(nil)).
		Set("state = ?", t.To).Set("version = version + 1").Set("updated_at = ?", now).
		Set("state_since = ?", now).Set("last_reminded_at = NULL").
		Where("id = ? AND version = ?", r.ID, act.Version).Exec(ctx)
	if err != nil {
		return nil, err
	}
	if n, _ := upd.RowsAffected(); n != 1 {
		return nil, errStale
	}
	r.State, r.Version, r.UpdatedAt, r.StateSince = t.To, r.Version+1, now, now
	ev := RequestEvent{RequestID: r.ID, Event: t.Event, From: t.From, To: t.To,
		ActorID: by.ID, ActorLogin: by.Login, ActorName: by.Name, Remarks: t.Remarks, At: now}
	if t.OnBehalfOf != nil {
		p := *t.OnBehalfOf
		ev.OnBehalfID, ev.OnBehalfLogin, ev.OnBehalfName = &p.UserID, &p.Login, &p.Name
	}
	if _, err := tx.NewInsert().Model(&ev).Returning("id").Exec(ctx); err != nil {
		return nil, err
	}
	r.Events = append(r.Events, ev)
	detail := map[string]any{"event": t.Event, "from": t.From, "to": t.To, "version": r.Version}
	if t.OnBehalfOf != nil {
		detail["on_behalf_of"] = t.OnBehalfOf.Login
	}
	actor := Actor{UserID: by.ID, Login: by.Login}
	if err := db.appendAudit(ctx, tx, actor, "request."+string(t.Event), "request", r.Reference, detail); err != nil {
		return nil, err
	}
	res := &ActResult{Request: r}
	subject, err := db.provision(ctx, tx, as, actor, r, t.Effect, opt, res)
	if err != nil {
		return nil, err
	}
	n, err := db.notifyTransition(ctx, tx, r, t, subject)
	if err != nil {
		return nil, err
	}
	res.Mailed = n > 0
	return res, nil
}

// subjectMail is what provisioning tells the subject: which mail, and the
// one-time link when there is one.
type subjectMail struct {
	user    *User
	kind    notify.Kind
	link    string
	expires time.Time
}

// provision carries out effect for r inside tx.
func (db *DB) provision(ctx context.Context, tx bun.Tx, as AuthSettings, actor Actor, r *Request, effect workflow.Effect, opt ActOptions, res *ActResult) (*subjectMail, error) {
	if effect == workflow.NoEffect {
		return nil, nil
	}
	now := db.Now()
	var u *User
	var err error
	if effect == workflow.CreateProfile {
		u, err = db.createUser(ctx, tx, actor, NewUser{
			Login: r.SubjectIC, Name: r.SubjectName, Email: r.SubjectEmail, PTJCode: r.PTJCode,
			Position: r.SubjectPosition, Grade: r.SubjectGrade, SalaryNo: r.SubjectSalaryNo,
			Roles: r.Roles(), Modules: r.Modules(), MustChange: true,
		})
		if err != nil {
			return nil, err
		}
		if _, err := tx.NewUpdate().Model((*Request)(nil)).Set("subject_user_id = ?", u.ID).Where("id = ?", r.ID).Exec(ctx); err != nil {
			return nil, err
		}
		r.SubjectUserID = &u.ID
	} else {
		u, err = db.userWhere(ctx, tx, "login = ?", r.SubjectIC)
		if err != nil {
			return nil, err
		}
		// The profile may have changed since the form was filed.
		if u.PTJCode != r.PTJCode || !u.Active() {
			return nil, apperr.New(apperr.Conflict, "request.error.subject_changed")
		}
	}
	mail := &subjectMail{user: u}
	switch effect {
	case workflow.SetAccess:
		if err := db.setAccess(ctx, tx, u, r.Roles(), r.Modules()); err != nil {
			return nil, err
		}
		mail.kind = notify.KindAccessChanged
		err = db.appendAudit(ctx, tx, actor, "user.access", "user", u.Login, map[string]any{"roles": r.Roles(), "modules": r.Modules(), "request": r.Reference})
	case workflow.DeactivateProfile:
		if _, err := tx.NewUpdate().Model((*User)(nil)).Set("status = ?", StatusInactive).Set("updated_at = ?", now).Where("id = ?", u.ID).Exec(ctx); err != nil {
			return nil, err
		}
		if err := endSessions(ctx, tx, u.ID); err != nil {
			return nil, err
		}
		if _, err := tx.NewDelete().Model((*PasswordToken)(nil)).Where("user_id = ? AND used_at IS NULL", u.ID).Exec(ctx); err != nil {
			return nil, err
		}
		mail.kind = notify.KindProfileDeactivated
		err = db.appendAudit(ctx, tx, actor, "user.deactivate", "user", u.Login, map[string]any{"request": r.Reference})
	case workflow.CreateProfile, workflow.ResetPassword:
		mail.kind = notify.KindWelcomeSetPassword
		if effect == workflow.ResetPassword {
			mail.kind = notify.KindPasswordResetLink
			if _, err := tx.NewUpdate().Model((*User)(nil)).
				Set("password_hash = ''").Set("must_change = ?", true).Set("password_expires_at = NULL").
				Set("failed_attempts = 0").Set("locked_at = NULL").Set("updated_at = ?", now).
				Where("id = ?", u.ID).Exec(ctx); err != nil {
				return nil, err
			}
			if err := endSessions(ctx, tx, u.ID); err != nil {
				return nil, err
			}
			if _, err := tx.NewDelete().Model((*PasswordToken)(nil)).Where("user_id = ? AND used_at IS NULL", u.ID).Exec(ctx); err != nil {
				return nil, err
			}
		}
		if opt.TemporaryPassword {
			if res.TemporaryPassword, err = db.setTemporaryPassword(ctx, tx, as, u); err != nil {
				return nil, err
			}
			mail = nil // handed over in person: no link goes out
		} else {
			token, expires, err := db.IssuePasswordToken(ctx, tx, as, u.ID)
			if err != nil {
				return nil, err
			}
			mail.link, mail.expires = db.link("/password/set?token="+token), expires
		}
		err = db.appendAudit(ctx, tx, actor, "user.password_issue", "user", u.Login,
			map[string]any{"request": r.Reference, "temporary_password": opt.TemporaryPassword})
	}
	return mail, err
}

// link is an absolute URL of path on the portal.
func (db *DB) link(path string) string { return strings.TrimRight(db.BaseURL, "/") + path }

// RequestFilter selects requests for lists, searches and exports.
type RequestFilter struct {
	State   workflow.State
	Kind    forms.Kind
	PTJCode string
	Q       string // part of the reference, the subject's name or MyKad
	// AwaitingMe keeps only requests at a stage the viewer acts at.
	AwaitingMe bool
	// Mine keeps only requests the viewer submitted.
	Mine bool
}

// scope is which requests a viewer may see and at which they act: treasury
// staff and auditors see every request; PTJ representatives and controlling
// officers (and their delegates of today) those of their PTJ.
type scope struct {
	viewer      *User
	all         bool
	ptjs        []string        // PTJs whose requests a PTJ role or a delegation shows
	officerPTJs map[string]bool // PTJs whose submitted requests wait for the viewer
}

// scopeOf is the viewer's scope, delegations of today included.
func (db *DB) scopeOf(ctx context.Context, viewer *User) (scope, error) {
	sc := rolesScope(viewer)
	ds, err := db.delegationsTo(ctx, db.DB, viewer.ID)
	if err != nil {
		return sc, err
	}
	now := db.Now()
	for _, d := range ds {
		if d.Covers(d.PTJCode, now) {
			sc.ptjs = append(sc.ptjs, d.PTJCode)
			sc.officerPTJs[d.PTJCode] = true
		}
	}
	return sc, nil
}

// rolesScope is the scope the viewer's own roles give, without delegations
// (and without a query).
func rolesScope(viewer *User) scope {
	sc := scope{viewer: viewer, officerPTJs: map[string]bool{},
		all: viewer.HasRole(forms.RoleTreasuryApprover) || viewer.HasRole(forms.RoleSysadmin) || viewer.HasRole(forms.RoleAuditor)}
	for _, r := range viewer.Roles {
		if r.PTJCode != nil && r.Role.PTJScoped() {
			sc.ptjs = append(sc.ptjs, *r.PTJCode)
			if r.Role == forms.RoleControllingOfficer {
				sc.officerPTJs[*r.PTJCode] = true
			}
		}
	}
	return sc
}

// covers reports whether the scope shows requests of ptj.
func (sc scope) covers(ptj string) bool { return sc.all || slices.Contains(sc.ptjs, ptj) }

// canSee reports whether viewer may see r.
func (db *DB) canSee(ctx context.Context, viewer *User, r *Request) (bool, error) {
	if rolesScope(viewer).covers(r.PTJCode) {
		return true, nil // the common case needs no query
	}
	sc, err := db.scopeOf(ctx, viewer)
	return sc.covers(r.PTJCode), err
}

// RequestFor returns request id if viewer may see it (otherwise NotFound,
// which does not tell whether it exists).
func (db *DB) RequestFor(ctx context.Context, viewer *User, id int64) (*Request, error) {
	r, err := db.requestByID(ctx, db.DB, id)
	if err != nil {
		return nil, err
	}
	if ok, err := db.canSee(ctx, viewer, r); err != nil || !ok {
		return nil, cmp.Or[error](err, errRequestNotFound)
	}
	return r, nil
}

// Available lists the events viewer may fire on r now.
func (db *DB) Available(ctx context.Context, viewer *User, r *Request) ([]workflow.Event, error) {
	actions, err := db.Actions(ctx, viewer)
	if err != nil {
		return nil, err
	}
	return actions(r), nil
}

// Actions returns what lists the events viewer may fire on a request now.
// The viewer's roles and delegations are read once, so that a page of
// requests costs one query for them, not one per row.
func (db *DB) Actions(ctx context.Context, viewer *User) (func(*Request) []workflow.Event, error) {
	a, err := db.actor(ctx, db.DB, viewer)
	now := db.Now()
	return func(r *Request) []workflow.Event { return workflow.Available(r.snapshot(), a, now) }, err
}

// where narrows q, a query on requests, to what the scope shows and f selects.
func (sc scope) where(q *bun.SelectQuery, f RequestFilter) *bun.SelectQuery {
	viewer := sc.viewer
	if !sc.all {
		if len(sc.ptjs) == 0 {
			return q.Where("1 = 0")
		}
		q = q.Where("?TableAlias.ptj_code IN (?)", bun.In(sc.ptjs))
	}
	if f.State != "" {
		q = q.Where("?TableAlias.state = ?", f.State)
	}
	if f.Kind != "" {
		q = q.Where("?TableAlias.kind = ?", f.Kind)
	}
	if f.PTJCode != "" {
		q = q.Where("?TableAlias.ptj_code = ?", f.PTJCode)
	}
	if f.Mine {
		q = q.Where("?TableAlias.submitter_id = ?", viewer.ID)
	}
	if s := strings.TrimSpace(f.Q); s != "" {
		like := "%" + strings.ToLower(s) + "%"
		digits := strings.ReplaceAll(s, "-", "")
		q = q.Where("(LOWER(?TableAlias.reference) LIKE ? OR LOWER(?TableAlias.subject_name) LIKE ? OR ?TableAlias.subject_ic LIKE ?)",
			like, like, "%"+digits+"%")
	}
	if f.AwaitingMe {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			q = q.Where("1 = 0")
			for code := range sc.officerPTJs {
				q = q.WhereOr("(?TableAlias.state = ? AND ?TableAlias.ptj_code = ?)", workflow.Submitted, code)
			}
			if viewer.HasRole(forms.RoleTreasuryApprover) {
				q = q.WhereOr("?TableAlias.state = ?", workflow.OfficerApproved)
			}
			if viewer.HasRole(forms.RoleSysadmin) {
				q = q.WhereOr("?TableAlias.state = ?", workflow.TreasuryApproved)
			}
			for _, r := range viewer.Roles {
				if r.Role == forms.RolePTJRep && r.PTJCode != nil {
					q = q.WhereOr("(?TableAlias.state IN (?) AND ?TableAlias.ptj_code = ?)",
						bun.In([]workflow.State{workflow.Draft, workflow.Returned}), *r.PTJCode)
				}
			}
			return q
		}).Where("?TableAlias.subject_ic <> ?", viewer.Login)
	}
	return q
}

// ListRequests returns the requests viewer may see that f selects, newest
// first, one page at a time, and how many there are in all.
func (db *DB) ListRequests(ctx context.Context, viewer *User, f RequestFilter, page Page) ([]Request, int64, error) {
	sc, err := db.scopeOf(ctx, viewer)
	if err != nil {
		return nil, 0, err
	}
	var list []Request
	q := db.NewSelect().Model(&list).Relation("PTJ").Relation("Submitter").OrderExpr("?TableAlias.id DESC")
	total, err := sc.where(q, f).Limit(page.Limit()).Offset(page.Offset()).ScanAndCount(ctx)
	return list, total, err
}

// EachRequest calls fn for every request viewer may see that f selects, oldest
// first, reading in batches (for CSV export without holding a whole table).
func (db *DB) EachRequest(ctx context.Context, viewer *User, f RequestFilter, fn func(*Request) error) error {
	sc, err := db.scopeOf(ctx, viewer)
	if err != nil {
		return err
	}
	var after int64
	for {
		var list []Request
		q := db.NewSelect().Model(&list).Relation("PTJ").Relation("Submitter").OrderExpr("?TableAlias.id").
			Where("?TableAlias.id > ?", after).Limit(500)
		if err := sc.where(q, f).Scan(ctx); err != nil {
			return err
		}
		for i := range list {
			if err := fn(&list[i]); err != nil {
				return err
			}
			after = list[i].ID
		}
		if len(list) < 500 {
			return nil
		}
	}
}

// InboxCounts returns, per state, how many requests wait for viewer's action.
func (db *DB) InboxCounts(ctx context.Context, viewer *User) (map[workflow.State]int64, int64, error) {
	sc, err := db.scopeOf(ctx, viewer)
	if err != nil {
		return nil, 0, err
	}
	var rows []struct {
		State workflow.State `bun:"state"`
		N     int64          `bun:"n"`
	}
	q := db.NewSelect().Model((*Request)(nil)).ColumnExpr("?TableAlias.state AS state, COUNT(*) AS n").GroupExpr("?TableAlias.state")
	if err := sc.where(q, RequestFilter{AwaitingMe: true}).Scan(ctx, &rows); err != nil {
		return nil, 0, err
	}
	m := map[workflow.State]int64{}
	var total int64
	for _, r := range rows {
		m[r.State] = r.N
		total += r.N
	}
	return m, total, nil
}

// SubjectFor returns the profile a request is about, when one exists.
func (db *DB) SubjectFor(ctx context.Context, r *Request) (*User, error) {
	u, err := db.userWhere(ctx, db.DB, "login = ?", r.SubjectIC)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	return u, err
}
