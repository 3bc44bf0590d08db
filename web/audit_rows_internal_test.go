package web

import (
	"testing"
	"time"
)

// TestAuditRowShownOnPage: what the audit page prints of a row beside its
// sentence — the time in Kuala Lumpur, the login only where it is not the
// name already shown (a service login, a profile gone), the place in the
// chain only once sealed, in the reader's language.
func TestAuditRowShownOnPage(t *testing.T) {
	at := time.Date(2026, 11, 26, 23, 30, 0, 0, time.UTC) // 07:30 on the 27th in KL
	for _, tc := range []struct {
		name               string
		lang               string
		row                auditRow
		when, login, seqNo string
	}{
		{"a profile's record, sealed", "ms", auditRow{At: at, Actor: "Nur Aisyah", ActorLogin: "8501******42", Seq: 7},
			"27/11/2026 07:30", "8501******42", "rekod #7"},
		{"in English", "en", auditRow{At: at, Actor: "Nur Aisyah", ActorLogin: "8501******42", Seq: 7},
			"27/11/2026 07:30", "8501******42", "record #7"},
		{"not sealed yet", "ms", auditRow{At: at, Actor: "Nur Aisyah", ActorLogin: "8501******42"},
			"27/11/2026 07:30", "8501******42", ""},
		{"the login is the name shown (a profile gone)", "ms", auditRow{At: at, Actor: "8501******42", ActorLogin: "8501******42", Seq: 1},
			"27/11/2026 07:30", "", "rekod #1"},
		{"no login (the portal itself)", "ms", auditRow{At: at, Actor: "Sistem", Seq: 1},
			"27/11/2026 07:30", "", "rekod #1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := []auditRow{tc.row}
			shownOnPage(tc.lang, rows)
			if got := rows[0]; got.When != tc.when || got.LoginShown != tc.login || got.SeqNo != tc.seqNo {
				t.Errorf("shown %q, %q, %q; want %q, %q, %q", got.When, got.LoginShown, got.SeqNo, tc.when, tc.login, tc.seqNo)
			}
		})
	}
}
