package forms

import (
	"errors"
	"fmt"

	"github.com/perbendaharaan/ispeks/apperr"
)

// The parse functions return an error that is always an *apperr.Error of
// code Invalid carrying a message without a field name, so that the same
// parser serves a Borang field, a login box and a command-line flag; the
// caller names the field with Field. The words are catalogue keys.

// Field paths of the Borang, as the JSON API spells them. Validate reports its
// messages under these names, and the pages use them to mark the inputs.
const (
	FieldKind          = "kind"
	FieldPTJCode       = "ptj_code"
	FieldICNumber      = "subject.ic_number"
	FieldName          = "subject.name"
	FieldEmail         = "subject.email"
	FieldPosition      = "subject.position"
	FieldGrade         = "subject.grade"
	FieldSalaryNo      = "subject.salary_no"
	FieldModules       = "modules"
	FieldRoles         = "roles" // the list as a whole; see RoleField and LimitField for one grant
	FieldJustification = "justification"
	FieldDeclaration   = "declaration"
)

// RoleField returns the field path of the role of the i-th grant: "roles[i].role".
func RoleField(i int) string { return fmt.Sprintf("roles[%d].role", i) }

// LimitField returns the field path of the approval limit (had kelulusan) of
// the i-th grant: "roles[i].approval_limit_sen".
func LimitField(i int) string { return fmt.Sprintf("roles[%d].approval_limit_sen", i) }

// invalid returns an Invalid error with the message key and its args.
func invalid(key string, args ...any) error { return apperr.New(apperr.Invalid, key, args...) }

// Field names the field that err is about, for apperr.Fields. err should come
// from one of this package's parsers (an *apperr.Error); its messages are
// kept. Any other error gets a generic "invalid value" message, because its
// text was not written for users.
func Field(name string, err error) apperr.FieldError {
	var e *apperr.Error
	if errors.As(err, &e) && !e.Text.IsZero() {
		return apperr.FieldError{Field: name, Text: e.Text}
	}
	return apperr.Field(name, "field.invalid")
}

// The rules below need the database (the store checks them after Validate),
// but their words belong with the Borang's other messages.

// ErrPTJUnknown says that no PTJ has the code. Field: ptj_code.
func ErrPTJUnknown(code string) apperr.FieldError {
	return apperr.Field(FieldPTJCode, "request.error.ptj_unknown", "Code", code)
}

// ErrSubjectHasProfile says that a registration (Pendaftaran Baharu) names an
// officer who already has a profile. Field: subject.ic_number.
func ErrSubjectHasProfile() apperr.FieldError {
	return apperr.Field(FieldICNumber, "request.error.subject_has_profile")
}

// ErrSubjectUnavailable says that the MyKad number cannot be used in a
// request from the submitter's PTJ: the officer has no profile, or a
// profile or an open request in another PTJ. It is one message for all of
// these, so that a PTJ learns nothing about other PTJs' staff. Field:
// subject.ic_number.
func ErrSubjectUnavailable() apperr.FieldError {
	return apperr.Field(FieldICNumber, "request.error.subject_unavailable")
}

// ErrOpenRequestExists says that another request about the same officer is
// still open, so that two approvals never race on one profile. It is a
// Conflict about the whole Borang, not about one field.
func ErrOpenRequestExists(reference string) *apperr.Error {
	return apperr.New(apperr.Conflict, "request.error.open_exists", "Ref", reference)
}
