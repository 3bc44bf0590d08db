package useradmin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/perbendaharaan/ispeks/auth"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/notify"
	"github.com/perbendaharaan/ispeks/secret"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

type notifyKind = notify.Kind

// The mail user administration sends. Their words are the catalogue's
// mail.<kind>.subject and mail.<kind>.body.
var (
	mailSubmitted          = notify.Register("request_submitted", sampleRequestMail)          // to controlling officers: awaits your approval
	mailAwaitingTreasury   = notify.Register("request_awaiting_treasury", sampleRequestMail)  // to treasury approvers
	mailAwaitingProvision  = notify.Register("request_awaiting_provision", sampleRequestMail) // to system administrators
	mailReturned           = notify.Register("request_returned", sampleRequestMail)           // to the submitter, with remarks
	mailRejected           = notify.Register("request_rejected", sampleRequestMail)           // to the submitter, with remarks
	mailProvisioned        = notify.Register("request_provisioned", sampleRequestMail)        // to the submitter: done
	mailWithdrawn          = notify.Register("request_withdrawn", sampleRequestMail)          // to the officers who were told it awaited them
	mailWelcome            = notify.Register("welcome_set_password", sampleLinkMail)          // to the new user: one-time set-password link
	mailAccessChanged      = notify.Register("access_changed", sampleRequestMail)             // to the user whose access changed
	mailProfileDeactivated = notify.Register("profile_deactivated", sampleRequestMail)        // to the deactivated user
	mailPasswordReset      = notify.Register("password_reset_link", sampleLinkMail)           // to the user: one-time set-password link
	mailReminder           = notify.Register("reminder", reminderMail{Count: 2, Days: 3, URL: "https://ispeks.example/inbox"})
	mailAccountLocked      = notify.Register("account_locked", lockedMail{At: time.Unix(0, 0), URL: "https://ispeks.example/"}) // to the owner of a locked profile
)

// requestMail is a mail about one request: its reference, kind and PTJ,
// the approver's remarks, and the page it links to; or, to a subject whose
// password was provisioned, the one-time link.
type requestMail struct {
	Ref     string     `json:"ref"`
	Kind    forms.Kind `json:"kind"`
	PTJ     string     `json:"ptj"` // code and name
	Remarks string     `json:"remarks,omitempty"`
	URL     string     `json:"url,omitempty"`
	// Password is the one-time set-password link: where the token is
	// derived from, never the token itself.
	Password *linkRef `json:"password,omitempty"`
}

// linkRef is a one-time link in a mail: the set-password address the token
// is appended to, and the nonce the token is derived from when the mail is
// sent (secret.Keyring.Token), so that the outbox holds nothing that opens
// an account.
type linkRef struct {
	Base    string    `json:"base"`
	Nonce   string    `json:"nonce"`
	Expires time.Time `json:"expires"`
}

var sampleRequestMail = requestMail{Ref: "BPP/2026/000001", Kind: forms.KindRegistration, PTJ: "12010101 Jabatan", Remarks: "Ulasan", URL: "https://ispeks.example/requests/1"}

var sampleLinkMail = requestMail{Ref: "BPP/2026/000001", Kind: forms.KindRegistration, PTJ: "12010101 Jabatan",
	Password: &linkRef{Base: "https://ispeks.example/password/set?token=", Nonce: "n", Expires: time.Unix(0, 0)}}

func (m requestMail) Args(lang string) []any {
	args := []any{"Ref", m.Ref, "Kind", forms.KindLabel(m.Kind, lang), "PTJ", m.PTJ, "Remarks", m.Remarks}
	if m.Password != nil {
		args = append(args, "Expires", malaysia.LongDateTime(m.Password.Expires, lang))
	}
	return args
}

func (m requestMail) Link(keys *secret.Keyring) string {
	if m.Password != nil {
		return m.Password.Base + keys.Token(auth.LinkPurpose, m.Password.Nonce)
	}
	return m.URL
}

func (m requestMail) Details(lang string) notify.Details {
	d := notify.Details{Heading: i18n.T(lang, "mail.request_details"), Rows: []notify.Detail{
		{Label: i18n.T(lang, "mail.detail.reference"), Value: m.Ref},
		{Label: i18n.T(lang, "mail.detail.kind"), Value: forms.KindLabel(m.Kind, lang)},
	}}
	if m.PTJ != "" {
		d.Rows = append(d.Rows, notify.Detail{Label: i18n.T(lang, "mail.detail.ptj"), Value: m.PTJ})
	}
	return d
}

// reminderMail tells an approver how many requests have waited too long.
type reminderMail struct {
	Count int    `json:"count"`
	Days  int    `json:"days"`
	URL   string `json:"url"`
}

func (m reminderMail) Args(string) []any             { return []any{"Count", m.Count, "Days", m.Days} }
func (m reminderMail) Link(*secret.Keyring) string   { return m.URL }
func (m reminderMail) Details(string) notify.Details { return notify.Details{} }

// lockedMail tells the owner of a profile that failed logins locked it,
// until when, and how to get it back: the login page tells nobody, so that
// it does not tell a stranger which logins exist or are locked.
type lockedMail struct {
	At    time.Time  `json:"at"`
	Until *time.Time `json:"until,omitempty"` // nil: until a sysadmin unlocks it or a reset
	URL   string     `json:"url"`
}

func (m lockedMail) Args(lang string) []any {
	until := ""
	if m.Until != nil {
		until = malaysia.LongDateTime(*m.Until, lang)
	}
	return []any{"At", malaysia.LongDateTime(m.At, lang), "Until", until}
}
func (m lockedMail) Link(*secret.Keyring) string   { return m.URL }
func (m lockedMail) Details(string) notify.Details { return notify.Details{} }

// lockMail is the mail auth queues when it locks u (MailLocks).
func (s *Service) lockMail(u *store.User, until *time.Time) store.Mail {
	return store.Mail{Kind: mailAccountLocked, To: u, Content: lockedMail{At: s.now(), Until: until, URL: s.links.Home()}}
}

// approverMail is the mail an approver audience gets when a request reaches it.
var approverMail = map[workflow.Audience]notify.Kind{
	workflow.ToOfficers:  mailSubmitted,
	workflow.ToTreasury:  mailAwaitingTreasury,
	workflow.ToSysadmins: mailAwaitingProvision,
}

// submitterMail is the mail the submitter gets after each event that tells them something.
var submitterMail = map[workflow.Event]notify.Kind{
	workflow.Provision: mailProvisioned,
	workflow.Reject:    mailRejected,
	workflow.Return:    mailReturned,
}

// audienceOf resolves an audience of r to profiles, without duplicates and
// without the request's own subject among its approvers.
func (s *Service) audienceOf(ctx context.Context, c store.Conn, a workflow.Audience, r *store.Request) ([]store.User, error) {
	var list []store.User
	var err error
	if a == workflow.ToSubmitter {
		var u *store.User
		if u, err = c.UserByID(ctx, r.SubmitterID); err != nil {
			return nil, err
		}
		return []store.User{*u}, nil
	}
	if list, err = s.approvers(ctx, c, a, r.PTJCode); err != nil {
		return nil, err
	}
	return withoutSubject(list, r), nil
}

// approvers are the profiles an approver audience names for a PTJ.
func (s *Service) approvers(ctx context.Context, c store.Conn, a workflow.Audience, ptj string) ([]store.User, error) {
	switch a {
	case workflow.ToOfficers:
		return s.officersOf(ctx, c, ptj)
	case workflow.ToTreasury:
		return c.UsersWithRole(ctx, forms.RoleTreasuryApprover, "")
	case workflow.ToSysadmins:
		return c.UsersWithRole(ctx, forms.RoleSysadmin, "")
	}
	return nil, nil
}

// withoutSubject drops duplicates and the request's subject from list: no
// one approves a request about themselves.
func withoutSubject(list []store.User, r *store.Request) []store.User {
	seen := map[int64]bool{}
	out := make([]store.User, 0, len(list))
	for _, u := range list {
		if seen[u.ID] || u.Login == r.SubjectIC {
			continue
		}
		seen[u.ID] = true
		out = append(out, u)
	}
	return out
}

// officersOf returns the PTJ's controlling officers and the delegates
// covering one of them today.
func (s *Service) officersOf(ctx context.Context, c store.Conn, ptj string) ([]store.User, error) {
	list, err := c.UsersWithRole(ctx, forms.RoleControllingOfficer, ptj)
	if err != nil {
		return nil, err
	}
	delegates, err := c.ActiveDelegatesOn(ctx, ptj, malaysia.Day(s.now()))
	return append(list, delegates...), err
}

// Told is who the mail of an action went to: one audience and its people,
// for the message that tells the actor who was informed.
type Told struct {
	Audience workflow.Audience
	Names    []string // the recipients' names, in the order mailed
	// Email is the address of the subject's mail, and Link whether it
	// carries a one-time set-password link (the page names where it went).
	Email string
	Link  bool
}

// notifyTransition queues the mails of transition t on r inside tx and
// returns who they go to, per audience (none: nobody was mailed).
func (s *Service) notifyTransition(ctx context.Context, tx store.Conn, r *store.Request, t workflow.Transition, subject *subjectMail) ([]Told, error) {
	ptj := r.PTJCode
	if r.PTJ != nil {
		ptj += " " + r.PTJ.Name
	}
	base := requestMail{Ref: r.Reference, Kind: r.Kind, PTJ: ptj, Remarks: t.Remarks, URL: s.links.Request(r.ID)}
	var mails []store.Mail
	var told []Told
	for _, a := range t.Notify {
		if a == workflow.ToSubject {
			if subject == nil {
				continue
			}
			m := base
			m.Remarks, m.Password, m.URL = "", subject.link, s.links.Home()
			mails = append(mails, store.Mail{Kind: subject.kind, To: subject.user, RequestID: &r.ID, Content: m})
			told = append(told, Told{Audience: a, Names: []string{subject.user.Name}, Email: subject.user.Email, Link: subject.link != nil})
			continue
		}
		kind, ok := approverMail[a]
		if t.Event == workflow.Withdraw {
			kind = mailWithdrawn // no longer waiting for them
		}
		if a == workflow.ToSubmitter {
			kind, ok = submitterMail[t.Event]
		}
		if !ok {
			continue
		}
		users, err := s.audienceOf(ctx, tx, a, r)
		if err != nil {
			return nil, err
		}
		tl := Told{Audience: a}
		for i := range users {
			mails = append(mails, store.Mail{Kind: kind, To: &users[i], RequestID: &r.ID, Content: base})
			tl.Names = append(tl.Names, users[i].Name)
		}
		told = append(told, tl) // an audience of nobody too: the page says no one was mailed
	}
	return told, tx.Enqueue(ctx, mails...)
}

// reminderBatch is how many requests a reminder sweep reads, and claims in
// one transaction, at a time.
const reminderBatch = 200

// reminderLease is how long a sweep holds the job's lease past its latest
// batch: far more than a batch takes, so that only a process that died
// leaves the sweep to another for that long.
const reminderLease = 10 * time.Minute

// jobReminders names the reminder sweep among the jobs' leases.
const jobReminders = "reminders"

// errLeaseLost says that another process holds the sweep's lease.
var errLeaseLost = errors.New("another process holds the reminder sweep's lease")

// SendReminders queues, once a day, a reminder to the approvers of every
// request that has waited at its stage for at least days working days, one
// mail per approver with the number of requests. It returns how many mails.
//
// The sweep reads the candidates a batch at a time and claims each batch in
// a short transaction of its own (a conditional update per request, so that
// no request is reminded of twice), then queues the mails in short
// transactions: other writers never wait long behind it, and its memory
// follows the number of approvers, not of requests. A crash between
// claiming and queuing costs that day's reminder (the next day's sweep sends
// it), never a duplicate.
//
// One sweep runs at a time among the processes on the database (the job's
// lease, store.TakeLease): two at once would each claim a part of the due
// requests and each mail an approver a part of the count. A sweep that
// finds the lease held elsewhere queues nothing and reports 0; the holder
// reminds of what is due.
func (s *Service) SendReminders(ctx context.Context, days int) (int, error) {
	cal, err := s.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	now := s.now()
	holder := rand.Text()
	lease := func() error {
		held, err := s.db.TakeLease(ctx, jobReminders, holder, s.now().Add(reminderLease))
		if err == nil && !held {
			err = errLeaseLost
		}
		return err
	}
	switch err := lease(); {
	case errors.Is(err, errLeaseLost):
		return 0, nil // another process sweeps now
	case err != nil:
		return 0, err
	}
	defer s.db.ReleaseLease(context.WithoutCancel(ctx), jobReminders, holder) //nolint:errcheck // the lease runs out by itself
	today := startOfDay(now)
	// Waiting days working days needs at least that many calendar days: a
	// bound the database can apply before the calendar decides.
	stateBefore := today.AddDate(0, 0, -days+1)
	var states []workflow.State
	for _, st := range workflow.WaitingStates() {
		if workflow.Awaiting(st) != "" {
			states = append(states, st)
		}
	}
	type tally struct {
		user        store.User
		count, days int
	}
	tallies := map[int64]*tally{}
	var order []int64
	audiences := map[string][]store.User{} // per audience and PTJ, read once per sweep
	for after := int64(0); ; {
		batch, err := s.db.DueForReminder(ctx, states, stateBefore, today, after, reminderBatch)
		if err != nil {
			return 0, err
		}
		if len(batch) == 0 {
			break
		}
		after = batch[len(batch)-1].ID
		if err := lease(); err != nil {
			// Past its lease another process may sweep: this one
			// stops, as a crash would, rather than split a count.
			return 0, fmt.Errorf("reminders: %w", err)
		}
		var claimed []*store.Request
		err = s.db.Tx(ctx, func(tx store.Conn) error {
			claimed = claimed[:0]
			for i := range batch {
				r := &batch[i]
				if !cal.ReminderDue(r.StateSince, r.LastRemindedAt, now, days) {
					continue
				}
				ok, err := tx.ClaimReminder(ctx, r)
				if err != nil {
					return err
				}
				if ok {
					claimed = append(claimed, r)
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
		for _, r := range claimed {
			a := workflow.Awaiting(r.State)
			key := string(a) + "/" + r.PTJCode
			users, ok := audiences[key]
			if !ok {
				if users, err = s.approvers(ctx, s.db.Conn, a, r.PTJCode); err != nil {
					return 0, err
				}
				audiences[key] = users
			}
			waited := cal.WorkingDaysBetween(r.StateSince, now)
			for _, u := range withoutSubject(users, r) {
				t := tallies[u.ID]
				if t == nil {
					t = &tally{user: u}
					tallies[u.ID] = t
					order = append(order, u.ID)
				}
				t.count++
				t.days = max(t.days, waited)
			}
		}
	}
	for start := 0; start < len(order); start += reminderBatch {
		ids := order[start:min(start+reminderBatch, len(order))]
		mails := make([]store.Mail, 0, len(ids))
		for _, id := range ids {
			t := tallies[id]
			mails = append(mails, store.Mail{Kind: mailReminder, To: &t.user, Content: reminderMail{Count: t.count, Days: t.days, URL: s.links.Inbox()}})
		}
		if err := s.db.Tx(ctx, func(tx store.Conn) error { return tx.Enqueue(ctx, mails...) }); err != nil {
			return start, err
		}
	}
	return len(order), nil
}

// startOfDay is midnight, Malaysian time, of t's KL calendar date.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(malaysia.KL).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, malaysia.KL)
}
