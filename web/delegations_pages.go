package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/useradmin"
)

// The delegations page (pemangku): a controlling officer names who acts for
// them on which dates, sees whom they act for, and revokes a delegation.

type delegationRow struct {
	ID                 int64
	Principal          string
	Delegate, Masked   string
	PTJCode            string
	From, To           string // dd/mm/yyyy
	Current, Revokable bool
}

type delegationsData struct {
	Named, Received []delegationRow
	Login, From, To string // the form as typed
	Errors          map[string]string
}

// delegations renders the page with form as typed and its errors.
func (s *Server) delegations(c *gin.Context, form delegationsData, flash *Flash) {
	u := currentUser(c)
	list, err := s.admin.ListDelegations(c.Request.Context(), u.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	today := malaysia.Day(s.now())
	if form.Errors == nil {
		form.Errors = map[string]string{}
	}
	for _, d := range list {
		row := delegationRow{ID: d.ID, PTJCode: d.PTJCode, From: malaysia.ShowDay(d.FromDate), To: malaysia.ShowDay(d.ToDate),
			Current: d.FromDate <= today && today <= d.ToDate}
		if d.Principal != nil {
			row.Principal = d.Principal.Name
		}
		if d.Delegate != nil {
			row.Delegate, row.Masked = d.Delegate.Name, forms.MaskLogin(d.Delegate.Login)
		}
		if d.PrincipalID == u.ID {
			row.Revokable = true
			form.Named = append(form.Named, row)
		} else {
			form.Received = append(form.Received, row)
		}
	}
	s.page(c, http.StatusOK, "delegations", form, flash)
}

// delegationsPage shows the delegations and the form, with what a refused
// form left (its values and errors) or the confirmation of one done.
func (s *Server) delegationsPage(c *gin.Context) {
	f := s.takeFlash(c)
	form := delegationsData{Login: f.value("delegate_login"), From: f.value("from"), To: f.value("to"), Errors: f.fieldErrors()}
	flash := f.flash()
	if flash == nil {
		flash = doneFlash(c, "delegation.done.")
	}
	s.delegations(c, form, flash)
}

// delegationCreate names a delegate from the dates typed (DD/MM/YYYY), and
// goes back to the page: with the new delegation, or with the form as
// typed and why it was refused.
func (s *Server) delegationCreate(c *gin.Context) {
	typed := map[string]string{"delegate_login": c.PostForm("delegate_login"), "from": c.PostForm("from"), "to": c.PostForm("to")}
	var bad []apperr.FieldError
	from, fe := formDay("from", typed["from"])
	if fe != nil {
		bad = append(bad, *fe)
	}
	to, fe := formDay("to", typed["to"])
	if fe != nil {
		bad = append(bad, *fe)
	}
	// A date left out or typed wrong reaches the service as "", which it
	// refuses (both dates are required): its other checks still run, and
	// nothing is recorded.
	_, err := s.admin.AddDelegation(c.Request.Context(), currentUser(c), typed["delegate_login"], from, to)
	if err = withDateErrors(err, bad); err == nil {
		c.Redirect(http.StatusSeeOther, "/delegations?done=added")
		return
	}
	s.delegationRefused(c, typed, err)
}

// delegationRefused goes back to the page with why the service refused and
// the form as typed.
func (s *Server) delegationRefused(c *gin.Context, typed map[string]string, err error) {
	if code := apperr.CodeOf(err); code == apperr.Internal || code == apperr.Unauthorized || code == apperr.Unavailable {
		s.fail(c, err)
		return
	}
	s.refuse(c, "/delegations", err, typed)
}

func (s *Server) delegationRevoke(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, useradmin.ErrDelegationNotFound)
		return
	}
	if c.PostForm("confirm") == "" {
		s.redirectWith(c, "/delegations", &formFlash{Kind: "error", Text: tr(c, "request.confirm.missing")})
		return
	}
	if err := s.admin.RevokeDelegation(c.Request.Context(), currentUser(c), id); err != nil {
		s.delegationRefused(c, nil, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/delegations?done=revoked")
}
