package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/store/storetest"
)

// paymentCast is a portal with the sample payments and the people who
// look at them: Siti, paid voucher V2026000102 by JKR (12020202); a JKR
// representative with eMaklum; a treasury approver; a system administrator.
type paymentCast struct {
	e                             *env
	siti, jkr, treasury, sysadmin string
}

const sampleCSV = "../payment/testdata/payments-sample.csv"

func newPaymentCast(t *testing.T, d store.Dialect) *paymentCast {
	e := newEnv(t, d)
	e.now = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC)
	m := []forms.Module{forms.ModuleMaklum}
	c := &paymentCast{e: e, siti: "900101045679", jkr: "800101045011", treasury: "700404045047", sysadmin: "850505045059"}
	e.user(c.siti, "Siti Binti Ahmad", "12020202", nil, m, false)
	e.user(c.jkr, "Noraini Binti Hassan", "12020202", []forms.Role{forms.RolePTJRep}, m, false)
	e.user(c.treasury, "Zainal Bin Abidin", "12010101", []forms.Role{forms.RoleTreasuryApprover}, nil, false)
	e.user(c.sysadmin, "Suresh Ramasamy", "12010101", []forms.Role{forms.RoleSysadmin}, nil, false)
	return c
}

// upload posts file content as the multipart field "file" (and the
// confirmation box when confirm), with the browser's cookies or a token.
func (e *env) upload(client *http.Client, path, token, name, content string, confirm bool) (int, string, http.Header) {
	e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if confirm {
		_ = w.WriteField("confirm", "1")
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = io.WriteString(fw, content)
	_ = w.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+path, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func readSample(t *testing.T) string {
	b, err := os.ReadFile(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPaymentAPI(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(string(d), func(t *testing.T) {
			c := newPaymentCast(t, d)
			e := c.e
			admin := e.token(c.sysadmin)

			// A bad file: 422, every bad line, nothing imported.
			bad := strings.Replace(readSample(t), "12500.00,credited", "12500.01,credited", 1)
			bad = strings.Replace(bad, "3180.00,failed", "3180.00,paid", 1)
			status, body, _ := e.upload(nil, "/api/v1/payments/imports", admin, "bad.csv", bad, false)
			var rej struct {
				Error  struct{ Code string }
				Errors []struct {
					Line    int
					Field   string
					Message string
				}
			}
			_ = json.Unmarshal([]byte(body), &rej)
			if status != 422 || rej.Error.Code != "invalid" || len(rej.Errors) != 2 ||
				rej.Errors[0].Line != 6 || rej.Errors[0].Field != "amount" || rej.Errors[1].Line != 8 || rej.Errors[1].Field != "status" {
				t.Fatalf("bad file: %d %s", status, body)
			}
			if n, _ := e.db.IDB().NewSelect().TableExpr("payments").Count(ctx); n != 0 {
				t.Fatalf("%d payments after a rejected file", n)
			}

			status, body, _ = e.upload(nil, "/api/v1/payments/imports", admin, "payments-sample.csv", readSample(t), false)
			var ok map[string]any
			_ = json.Unmarshal([]byte(body), &ok)
			if status != 201 || ok["lines"] != 9.0 || ok["vouchers"] != 5.0 || ok["created"] != 5.0 || ok["updated"] != 0.0 || ok["id"] == nil {
				t.Fatalf("import: %d %s", status, body)
			}
			// Only a system administrator imports.
			if status, _, _ := e.upload(nil, "/api/v1/payments/imports", e.token(c.treasury), "x.csv", readSample(t), false); status != 403 {
				t.Fatalf("import by the treasury: %d", status)
			}

			// Lists: each sees their own.
			list := func(login, query string) map[string]any {
				t.Helper()
				status, out := e.api("GET", "/api/v1/payments"+query, e.token(login), nil)
				if status != 200 {
					t.Fatalf("list %s%s: %d %v", login, query, status, out)
				}
				return out
			}
			vouchersOf := func(out map[string]any) string {
				var v []string
				for _, it := range out["items"].([]any) {
					v = append(v, it.(map[string]any)["voucher_no"].(string))
				}
				return strings.Join(v, " ")
			}
			if got := vouchersOf(list(c.siti, "")); got != "V2026000102" {
				t.Fatalf("Siti sees %s", got)
			}
			if got := vouchersOf(list(c.jkr, "")); got != "V2026000103 V2026000102" {
				t.Fatalf("JKR sees %s", got)
			}
			all := list(c.treasury, "?page_size=2&page=2")
			if got := vouchersOf(all); got != "V2026000103 V2026000102" || all["total"] != 5.0 || all["total_exact"] != true || all["page"] != 2.0 || all["page_size"] != 2.0 {
				t.Fatalf("treasury page 2: %v", all)
			}
			if got := vouchersOf(list(c.treasury, "?q=percetakan&status=issued")); got != "V2026000104" {
				t.Fatalf("by name and status: %s", got)
			}
			if got := vouchersOf(list(c.treasury, "?payee_id=900101-04-5679&from=2026-11-01&to=2026-11-30")); got != "V2026000102" {
				t.Fatalf("by payee and dates: %s", got)
			}
			item := list(c.treasury, "?q=V2026000101")["items"].([]any)[0].(map[string]any)
			if item["bank_account"] != "•••• 6789" || item["amount_sen"] != 1250000.0 {
				t.Fatalf("item %v", item)
			}
			if status, out := e.api("GET", "/api/v1/payments?status=paid", e.token(c.treasury), nil); status != 422 || errorCode(out) != "invalid" {
				t.Fatalf("unknown status: %d %v", status, out)
			}

			// A voucher with its history; outside one's scope, not found.
			status, v := e.api("GET", "/api/v1/payments/v2026000101", e.token(c.treasury), nil)
			if status != 200 || len(v["history"].([]any)) != 5 || v["ptj_name"] != "Jabatan Kewangan Negeri" {
				t.Fatalf("voucher: %d %v", status, v)
			}
			if status, _ := e.api("GET", "/api/v1/payments/V2026000101", e.token(c.siti), nil); status != 404 {
				t.Fatalf("another's voucher: %d", status)
			}

			// The public check: no login, the same shape either way.
			check := func(payee, ref string) (int, string) {
				status, out := e.api("POST", "/api/v1/payments/status", "", map[string]string{"payee_id": payee, "reference": ref})
				b, _ := json.Marshal(out)
				return status, string(b)
			}
			if status, out := check("201901012345", "INV-2026-0451"); status != 200 || out != `{"items":[{"payment_mode":"EFT","status":"credited","status_date":"2026-11-09"}]}` {
				t.Fatalf("check: %d %s", status, out)
			}
			_, noPayee := check("201901019999", "INV-2026-0451")
			_, noInvoice := check("201901012345", "INV-NONE")
			if noPayee != `{"items":[]}` || noInvoice != noPayee {
				t.Fatalf("no payee %s, no invoice %s", noPayee, noInvoice)
			}
			if status, _ := check("201901012345", ""); status != 422 {
				t.Fatalf("check without a reference: %d", status)
			}
		})
	}
}

// TestPaymentCheckThrottled: the public check answers 429 past its limit,
// per address (the test client's) across payees.
func TestPaymentCheckThrottled(t *testing.T) {
	c := newPaymentCast(t, store.SQLite)
	var last int
	for i := range 31 {
		last, _ = c.e.api("POST", "/api/v1/payments/status", "", map[string]string{"payee_id": "20190101" + strings.Repeat("1", 3) + string(rune('0'+i%10)), "reference": "INV"})
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("31st check from one address: %d", last)
	}
	b := c.e.browser()
	resp := b.submit(t, "/emaklum/semak", url.Values{"payee_id": {"201901012345"}, "reference": {"INV-2026-0451"}})
	if resp.Status != http.StatusOK || !strings.Contains(resp.Body, "Terlalu banyak semakan") {
		t.Fatalf("page after the limit: %d", resp.Status)
	}
}

// An import whose saving stopped midway with no process saving it says so
// on its page, with the command that abandons it if the server cannot
// resume it; while a process saves it, the page says only that it is
// being saved.
func TestPaymentImportStoppedMidway(t *testing.T) {
	c := newPaymentCast(t, store.SQLite)
	e := c.e
	admin := e.browser()
	admin.login(c.sysadmin, testPassword)
	status, _, h := e.upload(admin.c, "/emaklum/import", "", "payments-sample.csv", readSample(t), true)
	if status != http.StatusSeeOther {
		t.Fatalf("upload: %d", status)
	}
	result := h.Get("Location")
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if admin.get(result).Header.Get("Refresh") == "" {
			break
		}
	}
	id := strings.TrimPrefix(result, "/emaklum/imports/")
	// As a process that died between two parts leaves it.
	ctx := context.Background()
	for _, q := range []string{
		"UPDATE payment_imports SET state = 'applying' WHERE id = " + id,
		"INSERT INTO jobs_applying (name, file, part_rows, through, last, started_at) VALUES ('payment-import-" + id + "', '/gone', 2, 2, 9, CURRENT_TIMESTAMP)",
	} {
		if _, err := e.db.IDB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	page := admin.get(result)
	if page.Status != 200 || !strings.Contains(page.Body, "terhenti di tengah jalan") || !strings.Contains(page.Body, "ispeks abandon payments --import "+id) ||
		!strings.Contains(page.Body, `class="flash error"`) || page.Header.Get("Refresh") == "" {
		t.Fatalf("a stopped import's page: %d, Refresh %q\n%s", page.Status, page.Header.Get("Refresh"), page.Body)
	}
	if ok, err := e.db.TakeLease(ctx, "job:payment-import-"+id, "another process", e.now.Add(time.Minute)); err != nil || !ok {
		t.Fatal(ok, err)
	}
	page = admin.get(result)
	if !strings.Contains(page.Body, "sedang disimpan") || strings.Contains(page.Body, "ispeks abandon") {
		t.Fatalf("an import another process saves:\n%s", page.Body)
	}
}

func TestPaymentPages(t *testing.T) {
	c := newPaymentCast(t, store.SQLite)
	e := c.e
	admin := e.browser()
	admin.login(c.sysadmin, testPassword)

	// The import page: without the confirmation nothing starts.
	status, _, h := e.upload(admin.c, "/emaklum/import", "", "payments-sample.csv", readSample(t), false)
	if back := admin.get(h.Get("Location")); status != http.StatusSeeOther || !strings.Contains(back.Body, "Tandakan pengesahan") {
		t.Fatalf("upload without confirmation: %d", status)
	}
	status, _, h = e.upload(admin.c, "/emaklum/import", "", "payments-sample.csv", readSample(t), true)
	if status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/emaklum/imports/") {
		t.Fatalf("upload: %d %v", status, h)
	}
	result := h.Get("Location")
	var page response
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		page = admin.get(result)
		if page.Header.Get("Refresh") == "" {
			break
		}
		if !strings.Contains(page.Body, "Sedang diimport") {
			t.Fatalf("a running import's page: %s", page.Body)
		}
	}
	if page.Status != 200 || !strings.Contains(page.Body, "Import selesai") || !strings.Contains(page.Body, "cdf155381b8d709d") {
		t.Fatalf("result page: %d %s", page.Status, page.Body)
	}
	if page := admin.get("/emaklum/import"); !strings.Contains(page.Body, "payments-sample.csv") || !strings.Contains(page.Body, "Selesai") {
		t.Fatal("the import page does not list the import")
	}

	// A rejected file's page lists its lines.
	status, _, h = e.upload(admin.c, "/emaklum/import", "", "bad.csv", strings.Replace(readSample(t), "verified,2026-11-04", "verified,2026-11-01", 1), true)
	if status != http.StatusSeeOther {
		t.Fatalf("bad upload: %d", status)
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if page = admin.get(h.Get("Location")); page.Header.Get("Refresh") == "" {
			break
		}
	}
	if !strings.Contains(page.Body, "Ditolak") || !strings.Contains(page.Body, "<code>status_date</code>") {
		t.Fatalf("rejected page: %s", page.Body)
	}

	// The list: Siti sees hers, masked MyKad, her settings link.
	siti := e.browser()
	siti.login(c.siti, testPassword)
	page = siti.get("/emaklum")
	if page.Status != 200 || !strings.Contains(page.Body, "V2026000102") || strings.Contains(page.Body, "V2026000101") ||
		!strings.Contains(page.Body, "900101-**-***9") || strings.Contains(page.Body, "900101045679") || !strings.Contains(page.Body, `href="/emaklum/settings"`) {
		t.Fatalf("Siti's list: %d %s", page.Status, page.Body)
	}
	if page := siti.get("/emaklum/vouchers/V2026000101"); page.Status != 404 {
		t.Fatalf("another's voucher: %d", page.Status)
	}
	// Her home tile leads to eMaklum.
	if page := siti.get("/"); !strings.Contains(page.Body, `href="/emaklum"`) {
		t.Fatal("no eMaklum tile")
	}

	// The treasury: the navigation, the search, a voucher's timeline.
	tr := e.browser()
	tr.login(c.treasury, testPassword)
	page = tr.get("/emaklum?q=maju")
	if !strings.Contains(page.Body, `href="/emaklum"`) || !strings.Contains(page.Body, "V2026000101") || strings.Contains(page.Body, "V2026000102") ||
		!strings.Contains(page.Body, "1 bayaran ditemui") || !strings.Contains(page.Body, "201901012345") { // a company's number whole
		t.Fatalf("search: %s", page.Body)
	}
	if page := tr.get("/emaklum?from=2026-11-10&to=2026-11-01"); page.Status != 422 || !strings.Contains(page.Body, "tidak boleh lebih awal") {
		t.Fatalf("bad range: %d", page.Status)
	}
	page = tr.get("/emaklum/vouchers/V2026000101")
	for _, want := range []string{"Diterima oleh bank", "09/11/2026", "02/11/2026", "•••• 6789", "12,500.00", "Perbendaharaan", "status akhir"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("voucher page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, "5140123456789") {
		t.Error("the bank account is shown whole")
	}
	if tl := page.Body[strings.Index(page.Body, `<ol class="timeline">`):]; strings.Index(tl, "02/11/2026") > strings.Index(tl, "09/11/2026") {
		t.Error("the timeline is not in date order")
	}
}

// TestPaymentExportIsFormulaSafe: a payee name that a spreadsheet would
// run stays text; MyKad numbers and accounts are masked.
func TestPaymentExportIsFormulaSafe(t *testing.T) {
	c := newPaymentCast(t, store.SQLite)
	file := strings.Join(append([]string{"voucher_no,ptj_code,payee_id,payee_name,invoice_no,amount,status,status_date,payment_mode,payment_ref,bank_account"},
		`V1,12020202,900101045679,"=HYPERLINK(""http://x"")",INV-1,10.00,approved,2026-11-02,EFT,,114012345678`,
		`V2,12020202,201901012345,+SYARIKAT,@INV-2,10.00,approved,2026-11-03,EFT,,`), "\n")
	if status, body, _ := c.e.upload(nil, "/api/v1/payments/imports", c.e.token(c.sysadmin), "f.csv", file, false); status != 201 {
		t.Fatalf("import: %d %s", status, body)
	}
	b := c.e.browser()
	b.login(c.treasury, testPassword)
	resp := b.get("/emaklum/export.csv?status=approved")
	if resp.Status != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d", resp.Status)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.Body, "\uFEFF"))).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("export rows %v %v", rows, err)
	}
	if rows[0][0] != "Nombor baucar" || rows[1][3] != "'+SYARIKAT" || rows[1][4] != "'@INV-2" || rows[2][3] != `'=HYPERLINK("http://x")` ||
		rows[2][2] != "900101-**-***9" || rows[2][10] != "•••• 5678" {
		t.Fatalf("export %q", rows)
	}
}

func TestPaymentSettingsPage(t *testing.T) {
	c := newPaymentCast(t, store.SQLite)
	b := c.e.browser()
	b.login(c.siti, testPassword)
	if page := b.get("/emaklum/settings"); !strings.Contains(page.Body, `name="mail_on_move" value="1" checked`) {
		t.Fatal("mail is on by default")
	}
	resp := b.post("/emaklum/settings", url.Values{})
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.Status)
	}
	page := b.get(resp.Location)
	if strings.Contains(page.Body, "checked") || !strings.Contains(page.Body, "Tetapan telah disimpan") {
		t.Fatalf("after turning mail off: %s", page.Body)
	}
}

func TestPaymentCheckPage(t *testing.T) {
	c := newPaymentCast(t, store.SQLite)
	if status, body, _ := c.e.upload(nil, "/api/v1/payments/imports", c.e.token(c.sysadmin), "s.csv", readSample(t), false); status != 201 {
		t.Fatalf("import: %d %s", status, body)
	}
	b := c.e.browser()
	if page := b.get("/"); !strings.Contains(page.Body, `href="/emaklum/semak"`) {
		t.Fatal("the home page does not offer the check")
	}
	page := b.post("/emaklum/semak", url.Values{"payee_id": {"199801004321"}, "reference": {"cq004512"}})
	if page.Status != 200 || !strings.Contains(page.Body, "Dikeluarkan") || !strings.Contains(page.Body, "14/11/2026") ||
		!strings.Contains(page.Body, "Cek") || strings.Contains(page.Body, "940.50") {
		t.Fatalf("check page: %d %s", page.Status, page.Body)
	}
	for _, form := range []url.Values{
		{"payee_id": {"199801004321"}, "reference": {"INV-NONE"}},
		{"payee_id": {"199801009999"}, "reference": {"CQ004512"}},
	} {
		page := b.post("/emaklum/semak", form)
		if page.Status != 200 || !strings.Contains(page.Body, "Tiada rekod yang sepadan") {
			t.Fatalf("no match: %d", page.Status)
		}
	}
	if page := b.submit(t, "/emaklum/semak", url.Values{"payee_id": {"1"}}); page.Status != 200 || !strings.Contains(page.Body, "field-error") {
		t.Fatalf("bad input: %d", page.Status)
	}
}
