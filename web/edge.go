package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
)

// The edge: what every route does with its input before its handler runs,
// so that a handler (a module's too) never sees a body larger than its
// route allows or text that no person types. Each route of the table gets
// it from handle; a route only says what differs from the defaults:
//
//	s.handle(g, "POST", "/login", Public, s.login).bodyLimit(credentialBody)
//	s.handle(g, "POST", "/epayslip/import", RoleIn(…), s.payslipImport).upload()
//	s.handle(g, "POST", "/emaklum/notes", …, s.note).multiline("note")

// Body limits. A body over its route's limit is refused with 413 before
// the handler runs (or, for a file import read as it streams, the handler's
// read fails and s.fail answers 413).
const (
	// credentialBody: a login, an API token, a password change — a few
	// short fields; a password longer than 128 characters is refused anyway.
	credentialBody = 8 << 10
	// defaultBody: a Borang with its justification, an action with remarks,
	// a JSON request — far under this.
	defaultBody = 64 << 10
	// formMemory is how much of a multipart form is held in memory; the
	// rest of a file goes to a temporary file the server removes after the
	// request.
	formMemory = 32 << 20
)

// multilineFields are the fields, by name (the last part of a JSON path),
// whose text may hold tab and line breaks on every route; a route adds its
// own with multiline.
var multilineFields = []string{"remarks", "justification"}

// bodyLimit sets the largest body the route accepts, in bytes.
func (rt *route) bodyLimit(n int64) *route {
	rt.limit = n
	return rt
}

// upload marks a route that takes a file import: its body may reach the
// portal's upload limit (--upload-limit). Its multipart form is parsed
// before the handler (c.FormFile and c.PostForm then read it; files over
// 32 MiB wait in a temporary file), and its text fields are checked like
// any other; the files' contents are the importer's to check.
func (rt *route) upload() *route {
	rt.isUpload = true
	return rt
}

// Upload reports whether the route takes a file import (marked upload): its
// raw body is only limited, not read as text.
func (rt route) Upload() bool { return rt.isUpload }

// multiline lets the named fields of the route hold tab and line breaks.
func (rt *route) multiline(fields ...string) *route {
	rt.lines = append(rt.lines, fields...)
	return rt
}

// maxBody is the route's body limit.
func (s *Server) maxBody(rt *route) int64 {
	switch {
	case rt.isUpload:
		return s.cfg.UploadLimit
	case rt.limit > 0:
		return rt.limit
	}
	return defaultBody
}

// edge limits the body of rt's requests and refuses, with 422 naming the
// field, text that forms.CheckText refuses in the path's parameters, the
// query, and a urlencoded form, a multipart form's text fields or a JSON
// body (every string in it, named by its path: "subject.name",
// "roles[0].role"). The raw body of an upload route (a file sent as it is)
// is only limited.
func (s *Server) edge(rt *route) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := s.checkInput(c, rt); err != nil {
			s.fail(c, err)
			return
		}
		c.Next()
	}
}

func (s *Server) checkInput(c *gin.Context, rt *route) error {
	multi := func(field string) bool {
		name := field[strings.LastIndexAny(field, ".]")+1:]
		return slices.Contains(multilineFields, name) || slices.Contains(rt.lines, name)
	}
	check := func(field, v string) error {
		if err := forms.CheckText(v, multi(field)); err != nil {
			return badText(field, err)
		}
		return nil
	}
	for _, p := range c.Params {
		if err := check(p.Key, p.Value); err != nil {
			return err
		}
	}
	if err := checkValues(c.Request.URL.Query(), check); err != nil {
		return err
	}
	r := c.Request
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	limit := s.maxBody(rt)
	if r.ContentLength > limit {
		return tooLarge(limit)
	}
	r.Body = http.MaxBytesReader(c.Writer, r.Body, limit)
	media, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case media == "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return bodyError(err, errBadForm)
		}
		return checkValues(r.PostForm, check)
	case media == "multipart/form-data":
		if err := r.ParseMultipartForm(formMemory); err != nil {
			return bodyError(err, errBadForm)
		}
		return checkValues(r.MultipartForm.Value, check)
	case media == "application/json" || strings.HasSuffix(media, "+json") || !rt.isUpload:
		// Any other small body is read too: gin's JSON binding decodes a
		// body whatever its declared type, so the check may not trust it.
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return bodyError(err, errBadJSON)
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
		var v any
		if json.Unmarshal(data, &v) != nil {
			return nil // not JSON: the handler's binding says so
		}
		// Invalid UTF-8 inside a string decodes to U+FFFD, which CheckText
		// refuses, so the field that held it is named.
		return walkJSON("", v, check)
	}
	return nil
}

// checkValues checks every value of vs, in the order of the names.
func checkValues(vs map[string][]string, check func(field, v string) error) error {
	names := make([]string, 0, len(vs))
	for k := range vs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := check(k, k); err != nil {
			return err
		}
		for _, v := range vs[k] {
			if err := check(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// walkJSON checks every string of a decoded JSON value, naming it by its
// path as the API's field errors do.
func walkJSON(path string, v any, check func(field, v string) error) error {
	switch x := v.(type) {
	case string:
		return check(path, x)
	case []any:
		for i, e := range x {
			if err := walkJSON(path+"["+strconv.Itoa(i)+"]", e, check); err != nil {
				return err
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if err := check(p, k); err != nil {
				return err
			}
			if err := walkJSON(p, x[k], check); err != nil {
				return err
			}
		}
	}
	return nil
}

var errBadForm = apperr.New(apperr.Invalid, "error.bad_form")

// badText is the 422 of a field holding refused text: the message names
// the field (the error page shows only the message), and the field's own
// message is in the fields, as for any other invalid input.
func badText(field string, err error) error {
	return &apperr.Error{Code: apperr.Invalid, Text: i18n.Of("error.bad_text", "Field", field),
		Fields: []apperr.FieldError{forms.Field(field, err)}}
}

// tooLarge is the 413 of a body over limit.
func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "error.too_large", "Limit", config.FormatSize(limit))
}

// bodyError is the error of reading a body: 413 when it passed the limit,
// otherwise other (the body is malformed).
func bodyError(err error, other error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit)
	}
	return other
}
