package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// auditCast is a request taken through its first approval, so that the
// log holds records of two people, and the auditor's browser.
func auditCast(t *testing.T) (*pagesCast, string) {
	t.Helper()
	c := newPagesCast(t)
	id := c.create(t, borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah binti Kamal"))
	c.e.advance(24 * time.Hour) // the approval a day later: 03/11/2026, in new sessions
	for login, b := range map[string]*browser{pgOfficer: c.officer, pgAuditor: c.audit} {
		b.login(login, testPassword)
	}
	c.approve(t, c.officer, id)
	return c, c.stored(t, id).Reference
}

func TestAuditPageSentencesAndFilters(t *testing.T) {
	c, ref := auditCast(t)
	approved := "Badrul Officer meluluskan " + ref + "."
	submitted := "Aminah Rep menghantar " + ref + " untuk kelulusan."
	for _, tc := range []struct {
		name, query string
		status      int
		want, not   []string
	}{
		{"everything", "", 200, []string{approved, submitted, "Permohonan diluluskan", "Badrul Officer", `data-label="Masa"`}, nil},
		{"by action", "action=request.approve", 200, []string{approved, "1 rekod sepadan."}, []string{submitted}},
		{"by actor's name", "actor=badrul", 200, []string{approved}, []string{submitted}},
		{"by actor's MyKad", "actor=750202-10-2222", 200, []string{approved}, []string{submitted}},
		{"by reference", "ref=" + strings.ToLower(ref), 200, []string{approved, submitted}, nil},
		{"from the approval's day", "from=03/11/2026", 200, []string{approved}, []string{submitted}},
		{"to the day before", "to=02/11/2026", 200, []string{submitted}, []string{approved}},
		{"a day with nothing", "from=04/11/2026&to=05/11/2026", 200, []string{"Tiada rekod sepadan."}, []string{approved}},
		{"a date not DD/MM/YYYY", "from=2026-13-01", 422, []string{"Tarikh tidak sah: tulis sebagai HH/BB/TTTT", `value="2026-13-01"`}, nil},
		{"the end before the start", "from=05/11/2026&to=01/11/2026", 422, []string{"Tarikh akhir tidak boleh sebelum tarikh mula."}, nil},
		{"an unknown action", "action=drop.table", 422, []string{"Tindakan ini tidak dikenali."}, nil},
		{"a page link not a number", "actor=badrul&before=abc", 422, []string{"Pautan halaman tidak sah."}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := c.audit.get("/audit?" + tc.query)
			expect(t, tc.name, page, tc.status, tc.want...)
			for _, n := range append(tc.not, `{"`, "request.approve</") {
				if strings.Contains(page.Body, n) {
					t.Errorf("the page shows %q", n)
				}
			}
		})
	}
	// In English, the same record in English words.
	c.audit.post("/lang/en", url.Values{"next": {"/"}})
	expect(t, "english", c.audit.get("/audit?action=request.approve"), 200, "Badrul Officer approved "+ref+".", "Request approved")
}

func TestAuditExportIsTheFilteredRecords(t *testing.T) {
	c, ref := auditCast(t)
	csv := c.audit.get("/audit/export.csv?action=request.approve&ref=" + url.QueryEscape(ref))
	expect(t, "csv", csv, 200, "Bil. rekod", "Pelaku", "Badrul Officer meluluskan "+ref+".", "request.approve")
	if !strings.HasPrefix(csv.Body, "\uFEFF") || csv.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("not a CSV for spreadsheets: %q", csv.Header.Get("Content-Type"))
	}
	if lines := strings.Split(strings.TrimSpace(csv.Body), "\n"); len(lines) != 2 {
		t.Fatalf("%d lines, want the header and one record:\n%s", len(lines), csv.Body)
	}
	if strings.Contains(csv.Body, pgNewIC) {
		t.Fatal("the export holds a full MyKad")
	}
	expect(t, "bad filter", c.audit.get("/audit/export.csv?from=31/02/2026"), 422)
	expect(t, "the page links to it", c.audit.get("/audit?action=request.approve"), 200, `href="/audit/export.csv?action=request.approve"`)
}

var olderLink = regexp.MustCompile(`href="(/audit\?[^"]*before=\d+)" rel="next"`)
var newerLink = regexp.MustCompile(`href="(/audit\?[^"]*after=\d+)" rel="prev"`)

func TestAuditPagesByKeysetAndChecksTheChain(t *testing.T) {
	c := newPagesCast(t)
	if err := c.e.db.Tx(ctx, func(tx store.Conn) error {
		for i := 1; i <= 120; i++ {
			if err := tx.Audit(ctx, store.CLI, "ptj.add", "ptj", fmt.Sprintf("%08d", 13000000+i), map[string]any{"name": "Jabatan Ujian"}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows := func(body string) int { return strings.Count(body, `<td data-label="Masa">`) }
	first := c.audit.get("/audit?action=ptj.add")
	expect(t, "first page", first, 200, "122 rekod sepadan.", "menambah PTJ 13000120 (Jabatan Ujian).") // and the two PTJs of the cast
	m := olderLink.FindStringSubmatch(first.Body)
	if rows(first.Body) != 50 || m == nil || newerLink.MatchString(first.Body) {
		t.Fatalf("first page: %d rows, older link %v", rows(first.Body), m)
	}
	second := c.audit.get(strings.ReplaceAll(m[1], "&amp;", "&"))
	expect(t, "second page", second, 200, "13000070", "action=ptj.add")
	if rows(second.Body) != 50 || strings.Contains(second.Body, "13000071<") {
		t.Fatalf("second page: %d rows", rows(second.Body))
	}
	third := c.audit.get(strings.ReplaceAll(olderLink.FindStringSubmatch(second.Body)[1], "&amp;", "&"))
	if rows(third.Body) != 22 || olderLink.MatchString(third.Body) || !strings.Contains(third.Body, "13000001") {
		t.Fatalf("last page: %d rows", rows(third.Body))
	}
	back := c.audit.get(strings.ReplaceAll(newerLink.FindStringSubmatch(third.Body)[1], "&amp;", "&"))
	if rows(back.Body) != 50 || !strings.Contains(back.Body, "13000070") {
		t.Fatalf("back to the second page: %d rows", rows(back.Body))
	}
	expect(t, "chain check", c.audit.get("/audit?verify=1&action=ptj.add"), 200, "Rantaian audit lengkap", "122 rekod sepadan.")
}
