package web_test

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// ShotsEnv names a folder where the browser tests keep a PNG of each page
// whose width they check (fits), for a person to look at.
const ShotsEnv = "ISPEKS_TEST_SHOTS"

// Widths the pages are walked at: a phone (the 390 px) and an
// office screen.
const (
	phoneWidth   = 390
	desktopWidth = 1366
)

// TestPagesFitTheScreen walks every GET page of the route table as each
// persona may see it, with lists that hold rows, in one headless Chromium
// (JavaScript off, the cookies cleared between personas), and fails when a page is
// wider than the screen at 390 px or at 1,366 px: tables must stack or
// scroll inside themselves, and the navigation fold into its menu.
func TestPagesFitTheScreen(t *testing.T) {
	exe := chromium(t)
	e := newEnv(t, store.SQLite)
	e.now = time.Date(2026, 11, 20, 1, 0, 0, 0, time.UTC) // after the samples' dates
	all := forms.Modules
	logins := map[string]string{
		mustChange: "700101015013", employee: slipIC, bare: "700101015087", ptjRep: pgRep,
		officer: pgOfficer, treasury: pgTreasury, sysadmin: "sysadmin01", auditor: pgAuditor,
	}
	e.user(logins[mustChange], "Pengguna Tukar Kata Laluan", pgPTJ, nil, all, true)
	e.user(logins[employee], "Siti Binti Ahmad", pgPTJ, nil, all, false)
	e.user(logins[bare], "Pengguna Tanpa Modul", pgPTJ, nil, nil, false)
	e.user(logins[ptjRep], "Aminah Binti Wakil Pusat Tanggungjawab", pgPTJ, []forms.Role{forms.RolePTJRep}, all, false)
	e.user(logins[officer], "Badrul Officer", pgPTJ, []forms.Role{forms.RoleControllingOfficer}, nil, false)
	e.user(logins[treasury], "Dayang Treasury", pgPTJ, []forms.Role{forms.RoleTreasuryApprover}, nil, false)
	e.user(logins[sysadmin], "Ehsan Sysadmin", pgPTJ, []forms.Role{forms.RoleSysadmin}, nil, false)
	e.user(logins[auditor], "Jamilah Auditor", pgPTJ, []forms.Role{forms.RoleAuditor}, nil, false)
	fillLists(t, e, logins)

	// The pages each persona is shown (redirects lead to pages walked
	// anyway; files are not pages).
	ids := strings.NewReplacer("V999999", "V2026000102", "999999", "1")
	walk := map[string][]string{}
	for _, r := range e.srv.Routes() {
		row, ok := accessMatrix[r.Method+" "+r.Path]
		if r.Method != "GET" || strings.HasPrefix(r.Path, "/api/") || !ok {
			continue // a missing row fails TestAccessMatrix
		}
		for _, p := range row.allowed {
			if _, ok := logins[p]; ok || p == anon {
				walk[p] = append(walk[p], ids.Replace(row.path))
			}
		}
	}

	shots := os.Getenv(ShotsEnv)
	withBrowser(t, exe, func(bctx context.Context) {
		for _, p := range slices.Sorted(maps.Keys(walk)) {
			// The previous persona's session goes with its cookies.
			steps := []chromedp.Action{network.ClearBrowserCookies(), emulation.SetScriptExecutionDisabled(true)}
			if p != anon {
				steps = append(steps, loginSteps(e.ts.URL, logins[p])...)
			}
			run(t, bctx, p+" login", steps...)
			client := e.browser()
			if p != anon {
				client.login(logins[p], testPassword)
			}
			for _, path := range walk[p] {
				if r := client.get(path); r.Status >= 300 && r.Status < 400 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
					continue
				}
				name := regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(p+path, "_")
				run(t, bctx, p+" "+path, fits(t, e.ts.URL, path, name, phoneWidth, desktopWidth)...)
			}
		}
		// On a phone the navigation is a closed menu that opens with a
		// tap, script or none (the last persona is still logged in).
		var before, after bool
		run(t, bctx, "menu at 390 px",
			chromedp.EmulateViewport(phoneWidth, 900, chromedp.EmulateMobile),
			chromedp.Navigate(e.ts.URL+"/"),
			chromedp.Evaluate(`document.querySelector('details.menu nav a').checkVisibility()`, &before),
			chromedp.Click(`details.menu > summary`, chromedp.ByQuery),
			chromedp.WaitVisible(`details.menu nav a`, chromedp.ByQuery),
			chromedp.Evaluate(`document.querySelector('details.menu nav a').checkVisibility()`, &after))
		if before || !after {
			t.Errorf("the phone's menu: links shown before the tap %v, after %v", before, after)
		}
		if shots != "" {
			var png []byte
			run(t, bctx, "screenshot", chromedp.FullScreenshot(&png, 100))
			_ = os.WriteFile(filepath.Join(shots, "menu_open_390.png"), png, 0o644)
		}
	})
}

// fillLists gives every list page rows: a published payroll month, the
// sample payments, a submitted Borang, an audit trail and mail.
func fillLists(t *testing.T, e *env, logins map[string]string) {
	t.Helper()
	if _, err := e.slips.Import(ctx, store.CLI, "gaji-2026-10.csv", bytes.NewReader(samplePayroll(t)), false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.slips.Publish(ctx, store.CLI, "2026-10", "2026-10-24"); err != nil {
		t.Fatal(err)
	}
	if status, body, _ := e.upload(nil, "/api/v1/payments/imports", e.token(logins[sysadmin]), "bayaran.csv", readSample(t), false); status != 201 {
		t.Fatalf("payments import: %d %s", status, body)
	}
	rep := e.browser()
	rep.login(logins[ptjRep], testPassword)
	form := borangValues(forms.KindRegistration, pgNewIC, "Nur Aisyah Binti Kamaruddin Shah")
	form.Set("send", "1")
	if r := rep.post("/requests/new", form); r.Status != http.StatusSeeOther {
		t.Fatalf("new request: %d\n%s", r.Status, r.Body)
	}
}

// withBrowser starts one headless Chromium on a profile of its own for the
// whole of f (its first tab is bctx's), closes it and waits for its process
// to end before the profile's folder goes: a browser still writing its
// profile must not fail the test (issue 14).
func withBrowser(t *testing.T, exe string, f func(bctx context.Context)) {
	t.Helper()
	dir, err := os.MkdirTemp("", "ispeks-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer removeAll(dir) // runs after the browser exited (the cancels below first)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(dir))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc() // kills the browser and waits for its process to end
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first Run starts the browser for bctx's life; steps then run with
	// deadlines of their own.
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	f(bctx)
}

// run runs steps in the browser tab of bctx, each with its own deadline,
// and fails the test with what, where and the page's content when one fails.
func run(t *testing.T, bctx context.Context, what string, steps ...chromedp.Action) {
	t.Helper()
	for i, a := range steps {
		sctx, cancel := context.WithTimeout(bctx, 20*time.Second)
		err := chromedp.Run(sctx, a)
		cancel()
		if err != nil {
			var loc, page string
			_ = chromedp.Run(bctx, chromedp.Location(&loc), chromedp.OuterHTML("main", &page, chromedp.ByQuery))
			t.Fatalf("%s: step %d: %v at %s\n%s", what, i, err, loc, page)
		}
	}
}
