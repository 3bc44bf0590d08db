package forms

import (
	"errors"
	"fmt"

	"github.com/perbendaharaan/ispeks/apperr"
)

// Every user-facing word about a Borang lives in this package, in Bahasa
// Malaysia (MS, the default) and English (EN). The parse functions return an
// error that is always an *apperr.Error of code Invalid carrying a message
// without a field name, so that the same parser serves a Borang field, a
// login box and a command-line flag; the caller names the field with Field.

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

// invalid returns an Invalid error with both messages.
func invalid(ms, en string) error { return apperr.New(apperr.Invalid, ms, en) }

// required returns the "must be filled in" error for a field labelled l.
func required(l label) error {
	return invalid(l.MS+" wajib diisi.", "The "+l.EN+" is required.")
}

// Field names the field that err is about, for apperr.Fields. err should come
// from one of this package's parsers (an *apperr.Error); its messages are
// kept. Any other error gets a generic "invalid value" message, because its
// text was not written for users.
func Field(name string, err error) apperr.FieldError {
	var e *apperr.Error
	if errors.As(err, &e) && (e.MS != "" || e.EN != "") {
		return apperr.FieldError{Field: name, MS: e.MS, EN: e.EN}
	}
	return apperr.FieldError{Field: name, MS: "Nilai tidak sah.", EN: "Invalid value."}
}

// The rules below need the database (the store checks them after Validate),
// but their words belong with the Borang's other messages.

// ErrPTJUnknown says that no PTJ has the code. Field: ptj_code.
func ErrPTJUnknown(code string) apperr.FieldError {
	return apperr.FieldError{Field: FieldPTJCode,
		MS: fmt.Sprintf("Kod PTJ %s tiada dalam senarai PTJ iSPEKS.", code),
		EN: fmt.Sprintf("PTJ code %s is not in the iSPEKS list of PTJs.", code)}
}

// ErrSubjectHasProfile says that a registration (Pendaftaran Baharu) names an
// officer who already has a profile. Field: subject.ic_number.
func ErrSubjectHasProfile() apperr.FieldError {
	return apperr.FieldError{Field: FieldICNumber,
		MS: "Pegawai ini sudah mempunyai profil iSPEKS. Gunakan Kemaskini Capaian untuk mengubah capaiannya.",
		EN: "This officer already has an iSPEKS profile. Use an access update to change their access."}
}

// ErrSubjectHasNoProfile says that an access update, deactivation or password
// reset names an officer without an active profile. Field: subject.ic_number.
func ErrSubjectHasNoProfile() apperr.FieldError {
	return apperr.FieldError{Field: FieldICNumber,
		MS: "Tiada profil iSPEKS yang aktif bagi nombor MyKad ini.",
		EN: "There is no active iSPEKS profile for this MyKad number."}
}

// ErrSubjectInOtherPTJ says that the officer's profile belongs to another PTJ:
// only the PTJ that holds the profile may ask for changes to it (after a
// transfer, the new PTJ asks once the profile has moved). Field: subject.ic_number.
func ErrSubjectInOtherPTJ() apperr.FieldError {
	return apperr.FieldError{Field: FieldICNumber,
		MS: "Profil pegawai ini berdaftar di PTJ lain. Permohonan hendaklah dibuat oleh PTJ tempat profilnya berdaftar.",
		EN: "This officer's profile belongs to another PTJ. The request must come from the PTJ that holds the profile."}
}

// ErrOpenRequestExists says that another request about the same officer is
// still open, so that two approvals never race on one profile. It is a
// Conflict about the whole Borang, not about one field.
func ErrOpenRequestExists(reference string) *apperr.Error {
	return apperr.New(apperr.Conflict,
		fmt.Sprintf("Permohonan %s bagi pegawai ini masih dalam proses. Tunggu keputusannya atau tarik balik permohonan itu dahulu.", reference),
		fmt.Sprintf("Request %s about this officer is still open. Wait for its outcome or withdraw it first.", reference))
}
