package web

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// What the request pages and the request API share.

// requestID is the :id of the path, or a NotFound error.
func requestID(c *gin.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, useradmin.ErrRequestNotFound
	}
	return id, nil
}

// act fires one workflow action for the current user and wakes the mail
// workers when it queued mail.
func (s *Server) act(c *gin.Context, id int64, a workflow.Action, opt useradmin.ActOptions) (*useradmin.ActResult, error) {
	res, err := s.admin.Act(c.Request.Context(), currentUser(c), id, a, opt)
	if err != nil {
		return nil, err
	}
	if res.Mailed {
		s.wakeMail()
	}
	return res, nil
}

// created wakes the mail workers after a request was created or amended
// (a submission queues mail to the officers).
func (s *Server) created(r *store.Request) {
	if r != nil && r.State != workflow.Draft {
		s.wakeMail()
	}
}

// pageOf reads ?page= (from 1) for the lists of pages, which keep their
// own size; a page that is not a whole number in range is errPageLink.
func pageOf(c *gin.Context) (store.Page, error) {
	p, err := store.ParsePage(c.Query("page"), "")
	if err != nil {
		return store.Page{}, errPageLink
	}
	return p, nil
}

// errPageLink answers a page's link (?page=, the audit log's ?before= and
// ?after=) that is not one the portal made (422): no field the user
// filled, so the page says so, not "correct the marked fields" (the API
// names the field, store.ParsePage).
var errPageLink = apperr.New(apperr.Invalid, "pager.error.link")
