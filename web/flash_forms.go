package web

import (
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
)

// The forms outside the requests (delegations, payroll publishing and
// upload, eMaklum settings and import, mail retry) use the form flash of
// flash.go too: these read it by field name for their templates.

// value is what was typed into field name, "" when nothing was kept.
func (f *formFlash) value(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// fieldErrors are the messages about the fields by field name (never nil),
// as the templates index them.
func (f *formFlash) fieldErrors() map[string]string {
	m := map[string]string{}
	if f == nil {
		return m
	}
	for _, ft := range f.Fields {
		if _, ok := m[ft.Field]; !ok && ft.Field != "" {
			m[ft.Field] = ft.Text
		}
	}
	return m
}

// refuse sends the browser back to page (post/redirect/get) with why err
// refused the form, above it and at each field, and the values typed.
func (s *Server) refuse(c *gin.Context, page string, err error, typed map[string]string) {
	l := lang(c)
	v := url.Values{}
	for k, x := range typed {
		v.Set(k, x)
	}
	f := refusedFlash(l, err, v)
	f.Text = apperr.As(err).Message(l) // the line above the form; the fields say their own
	s.redirectWith(c, page, f)
}
