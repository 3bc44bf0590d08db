package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/payslip"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// upload posts a payroll file through the upload form.
func (b *browser) upload(file []byte, fields ...string) response {
	b.e.t.Helper()
	ct, body := multipartBody(b.e.t, file, fields...)
	req, _ := http.NewRequest("POST", b.e.ts.URL+"/payroll/imports", body)
	req.Header.Set("Content-Type", ct)
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	return response{Status: resp.StatusCode, Location: resp.Header.Get("Location")}
}

// follow reads the import's status page until the import has ended (a
// deadline, not a timing assertion) and returns the last answer.
func (b *browser) follow(job string) response {
	b.e.t.Helper()
	var r response
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		r = b.get(job)
		if r.Status != http.StatusOK || r.Header.Get("Refresh") == "" {
			return r
		}
		if !strings.Contains(r.Body, "<progress") {
			b.e.t.Fatalf("a running import without its progress bar:\n%s", r.Body)
		}
	}
	b.e.t.Fatalf("the import of %s never ended", job)
	return r
}

type payslipCast struct {
	e                        *env
	admin, treasury, auditor *browser
	siti, ali                *browser
}

func newPayslipCast(t *testing.T, d store.Dialect) *payslipCast {
	e := newEnv(t, d)
	e.user("sysadmin01", "Ehsan Sysadmin", "12010101", []forms.Role{forms.RoleSysadmin}, nil, false)
	e.user("700404144444", "Dayang Treasury", "12010101", []forms.Role{forms.RoleTreasuryApprover}, nil, false)
	e.user("820808086666", "Jamilah Auditor", "12010101", []forms.Role{forms.RoleAuditor}, nil, false)
	e.user(slipIC, "Siti Binti Ahmad", "12010101", nil, []forms.Module{forms.ModulePayslip}, false)
	e.user(slipOther, "Ali Bin Abu", "12010101", nil, []forms.Module{forms.ModulePayslip}, false)
	in := func(login string) *browser {
		b := e.browser()
		if r := b.login(login, testPassword); r.Status != http.StatusSeeOther {
			t.Fatalf("login %s: %d", login, r.Status)
		}
		return b
	}
	return &payslipCast{e: e, admin: in("sysadmin01"), treasury: in("700404144444"), auditor: in("820808086666"),
		siti: in(slipIC), ali: in(slipOther)}
}

func TestPayrollPages(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			c := newPayslipCast(t, d)

			page := c.admin.get("/payroll")
			if page.Status != 200 || !strings.Contains(page.Body, `enctype="multipart/form-data"`) || !strings.Contains(page.Body, "month,salary_no,ic_number") {
				t.Fatalf("payroll page: %d\n%s", page.Status, page.Body)
			}
			if p := c.treasury.get("/payroll"); p.Status != 200 || strings.Contains(p.Body, `action="/payroll/imports"`) {
				t.Fatalf("the treasury's payroll page offers the upload: %d", p.Status)
			}

			// A bad file: the status page lists the bad lines, nothing imported.
			bad := bytes.Replace(samplePayroll(t), []byte("12010101"), []byte("99999999"), 1)
			r := c.admin.upload(bad)
			if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/payroll/jobs/") {
				t.Fatalf("upload: %d %s", r.Status, r.Location)
			}
			end := c.admin.follow(r.Location)
			if end.Status != 200 || !strings.Contains(end.Body, "99999999 tidak wujud") || !strings.Contains(end.Body, "<td class=\"num\">2</td>") {
				t.Fatalf("bad file's end:\n%s", end.Body)
			}
			if p := c.ali.get(r.Location); p.Status == 200 {
				t.Fatal("another user reads the sysadmin's import status")
			}

			// The good file: the status page leads to the import's page.
			r = c.admin.upload(samplePayroll(t))
			end = c.admin.follow(r.Location)
			if end.Status != http.StatusSeeOther || !strings.HasPrefix(end.Location, "/payroll/imports/") {
				t.Fatalf("good file's end: %d %s\n%s", end.Status, end.Location, end.Body)
			}
			imp := c.admin.get(end.Location)
			if !strings.Contains(imp.Body, "Fail gaji telah diimport") || !strings.Contains(imp.Body, "gaji-2026-10.csv") {
				t.Fatalf("import page:\n%s", imp.Body)
			}
			// Again: a conflict that says how to replace.
			end = c.admin.follow(c.admin.upload(samplePayroll(t)).Location)
			if !strings.Contains(end.Body, "telah diimport") || !strings.Contains(end.Body, "gantikan") {
				t.Fatalf("second upload:\n%s", end.Body)
			}
			end = c.admin.follow(c.admin.upload(samplePayroll(t), "replace", "1").Location)
			if end.Status != http.StatusSeeOther {
				t.Fatalf("replace upload: %d\n%s", end.Status, end.Body)
			}

			// Publishing needs the confirmation.
			if p := c.admin.submit(t, "/payroll/months/2026-10/publish", url.Values{}); p.Status != 200 || !strings.Contains(p.Body, "Tandakan pengesahan") {
				t.Fatalf("publish without confirmation: %d", p.Status)
			}
			if p := c.siti.get("/epayslip/2026-10"); p.Status != 404 {
				t.Fatalf("slip before publishing: %d", p.Status)
			}
			p := c.admin.post("/payroll/months/2026-10/publish", url.Values{"confirm": {"1"}})
			if p.Status != http.StatusSeeOther {
				t.Fatalf("publish: %d %s", p.Status, p.Body)
			}
			month := c.admin.get(p.Location)
			if !strings.Contains(month.Body, "1 pekerja dimaklumkan") || !strings.Contains(month.Body, "Diterbitkan") {
				t.Fatalf("month page after publishing:\n%s", month.Body)
			}

			// The operators see totals per PTJ and who has a slip, never an item's amount.
			for _, b := range []*browser{c.admin, c.treasury, c.auditor} {
				p := b.get("/payroll/months/2026-10?q=900101-04-5679")
				if p.Status != 200 || !strings.Contains(p.Body, "RM 4,020.55") || !strings.Contains(p.Body, "900101-**-***9") ||
					strings.Contains(p.Body, "3,120.55") || strings.Contains(p.Body, slipIC) {
					t.Fatalf("operators' month page: %d\n%s", p.Status, p.Body)
				}
				if p := b.get("/epayslip"); p.Status != 403 {
					t.Fatalf("an operator without the module opens ePayslip: %d", p.Status)
				}
			}

			// The employee: list, slip, PDF.
			list := c.siti.get("/epayslip")
			for _, w := range []string{"Oktober 2026", "RM 4,020.55", "RM 2,965.00", "12 digit tanpa tanda sengkang", `href="/epayslip/2026-10"`} {
				if !strings.Contains(list.Body, w) {
					t.Errorf("list lacks %q", w)
				}
			}
			slip := c.siti.get("/epayslip/2026-10")
			for _, w := range []string{"Slip Gaji Oktober 2026", "RM 3,120.55", "900101-**-***9", "********5678", "IG20000000001",
				"Gaji Bersih", "RM 2,965.00", "RM 545.00", "SG-2026-10-"} {
				if !strings.Contains(slip.Body, w) {
					t.Errorf("slip page lacks %q", w)
				}
			}
			if strings.Contains(slip.Body, slipIC) {
				t.Error("the slip page shows the full MyKad")
			}
			pdf := c.siti.get("/epayslip/2026-10/pdf")
			if pdf.Status != 200 || pdf.Header.Get("Content-Type") != "application/pdf" || !strings.Contains(pdf.Header.Get("Content-Disposition"), "slip-gaji-2026-10.pdf") {
				t.Fatalf("pdf: %d %v", pdf.Status, pdf.Header)
			}
			if year := c.siti.get("/epayslip/pdf?year=2026"); year.Status != 200 || !strings.HasPrefix(year.Body, "%PDF") {
				t.Fatalf("year pdf: %d", year.Status)
			}
			if sel := c.siti.get("/epayslip/pdf?month=2026-10&month=2026-09"); sel.Status != 404 {
				t.Fatalf("a selection with a month not there: %d", sel.Status)
			}
			if p := c.ali.get("/epayslip/2026-10"); p.Status != 404 {
				t.Fatalf("ali opens siti's month: %d", p.Status)
			}
			if p := c.ali.get("/epayslip"); p.Status != 200 || !strings.Contains(p.Body, "Tiada slip gaji") {
				t.Fatalf("ali's empty list: %d", p.Status)
			}
			// The home tile opens the list.
			if home := c.siti.get("/"); !strings.Contains(home.Body, `href="/epayslip"`) {
				t.Fatal("the home tile does not link to /epayslip")
			}
			// English too.
			c.siti.get("/lang/en")
			if p := c.siti.get("/epayslip/2026-10"); !strings.Contains(p.Body, "Pay Slip October 2026") || !strings.Contains(p.Body, "Net Pay") {
				t.Fatalf("English slip:\n%s", p.Body)
			}
		})
	}
}

// TestPayrollMonthBeingSaved: a month whose import is still being saved
// (its apply stopped between two parts, SQLite) says so on the list and on
// its page, which refreshes itself and offers no publishing; a publishing
// sent anyway is refused with why.
func TestPayrollMonthBeingSaved(t *testing.T) {
	c := newPayslipCast(t, store.SQLite)
	if end := c.admin.follow(c.admin.upload(samplePayroll(t)).Location); end.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d\n%s", end.Status, end.Body)
	}
	if _, err := c.e.db.IDB().NewRaw("UPDATE payroll_months SET state = ?", payslip.StateImporting).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := c.admin.get("/payroll"); !strings.Contains(p.Body, `<span class="badge warn">Sedang disimpan</span>`) {
		t.Fatalf("the months' list:\n%s", p.Body)
	}
	month := c.admin.get("/payroll/months/2026-10")
	if month.Status != 200 || !strings.Contains(month.Body, "Import bulan ini sedang disimpan") ||
		strings.Contains(month.Body, `action="/payroll/months/2026-10/publish"`) || month.Header.Get("Refresh") == "" {
		t.Fatalf("the month's page: %d, Refresh %q\n%s", month.Status, month.Header.Get("Refresh"), month.Body)
	}
	p := c.admin.submit(t, "/payroll/months/2026-10/publish", url.Values{"confirm": {"1"}})
	if !strings.Contains(p.Body, "masih sedang disimpan") {
		t.Fatalf("publishing a month being saved:\n%s", p.Body)
	}
	status, out := c.e.api("POST", "/api/v1/payroll/months/2026-10/publish", c.e.token("sysadmin01"), nil)
	if status != http.StatusConflict || !strings.Contains(fmt.Sprint(out["error"]), "disimpan") {
		t.Fatalf("the API's publishing of a month being saved: %d %v", status, out)
	}
	// Its saving stopped with no process saving it: the page says so, with
	// the command that abandons it if the server cannot resume it.
	var importID int64
	if err := c.e.db.IDB().NewRaw("SELECT import_id FROM payroll_months WHERE month = '2026-10'").Scan(context.Background(), &importID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.e.db.IDB().ExecContext(context.Background(), `INSERT INTO jobs_applying (name, file, part_rows, through, last, started_at)
		VALUES (?, '/gone', 2000, 2000, 4000, CURRENT_TIMESTAMP)`, fmt.Sprintf("payroll-import-%d", importID)); err != nil {
		t.Fatal(err)
	}
	if p := c.admin.get("/payroll/months/2026-10"); !strings.Contains(p.Body, "terhenti di tengah jalan") ||
		!strings.Contains(p.Body, fmt.Sprintf("ispeks abandon payroll --import %d", importID)) {
		t.Fatalf("the page of a month whose saving stopped:\n%s", p.Body)
	}
}
