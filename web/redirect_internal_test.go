package web

import (
	"net/url"
	"strings"
	"testing"
)

// redirectBypasses are ways of writing "another site" that browsers follow
// from a Location header, collected from open-redirect write-ups; none may
// pass localPath.
var redirectBypasses = []string{
	"//evil.example", "///evil.example", "////evil.example",
	"/\t/evil.example/x", "/%09/evil.example/x", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example",
	"/\\evil.example", "\\\\evil.example", "/\\/evil.example", "\\/evil.example", "/%5Cevil.example", "/%5c%5cevil.example",
	"/%2F%2Fevil.example", "/%2f/evil.example", "/..//evil.example", "/.//evil.example", "/x/..//evil.example",
	"/%2e%2e//evil.example", "/a//evil.example",
	"https:evil.example", "https://evil.example", "http:/evil.example", "javascript:alert(1)", "JavaScript:alert(1)",
	"data:text/html,x", "evil.example", ".evil.example", "", " ", " /x", "/ /evil.example",
	"/\x00/evil.example", "/\x0b/evil.example", "/\x7f/evil.example",
	"/\u3002evil.example", "/\uff0f\uff0fevil.example", "/\u2215\u2215evil.example", "/\u202e/x", "/\xff",
	"//evil.example@ispeks.example", "/@evil.example", // the second is harmless, but kept by the path rule only if it parses as a path
}

func TestLocalPathRefusesOtherSites(t *testing.T) {
	for _, p := range redirectBypasses {
		got := localPath(p)
		if got != "/" && !staysHome(got) {
			t.Errorf("localPath(%q) = %q: leaves the site", p, got)
		}
		if strings.Contains(p, "evil") && got != "/" && got != p {
			t.Errorf("localPath(%q) = %q: changed but not refused", p, got)
		}
	}
	for _, p := range []string{"/\t/evil", "/%09/evil", "//evil", "/\\evil", "/%2F%2Fevil", "https:evil", "javascript:x", "/..//evil"} {
		if got := localPath(p); got != "/" {
			t.Errorf("localPath(%q) = %q, want /", p, got)
		}
	}
}

func TestLocalPathKeepsTheSitesOwnPaths(t *testing.T) {
	for _, p := range []string{"/", "/requests", "/requests/12", "/requests?state=submitted&q=siti+binti", "/users?q=a%2Fb&page=2",
		"/audit?q=%2F%2Fx", "/requests/export.csv?kind=registration", "/inbox#top"} {
		if got := localPath(p); got != p {
			t.Errorf("localPath(%q) = %q, want it kept", p, got)
		}
	}
}

// staysHome reports whether a browser on the portal that follows Location p
// stays on the portal, as far as Go's URL resolution (which follows the URL
// standard for these cases) can tell.
func staysHome(p string) bool {
	if strings.ContainsAny(p, "\t\r\n\\") || strings.HasPrefix(p, "//") {
		return false
	}
	base, _ := url.Parse("https://ispeks.example/requests/1")
	ref, err := url.Parse(p)
	if err != nil {
		return false
	}
	return base.ResolveReference(ref).Host == "ispeks.example"
}

// FuzzLocalPath checks that whatever localPath lets through is a path a
// browser resolves to this site, with nothing a browser would strip or
// reinterpret.
func FuzzLocalPath(f *testing.F) {
	for _, p := range redirectBypasses {
		f.Add(p)
	}
	f.Add("/requests?state=submitted")
	f.Fuzz(func(t *testing.T, p string) {
		got := localPath(p)
		if got == "/" {
			return
		}
		if got != strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(p) {
			t.Fatalf("localPath(%q) = %q: neither kept (cleaned) nor refused", p, got)
		}
		if !staysHome(got) {
			t.Fatalf("localPath(%q) leaves the site", p)
		}
		u, _ := url.Parse(got)
		if strings.HasPrefix(u.Path, "//") || strings.Contains(u.Path, "/../") || strings.HasSuffix(u.Path, "/..") {
			t.Fatalf("localPath(%q) kept a path that cleans to another site", p)
		}
	})
}
