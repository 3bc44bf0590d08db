package forms

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
)

// Request is the Borang Pentadbiran Pengguna iSPEKS as a PTJ representative
// (Wakil PTJ) fills it: what is asked (Kind), for whom (Subject), in which
// PTJ, with which modules and roles (capaian and peranan), and why.
type Request struct {
	Kind          Kind        `json:"kind"`
	PTJCode       string      `json:"ptj_code"`
	Subject       Subject     `json:"subject"`
	Modules       []Module    `json:"modules"`
	Roles         []RoleGrant `json:"roles"`
	Justification string      `json:"justification"`
	Declaration   bool        `json:"declaration"` // the requester's akuan that the form is true and the access needed
}

// Subject is the officer the request is about, as on the MyKad and the pay slip.
type Subject struct {
	ICNumber string `json:"ic_number"` // MyKad, 12 digits once normalised
	Name     string `json:"name"`      // as on the MyKad, upper case
	Email    string `json:"email"`     // the officer's own; set-password links go there
	Position string `json:"position"`  // jawatan
	Grade    string `json:"grade"`     // gred, e.g. W41
	SalaryNo string `json:"salary_no"` // no. gaji
}

// RoleGrant is a role asked for the subject, with its approval limit (had
// kelulusan) in sen; 0 for roles that approve no amounts.
type RoleGrant struct {
	Role             Role  `json:"role"`
	ApprovalLimitSen int64 `json:"approval_limit_sen"`
}

// Limits of the free-text fields, in characters.
const (
	MaxNameLen          = 150
	MaxPositionLen      = 100
	MaxGradeLen         = 10
	MaxJustificationLen = 2000
)

// Normalize puts the Borang in its canonical form, in place, so that what is
// stored and compared does not depend on how it was typed: the kind, module
// and role ids trimmed and in lower case; the PTJ code trimmed; the MyKad
// without dashes or spaces; the name in upper case with single spaces, as on
// the MyKad; the e-mail's domain in lower case; position with single spaces;
// grade and salary number in upper case; modules without blanks or
// duplicates, in the order of Modules (unknown ones kept after them, for
// Validate to reject); the justification trimmed, with Windows line ends
// made "\n". Roles keep their order and duplicates, which Validate rejects:
// two limits for one role leave no way to tell which was meant.
//
// Normalize never fails; Validate says what is still wrong.
func (r *Request) Normalize() {
	r.Kind = Kind(lowerTrim(string(r.Kind)))
	r.PTJCode = strings.TrimSpace(r.PTJCode)
	s := &r.Subject
	s.ICNumber = malaysia.StripSeparators(s.ICNumber)
	s.Name = strings.ToUpper(collapseSpaces(s.Name))
	if e, err := ParseEmail(s.Email); err == nil {
		s.Email = e
	} else {
		s.Email = strings.TrimSpace(s.Email)
	}
	s.Position = collapseSpaces(s.Position)
	s.Grade = strings.ToUpper(collapseSpaces(s.Grade))
	s.SalaryNo = strings.ToUpper(strings.TrimSpace(s.SalaryNo))
	r.Modules = normalizeModules(r.Modules)
	for i := range r.Roles {
		r.Roles[i].Role = Role(lowerTrim(string(r.Roles[i].Role)))
	}
	r.Justification = strings.TrimSpace(strings.ReplaceAll(r.Justification, "\r\n", "\n"))
}

// normalizeModules returns ms trimmed, in lower case, without blanks and
// duplicates: the known modules in the order of Modules, then the unknown
// ones in the order given. It returns nil when nothing is left.
func normalizeModules(ms []Module) []Module {
	var known, unknown []Module
	for _, m := range ms {
		m = Module(lowerTrim(string(m)))
		switch {
		case m == "" || slices.Contains(known, m) || slices.Contains(unknown, m):
		case m.Valid():
			known = append(known, m)
		default:
			unknown = append(unknown, m)
		}
	}
	slices.SortFunc(known, func(a, b Module) int { return slices.Index(Modules, a) - slices.Index(Modules, b) })
	return append(known, unknown...)
}

// ValidateOptions are what Validate needs from outside the Borang.
type ValidateOptions struct {
	// Draft relaxes the one rule that only matters on submission: the
	// declaration (akuan) may still be unticked.
	Draft bool
	// Ceilings is the treasury's ceiling of approval limit per role, in sen.
	// A role absent from the map has ceiling 0: it may carry no limit.
	Ceilings map[Role]int64
	// Now dates the check of the MyKad birth date; zero means time.Now().
	Now time.Time
	// OfficialDomains are the mail domains the subject's e-mail must be
	// under (CheckOfficialEmail); empty accepts any.
	OfficialDomains []string
}

// Validate checks the Borang against every rule that needs no database and
// returns nil, or an apperr.Fields error listing every failing field at
// once (at most one message per field), under the field paths of the JSON
// API (FieldKind … FieldDeclaration, RoleField, LimitField). Call Normalize
// first: Validate accepts what the parsers accept, but checks meaning, not
// form. The rules:
//
//   - kind: one of Kinds.
//   - ptj_code: 8 digits (ParsePTJCode).
//   - subject.ic_number: a valid MyKad (ParseMyKadAt with opt.Now).
//   - subject.name: required, at most MaxNameLen characters.
//   - subject.email: required for a registration, whose set-password link
//     goes there; for other kinds optional, but valid if given (ParseEmail)
//     and under one of opt.OfficialDomains (CheckOfficialEmail).
//   - subject.position, subject.grade: optional, at most MaxPositionLen and
//     MaxGradeLen characters.
//   - subject.salary_no: optional, valid if given (ParseSalaryNo).
//   - modules: known modules only. A registration needs at least one. An
//     access update sets the exact new set of modules and roles, so it needs
//     at least one module or role (reported under modules). A deactivation
//     or password reset takes none.
//   - roles: a deactivation or password reset takes none (reported under
//     roles). Otherwise each grant's role is known and listed once
//     (roles[i].role), and its approval limit is between 0 and the role's
//     ceiling (roles[i].approval_limit_sen).
//   - justification: required, at most MaxJustificationLen characters.
//   - declaration: ticked, unless opt.Draft.
//
// Free-text fields may not hold control characters (the justification may
// hold line breaks and tabs): they end up in mail, PDFs and the audit log.
func (r Request) Validate(opt ValidateOptions) error {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	var p problems

	switch {
	case r.Kind == "":
		p.add(FieldKind, malaysia.Required(labelKind))
	case !r.Kind.Valid():
		p.add(FieldKind, invalid("request.error.kind_unknown", "Kind", string(r.Kind)))
	}
	_, err := ParsePTJCode(r.PTJCode)
	p.add(FieldPTJCode, err)

	s := r.Subject
	_, err = malaysia.ParseMyKadAt(s.ICNumber, now)
	p.add(FieldICNumber, err)
	p.add(FieldName, checkText(labelName, s.Name, true, MaxNameLen, false))
	if r.Kind == KindRegistration || strings.TrimSpace(s.Email) != "" {
		email, err := ParseEmail(s.Email)
		if err == nil {
			err = CheckOfficialEmail(email, opt.OfficialDomains)
		}
		p.add(FieldEmail, err)
	}
	p.add(FieldPosition, checkText(labelPosition, s.Position, false, MaxPositionLen, false))
	p.add(FieldGrade, checkText(labelGrade, s.Grade, false, MaxGradeLen, false))
	if strings.TrimSpace(s.SalaryNo) != "" {
		_, err = ParseSalaryNo(s.SalaryNo)
		p.add(FieldSalaryNo, err)
	}

	p.add(FieldModules, r.checkModules())
	if r.takesNoAccess() {
		if len(r.Roles) > 0 {
			p.add(FieldRoles, r.noAccessError("request.error.no_roles"))
		}
	} else {
		r.checkRoles(&p, opt.Ceilings)
	}

	p.add(FieldJustification, checkText(labelJustification, r.Justification, true, MaxJustificationLen, true))
	if !opt.Draft && !r.Declaration {
		p.add(FieldDeclaration, invalid("request.error.declaration"))
	}

	if len(p) == 0 {
		return nil
	}
	return apperr.Fields(p...)
}

// takesNoAccess reports whether the kind changes no modules or roles.
func (r Request) takesNoAccess() bool { return r.Kind.Valid() && !r.Kind.TakesAccess() }

// noAccessError says, with key, that r's kind takes no modules or roles.
func (r Request) noAccessError(key string) error {
	return invalid(key, "Kind", i18n.Of("kind."+string(r.Kind)))
}

// checkModules applies the module rules of Validate.
func (r Request) checkModules() error {
	var unknown []string
	for _, m := range r.Modules {
		if !m.Valid() {
			unknown = append(unknown, fmt.Sprintf("%q", string(m)))
		}
	}
	switch {
	case len(unknown) > 0:
		return invalid("request.error.modules_unknown", "List", strings.Join(unknown, ", "))
	case r.Kind == KindRegistration && len(r.Modules) == 0:
		return invalid("request.error.module_needed")
	case r.Kind == KindAccessUpdate && len(r.Modules) == 0 && len(r.Roles) == 0:
		return invalid("request.error.access_needed")
	case r.takesNoAccess() && len(r.Modules) > 0:
		return r.noAccessError("request.error.no_modules")
	}
	return nil
}

// checkRoles applies the per-grant rules of Validate.
func (r Request) checkRoles(p *problems, ceilings map[Role]int64) {
	for i, g := range r.Roles {
		switch {
		case g.Role == "":
			p.add(RoleField(i), invalid("request.error.role_empty"))
		case !g.Role.Valid():
			p.add(RoleField(i), invalid("request.error.role_unknown", "Role", string(g.Role)))
		case slices.ContainsFunc(r.Roles[:i], func(h RoleGrant) bool { return h.Role == g.Role }):
			p.add(RoleField(i), invalid("request.error.role_twice"))
		}
		ceiling := ceilings[g.Role]
		switch {
		case g.ApprovalLimitSen < 0:
			p.add(LimitField(i), invalid("request.error.limit_negative"))
		case g.Role.Valid() && g.ApprovalLimitSen > ceiling:
			p.add(LimitField(i), invalid("request.error.limit_above_ceiling",
				"Ceiling", malaysia.FormatRM(ceiling), "Role", i18n.Of("role."+string(g.Role))))
		}
	}
}

// problems collects field messages for apperr.Fields.
type problems []apperr.FieldError

// add records err (if any) against field.
func (p *problems) add(field string, err error) {
	if err != nil {
		*p = append(*p, Field(field, err))
	}
}

// checkText checks a free-text field labelled l: present if required, no
// control characters (line breaks and tabs allowed if multiline), valid
// UTF-8, at most max characters.
func checkText(l i18n.Text, s string, need bool, max int, multiline bool) error {
	if strings.TrimSpace(s) == "" {
		if need {
			return malaysia.Required(l)
		}
		return nil
	}
	bad := !utf8.ValidString(s) || strings.ContainsFunc(s, func(c rune) bool {
		return unicode.IsControl(c) && !(multiline && (c == '\n' || c == '\t'))
	})
	if bad {
		return invalid("field.bad_characters", "Label", l)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return invalid("field.too_long", "Label", l, "Max", max, "Now", n)
	}
	return nil
}

// collapseSpaces trims s and turns every run of white space into one space.
func collapseSpaces(s string) string { return strings.Join(strings.Fields(s), " ") }

// lowerTrim trims s and puts it in lower case, for ids.
func lowerTrim(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
