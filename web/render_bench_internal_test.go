package web

import (
	"io"
	"testing"
	"time"

	"github.com/perbendaharaan/ispeks/i18n"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/workflow"
)

// The render of the two list pages the scale bench measures with the most
// rows, apart from their queries: a function a template calls for each row
// (t, kl, and, ne) is a reflective call, and at 50 rows such calls were
// most of the audit page's render. go test ./web -run '^$' -bench Render
// -benchmem.

func benchRender(b *testing.B, page string, data any) {
	pages, err := parsePagesIn("ms")
	if err != nil {
		b.Fatal(err)
	}
	v := &View{Lang: "ms", Data: data}
	b.ReportAllocs()
	for b.Loop() {
		if err := pages[page].ExecuteTemplate(io.Discard, "layout.html", v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderAudit renders a page of the audit log, 50 records.
func BenchmarkRenderAudit(b *testing.B) {
	rows := make([]auditRow, auditPageSize)
	for i := range rows {
		rows[i] = auditRow{Seq: int64(1000 + i), At: time.Date(2026, 11, 27, 1, 0, i, 0, time.UTC),
			Actor: "Nur Aisyah binti Omar", ActorLogin: "8501******42", Action: "Kelulusan permohonan", Subject: "BPP/2026/000123",
			Sentence: i18n.T("ms", "audit.sentence_other", "Actor", "Nur Aisyah binti Omar", "Object", "BPP/2026/000123")}
	}
	shownOnPage("ms", rows)
	benchRender(b, "audit", auditData{Actions: auditOptions("ms"), Errors: map[string]string{}, Rows: rows,
		Total: "1,000", Older: "/audit?before=1", Export: "/audit/export.csv", Verify: "/audit?verify=1"})
}

// BenchmarkRenderUsers renders a page of the profiles, 25 of them
// (store.DefaultPageSize).
func BenchmarkRenderUsers(b *testing.B) {
	rows := make([]userRow, store.DefaultPageSize)
	for i := range rows {
		rows[i] = userRow{ID: int64(i + 1), Login: "8501******42", Name: "Nur Aisyah binti Omar", Email: "nur.aisyah@example.gov.my",
			PTJCode: "12000001", Active: true, Roles: []string{"Wakil PTJ", "Pelulus"}, Modules: []string{"ePayslip", "eEC"}}
	}
	benchRender(b, "users", usersData{Q: "aisyah", Rows: rows, Pager: pager{Number: 1, Pages: 80, Total: "2,000", Exact: true}})
}

// BenchmarkRenderRequests renders a page of the requests' list, 25 of them
// (store.DefaultPageSize).
func BenchmarkRenderRequests(b *testing.B) {
	rows := make([]requestRow, store.DefaultPageSize)
	for i := range rows {
		rows[i] = requestRow{ID: int64(i + 1), Reference: "BPP/2026/000123", Kind: "Pendaftaran baharu", Subject: "Nur Aisyah binti Omar",
			MaskedIC: "850101-**-**42", PTJCode: "12000001", PTJName: "Jabatan Kewangan Negeri", StateID: "submitted", State: "Dihantar",
			Updated: time.Date(2026, 11, 27, 1, 0, i, 0, time.UTC)}
	}
	benchRender(b, "request_list", listData{Rows: rows, States: stateOptions("ms", workflow.States(), ""),
		Pager: pager{Number: 1, Pages: 41, Total: "1,000", Exact: false}})
}
