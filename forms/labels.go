package forms

// Words is a name or message shown to users, in Bahasa Malaysia and
// English. The workflow's labels use it too, so that one rule picks the
// language everywhere.
type Words struct{ MS, EN string }

// In returns the words in lang: "en" for English, Bahasa Malaysia otherwise
// (the same rule as apperr).
func (w Words) In(lang string) string {
	if lang == "en" {
		return w.EN
	}
	return w.MS
}

// label is the package's short name for Words.
type label = Words

// LabelOf returns the label of v in lang, or v itself when it has none, so
// that an unknown value stored long ago still shows as something.
func LabelOf[T ~string](labels map[T]Words, v T, lang string) string {
	if l, ok := labels[v]; ok {
		return l.In(lang)
	}
	return string(v)
}

var kindLabels = map[Kind]label{
	KindRegistration:  {"Pendaftaran Baharu", "New registration"},
	KindAccessUpdate:  {"Kemaskini Capaian", "Access update"},
	KindDeactivation:  {"Nyah Aktif Profil", "Profile deactivation"},
	KindPasswordReset: {"Penetapan Semula Kata Laluan", "Password reset"},
}

var roleLabels = map[Role]label{
	RolePTJRep:             {"Wakil PTJ", "PTJ representative"},
	RoleControllingOfficer: {"Pegawai Pengawal / Ketua Jabatan", "Controlling officer / head of department"},
	RoleTreasuryApprover:   {"Pelulus Perbendaharaan Negeri", "State Treasury approver"},
	RoleSysadmin:           {"Pentadbir Sistem", "System administrator"},
	RoleAuditor:            {"Juruaudit", "Auditor"},
}

var moduleLabels = map[Module]label{
	ModulePayslip: {"ePayslip (Slip Gaji)", "ePayslip (pay slips)"},
	ModuleEC:      {"eEC (Penyata Saraan Borang EC)", "eEC (Borang EC remuneration statement)"},
	ModuleMaklum:  {"eMaklum (Status Pembayaran)", "eMaklum (payment status)"},
}

// KindLabel returns the name of a request kind in lang ("en" for English,
// Bahasa Malaysia otherwise), e.g. "Pendaftaran Baharu" / "New registration".
func KindLabel(k Kind, lang string) string { return LabelOf(kindLabels, k, lang) }

// RoleLabel returns the name of a role (peranan) in lang, e.g. "Wakil PTJ" /
// "PTJ representative".
func RoleLabel(r Role, lang string) string { return LabelOf(roleLabels, r, lang) }

// ModuleLabel returns the name of a module in lang, e.g. "ePayslip (Slip Gaji)".
func ModuleLabel(m Module, lang string) string { return LabelOf(moduleLabels, m, lang) }

// Field labels, used inside messages. The English ones are written to sit
// in the middle of a sentence ("The e-mail address is required.").
var (
	labelMyKad         = label{"Nombor MyKad", "MyKad number"}
	labelLogin         = label{"ID log masuk", "login ID"}
	labelPTJCode       = label{"Kod PTJ", "PTJ code"}
	labelEmail         = label{"Alamat e-mel", "e-mail address"}
	labelSalaryNo      = label{"No. gaji", "salary number"}
	labelEmployerNo    = label{"No. majikan", "employer number"}
	labelTaxNo         = label{"No. cukai pendapatan", "income tax number"}
	labelAmount        = label{"Amaun", "amount"}
	labelKind          = label{"Jenis permohonan", "request kind"}
	labelName          = label{"Nama", "name"}
	labelPosition      = label{"Jawatan", "position"}
	labelGrade         = label{"Gred", "grade"}
	labelJustification = label{"Justifikasi", "justification"}
)
