package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/document/documenttest"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/statement"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// testEmployerNo is the treasury's employer number in the tests' eEC.
const testEmployerNo = "E1234567890"

// ecCast is a portal with the sample payroll paid in October 2025 (a year
// that has ended on the tests' clock, 2 November 2026), published, and
// the people who use eEC, logged in.
type ecCast struct {
	e                        *env
	admin, treasury, auditor *browser
	siti, ali                *browser
}

func newECCast(t *testing.T, d store.Dialect) *ecCast {
	e := newEnv(t, d)
	e.user("sysadmin01", "Ehsan Sysadmin", "12010101", []forms.Role{forms.RoleSysadmin}, nil, false)
	e.user("700404144444", "Dayang Treasury", "12010101", []forms.Role{forms.RoleTreasuryApprover}, nil, false)
	e.user("820808086666", "Jamilah Auditor", "12010101", []forms.Role{forms.RoleAuditor}, nil, false)
	e.user(slipIC, "Siti Binti Ahmad", "12010101", nil, []forms.Module{forms.ModuleEC}, false)
	e.user(slipOther, "Ali Bin Abu", "12010101", nil, []forms.Module{forms.ModuleEC}, false)
	file := bytes.ReplaceAll(samplePayroll(t), []byte("2026-10,"), []byte("2025-10,"))
	if _, err := e.slips.Import(ctx, store.CLI, "gaji-2025-10.csv", bytes.NewReader(file), false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slips.Publish(ctx, store.CLI, "2025-10", ""); err != nil {
		t.Fatal(err)
	}
	in := func(login string) *browser {
		b := e.browser()
		if r := b.login(login, testPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", login, r.Status)
		}
		return b
	}
	return &ecCast{e: e, admin: in("sysadmin01"), treasury: in("700404144444"), auditor: in("820808086666"),
		siti: in(slipIC), ali: in(slipOther)}
}

// uploadMapping posts a mapping file through the mapping page's form.
func (b *browser) uploadMapping(file string) response {
	b.e.t.Helper()
	ct, body := multipartBody(b.e.t, []byte(file))
	req, _ := http.NewRequest("POST", b.e.ts.URL+"/ec/mapping", body)
	req.Header.Set("Content-Type", ct)
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(data)}
}

// refused posts form to path, expects the redirect of a refusal and
// returns the page it leads to.
func (b *browser) refused(path string, form url.Values) response {
	b.e.t.Helper()
	r := b.post(path, form)
	if r.Status != http.StatusSeeOther || r.Location == "" {
		b.e.t.Fatalf("POST %s: %d, want a redirect\n%s", path, r.Status, r.Body)
	}
	return b.get(r.Location)
}

// withoutCode is the default mapping less item code's line.
func withoutCode(code string) string {
	var out []string
	for _, l := range strings.Split(string(statement.DefaultMapping), "\n") {
		if !strings.HasPrefix(l, code+",") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func (e *env) count(table, where string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.IDB().NewRaw("SELECT COUNT(*) FROM "+table+" WHERE "+where, args...).Scan(ctx, &n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// TestECPages walks the treasury's and the employee's pages: a bad
// mapping file changes nothing and lists its lines; a year with an
// unmapped code is generated but its publication refused with the code
// named; one code set on the page, the year publishes; the employee sees
// their year, the form's lines with the e-BE guidance, and the PDF.
func TestECPages(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			c := newECCast(t, d)
			e := c.e

			bad := c.treasury.uploadMapping("item_code,ec_line\n0001,B1a\n0102,B9\n")
			if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "B9") && !strings.Contains(bad.Body, "B1a, B1b") {
				t.Fatalf("bad mapping: %d\n%s", bad.Status, bad.Body)
			}
			if n := e.count("statement_mapping", "1 = 1"); n != 0 {
				t.Fatalf("a refused mapping file wrote %d rows", n)
			}
			ok := c.treasury.uploadMapping(withoutCode("0105"))
			if ok.Status != http.StatusSeeOther || !strings.HasPrefix(ok.Location, "/ec/mapping?done=imported") {
				t.Fatalf("mapping upload: %d %s\n%s", ok.Status, ok.Location, ok.Body)
			}
			if page := c.treasury.get(ok.Location); page.Status != 200 || !strings.Contains(page.Body, "flash ok") || !strings.Contains(page.Body, `id="code-0001"`) {
				t.Fatalf("mapping page: %d\n%s", page.Status, page.Body)
			}

			// Treasury and auditor may not generate; the sysadmin does.
			if r := c.treasury.post("/ec/years", url.Values{"year": {"2025"}}); r.Status != http.StatusForbidden {
				t.Fatalf("treasury generates: %d", r.Status)
			}
			gen := c.admin.post("/ec/years", url.Values{"year": {"2025"}})
			if gen.Status != http.StatusSeeOther || !strings.HasPrefix(gen.Location, "/ec/years/2025?done=generated") {
				t.Fatalf("generate: %d %s\n%s", gen.Status, gen.Location, gen.Body)
			}
			year := c.admin.get(gen.Location)
			if year.Status != 200 || !strings.Contains(year.Body, "0105") || !strings.Contains(year.Body, `class="unmapped"`) {
				t.Fatalf("year page: %d\n%s", year.Status, year.Body)
			}

			// Publication wants the confirmation, then is refused while 0105 has no line.
			// Refusals go back to the year's page (post/redirect/get), which says why.
			if r := c.admin.refused("/ec/years/2025/publish", url.Values{}); r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("publish without confirmation: %d", r.Status)
			}
			refused := c.admin.refused("/ec/years/2025/publish", url.Values{"confirm": {"1"}})
			if refused.Status != http.StatusConflict || !strings.Contains(refused.Body, "0105") {
				t.Fatalf("publish with an unmapped code: %d\n%s", refused.Status, refused.Body)
			}
			if r := c.siti.get("/eec/2025"); r.Status != http.StatusNotFound {
				t.Fatalf("an unpublished year is seen: %d", r.Status)
			}

			set := c.treasury.post("/ec/mapping/code", url.Values{"item_code": {"0105"}, "ec_line": {"B1c"}})
			if set.Status != http.StatusSeeOther {
				t.Fatalf("set one code: %d\n%s", set.Status, set.Body)
			}
			if n := e.count("audit_log", "action = ? AND object_id = ?", "ec.mapping.set", "0105"); n != 1 {
				t.Fatalf("audit records of the one-code change: %d", n)
			}
			if r := c.treasury.refused("/ec/mapping/code", url.Values{"item_code": {"0105"}, "ec_line": {"Z1"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `value="0105"`) {
				t.Fatalf("an unknown line: %d\n%s", r.Status, r.Body)
			}
			pub := c.admin.post("/ec/years/2025/publish", url.Values{"confirm": {"1"}})
			if pub.Status != http.StatusSeeOther || !strings.Contains(pub.Location, "done=published") {
				t.Fatalf("publish: %d %s\n%s", pub.Status, pub.Location, pub.Body)
			}

			// The treasury sees totals per PTJ; the auditor only who has one.
			tp := c.treasury.get("/ec/years/2025?q=siti")
			if tp.Status != 200 || !strings.Contains(tp.Body, "12010101") || !strings.Contains(tp.Body, "SITI BINTI AHMAD") || strings.Contains(tp.Body, slipIC) {
				t.Fatalf("treasury's year page: %d\n%s", tp.Status, tp.Body)
			}
			ap := c.auditor.get("/ec/years/2025")
			if ap.Status != 200 || strings.Contains(ap.Body, "statement.totals") || strings.Contains(ap.Body, `action="/ec/years/2025/publish"`) {
				t.Fatalf("auditor's year page: %d\n%s", ap.Status, ap.Body)
			}

			list := c.siti.get("/eec")
			if list.Status != 200 || !strings.Contains(list.Body, `href="/eec/2025"`) || !strings.Contains(list.Body, `data-label=`) {
				t.Fatalf("employee's years: %d\n%s", list.Status, list.Body)
			}
			st := c.siti.get("/eec/2025")
			for _, want := range []string{"C.P.8C", "31 DISEMBER 2025", testEmployerNo, "IG20000000001", "900101-**-***9",
				"B1(a)", "D1", "e-BE", "Potongan Cukai Bulanan"} {
				if !strings.Contains(st.Body, want) {
					t.Errorf("statement page lacks %q", want)
				}
			}
			if st.Status != 200 || t.Failed() {
				t.Fatalf("statement page: %d\n%s", st.Status, st.Body)
			}
			pdf := c.siti.get("/eec/2025/pdf")
			if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("pdf: %d %s", pdf.Status, pdf.Header.Get("Content-Type"))
			}
			text := documenttest.Text(t, []byte(pdf.Body), slipIC)
			if !strings.Contains(text, "PENYATA SARAAN PEKERJA SEKTOR AWAM") {
				t.Fatalf("pdf text:\n%s", text)
			}
		})
	}
}

// TestECAPI reads the employee's statements through the API and publishes
// through it: refused with the unmapped codes listed, then published.
func TestECAPI(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			c := newECCast(t, d)
			e := c.e
			if _, err := e.ec.ImportMapping(ctx, store.CLI, "m.csv", strings.NewReader(withoutCode("0105"))); err != nil {
				t.Fatal(err)
			}
			admin, siti, ali := e.token("sysadmin01"), e.token(slipIC), e.token(slipOther)
			status, out := e.api("POST", "/api/v1/statements/2025/publish", admin, nil)
			unmapped, _ := out["unmapped"].([]any)
			if status != http.StatusConflict || len(unmapped) != 1 || unmapped[0].(map[string]any)["item_code"] != "0105" {
				t.Fatalf("publish with an unmapped code: %d %v", status, out)
			}
			if status, _ := e.api("POST", "/api/v1/statements/2025/publish", siti, nil); status != http.StatusForbidden {
				t.Fatalf("an employee publishes: %d", status)
			}
			if _, err := e.ec.SetMapping(ctx, store.CLI, "0105", "B1c"); err != nil {
				t.Fatal(err)
			}
			status, out = e.api("POST", "/api/v1/statements/2025/publish", admin, nil)
			if status != 200 || out["state"] != "published" || out["year"] != float64(2025) {
				t.Fatalf("publish: %d %v", status, out)
			}

			status, out = e.api("GET", "/api/v1/statements", siti, nil)
			items, _ := out["items"].([]any)
			if status != 200 || len(items) != 1 || items[0].(map[string]any)["year"] != float64(2025) {
				t.Fatalf("list: %d %v", status, out)
			}
			status, out = e.api("GET", "/api/v1/statements/2025", siti, nil)
			if status != 200 || out["year"] != float64(2025) {
				t.Fatalf("get: %d %v", status, out)
			}
			emp := out["employee"].(map[string]any)
			if emp["ic_number"] != "900101-**-***9" || emp["tax_no"] != "IG20000000001" {
				t.Fatalf("employee: %v", emp)
			}
			lines := out["lines"].([]any)
			totals := out["totals"].(map[string]any)
			sums := map[string]float64{}
			for _, l := range lines {
				m := l.(map[string]any)
				if m["label"] == "" || m["code"] == "" {
					t.Fatalf("line without words: %v", m)
				}
				sums[m["section"].(string)] += m["amount_sen"].(float64)
			}
			if len(lines) != len(statement.Lines) {
				t.Fatalf("%d lines, want %d", len(lines), len(statement.Lines))
			}
			for sec, v := range sums {
				if totals[sec] != v {
					t.Fatalf("section %s: total %v, lines sum to %v", sec, totals[sec], v)
				}
			}
			if status, _ := e.api("GET", "/api/v1/statements/2024", siti, nil); status != http.StatusNotFound {
				t.Fatalf("a year without a statement: %d", status)
			}
			if status, out := e.api("GET", "/api/v1/statements", ali, nil); status != 200 || len(out["items"].([]any)) != 0 {
				t.Fatalf("another employee's list: %d %v", status, out)
			}
			req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/statements/2025/pdf", nil)
			req.Header.Set("Authorization", "Bearer "+siti)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			pdf, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || !bytes.HasPrefix(pdf, []byte("%PDF")) {
				t.Fatalf("pdf: %d", resp.StatusCode)
			}
			documenttest.Opens(t, pdf, slipIC)
		})
	}
}
