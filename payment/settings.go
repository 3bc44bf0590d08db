package payment

import (
	"context"
	"fmt"
	"strconv"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/store"
)

// Settings are a user's choices in eMaklum.
type Settings struct {
	// MailOnMove: mail me when a payment to me is credited, fails at the
	// bank or is cancelled (on unless turned off).
	MailOnMove bool
}

// SettingsOf returns u's settings; a user who never chose has the defaults.
func (s *Service) SettingsOf(ctx context.Context, u *store.User) (Settings, error) {
	if !u.HasModule(forms.ModuleMaklum) {
		return Settings{}, errNoAccess
	}
	var on []bool
	if err := s.db.ReadIDB().NewRaw("SELECT mail_on_move FROM payment_settings WHERE user_id = ?", u.ID).Scan(ctx, &on); err != nil {
		return Settings{}, fmt.Errorf("payment settings: %w", err)
	}
	if len(on) == 0 {
		return Settings{MailOnMove: true}, nil
	}
	return Settings{MailOnMove: on[0]}, nil
}

// SaveSettings keeps u's settings, with an audit record.
func (s *Service) SaveSettings(ctx context.Context, u *store.User, set Settings) error {
	if !u.HasModule(forms.ModuleMaklum) {
		return errNoAccess
	}
	return s.db.Tx(ctx, func(tx store.Conn) error {
		if _, err := tx.IDB().NewRaw(`INSERT INTO payment_settings (user_id, mail_on_move, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET mail_on_move = excluded.mail_on_move, updated_at = excluded.updated_at`,
			u.ID, set.MailOnMove, s.now()).Exec(ctx); err != nil {
			return fmt.Errorf("payment settings: %w", err)
		}
		return tx.Audit(ctx, actor(u), "payment.settings", "user", strconv.FormatInt(u.ID, 10), map[string]any{"mail_on_move": set.MailOnMove})
	})
}
