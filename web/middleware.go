package web

import (
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/malaysia"
)

// securityHeaders sets the headers every response carries: no framing, no
// MIME sniffing, no referrer leaving the portal, a content security policy
// that allows only the portal's own files (pages need no script at all), and
// no caching of API answers (pages set it as they render).
func securityHeaders(secure bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		if isAPI(c) {
			// API answers hold MyKad numbers and, once, a temporary
			// password: no cache, shared or private, may keep them.
			h.Set("Cache-Control", "no-store")
		}
		c.Next()
	}
}

// requestLog writes one line per request: method, path (MyKad numbers
// masked, no query string, which may hold search terms), status, duration,
// client address and user id. Nothing secret goes in.
func requestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		attrs := []any{
			"method", c.Request.Method,
			"path", malaysia.MaskText(c.Request.URL.Path),
			"status", c.Writer.Status(),
			"ms", time.Since(start).Milliseconds(),
			"ip", c.ClientIP(),
		}
		if id, ok := c.Get(ctxUserID); ok {
			attrs = append(attrs, "user", id)
		}
		if len(c.Errors) > 0 {
			attrs = append(attrs, "error", c.Errors.Last().Error())
		}
		level := slog.LevelInfo
		if c.Writer.Status() >= http.StatusInternalServerError {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "request", attrs...)
	}
}

// ctxUserID is the gin context key of the logged-in user's id.
const ctxUserID = "user_id"

// recovery turns a panic into a logged internal error page.
func (s *Server) recovery() gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(io.Discard, func(c *gin.Context, err any) {
		s.log.Error("panic", "path", malaysia.MaskText(c.Request.URL.Path), "panic", err)
		c.AbortWithStatus(http.StatusInternalServerError)
	})
}
