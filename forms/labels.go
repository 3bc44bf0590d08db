package forms

import "github.com/perbendaharaan/ispeks/i18n"

// The names of the vocabulary are catalogue keys: kind.<id>, role.<id> and
// module.<id>. labelOf shows an unknown value stored long ago as itself, so
// that it is still seen as something.
func labelOf(prefix, v, lang string) string {
	if !i18n.Has(prefix + v) {
		return v
	}
	return i18n.T(lang, prefix+v)
}

// KindLabel returns the name of a request kind in lang ("en" for English,
// Bahasa Malaysia otherwise), e.g. "Pendaftaran Baharu" / "New registration".
func KindLabel(k Kind, lang string) string { return labelOf("kind.", string(k), lang) }

// RoleLabel returns the name of a role (peranan) in lang, e.g. "Wakil PTJ" /
// "PTJ representative".
func RoleLabel(r Role, lang string) string { return labelOf("role.", string(r), lang) }

// ModuleLabel returns the name of a module in lang, e.g. "ePayslip (Slip Gaji)".
func ModuleLabel(m Module, lang string) string { return labelOf("module.", string(m), lang) }

// Field labels, used inside messages. The English ones are written to sit
// in the middle of a sentence ("The e-mail address is required.").
var (
	labelLogin         = i18n.Of("label.login")
	labelPTJCode       = i18n.Of("label.ptj_code")
	labelEmail         = i18n.Of("label.email")
	labelSalaryNo      = i18n.Of("label.salary_no")
	labelEmployerNo    = i18n.Of("label.employer_no")
	labelTaxNo         = i18n.Of("label.tax_no")
	labelKind          = i18n.Of("label.kind")
	labelName          = i18n.Of("label.name")
	labelPosition      = i18n.Of("label.position")
	labelGrade         = i18n.Of("label.grade")
	labelJustification = i18n.Of("label.justification")
)
