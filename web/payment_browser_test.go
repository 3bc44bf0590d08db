package web_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/perbendaharaan/ispeks/store"
)

// TestPaymentBrowserWithoutJavaScript: with JavaScript off, a system
// administrator uploads the accounting system's file and sees the import
// done; an employee follows the home tile to her payment and its timeline;
// a stranger checks a payment's status without logging in.
func TestPaymentBrowserWithoutJavaScript(t *testing.T) {
	exe := chromium(t)
	c := newPaymentCast(t, store.SQLite)
	base := c.e.ts.URL
	sample, err := filepath.Abs(sampleCSV)
	if err != nil {
		t.Fatal(err)
	}

	html := browse(t, exe, append(loginSteps(base, c.sysadmin),
		chromedp.Navigate(base+"/emaklum/import"),
		chromedp.SetUploadFiles("#file", []string{sample}, chromedp.ByQuery),
		chromedp.Click(`input[name="confirm"]`, chromedp.ByQuery),
		chromedp.Click(`form.upload button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash.ok", chromedp.ByQuery), // the result page, refreshed until done
	)...)
	if !strings.Contains(html, "payments-sample.csv") || !strings.Contains(html, "Import selesai") {
		t.Fatalf("after the upload:\n%s", html)
	}

	html = browse(t, exe, append(loginSteps(base, c.siti),
		chromedp.Click(`.card a[href="/emaklum"]`, chromedp.ByQuery),
		chromedp.Click(`a[href="/emaklum/vouchers/V2026000102"]`, chromedp.ByQuery),
		chromedp.WaitVisible("ol.timeline", chromedp.ByQuery),
	)...)
	if !strings.Contains(html, "TNT-2026-10-0031") || !strings.Contains(html, "Diluluskan") {
		t.Fatalf("Siti's voucher:\n%s", html)
	}

	html = browse(t, exe,
		chromedp.Navigate(base+"/"),
		chromedp.Click(`a[href="/emaklum/semak"]`, chromedp.ByQuery),
		chromedp.SendKeys("#payee_id", "201901012345", chromedp.ByQuery),
		chromedp.SendKeys("#reference", "INV-2026-0451", chromedp.ByQuery),
		chromedp.Click(`form.check-form button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".check-result", chromedp.ByQuery),
	)
	if !strings.Contains(html, "Diterima oleh bank") || strings.Contains(html, "12,500") {
		t.Fatalf("the public check:\n%s", html)
	}
}
