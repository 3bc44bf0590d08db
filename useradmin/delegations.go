package useradmin

import (
	"context"
	"strings"
	"time"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// dateField reads a calendar date (YYYY-MM-DD, in Malaysia) of field.
func dateField(field, s string) (time.Time, *apperr.FieldError) {
	t, err := time.ParseInLocation(malaysia.ISODate, strings.TrimSpace(s), malaysia.KL)
	if err != nil {
		fe := apperr.Field(field, "date.invalid")
		return time.Time{}, &fe
	}
	return t, nil
}

// AddDelegation records that by, a controlling officer, names the user with
// delegateLogin (an active profile of the same PTJ, not by) as delegate from
// from to to (dates, inclusive; to not before today).
func (s *Service) AddDelegation(ctx context.Context, by *store.User, delegateLogin, from, to string) (*store.Delegation, error) {
	var ptj string
	for _, r := range by.Roles {
		if r.Role == forms.RoleControllingOfficer && r.PTJCode != nil {
			ptj = *r.PTJCode
		}
	}
	if ptj == "" {
		return nil, apperr.New(apperr.Forbidden, "delegation.error.officer_only")
	}
	var fields []apperr.FieldError
	fromT, fe := dateField("from", from)
	if fe != nil {
		fields = append(fields, *fe)
	}
	toT, fe2 := dateField("to", to)
	if fe2 != nil {
		fields = append(fields, *fe2)
	}
	today := malaysia.Day(s.now())
	if fe == nil && fe2 == nil {
		if toT.Before(fromT) {
			fields = append(fields, apperr.Field("to", "delegation.error.end_before_start"))
		} else if toT.Format(malaysia.ISODate) < today {
			fields = append(fields, apperr.Field("to", "delegation.error.end_passed"))
		}
	}
	login, _, err := forms.ParseLogin(delegateLogin)
	var d *store.User
	if err != nil {
		fields = append(fields, forms.Field("delegate_login", err))
	} else if d, err = s.db.UserByLogin(ctx, login); err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	} else if d != nil && d.ID == by.ID {
		fields = append(fields, apperr.Field("delegate_login", "delegation.error.self"))
	} else if d == nil || d.PTJCode != ptj || !d.Active() {
		// One message whether the login is unknown, of another PTJ or
		// inactive: an officer learns nothing about other PTJs' staff.
		fields = append(fields, apperr.Field("delegate_login", "delegation.error.other_ptj"))
	}
	if len(fields) > 0 {
		return nil, apperr.Fields(fields...)
	}
	del := &store.Delegation{PTJCode: ptj, PrincipalID: by.ID, DelegateID: d.ID,
		FromDate: fromT.Format(malaysia.ISODate), ToDate: toT.Format(malaysia.ISODate), CreatedAt: s.now(), Principal: by, Delegate: d}
	err = s.db.Tx(ctx, func(tx store.Conn) error {
		if err := tx.InsertDelegation(ctx, del); err != nil {
			return err
		}
		return tx.Audit(ctx, actor(by), "delegation.add", "user", d.Login,
			map[string]any{"ptj": ptj, "from": del.FromDate, "to": del.ToDate})
	})
	return del, err
}

// ErrDelegationNotFound answers a delegation that is not the caller's or
// has ended.
var ErrDelegationNotFound = apperr.New(apperr.NotFound, "delegation.error.not_found")

// RevokeDelegation ends delegation id, named by by, at once.
func (s *Service) RevokeDelegation(ctx context.Context, by *store.User, id int64) error {
	return s.db.Tx(ctx, func(tx store.Conn) error {
		ok, err := tx.RevokeDelegation(ctx, id, by.ID)
		if err != nil {
			return err
		}
		if !ok {
			return ErrDelegationNotFound
		}
		return tx.Audit(ctx, actor(by), "delegation.revoke", "delegation", itoa(id), nil)
	})
}

// ListDelegations returns the delegations user named or received that have
// not ended, soonest first.
func (s *Service) ListDelegations(ctx context.Context, userID int64) ([]store.Delegation, error) {
	return s.db.DelegationsOf(ctx, userID, malaysia.Day(s.now()))
}

// IsDelegate reports whether userID covers a controlling officer today.
func (s *Service) IsDelegate(ctx context.Context, userID int64) (bool, error) {
	ds, err := s.delegationsTo(ctx, s.db.Conn, userID)
	for _, d := range ds {
		if d.Covers(d.PTJCode, s.now()) {
			return true, err
		}
	}
	return false, err
}

// delegationsTo returns the unrevoked, unexpired delegations naming userID
// as delegate whose principal is still an active controlling officer of the
// PTJ, as the workflow sees them (the workflow checks the dates).
func (s *Service) delegationsTo(ctx context.Context, c store.Conn, userID int64) ([]workflow.Delegation, error) {
	list, err := c.DelegationsTo(ctx, userID, malaysia.Day(s.now()))
	if err != nil {
		return nil, err
	}
	var out []workflow.Delegation
	for _, d := range list {
		if d.Principal == nil || !d.Principal.Active() {
			continue
		}
		from, _ := time.ParseInLocation(malaysia.ISODate, d.FromDate, malaysia.KL)
		to, _ := time.ParseInLocation(malaysia.ISODate, d.ToDate, malaysia.KL)
		out = append(out, workflow.Delegation{Principal: person(d.Principal), PTJCode: d.PTJCode, FromDate: from, ToDate: to})
	}
	return out, nil
}

// AddHoliday records a public holiday and audits it.
func (s *Service) AddHoliday(ctx context.Context, by store.Actor, day, name string) error {
	t, fe := dateField("day", day)
	if fe != nil {
		return apperr.Fields(*fe)
	}
	h := &store.Holiday{Day: t.Format(malaysia.ISODate), Name: strings.TrimSpace(name)}
	return s.db.Tx(ctx, func(tx store.Conn) error {
		if err := tx.UpsertHoliday(ctx, h); err != nil {
			return err
		}
		return tx.Audit(ctx, by, "holiday.add", "holiday", h.Day, map[string]any{"name": h.Name})
	})
}

// Calendar returns the working-day calendar with the treasury's holidays.
func (s *Service) Calendar(ctx context.Context) (workflow.Calendar, error) {
	hs, err := s.db.Holidays(ctx)
	if err != nil {
		return workflow.Calendar{}, err
	}
	c := workflow.Calendar{Holidays: map[string]bool{}}
	for _, h := range hs {
		c.Holidays[h.Day] = true
	}
	return c, nil
}
