package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// submit posts form to path as a browser would and follows the answer,
// which must be a redirect to a GET page (post/redirect/get, also when the
// action was refused); it returns that page.
func (b *browser) submit(t *testing.T, path string, form url.Values) response {
	t.Helper()
	r := b.post(path, form)
	if r.Status != http.StatusSeeOther || r.Location == "" {
		t.Fatalf("POST %s: %d %q, want a redirect to a page\n%s", path, r.Status, r.Location, r.Body)
	}
	return b.get(r.Location)
}

// TestDelegationDatesAreDayFirst: the delegation form takes its dates as
// DD/MM/YYYY whatever the browser's locale (and ISO), keeps them as ISO
// days, and answers a date it cannot read with a field error that shows
// the form to use, the values as typed, and nothing recorded.
func TestDelegationDatesAreDayFirst(t *testing.T) {
	cases := []struct {
		from, to string
		stored   string // "from/to" as ISO days; "" when refused
		errors   []string
	}{
		{"02/11/2026", "10/11/2026", "2026-11-02/2026-11-10", nil},
		{"3/11/2026", "30.11.2026", "2026-11-03/2026-11-30", nil},
		{"2026-11-04", "04122026", "2026-11-04/2026-12-04", nil},
		{"11/30/2026", "01/12/2026", "", []string{"Tarikh 11/30/2026 tidak wujud", `value="11/30/2026"`}},
		{"esok", "", "", []string{"tulis hari/bulan/tahun sebagai HH/BB/TTTT", `value="esok"`}},
		{"02/11/2026", "31/02/2027", "", []string{"Tarikh 31/02/2027 tidak wujud", `value="02/11/2026"`}},
		{"10/11/2026", "02/11/2026", "", []string{"Tarikh akhir"}}, // the service's own rule, on ISO days
	}
	for _, cs := range cases {
		c := newPagesCast(t)
		page := c.officer.submit(t, "/delegations", url.Values{"delegate_login": {"950505-08-6666"}, "from": {cs.from}, "to": {cs.to}})
		var got []store.Delegation
		if err := c.e.db.IDB().NewSelect().Model(&got).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		if cs.stored != "" {
			if len(got) != 1 || got[0].FromDate+"/"+got[0].ToDate != cs.stored {
				t.Errorf("%s–%s: stored %+v, want %s", cs.from, cs.to, got, cs.stored)
			}
			continue
		}
		if len(got) != 0 {
			t.Errorf("%s–%s: a refused form recorded %+v", cs.from, cs.to, got)
		}
		expect(t, cs.from+"–"+cs.to, page, 200, append(cs.errors, `class="field-error"`, `aria-invalid="true"`)...)
		// The flash was the page's once: a reload shows the empty form.
		if again := c.officer.get("/delegations"); strings.Contains(again.Body, "field-error") || strings.Contains(again.Body, "950505-08-6666") {
			t.Errorf("%s–%s: the reloaded page still shows the refused form", cs.from, cs.to)
		}
	}
}

// TestFormsRedirectAlsoWhenRefused: every form outside the requests and
// the logins answers its POST with a redirect to a GET page, also when it
// refuses, and that page shows why and what was typed — once.
func TestFormsRedirectAlsoWhenRefused(t *testing.T) {
	pc := newPagesCast(t)
	sc := newPayslipCast(t, store.SQLite)
	if _, err := sc.e.slips.Import(ctx, store.CLI, "gaji.csv", bytes.NewReader(samplePayroll(t)), false); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		b     *browser
		path  string
		form  url.Values
		page  string // where the browser lands
		shows []string
	}{
		{"delegation", pc.officer, "/delegations", url.Values{"delegate_login": {"123"}, "from": {"01/11/2026"}, "to": {"x"}},
			"/delegations", []string{`value="123"`, `value="01/11/2026"`, `value="x"`, "HH/BB/TTTT"}},
		{"revoke unconfirmed", pc.officer, "/delegations/1/revoke", url.Values{}, "/delegations", []string{"flash error"}},
		{"publish unconfirmed", sc.admin, "/payroll/months/2026-10/publish", url.Values{"visible_from": {"24/10/2026"}},
			"/payroll/months/2026-10", []string{"Tandakan pengesahan", `value="24/10/2026"`}},
		{"publish bad date", sc.admin, "/payroll/months/2026-10/publish", url.Values{"visible_from": {"24/13/2026"}, "confirm": {"1"}},
			"/payroll/months/2026-10", []string{"Tarikh 24/13/2026 tidak wujud", `value="24/13/2026"`}},
		{"upload without a file", sc.admin, "/payroll/imports", url.Values{"replace": {"1"}},
			"/payroll", []string{"flash error", `name="replace" value="1" checked`}},
		{"mail retry of no mail", pc.admin, "/ops/mail/999999/retry", url.Values{"state": {"failed"}},
			"/ops/mail?state=failed", []string{"flash error"}},
		{"status check", pc.e.browser(), "/emaklum/semak", url.Values{"payee_id": {"1"}, "reference": {"INV-1"}},
			"/emaklum/semak", []string{"field-error", `value="INV-1"`}},
	}
	for _, c := range cases {
		r := c.b.post(c.path, c.form)
		if r.Status != http.StatusSeeOther || r.Location != c.page {
			t.Errorf("%s: %d %q, want a redirect to %s", c.name, r.Status, r.Location, c.page)
			continue
		}
		page := c.b.get(r.Location)
		expect(t, c.name, page, 200, c.shows...)
		if again := c.b.get(r.Location); strings.Contains(again.Body, "flash error") || strings.Contains(again.Body, "field-error") {
			t.Errorf("%s: the page shows the refusal again on reload", c.name)
		}
	}
	// Nothing was done by the refused forms.
	if m, err := sc.e.slips.PayrollMonth(ctx, "2026-10"); err != nil || m.Published() {
		t.Errorf("a refused publication published the month: %+v %v", m, err)
	}
}

// TestPaymentListDatesAreDayFirst: the eMaklum list's date filters are
// typed DD/MM/YYYY, kept as typed in the pager's and the export's links,
// and a bad one is a field error; the API keeps ISO dates.
func TestPaymentListDatesAreDayFirst(t *testing.T) {
	c := newPaymentCast(t, store.SQLite)
	if status, body, _ := c.e.upload(nil, "/api/v1/payments/imports", c.e.token(c.sysadmin), "p.csv", readSample(t), false); status != 201 {
		t.Fatalf("import: %d %s", status, body)
	}
	tr := c.e.browser()
	tr.login(c.treasury, testPassword)
	page := tr.get("/emaklum?from=12/11/2026&to=13.11.2026")
	expect(t, "day first", page, 200, "V2026000102", "V2026000103", `value="12/11/2026"`, `href="/emaklum/export.csv?from=12%2F11%2F2026`)
	if strings.Contains(page.Body, "V2026000101") || strings.Contains(page.Body, "V2026000104") {
		t.Fatalf("the dates did not filter:\n%s", page.Body)
	}
	if csv := tr.get("/emaklum/export.csv?from=12/11/2026&to=12/11/2026"); csv.Status != 200 || !strings.Contains(csv.Body, "V2026000102") || strings.Contains(csv.Body, "V2026000103") {
		t.Fatalf("export with typed dates: %d\n%s", csv.Status, csv.Body)
	}
	expect(t, "bad", tr.get("/emaklum?from=31/11/2026"), 422, "Tarikh 31/11/2026 tidak wujud", `aria-invalid="true"`)
	// The API: ISO, as documented.
	if status, _ := c.e.api("GET", "/api/v1/payments?from=2026-11-12", c.e.token(c.treasury), nil); status != 200 {
		t.Fatalf("API with an ISO date: %d", status)
	}
	if status, _ := c.e.api("GET", "/api/v1/payments?from=12/11/2026", c.e.token(c.treasury), nil); status != 422 {
		t.Fatalf("API with a day-first date: %d, want 422 (the API's dates are ISO)", status)
	}
}

// TestHomeTiles: the home page shows the modules held as tiles that link
// to them and, to those offered the inbox, how many requests wait for
// them; the navigation is not repeated in the page.
func TestHomeTiles(t *testing.T) {
	c := newPagesCast(t)
	if r := c.rep.post("/requests/new", borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah")); r.Status != http.StatusSeeOther {
		t.Fatalf("new request: %d", r.Status)
	}
	home := c.officer.get("/")
	expect(t, "officer's home", home, 200, `<span class="waiting">1</span> permohonan menunggu tindakan anda`)
	for _, nav := range []string{`href="/delegations"`, `href="/requests"`} {
		if n := strings.Count(home.Body, nav); n != 1 {
			t.Errorf("%s %d times on the home page, want once (the navigation only)", nav, n)
		}
	}
	c.officer.post("/lang/en", url.Values{"next": {"/"}})
	expect(t, "in English", c.officer.get("/"), 200, `<span class="waiting">1</span> request waits for your action`)
	if strings.Contains(c.audit.get("/").Body, `class="waiting"`) {
		t.Error("an auditor, who approves nothing, is shown a waiting count")
	}
	siti := c.e.browser()
	siti.login(pgSubject, testPassword)
	expect(t, "employee's home", siti.get("/"), 200, `<div class="card tile"><h3><a href="/epayslip">`)
}

// TestCrestIsTheFavicon: every page names the crest as its icon, which is
// also where /favicon.ico leads, and the masthead names the treasury.
func TestCrestIsTheFavicon(t *testing.T) {
	e := newEnv(t, store.SQLite)
	b := e.browser()
	expect(t, "login page", b.get("/login"), 200, `<link rel="icon" href="/static/crest.svg" type="image/svg+xml">`,
		`<img class="crest" src="/static/crest.svg"`, "<strong>"+e.cfg.TreasuryName+"</strong>")
	if r := b.get("/favicon.ico"); r.Status != http.StatusMovedPermanently || r.Location != "/static/crest.svg" {
		t.Fatalf("/favicon.ico: %d %q", r.Status, r.Location)
	}
	if r := b.get("/static/crest.svg"); r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "image/svg+xml") || !strings.Contains(r.Body, "<svg") {
		t.Fatalf("the crest: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
}
