package web

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
)

// The audit log for auditors and sysadmins: each record as a sentence in
// the reader's language ("HJ. RAZAK meluluskan BPP/2026/000001 bagi pihak
// …") with the actor's name, the subject and the time in Malaysia;
// filtered by dates, actor, action and reference; newest first, a page at
// a time by keyset (the log grows past 100,000 records); exported as CSV;
// the chain checked on demand.
//
// Every action the code records has its words in the catalogue:
// audit.do.<action> (the sentence) and audit.label.<action> (its name in
// the action filter and the export). A test reads every .Audit( call of
// the project and fails on an action without them.

const (
	auditSentencePrefix = "audit.do."
	auditLabelPrefix    = "audit.label."
	auditPageSize       = 50
)

// auditActions are the actions the project records in the audit log. Each
// has its words in the catalogue (the catalogue's test reads this list);
// a test of this package reads every .Audit( call of the project and fails
// on an action missing here.
var auditActions = []string{
	"request.create", "request.amend", "request.submit", "request.resubmit", "request.approve", "request.reject",
	"request.return", "request.withdraw", "request.provision", "request.reply",
	"attachment.add", "attachment.remove", "attachment.download",
	"user.create", "user.access", "user.deactivate", "user.password_issue", "user.password_change",
	"user.password_set_by_link", "user.lock", "user.unlock", "user.password_forgot", "user.password_reset",
	"delegation.add", "delegation.revoke", "holiday.add", "ptj.add", "ceiling.set", "outbox.retry",
	"payroll.import", "payroll.import_abandon", "payroll.month.publish", "payroll.month.replace_published",
	"payslip.list", "payslip.view", "payslip.download",
	"ec.mapping.import", "ec.mapping.set", "ec.year.generate", "ec.year.publish", "ec.list", "ec.view", "ec.download",
	"payment.import", "payment.import_running", "payment.import_applying", "payment.import_done", "payment.import_rejected",
	"payment.import_failed", "payment.import_interrupted", "payment.import_abandon", "payment.settings", "payment.status_check",
}

// AuditActions lists the actions the audit page has words for.
func AuditActions() []string { return slices.Clone(auditActions) }

// auditOptions are the action filter's choices, in the order of their
// names in lang.
func auditOptions(lang string) []option {
	out := make([]option, 0, len(auditActions))
	for _, a := range auditActions {
		out = append(out, option{Value: a, Label: i18n.T(lang, auditLabelPrefix+a)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

// auditQuery is the audit page's filters as typed.
type auditQuery struct {
	From, To, Actor, Action, Ref string
}

// values are the filters as a query string keeps them.
func (q auditQuery) values() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"from": q.From, "to": q.To, "actor": q.Actor, "action": q.Action, "ref": q.Ref} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// auditFilterOf reads the filters of the audit page (and its export): dates
// inclusive, in Malaysian days; an actor by MyKad or login, or a part of
// the name; an action of the catalogue; a reference (a request's, a MyKad,
// a month) exactly. A date or action that cannot be read is an Invalid
// error naming its field.
func auditFilterOf(c *gin.Context) (auditQuery, store.AuditFilter, error) {
	q := auditQuery{From: strings.TrimSpace(c.Query("from")), To: strings.TrimSpace(c.Query("to")),
		Actor: strings.TrimSpace(c.Query("actor")), Action: strings.TrimSpace(c.Query("action")), Ref: strings.TrimSpace(c.Query("ref"))}
	var f store.AuditFilter
	var bad []apperr.FieldError
	if q.From != "" {
		if t, err := malaysia.ParseDate(q.From); err == nil { // DD/MM/YYYY, or ISO as an API sends it
			f.From = t
		} else {
			bad = append(bad, apperr.Field("from", "audit.error.date"))
		}
	}
	if q.To != "" {
		if t, err := malaysia.ParseDate(q.To); err == nil {
			f.To = t.AddDate(0, 0, 1) // the whole last day
		} else {
			bad = append(bad, apperr.Field("to", "audit.error.date"))
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		bad = append(bad, apperr.Field("to", "audit.error.range"))
	}
	if q.Actor != "" {
		if login, isMyKad, err := forms.ParseLogin(q.Actor); err == nil {
			f.ActorLogin = login
			if !isMyKad {
				f.ActorName = q.Actor // a service login, or a name of one word
			}
		} else {
			f.ActorName = q.Actor
		}
	}
	if q.Action != "" {
		if !slices.Contains(auditActions, q.Action) {
			bad = append(bad, apperr.Field("action", "audit.error.action"))
		}
		f.Action = q.Action
	}
	if q.Ref != "" {
		f.ObjectID = strings.ToUpper(q.Ref)
		if login, isMyKad, err := forms.ParseLogin(q.Ref); err == nil && isMyKad {
			f.ObjectID = login
		}
	}
	if len(bad) > 0 {
		return q, f, apperr.Fields(bad...)
	}
	return q, f, nil
}

// auditRow is one record as the page and the export show it.
type auditRow struct {
	Seq                  int64 // 0 until sealed
	At                   time.Time
	Actor, ActorLogin    string
	Sentence, Action     string
	Code, Subject, Chain string
	// What the page alone shows, set by shownOnPage: the time, the login
	// where it is not the name shown, and the place in the chain, in words.
	When, LoginShown, SeqNo string
}

// shownOnPage sets the fields of rows that the page alone shows, in lang.
// Each is one value for the page to print: a function a row called from
// the template (kl, t, and, ne) is a reflective call, and such calls were
// most of the page's render (50 records: 1.8–2.2 ms, 1.2–1.3 without them;
// BenchmarkRenderAudit). The export, which writes every record, does
// without them.
func shownOnPage(lang string, rows []auditRow) {
	for i := range rows {
		r := &rows[i]
		r.When = malaysia.DateTime(r.At)
		if r.ActorLogin != r.Actor {
			r.LoginShown = r.ActorLogin
		}
		if r.Seq != 0 {
			r.SeqNo = i18n.T(lang, "audit.seq_no", "Seq", r.Seq)
		}
	}
}

type auditData struct {
	Q            auditQuery
	Actions      []option
	Errors       map[string]string
	Rows         []auditRow
	Total        string
	Exact        bool
	Newer, Older string // links to the next pages
	Export       string
	Verify       string
	Checked      bool   // the chain was verified on this request
	Whole        bool   // and found whole
	Records      int64  // records verified
	Break        string // where it broke
}

// auditPage lists the audit log as sentences, newest first; ?verify=1 walks
// the whole chain as `ispeks audit verify` does.
func (s *Server) auditPage(c *gin.Context) {
	ctx, l := c.Request.Context(), lang(c)
	q, f, ferr := auditFilterOf(c)
	d := auditData{Q: q, Actions: auditOptions(l), Errors: map[string]string{}}
	for i := range d.Actions {
		d.Actions[i].Selected = d.Actions[i].Value == q.Action
	}
	keep := q.values()
	d.Export = "/audit/export.csv"
	if len(keep) > 0 {
		d.Export += "?" + keep.Encode()
	}
	verify := q.values()
	verify.Set("verify", "1")
	d.Verify = "/audit?" + verify.Encode()
	status := http.StatusOK
	if ferr != nil {
		status = http.StatusUnprocessableEntity
		for _, fe := range apperr.As(ferr).Fields {
			d.Errors[fe.Field] = fe.Message(l)
		}
	} else {
		var cur store.AuditCursor
		var err1, err2 error
		cur.Before, err1 = cursorOf(c.Query("before"))
		cur.After, err2 = cursorOf(c.Query("after"))
		if err1 != nil || err2 != nil {
			s.fail(c, errPageLink)
			return
		}
		p, err := s.db.ListAudit(ctx, f, cur, auditPageSize)
		if err != nil {
			s.fail(c, err)
			return
		}
		if d.Rows, err = s.auditRows(ctx, l, p.Records); err != nil {
			s.fail(c, err)
			return
		}
		shownOnPage(l, d.Rows)
		d.Total, d.Exact = groupDigits(p.Total.N), p.Total.Exact
		link := func(k string, v int64) string {
			u := q.values()
			u.Set(k, strconv.FormatInt(v, 10))
			return "/audit?" + u.Encode()
		}
		if len(p.Records) > 0 && p.Newer {
			d.Newer = link("after", p.First())
		}
		if len(p.Records) > 0 && p.Older {
			d.Older = link("before", p.Last())
		}
	}
	if c.Query("verify") != "" {
		n, brk, err := s.db.VerifyAudit(ctx)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Checked, d.Whole, d.Records = true, brk == nil, n
		if brk != nil {
			d.Break = brk.Message(l)
		}
	}
	s.render(c, status, "audit", d)
}

// seqText is a record's place in the chain, empty while it waits to be
// sealed (just after its action commits).
func seqText(seq int64) string {
	if seq == 0 {
		return ""
	}
	return strconv.FormatInt(seq, 10)
}

// cursorOf reads a keyset cursor: "" is none.
func cursorOf(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("bad cursor %q", s)
	}
	return n, nil
}

// auditExport streams the records the page's filters select as CSV,
// newest first, each with its sentence in the reader's language and the
// action's code and details (MyKad numbers masked) for whoever analyses
// the file.
func (s *Server) auditExport(c *gin.Context) {
	ctx, l := c.Request.Context(), lang(c)
	_, f, err := auditFilterOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var header []string
	for _, k := range []string{"seq", "at", "actor", "actor_login", "action", "subject", "sentence", "code", "detail", "hash"} {
		header = append(header, tr(c, "audit.csv."+k))
	}
	name := "audit-" + s.now().In(malaysia.KL).Format("20060102") + ".csv"
	row := make([]string, 0, len(header))
	s.sendCSV(c, name, header, func(put func([]string) error) error {
		return s.db.EachAudit(ctx, f, func(recs []store.AuditRecord) error {
			rows, err := s.auditRows(ctx, l, recs)
			if err != nil {
				return err
			}
			for i, r := range rows {
				// The details, MyKad numbers masked, for whoever analyses the
				// file: the page does without them.
				if err := put(append(row[:0], seqText(r.Seq), r.At.In(malaysia.KL).Format("2006-01-02 15:04:05"),
					r.Actor, r.ActorLogin, r.Action, r.Subject, r.Sentence, r.Code, malaysia.MaskText(recs[i].Detail), r.Chain)); err != nil {
					return err
				}
			}
			return nil
		})
	})
}

// auditRows turns records into sentences in lang, reading the names of the
// people they name in one query.
func (s *Server) auditRows(ctx context.Context, lang string, recs []store.AuditRecord) ([]auditRow, error) {
	var ids []int64
	var logins []string
	named := map[int64]string{} // the actors' names read with their records
	details := make([]map[string]any, len(recs))
	for i := range recs {
		r := &recs[i]
		switch {
		case r.ActorID == nil:
		case r.ActorName != "":
			named[*r.ActorID] = r.ActorName
		default:
			ids = append(ids, *r.ActorID)
		}
		if r.ObjectType == "user" {
			logins = append(logins, r.ObjectID)
		}
		if r.Detail != "" {
			_ = json.Unmarshal([]byte(r.Detail), &details[i])
		}
		if p, ok := details[i]["on_behalf_of"].(string); ok {
			logins = append(logins, p)
		}
	}
	byID, byLogin, err := s.db.AuditPeople(ctx, ids, logins)
	if err != nil {
		return nil, err
	}
	maps.Copy(byID, named)
	out := make([]auditRow, len(recs))
	for i := range recs {
		r := &recs[i]
		row := auditRow{Seq: r.Seq, At: r.At, Code: r.Action, Chain: r.Hash,
			Actor: auditActor(lang, r, byID), ActorLogin: forms.MaskLogin(r.ActorLogin),
			Subject: auditSubject(lang, r, byLogin), Action: labelOr(lang, auditLabelPrefix+r.Action, i18n.T(lang, "audit.label_other"))}
		args := []any{"Actor", row.Actor, "Object", row.Subject}
		args = append(args, auditDetailArgs(lang, details[i], byLogin)...)
		key := auditSentencePrefix + r.Action
		if !i18n.Has(key) {
			key = "audit.sentence_other" // a record from before its words existed: never a raw code
		}
		row.Sentence = i18n.T(lang, key, args...)
		out[i] = row
	}
	return out, nil
}

// auditActor is who did it: the profile's name, or for the portal itself,
// the public and the command line their role; a login whose profile is
// gone, masked.
func auditActor(lang string, r *store.AuditRecord, byID map[int64]string) string {
	if r.ActorID != nil {
		if n, ok := byID[*r.ActorID]; ok {
			return n
		}
	}
	switch r.ActorLogin {
	case "system", "":
		return i18n.T(lang, "audit.actor.system")
	case "public":
		return i18n.T(lang, "audit.actor.public")
	case "cli":
		return i18n.T(lang, "audit.actor.cli")
	}
	return forms.MaskLogin(r.ActorLogin)
}

// auditSubject is what the record is about: a person by name and masked
// MyKad, a role by its name, anything else as its reference (MyKad
// numbers masked).
func auditSubject(lang string, r *store.AuditRecord, byLogin map[string]string) string {
	switch r.ObjectType {
	case "user":
		if n, ok := byLogin[r.ObjectID]; ok {
			return n + " (" + forms.MaskLogin(r.ObjectID) + ")"
		}
		return forms.MaskLogin(r.ObjectID)
	case "role":
		return forms.RoleLabel(forms.Role(r.ObjectID), lang)
	case "delegation", "outbox", "payroll_import", "payment_import":
		return "#" + r.ObjectID
	}
	return malaysia.MaskText(r.ObjectID)
}

// auditDetailArgs are a record's details as arguments of its sentence:
// each field by its name in CamelCase (file → File), dates and amounts as
// people read them, the officer a delegate acted for by name.
func auditDetailArgs(lang string, detail map[string]any, byLogin map[string]string) []any {
	var args []any
	for k, v := range detail {
		name := camel(k)
		switch x := v.(type) {
		case string:
			switch k {
			case "on_behalf_of":
				name, v = "OnBehalf", forms.MaskLogin(x)
				if n, ok := byLogin[x]; ok {
					v = n
				}
			case "until":
				v = ""
				if t, err := time.Parse(time.RFC3339, x); err == nil {
					v = malaysia.DateTime(t)
				}
			case "from", "to", "visible_from":
				if t, err := time.Parse(malaysia.ISODate, x); err == nil {
					v = malaysia.Date(t)
				}
			case "type":
				v = fileType(x)
			default:
				v = malaysia.MaskText(x)
			}
		case float64:
			switch k {
			case "ceiling_sen":
				name, v = "Ceiling", malaysia.FormatRM(int64(x))
			case "size":
				v = humanSize(int64(x))
			default:
				v = strconv.FormatFloat(x, 'f', -1, 64)
			}
		case []any:
			parts := make([]string, 0, len(x))
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					e = m["role"]
				}
				parts = append(parts, malaysia.MaskText(fmt.Sprint(e)))
			}
			v = strings.Join(parts, ", ")
		case bool, nil:
		default:
			v = malaysia.MaskText(fmt.Sprint(x))
		}
		args = append(args, name, v)
	}
	return args
}

// camel is a detail's field name as a sentence's argument: on_behalf_of →
// OnBehalfOf.
func camel(k string) string {
	var b strings.Builder
	up := true
	for _, r := range k {
		if r == '_' {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
		}
		b.WriteRune(r)
		up = false
	}
	return b.String()
}
