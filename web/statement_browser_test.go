package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/perbendaharaan/ispeks/store"
)

// TestECBrowserWithoutJavaScript: with JavaScript off, a system
// administrator generates 2025 and publishes it through the confirmation
// box; an employee follows the home tile to her Borang EC.
func TestECBrowserWithoutJavaScript(t *testing.T) {
	exe := chromium(t)
	c := newECCast(t, store.SQLite)
	if _, err := c.e.ec.LoadDefaultMapping(ctx, store.CLI); err != nil {
		t.Fatal(err)
	}
	base := c.e.ts.URL

	html := browse(t, exe, append(loginSteps(base, "sysadmin01"),
		chromedp.Navigate(base+"/ec/years"),
		chromedp.SetValue("#year", "2025", chromedp.ByQuery),
		chromedp.Click(`form[action="/ec/years"] button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(".flash.ok", chromedp.ByQuery),
		chromedp.Click(`form[action="/ec/years/2025/publish"] input[name="confirm"]`, chromedp.ByQuery),
		chromedp.Click(`form[action="/ec/years/2025/publish"] button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.status-line .badge.ok`, chromedp.ByQuery), // the published year, not the page before
	)...)
	if !strings.Contains(html, "Borang EC diterbitkan:") {
		t.Fatalf("after publishing:\n%s", html)
	}

	html = browse(t, exe, append(loginSteps(base, slipIC),
		chromedp.Click(`.card a[href="/eec"]`, chromedp.ByQuery), // the home tile
		chromedp.Click(`a[href="/eec/2025"]`, chromedp.ByQuery),
		chromedp.WaitVisible("table.ec-lines", chromedp.ByQuery),
	)...)
	if !strings.Contains(html, "BAGI TAHUN BERAKHIR 31 DISEMBER "+strconv.Itoa(2025)) || !strings.Contains(html, "e-BE") {
		t.Fatalf("Siti's Borang EC:\n%s", html)
	}
}
