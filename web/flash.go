package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/store"
)

// Post/redirect/get, also when a form was refused: a POST never answers
// with a page, so that a reload or the back button never sends it again.
// What the page after the redirect must show — the outcome, or the values
// typed and why they were refused — is a form flash: kept in the database
// for the session and the page it redirects to (never in the address), read
// once, gone after flashLife (store.PutFlash).

// flashLife is how long a flash waits for its page.
const flashLife = 10 * time.Minute

// formFlash is what a POST leaves for the page it redirects to.
type formFlash struct {
	Status int    `json:"status"` // the status the page answers with: 200, or why the form was refused (409, 422…)
	Kind   string `json:"kind"`   // ok or error
	Text   string `json:"text"`   // the message, in the user's language
	// The form as typed and the messages about its fields, for the page
	// to show it again.
	Values url.Values  `json:"values,omitempty"`
	Fields []fieldText `json:"fields,omitempty"`
	// Event is the workflow action (or the page's form) that was refused,
	// for the page to show its messages next to it.
	Event string `json:"event,omitempty"`
	// Results are what became of each request of a bulk approval.
	Results []bulkResult `json:"results,omitempty"`
}

// fieldText is a message about one field, in the user's language.
type fieldText struct {
	Field string `json:"field"`
	Text  string `json:"text"`
}

// refusedFlash is the flash of a form err refused: its status, the
// message (a single field's own when there is one) and the field messages.
func refusedFlash(lang string, err error, values url.Values) *formFlash {
	ae := apperr.As(err)
	f := &formFlash{Status: statusOf(ae.Code), Kind: "error", Text: ae.Message(lang), Values: values}
	for _, fe := range ae.Fields {
		f.Fields = append(f.Fields, fieldText{Field: fe.Field, Text: fe.Message(lang)})
	}
	if len(ae.Fields) == 1 {
		f.Text = f.Fields[0].Text
	}
	return f
}

// field is the first message about name, "" when none.
func (f *formFlash) field(name string) string {
	for _, ft := range f.Fields {
		if ft.Field == name {
			return ft.Text
		}
	}
	return ""
}

// flash is the flash's line above the page.
func (f *formFlash) flash() *Flash {
	if f == nil || f.Text == "" {
		return nil
	}
	return &Flash{Kind: f.Kind, Text: f.Text}
}

// status is the status the page answers with.
func (f *formFlash) status() int {
	if f == nil || f.Status == 0 {
		return http.StatusOK
	}
	return f.Status
}

// redirectWith keeps f for the page at target (a path with its query, as
// the browser will ask for it) and sends the browser there with 303. A
// flash that cannot be kept is logged and lost: the redirect still goes.
func (s *Server) redirectWith(c *gin.Context, target string, f *formFlash) {
	if sess, ok := c.Get(ctxSession); ok && f != nil {
		b, err := json.Marshal(f)
		if err == nil {
			err = s.db.PutFlash(c.Request.Context(), sess.(*store.Session).ID, target, string(b), s.now().Add(flashLife))
		}
		if err != nil {
			s.log.Warn("keeping a form flash", "error", err)
		}
	}
	c.Redirect(http.StatusSeeOther, target)
}

// takeFlash returns the flash kept for this page of the session, nil when
// there is none.
func (s *Server) takeFlash(c *gin.Context) *formFlash {
	sess, ok := c.Get(ctxSession)
	if !ok {
		return nil
	}
	payload, err := s.db.TakeFlash(c.Request.Context(), sess.(*store.Session).ID, c.Request.URL.RequestURI())
	if err != nil || payload == "" {
		if err != nil {
			s.log.Warn("reading a form flash", "error", err)
		}
		return nil
	}
	f := new(formFlash)
	if err := json.Unmarshal([]byte(payload), f); err != nil {
		return nil
	}
	return f
}
