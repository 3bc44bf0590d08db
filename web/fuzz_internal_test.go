package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
)

// postContext is a gin context of a POST with body of content type ct.
func postContext(ct, body string) *gin.Context {
	gin.SetMode(gin.TestMode)
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(body))
	c.Request.Header.Set("Content-Type", ct)
	return c
}

// FuzzBindBorang posts arbitrary form bodies to the Borang binding and then
// through the Borang's own rules and the form's view: nothing panics, every
// role bound is a known one, a limit is either an amount of sen that is not
// negative or a message on its own field, and every refusal is Invalid.
func FuzzBindBorang(f *testing.F) {
	good := url.Values{"kind": {"registration"}, "ptj_code": {"12010101"}, "subject.ic_number": {"900101-04-5679"},
		"subject.name": {"Siti Binti Ahmad"}, "subject.email": {"siti@melaka.gov.my"}, "modules": {"epayslip", "eec"},
		"roles": {"ptj_rep", "auditor", "nobody"}, "limit.ptj_rep": {"1,000.50"}, "limit.auditor": {"-5"},
		"justification": {"Perlu capaian.\r\nBaris dua."}, "declaration": {"on"}}
	f.Add(good.Encode())
	for _, s := range []string{"", "roles=ptj_rep&limit.ptj_rep=99999999999999999999", "roles=ptj_rep&limit.ptj_rep=1e9",
		"kind=%FF&subject.name=%00", "modules=x&modules=epayslip&modules=epayslip", "limit.ptj_rep=&roles=ptj_rep", "%zz=1&a"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body string) {
		c := postContext("application/x-www-form-urlencoded", body)
		_ = c.Request.ParseForm()
		e := bindBorang(c.Request.PostForm)
		for i, g := range e.Form.Roles {
			if !slices.Contains(forms.Roles, g.Role) || g.ApprovalLimitSen < 0 {
				t.Fatalf("bound role %d: %+v", i, g)
			}
		}
		for _, fe := range e.Errs {
			if !strings.HasPrefix(fe.Field, "roles[") || fe.Message("ms") == "" {
				t.Fatalf("limit message %+v", fe)
			}
		}
		for _, r := range forms.Roles {
			if _, ok := e.Limits[r]; !ok {
				t.Fatalf("no limit as typed for %s", r)
			}
		}
		f := e.Form
		f.Normalize()
		err := f.Validate(forms.ValidateOptions{Ceilings: map[forms.Role]int64{forms.RolePTJRep: 5_000_000}, Now: now})
		if err != nil && !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("Validate: %v is not Invalid", err)
		}
		for _, l := range i18n.Langs {
			v := borangForm(l, e.Form.Kind, e)
			var fields []fieldText
			for _, fe := range append(apperr.As(err).Fields, e.Errs...) {
				fields = append(fields, fieldText{Field: fe.Field, Text: fe.Message(l)})
			}
			v.setErrors(e.Form, fields)
		}
	})
}

// FuzzEdgeJSON sends arbitrary JSON bodies through the edge's check, and
// what it lets through into every JSON body the API binds: nothing panics,
// and no string the edge let through holds what forms.CheckText refuses.
func FuzzEdgeJSON(f *testing.F) {
	for _, s := range []string{`{"login":"900101045679","password":"x"}`, `{"subject":{"name":"Siti"},"roles":[{"role":"ptj_rep","approval_limit_sen":100}]}`,
		`{"remarks":"a\r\nb"}`, `{"name":"a\u0000b"}`, `{"a":["\u202e"]}`, "{\"a\":\"\xff\"}", `{"a":"\ud800"}`, `[1,2,{"x":"y"}]`, `"str"`, `{`, ``,
		`{"action":"approve","version":3,"remarks":"Lulus"}`, `{"delegate_login":"x","from":"2026-11-01","to":"2026-11-30"}`} {
		f.Add(s)
	}
	s := &Server{cfg: &config.Config{UploadLimit: config.DefaultUploadLimit}}
	rt := &route{}
	f.Fuzz(func(t *testing.T, body string) {
		c := postContext("application/json", body)
		err := s.checkInput(c, rt)
		if err != nil {
			if code := apperr.CodeOf(err); code != apperr.Invalid && code != apperr.TooLarge {
				t.Fatalf("edge: %v", err)
			}
			return
		}
		var v any
		if json.Unmarshal([]byte(body), &v) == nil {
			if bad := badString("", v); bad != "" {
				t.Fatalf("edge let %q through in %s", body, bad)
			}
		}
		for _, dst := range []any{&tokenRequest{}, &passwordChangeRequest{}, &passwordSetRequest{}, &requestBody{}, &actionBody{}, &delegationBody{}} {
			c := postContext("application/json", body)
			if err := c.ShouldBindJSON(dst); err == nil {
				if rb, ok := dst.(*requestBody); ok {
					_ = rb.form()
				}
			}
		}
	})
}

// badString returns the path of the first string of v (keys included) that
// CheckText refuses, multi-line fields judged as such; "" when none.
func badString(path string, v any) string {
	switch x := v.(type) {
	case string:
		name := path[strings.LastIndexAny(path, ".]")+1:]
		if forms.CheckText(x, slices.Contains(multilineFields, name)) != nil {
			return path
		}
	case []any:
		for _, e := range x {
			if p := badString(path+"[]", e); p != "" {
				return p
			}
		}
	case map[string]any:
		for k, e := range x {
			if forms.CheckText(k, false) != nil {
				return path + "." + k
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			if bad := badString(p, e); bad != "" {
				return bad
			}
		}
	}
	return ""
}
