package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/perbendaharaan/ispeks/forms"
)

// fits checks, at each width, that the page at path is no wider than the
// screen (loaded once at the first width, laid out again at the others); with
// ISPEKS_TEST_SHOTS set to a folder, it also keeps a screenshot of it there
// to look at, called name.
func fits(t *testing.T, base, path, name string, widths ...int64) []chromedp.Action {
	var out []chromedp.Action
	for i, w := range widths {
		out = append(out, chromedp.EmulateViewport(w, 900, chromedp.EmulateMobile))
		if i == 0 {
			out = append(out, chromedp.Navigate(base+path))
		}
		out = append(out, chromedp.ActionFunc(func(ctx context.Context) error {
			var got int64
			if err := chromedp.Evaluate(`document.scrollingElement.scrollWidth`, &got).Do(ctx); err != nil {
				return err
			}
			if got > w {
				t.Errorf("%s (%s) is %d px wide on a %d px screen", path, name, got, w)
			}
			if dir := os.Getenv(ShotsEnv); dir != "" {
				var png []byte
				if err := chromedp.FullScreenshot(&png, 100).Do(ctx); err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", name, w)), png, 0o644)
			}
			return nil
		}))
	}
	return out
}

// TestBrowserReturnedRequestAndAuditPage: with JavaScript off, at 1366 and
// 390 px, a representative reads a returned request's remarks first,
// replies to them and goes on to amend it; the auditor filters the audit
// page by date. No page is wider than the screen.
func TestBrowserReturnedRequestAndAuditPage(t *testing.T) {
	exe := chromium(t)
	c := newPagesCast(t)
	base := c.e.ts.URL
	id := c.create(t, borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah binti Kamal"))
	c.act(c.officer, id, c.stored(t, id).Version, "return", "remarks", "Sila lampirkan surat lantikan daripada Bahagian Sumber Manusia.")
	c.rep.postFile(fmt.Sprintf("/requests/%d/attachments", id), "surat-lantikan-nur-aisyah-binti-kamal-bahagian-sumber-manusia.pdf", fakePDF(2000, 3))
	path := fmt.Sprintf("/requests/%d", id)

	steps := loginSteps(base, pgRep)
	for _, p := range []struct{ path, name string }{
		{path, "returned"}, {path + "/print", "print"}, {"/requests/new?kind=deactivation", "form"},
	} {
		steps = append(steps, fits(t, base, p.path, p.name, 1366, 390)...)
	}
	steps = append(steps,
		chromedp.Navigate(base+path),
		chromedp.SendKeys(`#reply-text`, "Surat akan dilampirkan.", chromedp.ByQuery),
		chromedp.Click(`#reply button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitReady(".flash.ok", chromedp.ByQuery),
		chromedp.Click(`.next-step a.button.primary`, chromedp.ByQuery),
		chromedp.WaitReady(`form.borang`, chromedp.ByQuery), // the amendment form
	)
	html := browse(t, exe, steps...)
	if !strings.Contains(html, "Sila lampirkan surat lantikan") || !strings.Contains(html, "Hantar semula") {
		t.Fatalf("the amendment form:\n%s", html)
	}
	if r := c.rep.get(path); !strings.Contains(r.Body, "Surat akan dilampirkan.") {
		t.Fatal("the reply is not in the history")
	}

	steps = append(loginSteps(base, pgAuditor), fits(t, base, "/audit", "audit", 1366, 390)...)
	steps = append(steps,
		chromedp.Navigate(base+"/audit"),
		chromedp.SendKeys(`#a-from`, "02/11/2026", chromedp.ByQuery),
		chromedp.SetValue(`#a-action`, "request.return", chromedp.ByQuery),
		chromedp.Click(`form.audit-filters button[type="submit"]`, chromedp.ByQuery),
		// The filtered page (the form's page has a table too): its action
		// is chosen in the markup, not just in the browser.
		chromedp.WaitReady(`#a-action option[value="request.return"][selected]`, chromedp.ByQuery),
		chromedp.WaitReady(`table.audit-log`, chromedp.ByQuery),
	)
	html = browse(t, exe, steps...)
	if !strings.Contains(html, "Badrul Officer mengembalikan") || strings.Contains(html, "menghantar semula") {
		t.Fatalf("the filtered audit page:\n%s", html)
	}
}
