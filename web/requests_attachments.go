package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/config"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
)

// A request's supporting documents (lampiran) — attached from the detail
// page or with the Borang itself, removed while the request is a draft or
// returned, downloaded by whoever may see the request — and the
// representative's reply to the remarks a request came back with. Each
// POST redirects to the request's page with what happened (post/redirect/
// get, a refusal too).

// attachmentBody is the body limit of the forms that carry a file: room
// for every file a request may hold, so that a file over the limit of one
// reaches the Borang's own message rather than the edge's.
func attachmentBody(cfg *config.Config) int64 { return cfg.AttachmentMaxTotal + 1<<20 }

var errNoAttachment = apperr.Fields(apperr.Field(forms.FieldFile, "attachment.error.no_file"))

// fileTypes are the attachment types by the names people know them by
// (the same in both languages).
var fileTypes = map[string]string{forms.TypePDF: "PDF", forms.TypeJPEG: "JPEG", forms.TypePNG: "PNG"}

// fileType is a content type as people call it.
func fileType(typ string) string {
	if n, ok := fileTypes[typ]; ok {
		return n
	}
	return typ
}

// formFile reads the form's file, if it carries one: up to one byte past
// the limit of a file (the domain then says it is too large), never more.
func (s *Server) formFile(c *gin.Context, required bool) ([]useradmin.Upload, error) {
	up, err := receiveUpload(c, errNoAttachment)
	if err == errNoAttachment && !required {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer up.file.Close()
	data, err := io.ReadAll(io.LimitReader(up.file, s.admin.AttachmentLimits().Each+1))
	if err != nil {
		return nil, err
	}
	return []useradmin.Upload{{Name: up.name, Data: data}}, nil
}

// requestTarget is the detail page of request id, where its forms return.
func requestTarget(id int64) string { return fmt.Sprintf("/requests/%d", id) }

// refuseOnPage sends a refused request form back to the page it came from
// with why, or answers err itself when the request is not the user's to
// see (404) or the failure is not the user's (500).
func (s *Server) refuseOnPage(c *gin.Context, target, event string, err error) {
	switch apperr.CodeOf(err) {
	case apperr.Invalid, apperr.Conflict, apperr.Forbidden:
		f := refusedFlash(lang(c), err, c.Request.PostForm)
		f.Event = event
		s.redirectWith(c, target, f)
	default:
		s.fail(c, err)
	}
}

// attachmentUpload attaches the form's file to request :id.
func (s *Server) attachmentUpload(c *gin.Context) {
	id, err := requestID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	target := requestTarget(id)
	var a *store.Attachment
	files, err := s.formFile(c, true)
	if err == nil {
		a, err = s.admin.Attach(c.Request.Context(), currentUser(c), id, files[0])
	}
	if err != nil {
		s.refuseOnPage(c, target, "attach", err)
		return
	}
	s.redirectWith(c, target, &formFlash{Kind: "ok", Text: tr(c, "attachment.done.added", "File", a.Name)})
}

// attachmentIDs are the :id and :aid of the path.
func attachmentIDs(c *gin.Context) (int64, int64, error) {
	id, err := requestID(c)
	if err != nil {
		return 0, 0, err
	}
	aid, err := strconv.ParseInt(c.Param("aid"), 10, 64)
	if err != nil || aid <= 0 {
		return 0, 0, useradmin.ErrAttachmentNotFound
	}
	return id, aid, nil
}

// attachmentRemove removes attachment :aid of request :id after the
// representative confirmed it.
func (s *Server) attachmentRemove(c *gin.Context) {
	id, aid, err := attachmentIDs(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	target := requestTarget(id)
	if c.PostForm("confirm") == "" {
		s.redirectWith(c, target, &formFlash{Status: http.StatusUnprocessableEntity, Kind: "error", Text: tr(c, "request.confirm.missing")})
		return
	}
	a, err := s.admin.Detach(c.Request.Context(), currentUser(c), id, aid)
	if errors.Is(err, useradmin.ErrAttachmentNotFound) {
		// A second click: the first removed it. Said on the page, not as an error page.
		s.redirectWith(c, target, &formFlash{Status: http.StatusNotFound, Kind: "error", Text: tr(c, "attachment.error.not_found")})
		return
	}
	if err != nil {
		s.refuseOnPage(c, target, "attach", err)
		return
	}
	s.redirectWith(c, target, &formFlash{Kind: "ok", Text: tr(c, "attachment.done.removed", "File", a.Name)})
}

// attachmentDownload sends attachment :aid of request :id to whoever may
// see the request: as a download (never shown inline, so that a file can
// never run as a page of the portal), of the type its content showed.
func (s *Server) attachmentDownload(c *gin.Context) {
	id, aid, err := attachmentIDs(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	a, err := s.admin.Download(c.Request.Context(), currentUser(c), id, aid)
	if err != nil {
		s.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "no-store")
	c.Data(http.StatusOK, a.ContentType, a.Data)
}

// requestReply records the representative's reply to the remarks of a
// returned request, in its history.
func (s *Server) requestReply(c *gin.Context) {
	id, err := requestID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	version, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
	res, err := s.admin.Reply(c.Request.Context(), currentUser(c), id, version, c.PostForm("remarks"))
	if err != nil {
		s.refuseOnPage(c, requestTarget(id), "reply", err)
		return
	}
	s.redirectWith(c, requestTarget(id), &formFlash{Kind: "ok", Text: tr(c, "request.reply.done", "Ref", res.Request.Reference)})
}

// attachmentView is an attachment as the pages list it.
type attachmentView struct {
	ID               int64
	Name, Type, Size string
	By               string
	At               string
}

func attachmentViews(list []store.Attachment) []attachmentView {
	out := make([]attachmentView, len(list))
	for i, a := range list {
		out[i] = attachmentView{ID: a.ID, Name: a.Name, Type: fileType(a.ContentType), Size: humanSize(a.Size),
			By: a.UploaderName, At: malaysia.DateTime(a.UploadedAt)}
	}
	return out
}

// humanSize is a file's size as people read it: 812 KB, 1.4 MB.
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt((n+512)>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}
