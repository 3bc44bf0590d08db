package web

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
)

// Post/redirect/get, also when the action failed, for the forms a visitor
// uses before logging in (log in, forgotten password, set-password link):
// they have no session to keep a form flash under (flash.go), so the POST
// leaves its GET page a note — the message, each field's message, what was
// typed (never a password) — in a short-lived cookie signed with the master
// key (so that the words shown are the portal's own, on whichever instance
// serves the GET). The GET page takes the note once: a reload shows the
// page without it.

// prgNote is what a POST leaves for the page it redirects to.
type prgNote struct {
	Path   string            `json:"p"`           // the page it is for (a path, no query)
	Kind   string            `json:"k"`           // "ok" or "error"
	Text   string            `json:"t"`           // in the user's language
	Fields map[string]string `json:"f,omitempty"` // field → message
	Values map[string]string `json:"v,omitempty"` // field → what was typed (never a password)
}

// prgCookie names the note's cookie; prgPurpose is its key's purpose.
const (
	prgCookie  = "ispeks_note"
	prgPurpose = "prg-note"
	prgMaxAge  = 120 // seconds: the redirect follows at once
)

// flash is the note as the layout's message line.
func (n *prgNote) flash() *Flash {
	if n == nil || n.Text == "" {
		return nil
	}
	return &Flash{Kind: n.Kind, Text: n.Text}
}

// field is the message of field f, "" for none.
func (n *prgNote) field(f string) string {
	if n == nil {
		return ""
	}
	return n.Fields[f]
}

// errors are the note's messages as a form shows them: each field's, and
// the note's own under "".
func (n *prgNote) errors() map[string]string {
	m := map[string]string{"": n.Text}
	for f, msg := range n.Fields {
		m[f] = msg
	}
	return m
}

// value is what was typed in field f, "" for nothing.
func (n *prgNote) value(f string) string {
	if n == nil {
		return ""
	}
	return n.Values[f]
}

// redirectNote leaves n for the page at to (a local path, with or without
// a query) and redirects there with 303 See Other.
func (s *Server) redirectNote(c *gin.Context, to string, n prgNote) {
	u, err := url.Parse(to)
	if err != nil {
		u = &url.URL{Path: "/"}
	}
	n.Path = u.Path
	if b, err := json.Marshal(n); err == nil {
		payload := base64.RawURLEncoding.EncodeToString(b)
		sig := base64.RawURLEncoding.EncodeToString(s.keys.Sign(prgPurpose, []byte(payload)))
		s.noteCookie(c, payload+"."+sig, prgMaxAge)
	}
	c.Redirect(http.StatusSeeOther, to)
}

// failNote redirects to the page at to with err's message and the
// messages of its fields, keeping values (what was typed).
func (s *Server) failNote(c *gin.Context, to string, err error, values map[string]string) {
	fields := fieldMessages(c, err)
	text := fields[""]
	delete(fields, "")
	if text == "" {
		text = tr(c, "error.fix_fields")
	}
	s.redirectNote(c, to, prgNote{Kind: "error", Text: text, Fields: fields, Values: values})
}

// takeNote returns the note left for this page, once (its cookie is
// cleared), or nil: none, one for another page, one past its time or not
// signed with the portal's key.
func (s *Server) takeNote(c *gin.Context) *prgNote {
	v, err := c.Cookie(prgCookie)
	if err != nil || v == "" {
		return nil
	}
	s.noteCookie(c, "", -1)
	payload, sig, ok := strings.Cut(v, ".")
	if !ok {
		return nil
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.keys.Sign(prgPurpose, []byte(payload))) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	var n prgNote
	if err != nil || json.Unmarshal(b, &n) != nil || n.Path != c.Request.URL.Path {
		return nil
	}
	return &n
}

func (s *Server) noteCookie(c *gin.Context, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: prgCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode,
	})
}
