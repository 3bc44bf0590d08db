package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
	"github.com/perbendaharaan/ispeks/workflow"
)

// pagesCast is one PTJ's people, each logged in with a browser.
type pagesCast struct {
	e                                           *env
	rep, officer, treasury, admin, other, audit *browser
	subject                                     *store.User
	landed                                      response // the page the last create landed on
}

const (
	pgPTJ        = "12010101"
	pgRep        = "800101141111"
	pgOfficer    = "750202102222"
	pgTreasury   = "700404144444"
	pgOtherRep   = "810606145555"
	pgAuditor    = "820808086666"
	pgSubject    = "950505086666"
	pgNewIC      = "920202105432"
	pgNewMasked  = "920202-**-***2"
	pgNewIC2     = "930303105434"
	pgNewIC3     = "940404105436"
	pgStaleWords = "telah berubah sejak anda membukanya"
)

func newPagesCast(t *testing.T, dialect ...store.Dialect) *pagesCast {
	t.Helper()
	d := store.SQLite
	if len(dialect) > 0 {
		d = dialect[0]
	}
	e := newEnv(t, d)
	e.user(pgRep, "Aminah Rep", pgPTJ, []forms.Role{forms.RolePTJRep}, nil, false)
	e.user(pgOfficer, "Badrul Officer", pgPTJ, []forms.Role{forms.RoleControllingOfficer}, nil, false)
	e.user(pgTreasury, "Dayang Treasury", pgPTJ, []forms.Role{forms.RoleTreasuryApprover}, nil, false)
	e.user("sysadmin01", "Ehsan Sysadmin", pgPTJ, []forms.Role{forms.RoleSysadmin}, nil, false)
	e.user(pgOtherRep, "Fauziah OtherRep", "12020202", []forms.Role{forms.RolePTJRep}, nil, false)
	e.user(pgAuditor, "Jamilah Auditor", pgPTJ, []forms.Role{forms.RoleAuditor}, nil, false)
	c := &pagesCast{e: e}
	c.subject = e.user(pgSubject, "Ghani Subject", pgPTJ, nil, []forms.Module{forms.ModulePayslip}, false)
	in := func(login string) *browser {
		b := e.browser()
		if r := b.login(login, testPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", login, r.Status)
		}
		return b
	}
	c.rep, c.officer, c.treasury, c.admin = in(pgRep), in(pgOfficer), in(pgTreasury), in("sysadmin01")
	c.other, c.audit = in(pgOtherRep), in(pgAuditor)
	return c
}

// borangForm is a filled-in Borang as the new-request page posts it.
func borangValues(kind forms.Kind, ic, name string) url.Values {
	v := url.Values{
		"kind": {string(kind)}, "ptj_code": {pgPTJ},
		"subject.ic_number": {ic}, "subject.name": {name}, "subject.email": {"pegawai@melaka.gov.my"},
		"subject.position": {"Pegawai Kewangan"}, "subject.grade": {"W41"}, "subject.salary_no": {"A1234567"},
		"justification": {"Perlu capaian untuk tugas harian."}, "declaration": {"1"},
	}
	if kind == forms.KindRegistration || kind == forms.KindAccessUpdate {
		v["modules"] = []string{"epayslip", "eec"}
		v["roles"] = []string{"ptj_rep"}
		v.Set("limit.ptj_rep", "1,000.00")
	}
	return v
}

func expect(t *testing.T, what string, r response, status int, want ...string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d; location %q\n%s", what, r.Status, status, r.Location, r.Body)
	}
	for _, w := range want {
		if !strings.Contains(r.Body, w) {
			t.Fatalf("%s: body lacks %q\n%s", what, w, r.Body)
		}
	}
}

// create posts a Borang as the rep and returns the new request's id; the
// page it lands on (post/redirect/get) is c.landed.
func (c *pagesCast) create(t *testing.T, v url.Values) int64 {
	t.Helper()
	r := c.rep.post("/requests/new", v)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.Status, r.Body)
	}
	var id int64
	if _, err := fmt.Sscanf(r.Location, "/requests/%d", &id); err != nil || r.Location != fmt.Sprintf("/requests/%d", id) {
		t.Fatalf("create went to %q", r.Location)
	}
	c.landed = c.rep.get(r.Location)
	return id
}

// landOn is the page a POST's answer sends the browser to: every request
// form answers with a redirect, also when it was refused (post/redirect/
// get), and the page after it answers with the refusal's status.
func (b *browser) landOn(r response) response {
	b.e.t.Helper()
	if r.Status != http.StatusSeeOther {
		b.e.t.Fatalf("a POST answered %d, not a redirect\n%s", r.Status, r.Body)
	}
	return b.get(r.Location)
}

// stored reads request id as it is in the database.
func (c *pagesCast) stored(t *testing.T, id int64) store.Request {
	t.Helper()
	var r store.Request
	if err := c.e.db.IDB().NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	return r
}

// act posts an action form of the detail page.
func (c *pagesCast) act(b *browser, id, version int64, action string, extra ...string) response {
	v := url.Values{"action": {action}, "version": {fmt.Sprint(version)}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return b.post(fmt.Sprintf("/requests/%d/action", id), v)
}

// approve takes request id one approval further as b, through the page.
func (c *pagesCast) approve(t *testing.T, b *browser, id int64) {
	t.Helper()
	r := c.act(b, id, c.stored(t, id).Version, "approve", "confirm", "1")
	if r.Status != http.StatusSeeOther {
		t.Fatalf("approve %d: %d\n%s", id, r.Status, r.Body)
	}
}

func TestPagesRegistrationFromFormToApproval(t *testing.T) {
	c := newPagesCast(t)
	expect(t, "chooser", c.rep.get("/requests/new"), 200, "Pendaftaran Baharu", "/requests/new?kind=password_reset")
	expect(t, "form", c.rep.get("/requests/new?kind=registration"), 200, "12010101 — Jabatan Kewangan Negeri", "Simpan draf", "Saya mengaku")

	id := c.create(t, borangValues(forms.KindRegistration, "920202-10-5432", "Nur Aisyah binti Kamal"))
	path := fmt.Sprintf("/requests/%d", id)
	expect(t, "detail after create", c.landed, 200,
		"Permohonan BPP/2026/000001 telah dihantar untuk kelulusan.", "Menunggu kelulusan Pegawai Pengawal PTJ 12010101", "Dikemukakan", "NUR AISYAH BINTI KAMAL", "RM1,000.00", "Tarik balik")

	// The officer finds it in the inbox and on the list, masked.
	expect(t, "officer inbox", c.officer.get("/inbox"), 200, "BPP/2026/000001", `name="id" value="`, "Luluskan yang dipilih", pgNewMasked)
	list := c.officer.get("/requests?q=aisyah")
	expect(t, "officer list", list, 200, "BPP/2026/000001", pgNewMasked, "Halaman 1 daripada 1 (1 rekod)")
	if strings.Contains(list.Body, pgNewIC) || strings.Contains(list.Body, "Eksport CSV") {
		t.Fatal("the list shows a full MyKad, or the export to an officer")
	}

	v := c.stored(t, id).Version
	// Irreversible without the confirmation: nothing happens.
	expect(t, "approve unconfirmed", c.officer.landOn(c.act(c.officer, id, v, "approve")), 422, "Saya mengesahkan tindakan ini")
	// Return needs remarks.
	expect(t, "return without remarks", c.officer.landOn(c.act(c.officer, id, v, "return")), 422, "Catatan wajib diisi")
	if r := c.stored(t, id); r.State != workflow.Submitted || r.Version != v {
		t.Fatalf("refused actions changed the request: %s v%d", r.State, r.Version)
	}

	r := c.act(c.officer, id, v, "approve", "confirm", "1", "remarks", "Disokong.")
	if r.Status != http.StatusSeeOther || r.Location != path {
		t.Fatalf("approve: %d %q", r.Status, r.Location)
	}
	expect(t, "after approve", c.officer.get(r.Location), 200, "Permohonan BPP/2026/000001 telah diluluskan.",
		"Menunggu kelulusan Perbendaharaan Negeri.", "Dayang Treasury (pelulus Perbendaharaan Negeri)",
		"Diluluskan Pegawai Pengawal", "Badrul Officer", "Disokong.")
	// The second click (or the back button) carries the old version.
	expect(t, "second click", c.officer.landOn(c.act(c.officer, id, v, "approve", "confirm", "1")), 409, pgStaleWords, "Diluluskan Pegawai Pengawal")
	if r := c.stored(t, id); r.State != workflow.OfficerApproved || r.Version != v+1 {
		t.Fatalf("second click changed the request: %s v%d", r.State, r.Version)
	}

	// Another PTJ's representative does not learn it exists.
	expect(t, "other PTJ", c.other.get(path), 404)
	expect(t, "other PTJ print", c.other.get(path+"/print"), 404)
	expect(t, "other PTJ action", c.act(c.other, id, v+1, "withdraw", "confirm", "1"), 404)

	c.approve(t, c.treasury, id)
	expect(t, "print", c.rep.get(path+"/print"), 200, "BORANG PENTADBIRAN PENGGUNA iSPEKS", "BPP/2026/000001",
		"Aminah Rep", "Badrul Officer", "Dayang Treasury", "Pegawai Pengawal", "Perbendaharaan Negeri", "920202-10-5432", "Dicetak pada")

	// The export: a BOM, a header, masked MyKad numbers only.
	csv := c.treasury.get("/requests/export.csv?kind=registration")
	expect(t, "csv", csv, 200, "No. Rujukan", "BPP/2026/000001", pgNewMasked, "NUR AISYAH BINTI KAMAL")
	if !strings.HasPrefix(csv.Body, "\uFEFF") {
		t.Fatal("the CSV lacks its byte-order mark")
	}
	if strings.Contains(csv.Body, pgNewIC) || strings.Contains(csv.Body, "920202-10-5432") {
		t.Fatal("the CSV holds a full MyKad")
	}
	if cd := csv.Header.Get("Content-Disposition"); cd != `attachment; filename="permohonan-20261102.csv"` {
		t.Fatalf("Content-Disposition %q", cd)
	}
	if lines := strings.Split(strings.TrimSpace(csv.Body), "\n"); len(lines) != 2 {
		t.Fatalf("csv has %d lines:\n%s", len(lines), csv.Body)
	}
	expect(t, "auditor list", c.audit.get("/requests"), 200, "Eksport CSV", "BPP/2026/000001")
	expect(t, "rep export", c.rep.get("/requests/export.csv"), 403)
}

func TestPagesFormErrorsKeepWhatWasTyped(t *testing.T) {
	c := newPagesCast(t)
	v := borangValues(forms.KindRegistration, "900230-04-5678", "Siti Nurhaliza")
	v.Set("limit.ptj_rep", "abc")
	r := c.rep.landOn(c.rep.post("/requests/new", v))
	expect(t, "bad MyKad", r, 422, "bukan tarikh lahir", `value="Siti Nurhaliza"`, `value="abc"`, "Amaun tidak sah",
		"Sila betulkan perkara berikut", `href="#f-subject-ic_number"`)
	// Over the ceiling: the store's rule, reported next to the role.
	v = borangValues(forms.KindRegistration, pgNewIC, "Siti Nurhaliza")
	v.Set("limit.ptj_rep", "999,999.00")
	expect(t, "over ceiling", c.rep.landOn(c.rep.post("/requests/new", v)), 422, "melebihi siling", `value="999,999.00"`)
	// A password reset for someone without a profile.
	expect(t, "no profile", c.rep.landOn(c.rep.post("/requests/new", borangValues(forms.KindPasswordReset, pgNewIC, "Siti Nurhaliza"))), 422,
		"tidak boleh digunakan dalam permohonan daripada PTJ anda")
	if n, _ := c.e.db.IDB().NewSelect().Model((*store.Request)(nil)).Count(ctx); n != 0 {
		t.Fatalf("%d requests written by refused forms", n)
	}
	// A second open request about the same officer is a conflict.
	c.create(t, borangValues(forms.KindPasswordReset, pgSubject, "Ghani Subject"))
	expect(t, "open request", c.rep.landOn(c.rep.post("/requests/new", borangValues(forms.KindDeactivation, pgSubject, "Ghani Subject"))), 409,
		"masih dalam proses", `value="Ghani Subject"`)
}

func TestPagesDraftEditReturnResubmit(t *testing.T) {
	c := newPagesCast(t)
	v := borangValues(forms.KindAccessUpdate, pgSubject, "Ghani Subject")
	v.Del("declaration")
	v.Set("draft", "1")
	id := c.create(t, v)
	path := fmt.Sprintf("/requests/%d", id)
	expect(t, "draft", c.landed, 200, "disimpan sebagai draf", "Draf", path+"/edit", "tiada sesiapa dimaklumkan")
	edit := c.rep.get(path + "/edit")
	expect(t, "edit page", edit, 200, `value="GHANI SUBJECT"`, `value="1,000.00"`, `name="version" value="1"`, "Hantar")

	// Submitting needs the declaration; a stale version changes nothing.
	v.Del("draft")
	v.Set("version", "1")
	expect(t, "submit without declaration", c.rep.landOn(c.rep.post(path+"/edit", v)), 422, "Sila tandakan akuan")
	v.Set("declaration", "1")
	v.Set("version", "7")
	expect(t, "stale edit", c.rep.landOn(c.rep.post(path+"/edit", v)), 409, pgStaleWords)
	v.Set("version", "1")
	if r := c.rep.post(path+"/edit", v); r.Status != http.StatusSeeOther || r.Location != path {
		t.Fatalf("submit: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	expect(t, "edit after submit", c.rep.get(path+"/edit"), 409)
	// Submit goes through the form only.
	expect(t, "submit as action", c.rep.landOn(c.act(c.rep, id, c.stored(t, id).Version, "submit")), 422)

	r := c.act(c.officer, id, c.stored(t, id).Version, "return", "remarks", "Sila nyatakan gred sebenar.")
	if r.Status != http.StatusSeeOther {
		t.Fatalf("return: %d\n%s", r.Status, r.Body)
	}
	expect(t, "returned edit", c.rep.get(path+"/edit"), 200, "Sila nyatakan gred sebenar.", "Hantar semula")
	v.Set("version", fmt.Sprint(c.stored(t, id).Version))
	v.Set("subject.grade", "W44")
	if r := c.rep.post(path+"/edit", v); r.Location != path {
		t.Fatalf("resubmit: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	if r := c.stored(t, id); r.State != workflow.Submitted || r.SubjectGrade != "W44" {
		t.Fatalf("after resubmit: %s %s", r.State, r.SubjectGrade)
	}
	expect(t, "timeline", c.rep.get(path), 200, "Kembalikan", "Hantar semula", "Sila nyatakan gred sebenar.")
}

func TestPagesBulkApprove(t *testing.T) {
	c := newPagesCast(t)
	a := c.create(t, borangValues(forms.KindRegistration, pgNewIC, "Pegawai Satu"))
	b := c.create(t, borangValues(forms.KindRegistration, pgNewIC2, "Pegawai Dua"))
	stale := c.create(t, borangValues(forms.KindRegistration, pgNewIC3, "Pegawai Tiga"))
	for _, id := range []int64{a, b, stale} {
		c.approve(t, c.officer, id)
	}
	expect(t, "treasury inbox", c.treasury.get("/inbox"), 200, "BPP/2026/000001", "BPP/2026/000003", fmt.Sprintf(`name="version_%d"`, a))
	form := url.Values{"id": {fmt.Sprint(a), fmt.Sprint(b), fmt.Sprint(stale)}}
	for _, id := range []int64{a, b} {
		form.Set(fmt.Sprintf("version_%d", id), fmt.Sprint(c.stored(t, id).Version))
	}
	form.Set(fmt.Sprintf("version_%d", stale), "1")
	expect(t, "bulk unconfirmed", c.treasury.landOn(c.treasury.post("/inbox/approve", form)), 422, "Saya mengesahkan tindakan ini")
	expect(t, "bulk of nothing", c.treasury.landOn(c.treasury.post("/inbox/approve", url.Values{"confirm": {"1"}})), 422, "Tiada permohonan dipilih")
	if r := c.stored(t, a); r.State != workflow.OfficerApproved {
		t.Fatal("an unconfirmed bulk approval changed a request")
	}
	form.Set("confirm", "1")
	r := c.treasury.landOn(c.treasury.post("/inbox/approve", form))
	expect(t, "bulk", r, 200, "Keputusan kelulusan pukal", "2 daripada 3 permohonan diluluskan.",
		"BPP/2026/000001", "BPP/2026/000002", "BPP/2026/000003", pgStaleWords)
	if n := strings.Count(r.Body, "<td>Diluluskan</td>"); n != 2 {
		t.Fatalf("%d approved rows in the results", n)
	}
	if again := c.treasury.get("/inbox"); strings.Contains(again.Body, "Keputusan kelulusan pukal") {
		t.Fatal("a reload of the inbox shows the bulk results again")
	}
	for id, want := range map[int64]workflow.State{a: workflow.TreasuryApproved, b: workflow.TreasuryApproved, stale: workflow.OfficerApproved} {
		if got := c.stored(t, id).State; got != want {
			t.Errorf("request %d: %s, want %s", id, got, want)
		}
	}
}

var tempPassword = regexp.MustCompile(`<code>([^<]+)</code>`)

func TestPagesProvisionWithTemporaryPassword(t *testing.T) {
	c := newPagesCast(t)
	id := c.create(t, borangValues(forms.KindPasswordReset, pgSubject, "Ghani Subject"))
	c.approve(t, c.officer, id)
	c.approve(t, c.treasury, id)
	path := fmt.Sprintf("/requests/%d", id)
	expect(t, "admin detail", c.admin.get(path), 200, `name="temporary_password"`, "serahan tangan", "Proses")
	v := c.stored(t, id).Version
	expect(t, "provision unconfirmed", c.admin.landOn(c.act(c.admin, id, v, "provision", "temporary_password", "1")), 422, "Saya mengesahkan")
	r := c.act(c.admin, id, v, "provision", "temporary_password", "1", "confirm", "1")
	expect(t, "temporary password", r, 200, "SEKALI", "bersemuka", "tamat tempoh", "log masuk kali pertama")
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	m := tempPassword.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no password on the page:\n%s", r.Body)
	}
	pw := html.UnescapeString(m[1])
	if page := c.admin.get(path); strings.Contains(page.Body, pw) || page.Status != 200 {
		t.Fatal("the detail page shows the temporary password again")
	}
	if got := c.stored(t, id).State; got != workflow.Provisioned {
		t.Fatalf("state %s", got)
	}
	// The officer can log in with it, and must change it first.
	if r := c.e.browser().login(pgSubject, pw); r.Status != http.StatusSeeOther || r.Location != "/password" {
		t.Fatalf("login with the temporary password: %d %q", r.Status, r.Location)
	}
}

func TestPagesDelegations(t *testing.T) {
	c := newPagesCast(t)
	expect(t, "page", c.officer.get("/delegations"), 200, "Tiada pemangku aktif.", `placeholder="HH/BB/TTTT"`)
	bad := url.Values{"delegate_login": {"12345"}, "from": {"03/11/2026"}, "to": {"01/11/2026"}}
	expect(t, "bad", c.officer.submit(t, "/delegations", bad), 200, "MyKad", "Tarikh akhir", `value="12345"`, `value="03/11/2026"`)
	good := url.Values{"delegate_login": {"950505-08-6666"}, "from": {"02/11/2026"}, "to": {"10/11/2026"}}
	r := c.officer.post("/delegations", good)
	if r.Status != http.StatusSeeOther || r.Location != "/delegations?done=added" {
		t.Fatalf("add: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	page := c.officer.get(r.Location)
	expect(t, "listed", page, 200, "Pemangku telah dinamakan.", "Ghani Subject", "950505-**-***6", "02/11/2026", "10/11/2026", "Berkuat kuasa")
	var d store.Delegation
	if err := c.e.db.IDB().NewSelect().Model(&d).Limit(1).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	revoke := fmt.Sprintf("/delegations/%d/revoke", d.ID)
	expect(t, "revoke unconfirmed", c.officer.submit(t, revoke, url.Values{}), 200, "Saya mengesahkan")
	if r := c.officer.post(revoke, url.Values{"confirm": {"1"}}); r.Location != "/delegations?done=revoked" {
		t.Fatalf("revoke: %d %q", r.Status, r.Location)
	}
	expect(t, "revoked", c.officer.get("/delegations?done=revoked"), 200, "Pemangkuan telah dibatalkan.", "Tiada pemangku aktif.")
	expect(t, "revoke twice", c.officer.submit(t, revoke, url.Values{"confirm": {"1"}}), 200, "Pemangkuan tidak dijumpai.")
}

func TestPagesMailRetryOnce(t *testing.T) {
	c := newPagesCast(t)
	c.create(t, borangValues(forms.KindRegistration, pgNewIC, "Pegawai Satu")) // mails the officer
	ob := c.e.db.Outbox()
	pending, err := ob.Claim(ctx, 10, time.Minute)
	if err != nil || len(pending) != 1 {
		t.Fatalf("claim: %v %d", err, len(pending))
	}
	id := pending[0].ID
	if err := ob.Fail(ctx, id, "550 mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	page := c.admin.get("/ops/mail?state=failed")
	expect(t, "ops", page, 200, "bad***@melaka.gov.my", "550 mailbox unavailable", "Cuba semula", "Gagal")
	if strings.Contains(page.Body, "badrul@") {
		t.Fatal("the recipient is not masked")
	}
	retry := fmt.Sprintf("/ops/mail/%d/retry", id)
	r := c.admin.post(retry, url.Values{"state": {"failed"}})
	if r.Status != http.StatusSeeOther || r.Location != "/ops/mail?done=retried&state=failed" {
		t.Fatalf("retry: %d %q\n%s", r.Status, r.Location, r.Body)
	}
	expect(t, "after retry", c.admin.get(r.Location), 200, "dijadualkan semula")
	expect(t, "second retry", c.admin.submit(t, retry, url.Values{"state": {"failed"}}), 200, "tidak lagi dalam keadaan gagal")
	expect(t, "officer", c.officer.get("/ops/mail"), 403)
}

// rawKey finds a text key of these pages shown instead of its words.
var rawKey = regexp.MustCompile(`\b(request|inbox|delegation|mailops|nav|pager|search)\.[a-z_]+`)

func TestPagesInBothLanguagesWithoutRawKeys(t *testing.T) {
	c := newPagesCast(t)
	draft := borangValues(forms.KindAccessUpdate, pgSubject, "Ghani Subject")
	draft.Set("draft", "1")
	id := c.create(t, draft)
	reg := c.create(t, borangValues(forms.KindRegistration, pgNewIC, "Pegawai Satu"))
	c.approve(t, c.officer, reg)
	if _, err := c.e.admin.AddDelegation(ctx, mustUser(t, c.e, pgOfficer), pgSubject, "2026-11-02", "2026-11-05"); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		b    *browser
		path string
		en   string // a word of the English page
	}{
		{c.rep, "/", "Inbox"},
		{c.rep, "/requests", "Search"},
		{c.rep, "/requests/new", "New registration"},
		{c.rep, "/requests/new?kind=registration", "Save draft"},
		{c.rep, "/requests/new?kind=deactivation", "Justification"},
		{c.rep, fmt.Sprintf("/requests/%d", id), "Amend"},
		{c.rep, fmt.Sprintf("/requests/%d/edit", id), "Amend request"},
		{c.rep, "/inbox", "Inbox"},
		{c.treasury, fmt.Sprintf("/requests/%d", reg), "I confirm this action"},
		{c.treasury, fmt.Sprintf("/requests/%d/print", reg), "iSPEKS USER ADMINISTRATION FORM"}, // the chosen language
		{c.treasury, "/inbox", "Approve selected"},
		{c.treasury, "/requests?state=officer_approved", "Export CSV"},
		{c.officer, "/delegations", "Name a delegate"},
		{c.admin, "/ops/mail", "Mail operations"},
	}
	for _, lang := range []string{"ms", "en"} {
		for _, b := range []*browser{c.rep, c.treasury, c.officer, c.admin} {
			b.get("/lang/" + lang)
		}
		for _, p := range pages {
			r := p.b.get(p.path)
			if r.Status != 200 {
				t.Fatalf("%s %s: %d", lang, p.path, r.Status)
			}
			if k := rawKey.FindString(r.Body); k != "" {
				t.Errorf("%s %s shows the raw key %q", lang, p.path, k)
			}
			if lang == "en" && !strings.Contains(r.Body, p.en) {
				t.Errorf("en %s lacks %q", p.path, p.en)
			}
		}
	}
}

func mustUser(t *testing.T, e *env, login string) *store.User {
	t.Helper()
	u, err := e.db.UserByLogin(ctx, login)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestPagesListPagesKeepTheFilters(t *testing.T) {
	c := newPagesCast(t)
	rep := mustUser(t, c.e, pgRep)
	for day := 1; day <= 26; day++ {
		f := forms.Request{Kind: forms.KindRegistration, PTJCode: pgPTJ,
			Subject:       forms.Subject{ICNumber: fmt.Sprintf("9001%02d105432", day), Name: "Pegawai", Email: "p@melaka.gov.my"},
			Modules:       []forms.Module{forms.ModulePayslip},
			Justification: "Perlu capaian."}
		if _, err := c.e.admin.CreateRequest(ctx, rep, f, true); err != nil {
			t.Fatal(err)
		}
	}
	first := c.rep.get("/requests?kind=registration&state=draft")
	expect(t, "page 1", first, 200, "Halaman 1 daripada 2 (26 rekod)", `href="/requests?kind=registration&amp;page=2&amp;state=draft"`, "BPP/2026/000026")
	second := c.rep.get("/requests?kind=registration&page=2&state=draft")
	expect(t, "page 2", second, 200, "Halaman 2 daripada 2 (26 rekod)", `href="/requests?kind=registration&amp;state=draft" rel="prev"`, "BPP/2026/000001")
	if strings.Contains(second.Body, `rel="next"`) {
		t.Fatal("the last page links to a next one")
	}
	expect(t, "inbox", c.rep.get("/inbox?state=draft"), 200, "Halaman 1 daripada 2 (26 rekod)", `href="/inbox?page=2&amp;state=draft"`)
	expect(t, "no match", c.rep.get("/requests?q=tiada-sesiapa"), 200, "Tiada permohonan yang sepadan.")
}

// TestPagesFourProceduresOnBothDatabases takes each kind of Borang from the
// form to provisioning through the pages only, on SQLite and PostgreSQL.
func TestPagesFourProceduresOnBothDatabases(t *testing.T) {
	for _, d := range storetest.Dialects {
		for _, kind := range forms.Kinds {
			t.Run(string(d)+"/"+string(kind), func(t *testing.T) {
				c := newPagesCast(t, d)
				ic, name := pgSubject, "Ghani Subject"
				if kind == forms.KindRegistration {
					ic, name = pgNewIC, "Nur Aisyah binti Kamal"
				}
				id := c.create(t, borangValues(kind, ic, name))
				c.approve(t, c.officer, id)
				c.approve(t, c.treasury, id)
				r := c.act(c.admin, id, c.stored(t, id).Version, "provision", "confirm", "1")
				if r.Status != http.StatusSeeOther {
					t.Fatalf("provision: %d\n%s", r.Status, r.Body)
				}
				expect(t, "provisioned", c.rep.get(fmt.Sprintf("/requests/%d", id)), 200, "Diproses", "Ehsan Sysadmin")
				u, err := c.e.db.UserByLogin(ctx, ic)
				if err != nil {
					t.Fatal(err)
				}
				if got := u.Active(); got == (kind == forms.KindDeactivation) {
					t.Fatalf("after %s the profile is active=%v", kind, got)
				}
			})
		}
	}
}

func TestPagesFormFillsFromAProfileOfTheOwnPTJ(t *testing.T) {
	c := newPagesCast(t)
	if err := c.e.db.Tx(ctx, func(tx store.Conn) error {
		_, err := tx.IDB().NewRaw("UPDATE users SET position = 'Akauntan', grade = 'WA41' WHERE login = ?", pgSubject).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	page := c.rep.get("/requests/new?kind=access_update&ic=950505-08-6666")
	expect(t, "filled", page, 200, `value="Ghani Subject"`, `value="Akauntan"`, `value="WA41"`, `name="modules" value="epayslip" checked`)
	expect(t, "other PTJ's profile", c.other.get("/requests/new?kind=access_update&ic=950505-08-6666"), 200, "Tiada profil dengan No. MyKad ini dalam PTJ anda.")
	if strings.Contains(c.other.get("/requests/new?kind=access_update&ic=950505-08-6666").Body, "Ghani") {
		t.Fatal("another PTJ's representative sees the profile")
	}
	expect(t, "bad MyKad", c.rep.get("/requests/new?kind=deactivation&ic=123"), 200, "MyKad")

	// The officer sees the access asked for beside the access held now.
	id := c.create(t, borangValues(forms.KindAccessUpdate, pgSubject, "Ghani Subject"))
	expect(t, "current access", c.officer.get(fmt.Sprintf("/requests/%d", id)), 200,
		"Capaian semasa pegawai (sebelum perubahan ini)", "ePayslip")
}
