package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/document/documenttest"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

const (
	slipIC    = "900101045679" // SITI BINTI AHMAD of the sample file
	slipOther = "850202105431"
)

func samplePayroll(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../payslip/testdata/payroll-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// multipartBody is a form with the file field and other fields.
func multipartBody(t testing.TB, file []byte, fields ...string) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = w.WriteField(fields[i], fields[i+1])
	}
	fw, err := w.CreateFormFile("file", "gaji-2026-10.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(file)
	w.Close()
	return w.FormDataContentType(), &buf
}

// importAPI sends file to POST /api/v1/payroll/imports?query.
func (e *env) importAPI(token string, file []byte, query string) (int, map[string]any) {
	e.t.Helper()
	ct, body := multipartBody(e.t, file)
	req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/payroll/imports"+query, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestPayslipAPI(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			e := newEnv(t, d)
			e.user("sysadmin01", "Ehsan Sysadmin", "12010101", []forms.Role{forms.RoleSysadmin}, nil, false)
			e.user(slipIC, "Siti Ahmad", "12010101", nil, []forms.Module{forms.ModulePayslip}, false)
			e.user(slipOther, "Ali Bin Abu", "12010101", nil, []forms.Module{forms.ModulePayslip}, false)
			admin, siti, ali := e.token("sysadmin01"), e.token(slipIC), e.token(slipOther)

			// A bad line: 422 with every bad line, nothing imported.
			bad := bytes.Replace(samplePayroll(t), []byte("3120.55"), []byte("3l20.55"), 1)
			bad = bytes.Replace(bad, []byte(",ZAKAT,"), []byte(",,"), 1)
			status, out := e.importAPI(admin, bad, "")
			errs, _ := out["errors"].([]any)
			if status != 422 || errorCode(out) != "invalid" || len(errs) != 2 {
				t.Fatalf("bad file: %d %v", status, out)
			}
			first := errs[0].(map[string]any)
			if first["line"] != 2.0 || first["field"] != "amount" || first["message"] == "" {
				t.Fatalf("first error: %v", first)
			}
			if n, _ := e.db.IDB().NewSelect().TableExpr("payslips").Count(ctx); n != 0 {
				t.Fatalf("%d slips after a refused file", n)
			}

			status, out = e.importAPI(admin, samplePayroll(t), "")
			if status != 201 || out["lines"] != 9.0 || out["employees"] != 1.0 || out["id"] == nil {
				t.Fatalf("import: %d %v", status, out)
			}
			if months := out["months"].([]any); len(months) != 1 || months[0] != "2026-10" {
				t.Fatalf("months: %v", out["months"])
			}
			warnings := out["warnings"].([]any)
			if len(warnings) != 1 || !strings.Contains(warnings[0].(map[string]any)["message"].(string), "Siti Ahmad") {
				t.Fatalf("warnings: %v", warnings)
			}
			if status, out := e.importAPI(admin, samplePayroll(t), ""); status != 409 {
				t.Fatalf("second import: %d %v", status, out)
			}
			if status, out := e.importAPI(admin, samplePayroll(t), "?replace=true"); status != 201 || len(out["replaced"].([]any)) != 1 {
				t.Fatalf("replace: %d %v", status, out)
			}
			if status, _ := e.importAPI(siti, samplePayroll(t), ""); status != 403 {
				t.Fatalf("an employee imports: %d", status)
			}

			// Published from the 24th (Malaysian time); the clock is at 2 November.
			e.mu.Lock()
			e.now = time.Date(2026, 10, 20, 1, 0, 0, 0, time.UTC)
			e.mu.Unlock()
			status, out = e.api("POST", "/api/v1/payroll/months/2026-10/publish", admin, map[string]string{"visible_from": "2026-10-24"})
			if status != 200 || out["visible_from"] != "2026-10-24" || out["mailed"] != 1.0 {
				t.Fatalf("publish: %d %v", status, out)
			}
			if status, out := e.api("POST", "/api/v1/payroll/months/2026-13/publish", admin, nil); status != 422 {
				t.Fatalf("publish a bad month: %d %v", status, out)
			}
			status, out = e.api("GET", "/api/v1/payslips", siti, nil)
			if status != 200 || len(out["items"].([]any)) != 0 {
				t.Fatalf("before the date: %d %v", status, out)
			}
			if status, _ := e.api("GET", "/api/v1/payslips/2026-10", siti, nil); status != 404 {
				t.Fatalf("slip before the date: %d", status)
			}
			e.advance(4 * 24 * time.Hour)
			status, out = e.api("GET", "/api/v1/payslips", siti, nil)
			items := out["items"].([]any)
			if status != 200 || len(items) != 1 {
				t.Fatalf("list: %d %v", status, out)
			}
			if it := items[0].(map[string]any); it["month"] != "2026-10" || it["gross_sen"] != 402055.0 || it["deductions_sen"] != 105555.0 || it["net_sen"] != 296500.0 {
				t.Fatalf("list item: %v", it)
			}
			status, out = e.api("GET", "/api/v1/payslips/2026-10", siti, nil)
			if status != 200 {
				t.Fatalf("slip: %d %v", status, out)
			}
			emp := out["employee"].(map[string]any)
			tot := out["totals"].(map[string]any)
			if emp["ic_number"] != "900101-**-***9" || emp["name"] != "SITI BINTI AHMAD" || emp["account_no"] != "********5678" ||
				tot["net_sen"] != 296500.0 || tot["employer_sen"] != 54500.0 || len(out["items"].([]any)) != 9 ||
				out["year_to_date"].(map[string]any)["gross_sen"] != 402055.0 {
				t.Fatalf("slip: %v", out)
			}
			if it := out["items"].([]any)[0].(map[string]any); it["code"] != "0001" || it["kind"] != "earning" || it["amount_sen"] != 312055.0 {
				t.Fatalf("first item: %v", it)
			}
			// Another person's month does not exist for them.
			if status, _ := e.api("GET", "/api/v1/payslips/2026-10", ali, nil); status != 404 {
				t.Fatalf("ali reads siti's month: %d", status)
			}
			if status, _ := e.api("GET", "/api/v1/payslips/2026-10", admin, nil); status != 403 {
				t.Fatalf("the sysadmin reads a slip: %d", status)
			}

			req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/payslips/2026-10/pdf", nil)
			req.Header.Set("Authorization", "Bearer "+siti)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			pdf, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF")) {
				t.Fatalf("pdf: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			if documenttest.Tool(t, "pdftotext") != "" && !strings.Contains(documenttest.Text(t, pdf, slipIC), "2,965.00") {
				t.Fatal("the PDF lacks the net pay")
			}
		})
	}
}

// TestPayslipAPIEmptyAndBroken: an import call without a file, or with a
// broken body, is refused clearly.
func TestPayslipAPIEmptyAndBroken(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user("sysadmin01", "Ehsan Sysadmin", "12010101", []forms.Role{forms.RoleSysadmin}, nil, false)
	admin := e.token("sysadmin01")
	if status, out := e.api("POST", "/api/v1/payroll/imports", admin, map[string]string{}); status != 422 || errorCode(out) != "invalid" {
		t.Fatalf("no file: %d %v", status, out)
	}
}
