package web_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestBrowserAccountJourneys: with JavaScript off, at 1366 and 390 px, a
// visitor sent to log in from a protected page is told why, follows
// "Lupa kata laluan?" and asks for a link; a sysadmin finds a locked
// profile through the users filter, unlocks it from the user's page, and
// resets the password of a user who called with a temporary one.
func TestBrowserAccountJourneys(t *testing.T) {
	exe := chromium(t)
	c := newUsersCast(t)
	e := c.e
	base := e.ts.URL
	width := func(w int64) chromedp.Action { return emulation.SetDeviceMetricsOverride(w, 900, 1, w < 500) }
	forgot := func(w int64, login string) []chromedp.Action {
		return []chromedp.Action{
			width(w),
			chromedp.Navigate(base + "/requests"),
			chromedp.WaitVisible(`//p[contains(., "Sila log masuk untuk meneruskan")]`),
			chromedp.Click(`a[href="/password/forgot"]`, chromedp.ByQuery),
			chromedp.SendKeys("#login", login, chromedp.ByQuery),
			chromedp.Click(`form[action="/password/forgot"] button[type="submit"]`, chromedp.ByQuery),
			chromedp.WaitVisible(`//p[contains(@class, "ok") and contains(., "pautan sekali guna telah dihantar")]`),
		}
	}
	browse(t, exe, append(forgot(1366, "900101-04-5678"), forgot(390, "700101015553")...)...)
	if n := len(e.mails("password_forgot_link")); n != 1 {
		t.Fatalf("%d links mailed, want the one of the profile", n)
	}

	e.exec("UPDATE users SET locked_at = ? WHERE id = ?", e.clock(), c.noraini.ID)
	var temp string
	steps := append(loginSteps(base, "sysadmin01"),
		width(390),
		chromedp.Navigate(base+"/users"),
		chromedp.SetValue("#status", "locked", chromedp.ByQuery),
		chromedp.Click(`form.filters button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitReady(`#status option[value="locked"][selected]`, chromedp.ByQuery), // the filtered list
		chromedp.Click(`//a[text()="Noraini Binti Ali"]`),
		chromedp.Click(`#unlock input[name="confirm"]`, chromedp.ByQuery),
		chromedp.Click(`#unlock button[type="submit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`//p[contains(., "Profil Noraini Binti Ali (850505-**-***1) telah dibuka kunci")]`),
		width(1366),
		chromedp.Navigate(base+fmt.Sprintf("/users/%d", c.norma.ID)),
		chromedp.Click(`#reset input[name="identity_checked"]`, chromedp.ByQuery),
		chromedp.SendKeys("#reason", "Pengguna menelefon; identiti disahkan.", chromedp.ByQuery),
		chromedp.Click(`#reset input[value="temporary"]`, chromedp.ByQuery),
		chromedp.Click(`#reset button[type="submit"]`, chromedp.ByQuery),
		chromedp.Text(".temp-password code", &temp, chromedp.ByQuery),
	)
	browse(t, exe, steps...)
	if r := e.browser().login(ahmad, testPassword); r.Status != 303 {
		t.Fatalf("login after the unlock: %d", r.Status)
	}
	if r := e.browser().login(siti, strings.TrimSpace(temp)); r.Status != 303 || r.Location != "/password" {
		t.Fatalf("login with the temporary password %q: %d %q", temp, r.Status, r.Location)
	}
}
