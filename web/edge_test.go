package web_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// raw sends a request with body as it is (nil length: chunked) and returns
// the status, the headers and the body.
func (e *env) raw(method, path, contentType string, body io.Reader, header ...string) (int, http.Header, string) {
	e.t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// onlyReader hides a reader's length, so that the client sends it chunked
// (a body whose size the server learns only by reading it).
type onlyReader struct{ io.Reader }

// TestBodiesAreLimited: a body over its route's limit is answered 413 in
// the error shape before anything reads it whole — the token call at 8 KiB,
// a request at 64 KiB, with or without a Content-Length — and a password
// over 128 characters never reaches argon2.
func TestBodiesAreLimited(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RolePTJRep}, nil, false)
	huge := `{"login":"` + siti + `","password":"` + strings.Repeat("A", 1<<20) + `"}`
	for name, body := range map[string]io.Reader{"sized": strings.NewReader(huge), "chunked": onlyReader{strings.NewReader(huge)}} {
		status, _, out := e.raw("POST", "/api/v1/auth/token", "application/json", body)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(out, `"code":"too_large"`) || !strings.Contains(out, "8 KiB") {
			t.Errorf("%s 1 MiB token call: %d %s", name, status, out)
		}
	}
	// A page's form: the error page, in the user's language.
	r := e.browser().post("/login", url.Values{"login": {siti}, "password": {strings.Repeat("A", 20<<10)}})
	if r.Status != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, "terlalu besar") {
		t.Errorf("20 KiB login form: %d", r.Status)
	}
	// A Borang through the API: 64 KiB.
	tok := e.token(siti)
	big, _ := json.Marshal(map[string]any{"kind": "registration", "justification": strings.Repeat("x", 70<<10)})
	status, _, out := e.raw("POST", "/api/v1/requests", "application/json", bytes.NewReader(big), "Authorization", "Bearer "+tok)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(out, "64 KiB") {
		t.Errorf("70 KiB Borang: %d %s", status, out)
	}
	small, _ := json.Marshal(map[string]any{"kind": "registration", "justification": strings.Repeat("x", 50<<10)})
	if status, _, out := e.raw("POST", "/api/v1/requests", "application/json", bytes.NewReader(small), "Authorization", "Bearer "+tok); status != http.StatusUnprocessableEntity {
		t.Errorf("50 KiB Borang reaches the Borang's rules: %d %s", status, out)
	}
	// A password of 129 characters is a failed login, like any wrong one
	// (and within the 8 KiB of the call).
	if status, out := e.api("POST", "/api/v1/auth/token", "", map[string]string{"login": siti, "password": testPassword + strings.Repeat("x", 120)}); status != http.StatusUnauthorized {
		t.Errorf("129-character password: %d %v", status, out)
	}
}

// hostile are values no field may hold (but a multi-line one may hold the
// line breaks of the last case, which is not hostile there).
var hostile = []string{"a\x00b", "esc\x1b[31m", "bel\a", "\u202eevil", "iso\u2066x", "bad\xff\xfeutf8", "del\x7f"}

// TestHostileTextIsRefusedEverywhere walks the route table: every route,
// a module's too, refuses NUL, other control characters, bidi overrides and
// invalid UTF-8 in its path, its query, a form body and a JSON body, with
// 422 naming the field, before its rule or handler runs.
func TestHostileTextIsRefusedEverywhere(t *testing.T) {
	e := newEnv(t, store.SQLite)
	for _, rt := range e.srv.Routes() {
		key := rt.Method + " " + rt.Path
		path := accessMatrix[key].path
		if path == "" {
			t.Errorf("%s: no path in the access matrix", key)
			continue
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		api := strings.HasPrefix(rt.Path, "/api/") // the API names fields in JSON, a page in its message
		for _, v := range hostile {
			status, _, out := e.raw(rt.Method, path+sep+"q="+url.QueryEscape(v), "", nil)
			if status != http.StatusUnprocessableEntity || (api && !strings.Contains(out, `"q":`)) || (!api && !strings.Contains(out, "“q”")) {
				t.Errorf("%s with q=%q: %d", key, v, status)
			}
		}
		if rt.Method == "GET" || rt.Method == "DELETE" {
			continue
		}
		for _, v := range hostile {
			status, _, out := e.raw(rt.Method, path, "application/x-www-form-urlencoded", strings.NewReader(url.Values{"remarks": {v}}.Encode()))
			if status != http.StatusUnprocessableEntity || !strings.Contains(out, "remarks") {
				t.Errorf("%s with form remarks=%q: %d", key, v, status)
			}
			body := `{"subject":{"name":"` + jsonString(v) + `"},"roles":[{"role":"x"}]}`
			status, _, out = e.raw(rt.Method, path, "application/json", strings.NewReader(body))
			if status != http.StatusUnprocessableEntity || !strings.Contains(out, "subject.name") {
				t.Errorf("%s with JSON subject.name=%q: %d %s", key, v, status, out)
			}
			// The JSON check does not trust the declared type (a file
			// import's raw body is the importer's to check).
			status, _, _ = e.raw(rt.Method, path, "text/plain", strings.NewReader(body))
			if status != http.StatusUnprocessableEntity && !rt.Upload() {
				t.Errorf("%s with JSON sent as text/plain: %d", key, status)
			}
		}
		// Line breaks pass where the field may hold them, and only there.
		lines := url.Values{"remarks": {"baris satu\r\nbaris dua\tlajur"}}.Encode()
		if status, _, out := e.raw(rt.Method, path, "application/x-www-form-urlencoded", strings.NewReader(lines)); status == http.StatusUnprocessableEntity && strings.Contains(out, "“remarks”") {
			t.Errorf("%s refuses line breaks in remarks", key)
		}
		lines = url.Values{"login": {"900101\n045678"}}.Encode()
		if status, _, _ := e.raw(rt.Method, path, "application/x-www-form-urlencoded", strings.NewReader(lines)); status != http.StatusUnprocessableEntity {
			t.Errorf("%s takes a line break in login: %d", key, status)
		}
	}
	// A parameter of the path is a field too.
	if status, _, _ := e.raw("GET", "/requests/%00", "", nil); status != http.StatusUnprocessableEntity {
		t.Errorf("/requests/%%00: %d", status)
	}
}

// TestHostileTextNeverReachesTheDatabase: the searches that answered 500
// (bun refused the NUL) and the export that answered 200 with only a header
// now answer 422, for a user who may use them.
func TestHostileTextNeverReachesTheDatabase(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.user(siti, "Siti Binti Ahmad", "12010101", []forms.Role{forms.RoleSysadmin, forms.RoleAuditor, forms.RolePTJRep}, nil, false)
		b := e.browser()
		b.login(siti, testPassword)
		for _, p := range []string{"/requests?q=%00", "/requests?ptj=1201%00", "/requests/export.csv?q=%00", "/users?q=%00", "/users?ptj=%00",
			"/audit?q=%00", "/requests?q=%E2%80%AE"} {
			if r := b.get(p); r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		tok := e.token(siti)
		for _, p := range []string{"/api/v1/requests?q=%00", "/api/v1/requests?ptj_code=%00", "/api/v1/requests?q=%FF"} {
			if status, out := e.api("GET", p, tok, nil); status != http.StatusUnprocessableEntity || errorCode(out) != "invalid" {
				t.Errorf("%s: %d %v", p, status, out)
			}
		}
		status, out := e.api("POST", "/api/v1/requests", tok, map[string]any{"kind": "registration", "ptj_code": "12010101",
			"subject": map[string]string{"ic_number": "990909146789", "name": "Hafiz \u202eevil", "email": "h@x.gov.my"}, "justification": "x"})
		errBody, _ := out["error"].(map[string]any)
		fields, _ := errBody["fields"].(map[string]any)
		if status != http.StatusUnprocessableEntity || fields["subject.name"] == nil {
			t.Errorf("bidi override in a name: %d %v", status, out)
		}
		if n, _ := e.db.IDB().NewSelect().Table("requests").Count(ctx); n != 0 {
			t.Errorf("%d requests stored", n)
		}
	})
}

// jsonString is s as the inside of a JSON string, its bytes kept as they
// are (invalid UTF-8 too), control characters escaped as JSON requires.
func jsonString(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[c>>4])
			b.WriteByte("0123456789abcdef"[c&15])
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
