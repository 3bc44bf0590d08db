package forms

// The portal's vocabulary: request kinds, roles and modules. They live here,
// at the bottom of the import graph, because a Borang names them and the
// workflow, store and web layers all speak them.

// Kind is the kind of a Borang Pentadbiran Pengguna iSPEKS request.
type Kind string

const (
	KindRegistration  Kind = "registration"   // Pendaftaran Baharu
	KindAccessUpdate  Kind = "access_update"  // Kemaskini Capaian
	KindDeactivation  Kind = "deactivation"   // Nyah Aktif Profil
	KindPasswordReset Kind = "password_reset" // Penetapan Semula Kata Laluan
)

// Kinds lists every request kind in the order the pages show them.
var Kinds = []Kind{KindRegistration, KindAccessUpdate, KindDeactivation, KindPasswordReset}

// TakesAccess reports whether a request of kind k names modules and roles:
// a registration grants them, an access update sets them anew; a
// deactivation or a password reset takes none.
func (k Kind) TakesAccess() bool { return k == KindRegistration || k == KindAccessUpdate }

// Role is a role a profile may hold. Roles with a PTJ scope act for one PTJ.
type Role string

const (
	RolePTJRep             Role = "ptj_rep"             // Wakil PTJ / Pentadbir PTJ
	RoleControllingOfficer Role = "controlling_officer" // Pegawai Pengawal / Ketua Jabatan / Pemegang Waran Peruntukan
	RoleTreasuryApprover   Role = "treasury_approver"   // Perbendaharaan Negeri
	RoleSysadmin           Role = "sysadmin"            // Pentadbir Sistem
	RoleAuditor            Role = "auditor"             // Juruaudit
)

// Roles lists every role.
var Roles = []Role{RolePTJRep, RoleControllingOfficer, RoleTreasuryApprover, RoleSysadmin, RoleAuditor}

// PTJScoped reports whether the role acts for one PTJ only (its holder's).
func (r Role) PTJScoped() bool { return r == RolePTJRep || r == RoleControllingOfficer }

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Module is a portal module that is granted to a profile separately.
type Module string

const (
	ModulePayslip Module = "epayslip" // slip gaji
	ModuleEC      Module = "eec"      // Borang EC
	ModuleMaklum  Module = "emaklum"  // status pembayaran
)

// Modules lists every module.
var Modules = []Module{ModulePayslip, ModuleEC, ModuleMaklum}

// Valid reports whether m is a known module.
func (m Module) Valid() bool {
	for _, x := range Modules {
		if x == m {
			return true
		}
	}
	return false
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}
