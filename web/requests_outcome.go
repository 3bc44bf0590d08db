package web

import (
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// What a request's page tells after an action: what was done, who acts
// next ("Menunggu kelulusan Perbendaharaan Negeri") and who was mailed —
// by name, and for a one-time link the address it went to, masked as the
// users page masks it — or that nobody could be mailed.

// okOutcome is the flash after action done (an event, or created, draft,
// saved) on res.Request.
func okOutcome(lang, done string, res *useradmin.ActResult) *formFlash {
	r := res.Request
	parts := []string{i18n.T(lang, "request.done."+done, "Ref", r.Reference), nextStep(lang, r)}
	for _, tl := range res.Told {
		parts = append(parts, toldText(lang, tl))
	}
	return &formFlash{Kind: "ok", Text: strings.Join(parts, " ")}
}

// nextStep says who acts on r next, in lang.
func nextStep(lang string, r *store.Request) string {
	ptj := r.PTJCode
	if r.PTJ != nil {
		ptj += " " + r.PTJ.Name
	}
	return i18n.T(lang, "request.next."+string(r.State), "PTJ", ptj)
}

// toldText says who one audience's mail went to.
func toldText(lang string, tl useradmin.Told) string {
	audience := i18n.T(lang, "request.audience."+string(tl.Audience))
	switch {
	case tl.Audience == workflow.ToSubject && tl.Link:
		return i18n.T(lang, "request.told.link", "Name", strings.Join(tl.Names, ", "), "Email", malaysia.MaskEmail(tl.Email))
	case tl.Audience == workflow.ToSubject:
		return i18n.T(lang, "request.told.subject", "Name", strings.Join(tl.Names, ", "), "Email", malaysia.MaskEmail(tl.Email))
	case len(tl.Names) == 0:
		return i18n.T(lang, "request.told.nobody", "Audience", audience)
	}
	return i18n.T(lang, "request.told.mailed", "Names", nameList(lang, tl.Names), "Audience", audience)
}

// nameList names up to three people and counts the rest.
func nameList(lang string, names []string) string {
	const shown = 3
	if len(names) <= shown {
		return strings.Join(names, ", ")
	}
	return i18n.T(lang, "request.told.more", "Names", strings.Join(names[:shown], ", "), "Count", len(names)-shown)
}

// attachHint tells the limits of an attachment.
func (s *Server) attachHint(c *gin.Context) string {
	lim := s.admin.AttachmentLimits()
	return tr(c, "attachment.hint", "Each", humanSize(lim.Each), "Total", humanSize(lim.Total))
}
