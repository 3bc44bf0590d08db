package web_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/perbendaharaan/ispeks/document/documenttest"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// RequireBrowserEnv makes a missing Chromium fail the browser test instead
// of skipping it (CI sets it; scripts/test installs Chromium when root).
const RequireBrowserEnv = "ISPEKS_TEST_REQUIRE_BROWSER"

// chromium finds Debian's Chromium, or skips (fails under RequireBrowserEnv).
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("ISPEKS_TEST_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv(RequireBrowserEnv) != "" {
		t.Fatal("Chromium is required (" + RequireBrowserEnv + ") but not installed")
	}
	t.Skip("no Chromium: the browser test is skipped")
	return ""
}

// TestBrowserWithoutJavaScript drives a real Chromium with JavaScript turned
// off through a Borang's life: the representative logs in and submits the
// form, the controlling officer approves it from the detail page with the
// confirmation box. Pages must work for users whose browsers run no script.
func TestBrowserWithoutJavaScript(t *testing.T) {
	exe := chromium(t)
	c := newPagesCast(t)
	base := c.e.ts.URL

	run := func(steps ...chromedp.Action) string { t.Helper(); return browse(t, exe, steps...) }
	login := func(id string) []chromedp.Action { return loginSteps(base, id) }

	html := run(append(login(pgRep),
		chromedp.Navigate(base+"/requests/new?kind=registration"),
		chromedp.SendKeys(`[name="subject.ic_number"]`, "920202-10-5432", chromedp.ByQuery),
		chromedp.SendKeys(`[name="subject.name"]`, "Nur Aisyah binti Kamal", chromedp.ByQuery),
		chromedp.SendKeys(`[name="subject.email"]`, "aisyah@melaka.gov.my", chromedp.ByQuery),
		chromedp.Click(`input[name="modules"][value="epayslip"]`, chromedp.ByQuery),
		chromedp.SendKeys(`[name="justification"]`, "Pegawai baharu.", chromedp.ByQuery),
		chromedp.Click(`input[name="declaration"]`, chromedp.ByQuery),
		chromedp.Click(`form.borang button[name="send"]`, chromedp.ByQuery),
		chromedp.WaitReady("#action-withdraw", chromedp.ByQuery), // the detail page of the new request
	)...)
	if !strings.Contains(html, "BPP/2026/000001") || !strings.Contains(html, "NUR AISYAH BINTI KAMAL") {
		t.Fatalf("after submitting the form:\n%s", html)
	}

	html = run(append(login(pgOfficer),
		chromedp.Navigate(base+"/requests/1"),
		chromedp.Click(`#action-approve input[name="confirm"]`, chromedp.ByQuery),
		chromedp.Click(`#action-approve button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitReady(".flash.ok", chromedp.ByQuery), // "… telah diluluskan."
	)...)
	var r store.Request
	if err := c.e.db.IDB().NewSelect().Model(&r).Where("id = 1").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if r.State != workflow.OfficerApproved {
		t.Fatalf("after the officer's click the request is %s:\n%s", r.State, html)
	}
}

// browse runs steps in a Chromium of its own with JavaScript turned off
// and returns the page's HTML at the end; a failed step fails the test with
// where the browser was and what it showed.
func browse(t *testing.T, exe string, steps ...chromedp.Action) string {
	t.Helper()
	// Each run is a browser of its own on a profile of its own, so that
	// nothing (a cookie written late) passes from one user to the next.
	var html string
	withBrowser(t, exe, func(bctx context.Context) {
		bctx, cancelRun := context.WithTimeout(bctx, 90*time.Second)
		defer cancelRun()
		all := append([]chromedp.Action{emulation.SetScriptExecutionDisabled(true)}, steps...)
		all = append(all, chromedp.OuterHTML("html", &html, chromedp.ByQuery))
		run(t, bctx, "browser", all...)
	})
	return html
}

// loginSteps log a user in through the login form at base.
func loginSteps(base, id string) []chromedp.Action {
	return []chromedp.Action{
		chromedp.Navigate(base + "/login"),
		chromedp.SendKeys("#login", id, chromedp.ByQuery),
		chromedp.SendKeys("#password", testPassword, chromedp.ByQuery),
		chromedp.Click(`main form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitReady(`form[action="/logout"]`, chromedp.ByQuery), // logged in
	}
}

// removeAll removes a browser's profile folder, trying again for a few
// seconds: Chromium's helper processes may still write into it for a moment
// after the browser has exited, and a folder left behind must not fail a test.
func removeAll(dir string) {
	for range 50 {
		if os.RemoveAll(dir) == nil {
			if _, err := os.Stat(dir); os.IsNotExist(err) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBrowserPayslipJourney: with JavaScript off, an employee logs in,
// opens the ePayslip tile, opens a month's slip and downloads its PDF.
func TestBrowserPayslipJourney(t *testing.T) {
	exe := chromium(t)
	c := newPayslipCast(t, store.SQLite)
	if _, err := c.e.slips.Import(ctx, store.CLI, "gaji.csv", bytes.NewReader(samplePayroll(t)), false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.e.slips.Publish(ctx, store.CLI, "2026-10", ""); err != nil {
		t.Fatal(err)
	}
	base := c.e.ts.URL
	// The downloads' folder goes after the browser has exited.
	downloads, err := os.MkdirTemp("", "ispeks-downloads-")
	if err != nil {
		t.Fatal(err)
	}
	defer removeAll(downloads)
	var html string
	steps := []chromedp.Action{
		emulation.SetScriptExecutionDisabled(true),
		cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName).WithDownloadPath(downloads),
		chromedp.Navigate(base + "/login"),
		chromedp.SendKeys("#login", "900101-04-5679", chromedp.ByQuery),
		chromedp.SendKeys("#password", testPassword, chromedp.ByQuery),
		chromedp.Click(`main form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitReady(`form[action="/logout"]`, chromedp.ByQuery),
		chromedp.Click(`.card a[href="/epayslip"]`, chromedp.ByQuery), // the home tile
		chromedp.WaitReady(`a[href="/epayslip/2026-10"]`, chromedp.ByQuery),
		chromedp.Click(`a[href="/epayslip/2026-10"]`, chromedp.ByQuery),
		chromedp.WaitReady(`a[href="/epayslip/2026-10/pdf"]`, chromedp.ByQuery),
		chromedp.OuterHTML("main", &html, chromedp.ByQuery),
		chromedp.Click(`a.button[href="/epayslip/2026-10/pdf"]`, chromedp.ByQuery),
	}
	var pdf []byte
	withBrowser(t, exe, func(bctx context.Context) {
		bctx, cancelRun := context.WithTimeout(bctx, 90*time.Second)
		defer cancelRun()
		run(t, bctx, "payslip journey", steps...)
		if !strings.Contains(html, "RM 2,965.00") || !strings.Contains(html, "RM 3,120.55") {
			t.Fatalf("the slip page:\n%s", html)
		}
		// The download lands as a file (Chromium names it by its GUID); wait
		// for it to be whole — a deadline, not a timing assertion.
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && pdf == nil; time.Sleep(100 * time.Millisecond) {
			files, _ := os.ReadDir(downloads)
			for _, f := range files {
				if strings.HasSuffix(f.Name(), ".crdownload") {
					continue
				}
				if b, err := os.ReadFile(filepath.Join(downloads, f.Name())); err == nil && bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
					pdf = b
				}
			}
		}
	})
	if pdf == nil {
		t.Fatal("no PDF was downloaded")
	}
	if documenttest.Opens(t, pdf, "") || !strings.Contains(documenttest.Text(t, pdf, slipIC), "2,965.00") {
		t.Fatal("the downloaded PDF does not open with the MyKad or lacks the net pay")
	}
}
