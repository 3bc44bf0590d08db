package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
)

// Post/redirect/get, also when the action failed: a form's POST always
// answers with a redirect to a GET page, so that reloading or going back
// never sends the form again. What that page must show after a refusal —
// the message, the values as typed, each field's error — rides to it in a
// form flash: a cookie that is
//   - sealed (AES-256-GCM under a key derived from the master key), so that
//     nobody reads what was typed (a delegate's MyKad) or forges a message;
//   - bound to the session it was written in (the session token is its
//     additional data), so a flash of one login never shows in another;
//   - for one page (its path) and short-lived (flashLife), and gone once
//     that page has read it.

// flashLife is how long a form flash waits for its page: the redirect
// follows at once; a browser that stalls longer sees the empty form.
const flashLife = 2 * time.Minute

// flashMax bounds the sealed cookie, well inside the 4 KiB a browser keeps
// of one cookie: a flash past it loses its extra data, then the values
// typed, before its message and errors.
const flashMax = 3000

// formFlash is what a refused form leaves for the page it returns to.
type formFlash struct {
	Page   string            `json:"p"` // the path of the GET page it is for
	Kind   string            `json:"k"` // "ok" or "error", as Flash
	Text   string            `json:"t"` // the message, in the language of the POST
	Values map[string]string `json:"v,omitempty"`
	Errors map[string]string `json:"e,omitempty"`
	Data   json.RawMessage   `json:"d,omitempty"` // what else the page keeps
	Until  int64             `json:"u"`           // Unix seconds
}

// Message is the flash's line above the page, nil when it has none.
func (f *formFlash) Message() *Flash {
	if f == nil || f.Text == "" {
		return nil
	}
	return &Flash{Kind: f.Kind, Text: f.Text}
}

// Value is the value typed into field name, "" when none was kept.
func (f *formFlash) Value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values[name]
}

// FieldErrors are the errors of the fields (never nil).
func (f *formFlash) FieldErrors() map[string]string {
	if f == nil || f.Errors == nil {
		return map[string]string{}
	}
	return f.Errors
}

// refusedFlash is the flash of a refused form: the message and the fields'
// errors of err in the request's language, with the values typed.
func refusedFlash(c *gin.Context, err error, values map[string]string) formFlash {
	l := lang(c)
	errs := fieldErrors(err, l)
	delete(errs, "")
	return formFlash{Kind: "error", Text: apperr.As(err).Message(l), Values: values, Errors: errs}
}

func (s *Server) flashCookie() string {
	if s.cfg.Secure() {
		return "__Host-ispeks_flash"
	}
	return "ispeks_flash"
}

// sessionBinding is what binds a flash to who wrote it: the session token
// (never stored by the server in clear), or nothing for a visitor.
func sessionBinding(c *gin.Context) []byte {
	if tok, ok := c.Get(ctxToken); ok {
		return []byte("session:" + tok.(string))
	}
	return []byte("visitor")
}

// redirectFlash sends the browser to page (a path of this site, with its
// query if any) carrying f.
func (s *Server) redirectFlash(c *gin.Context, page string, f formFlash) {
	f.Page = pathOnly(page)
	f.Until = s.now().Add(flashLife).Unix()
	if v, ok := s.sealFlash(c, f); ok {
		http.SetCookie(c.Writer, &http.Cookie{Name: s.flashCookie(), Value: v, Path: "/", MaxAge: int(flashLife.Seconds()),
			HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
	}
	c.Redirect(http.StatusSeeOther, page)
}

// sealFlash encrypts f, trimming what does not fit in a cookie.
func (s *Server) sealFlash(c *gin.Context, f formFlash) (string, bool) {
	for _, trim := range []func(){func() {}, func() { f.Data = nil }, func() { f.Values = nil }, func() { f.Errors = nil }} {
		trim()
		plain, err := json.Marshal(f)
		if err != nil {
			return "", false
		}
		nonce := make([]byte, s.flashAEAD.NonceSize())
		rand.Read(nonce)
		v := base64.RawURLEncoding.EncodeToString(s.flashAEAD.Seal(nonce, nonce, plain, sessionBinding(c)))
		if len(v) <= flashMax {
			return v, true
		}
	}
	return "", false
}

// takeFlash returns the flash left for this page by the form that sent the
// browser here, and ends it; nil when there is none (or it is another
// page's, another session's, stale or not ours).
func (s *Server) takeFlash(c *gin.Context) *formFlash {
	raw, err := c.Cookie(s.flashCookie())
	if err != nil || raw == "" {
		return nil
	}
	sealed, err := base64.RawURLEncoding.DecodeString(raw)
	n := s.flashAEAD.NonceSize()
	if err != nil || len(sealed) < n {
		s.dropFlash(c)
		return nil
	}
	plain, err := s.flashAEAD.Open(nil, sealed[:n], sealed[n:], sessionBinding(c))
	var f formFlash
	if err != nil || json.Unmarshal(plain, &f) != nil || s.now().Unix() > f.Until {
		s.dropFlash(c)
		return nil
	}
	if f.Page != c.Request.URL.Path {
		return nil // another page's: it waits for that page, or its end
	}
	s.dropFlash(c)
	return &f
}

func (s *Server) dropFlash(c *gin.Context) {
	http.SetCookie(c.Writer, &http.Cookie{Name: s.flashCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
}

// newFlashAEAD is the cipher of form flashes under key (32 bytes).
func newFlashAEAD(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic("flash key: " + err.Error()) // a derived key is always 32 bytes
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic("flash cipher: " + err.Error())
	}
	return aead
}

// pathOnly is p without its query.
func pathOnly(p string) string {
	for i := 0; i < len(p); i++ {
		if p[i] == '?' || p[i] == '#' {
			return p[:i]
		}
	}
	return p
}
