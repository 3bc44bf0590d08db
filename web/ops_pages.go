package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// The mail operations page: what the outbox holds, and a retry for mail
// the workers gave up on.

var outboxStates = []string{store.OutboxQueued, store.OutboxSent, store.OutboxFailed}

type mailRow struct {
	ID                int64
	Kind, To          string
	State, StateLabel string
	Attempts          int
	Next, Created     time.Time
	Sent              *time.Time
	LastError         string
	Failed            bool
}

type mailOpsData struct {
	Cards []inboxCard
	State string
	Rows  []mailRow
	Pager pager
}

// labelOr is the words of key in lang, or fallback when the catalogue has none.
func labelOr(lang, key, fallback string) string {
	if i18n.Has(key) {
		return i18n.T(lang, key)
	}
	return fallback
}

// outboxState reads a state filter, "" for all.
func outboxState(s string) string {
	if slices.Contains(outboxStates, s) {
		return s
	}
	return ""
}

func (s *Server) mailOps(c *gin.Context, state string, flash *Flash) {
	ctx, l := c.Request.Context(), lang(c)
	counts, err := s.db.OutboxCounts(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.db.ListOutbox(ctx, state, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := url.Values{}
	if state != "" {
		q.Set("state", state)
	}
	d := mailOpsData{State: state, Pager: newPager("/ops/mail", q, p, store.ExactTotal(total), len(list))}
	for _, st := range outboxStates {
		d.Cards = append(d.Cards, inboxCard{State: st, Label: tr(c, "mailops.state."+st), Count: store.ExactTotal(counts[st]),
			Href: "/ops/mail?state=" + st, Current: st == state})
	}
	for _, n := range list {
		d.Rows = append(d.Rows, mailRow{ID: n.ID, Kind: labelOr(l, "mailops.kind."+string(n.Kind), string(n.Kind)),
			To: malaysia.MaskEmail(n.ToEmail), State: n.State, StateLabel: labelOr(l, "mailops.state."+n.State, n.State),
			Attempts: n.Attempts, Next: n.NextAttemptAt, Created: n.CreatedAt, Sent: n.SentAt,
			LastError: n.LastError, Failed: n.State == store.OutboxFailed})
	}
	s.page(c, http.StatusOK, "mail_ops", d, flash)
}

func (s *Server) mailOpsPage(c *gin.Context) {
	flash := s.takeFlash(c).flash()
	if flash == nil {
		flash = doneFlash(c, "mailops.done.")
	}
	s.mailOps(c, outboxState(c.Query("state")), flash)
}

var errNoSuchMail = apperr.New(apperr.NotFound, "mailops.error.not_found")

// mailRetry queues a failed mail again and goes back to the list the
// sysadmin was on.
func (s *Server) mailRetry(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, errNoSuchMail)
		return
	}
	state := outboxState(c.PostForm("state"))
	back := "/ops/mail"
	if state != "" {
		back += "?state=" + state
	}
	u := currentUser(c)
	if err := s.admin.RetryMail(c.Request.Context(), store.Actor{UserID: u.ID, Login: u.Login}, id); err != nil {
		if code := apperr.CodeOf(err); code != apperr.Conflict && code != apperr.NotFound {
			s.fail(c, err)
			return
		}
		s.refuse(c, back, err, nil)
		return
	}
	s.wakeMail()
	q := url.Values{"done": {"retried"}}
	if state != "" {
		q.Set("state", state)
	}
	c.Redirect(http.StatusSeeOther, "/ops/mail?"+q.Encode())
}
