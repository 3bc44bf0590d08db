package templates

// Text is the catalogue of words on pages: key → Bahasa Malaysia, English.
// Pages call {{t "key"}}; a key missing here shows itself, so that a gap is
// seen on the page and caught by the page tests.
var Text = map[string][2]string{
	"app.name":              {"Portal iSPEKS", "iSPEKS Portal"},
	"app.tagline":           {"Slip gaji, penyata EC dan status pembayaran — satu log masuk", "Pay slips, EC statements and payment status — one login"},
	"app.agency":            {"Jabatan Akauntan Negara Malaysia", "Accountant General's Department of Malaysia"},
	"nav.home":              {"Utama", "Home"},
	"nav.login":             {"Log Masuk", "Log in"},
	"nav.logout":            {"Log Keluar", "Log out"},
	"nav.skip":              {"Langkau ke kandungan", "Skip to content"},
	"lang.switch":           {"English", "Bahasa Malaysia"},
	"footer.policy":         {"Pengguna hendaklah memelihara integriti dan kerahsiaan data kewangan Kerajaan dan melaksanakan transaksi mengikut peranan, capaian dan had kelulusan yang ditetapkan sahaja.", "Users must keep the Government's financial data whole and confidential, and act only within the role, access and approval limit granted."},
	"home.title":            {"Selamat datang", "Welcome"},
	"home.intro":            {"Portal iSPEKS membolehkan penjawat awam menyemak slip gaji (ePayslip), penyata saraan tahunan Borang EC (eEC) dan status pembayaran (eMaklum) melalui satu skrin log masuk.", "The iSPEKS portal lets civil servants see their pay slips (ePayslip), yearly Borang EC remuneration statements (eEC) and payment status (eMaklum) through one login screen."},
	"home.login_hint":       {"Sila log masuk dengan nombor MyKad dan kata laluan anda.", "Please log in with your MyKad number and password."},
	"module.epayslip":       {"ePayslip — Slip Gaji", "ePayslip — Pay slips"},
	"module.eec":            {"eEC — Borang EC", "eEC — Borang EC"},
	"module.emaklum":        {"eMaklum — Status Pembayaran", "eMaklum — Payment status"},
	"error.title":           {"Ralat", "Error"},
	"error.not_found":       {"Halaman yang diminta tidak dijumpai.", "The page you asked for was not found."},
	"error.back":            {"Kembali ke halaman utama", "Back to the home page"},
	"pager.prev":            {"« Sebelum", "« Previous"},
	"pager.next":            {"Seterusnya »", "Next »"},
	"pager.of":              {"Halaman %d daripada %d (%d rekod)", "Page %d of %d (%d records)"},
	"search.submit":         {"Cari", "Search"},
	"search.clear":          {"Kosongkan", "Clear"},
	"print":                 {"Cetak", "Print"},
	"confirm.continue":      {"Teruskan", "Continue"},
	"confirm.cancel":        {"Batal", "Cancel"},
	"nav.password":          {"Tukar Kata Laluan", "Change password"},
	"home.modules":          {"Modul anda", "Your modules"},
	"home.no_modules":       {"Tiada modul diberikan kepada profil anda. Hubungi Wakil PTJ anda.", "No module has been granted to your profile. Contact your PTJ representative."},
	"home.work":             {"Tugasan anda", "Your work"},
	"module.epayslip.about": {"Slip gaji bulanan anda, di skrin dan sebagai PDF.", "Your monthly pay slips, on screen and as PDF."},
	"module.eec.about":      {"Penyata saraan tahunan Borang EC (C.P.8C).", "The yearly Borang EC (C.P.8C) remuneration statement."},
	"module.emaklum.about":  {"Status pembayaran bil dan baucar.", "Payment status of bills and vouchers."},
	"login.title":           {"Log Masuk iSPEKS", "iSPEKS login"},
	"login.id":              {"ID Pengguna (No. MyKad)", "User ID (MyKad number)"},
	"login.id_hint":         {"12 digit, dengan atau tanpa sempang, contoh 900101-04-5678.", "12 digits, with or without dashes, e.g. 900101-04-5678."},
	"login.password":        {"Kata Laluan", "Password"},
	"login.forgot":          {"Lupa kata laluan? Minta Wakil PTJ anda mengisi Borang Pentadbiran Pengguna iSPEKS untuk penetapan semula kata laluan.", "Forgot your password? Ask your PTJ representative to submit a Borang Pentadbiran Pengguna iSPEKS for a password reset."},
	"login.bye":             {"Anda telah log keluar.", "You have logged out."},
	"login.password_set":    {"Kata laluan anda telah ditetapkan. Sila log masuk.", "Your password has been set. Please log in."},
	"password.title":        {"Tukar Kata Laluan", "Change password"},
	"password.forced":       {"Kata laluan anda ditetapkan oleh pihak lain. Anda mesti menukarnya sebelum menggunakan portal.", "Your password was set by someone else. You must change it before using the portal."},
	"password.current":      {"Kata laluan semasa", "Current password"},
	"password.new":          {"Kata laluan baharu", "New password"},
	"password.confirm":      {"Sahkan kata laluan baharu", "Confirm the new password"},
	"password.rules":        {"Sekurang-kurangnya 12 aksara, campuran huruf besar dan kecil, nombor dan simbol; bukan kata laluan biasa, bukan nombor MyKad, ID atau nama anda.", "At least 12 characters mixing upper and lower case, digits and symbols; not a common password, not your MyKad number, login or name."},
	"password.submit":       {"Simpan kata laluan", "Save password"},
	"password.mismatch":     {"Kata laluan pengesahan tidak sama.", "The confirmation does not match."},
	"password.changed":      {"Kata laluan anda telah ditukar. Sesi lain telah ditamatkan.", "Your password has been changed. Other sessions have ended."},
	"password.set_title":    {"Tetapkan Kata Laluan", "Set your password"},
	"password.set_intro":    {"Pautan ini hanya boleh digunakan sekali.", "This link can be used only once."},
}

// T returns the words of key in lang ("en" or Bahasa Malaysia otherwise).
func T(lang, key string) string {
	w, ok := Text[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return w[1]
	}
	return w[0]
}
