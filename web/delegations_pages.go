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
	Today           string // yyyy-mm-dd, the date inputs' minimum
	Errors          map[string]string
}

// delegations renders the page with form as typed and its errors.
func (s *Server) delegations(c *gin.Context, status int, form delegationsData, flash *Flash) {
	u := currentUser(c)
	list, err := s.admin.ListDelegations(c.Request.Context(), u.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	now := s.now()
	form.Today = malaysia.Day(now)
	if form.Errors == nil {
		form.Errors = map[string]string{}
	}
	for _, d := range list {
		row := delegationRow{ID: d.ID, PTJCode: d.PTJCode, From: malaysia.ShowDay(d.FromDate), To: malaysia.ShowDay(d.ToDate),
			Current: d.FromDate <= form.Today && form.Today <= d.ToDate}
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
	s.page(c, status, "delegations", form, flash)
}

func (s *Server) delegationsPage(c *gin.Context) {
	s.delegations(c, http.StatusOK, delegationsData{}, doneFlash(c, "delegation.done."))
}

func (s *Server) delegationCreate(c *gin.Context) {
	form := delegationsData{Login: c.PostForm("delegate_login"), From: c.PostForm("from"), To: c.PostForm("to")}
	_, err := s.admin.AddDelegation(c.Request.Context(), currentUser(c), form.Login, form.From, form.To)
	if err == nil {
		c.Redirect(http.StatusSeeOther, "/delegations?done=added")
		return
	}
	s.delegationRefused(c, form, err)
}

// delegationRefused shows the page again with why the store refused.
func (s *Server) delegationRefused(c *gin.Context, form delegationsData, err error) {
	ae := apperr.As(err)
	if ae.Code == apperr.Internal || ae.Code == apperr.Unauthorized {
		s.fail(c, err)
		return
	}
	l := lang(c)
	form.Errors = map[string]string{}
	for _, f := range ae.Fields {
		if _, dup := form.Errors[f.Field]; !dup {
			form.Errors[f.Field] = f.Message(l)
		}
	}
	s.delegations(c, statusOf(ae.Code), form, errFlash(ae.Message(l)))
}

func (s *Server) delegationRevoke(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, useradmin.ErrDelegationNotFound)
		return
	}
	if c.PostForm("confirm") == "" {
		s.delegations(c, http.StatusUnprocessableEntity, delegationsData{}, errFlash(tr(c, "request.confirm.missing")))
		return
	}
	if err := s.admin.RevokeDelegation(c.Request.Context(), currentUser(c), id); err != nil {
		s.delegationRefused(c, delegationsData{}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/delegations?done=revoked")
}
