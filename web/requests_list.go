package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/store"
	"github.com/perbendaharaan/ispeks/useradmin"
	"github.com/perbendaharaan/ispeks/workflow"
)

// The request list, its filters and the CSV export. Every page works
// without JavaScript: filters are GET forms.

type listData struct {
	Q, PTJ    string
	Mine      bool
	States    []option
	Kinds     []option
	Rows      []requestRow
	Pager     pager
	ExportURL string // empty when the viewer may not export
	CanCreate bool
}

// bindFilter reads the list's filters from the query (requestFilter;
// unknown states and kinds are dropped). It returns them also as the query
// to keep in links.
func bindFilter(c *gin.Context) (useradmin.Filter, url.Values) {
	f, _ := requestFilter(c)
	f.AwaitingMe = false // the inbox has its own page
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", f.Q)
	set("state", string(f.State))
	set("kind", string(f.Kind))
	set("ptj", f.PTJCode)
	if f.Mine {
		q.Set("mine", "1")
	}
	return f, q
}

func stateOptions(lang string, states []workflow.State, selected workflow.State) []option {
	var out []option
	for _, st := range states {
		out = append(out, option{Value: string(st), Label: st.Label(lang), Selected: st == selected})
	}
	return out
}

func (s *Server) requestList(c *gin.Context) {
	u, l := currentUser(c), lang(c)
	f, q := bindFilter(c)
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	list, total, err := s.admin.ListRequests(c.Request.Context(), u, f, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := listData{Q: f.Q, PTJ: f.PTJCode, Mine: f.Mine, States: stateOptions(l, workflow.States(), f.State),
		Pager: newPager("/requests", q, p, total, len(list)), CanCreate: s.may(c, "GET", "/requests/new")}
	for _, k := range forms.Kinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: forms.KindLabel(k, l), Selected: k == f.Kind})
	}
	d.Rows = make([]requestRow, 0, len(list))
	for i := range list {
		d.Rows = append(d.Rows, rowOf(&list[i], l))
	}
	if s.may(c, "GET", "/requests/export.csv") {
		d.ExportURL = "/requests/export.csv"
		if len(q) > 0 {
			d.ExportURL += "?" + q.Encode()
		}
	}
	s.render(c, http.StatusOK, "request_list", d)
}

// csvCell keeps a cell from being read as a formula by a spreadsheet.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// requestExport streams the requests the list's filters select as CSV, in
// UTF-8 with a byte-order mark so that Excel shows Malay text right. MyKad
// numbers are masked: a file travels further than a page.
func (s *Server) requestExport(c *gin.Context) {
	u, l := currentUser(c), lang(c)
	f, _ := bindFilter(c)
	name := "permohonan-" + s.now().In(malaysia.KL).Format("20060102") + ".csv"
	var header []string
	for _, k := range []string{"reference", "kind", "state", "ptj_code", "subject", "ic", "submitter", "created", "updated"} {
		header = append(header, tr(c, "request.csv."+k))
	}
	when := func(t time.Time) string { return t.In(malaysia.KL).Format("2006-01-02 15:04:05") }
	row := make([]string, 0, 9)
	s.sendCSV(c, name, header, func(put func([]string) error) error {
		return s.admin.EachRequest(c.Request.Context(), u, f, func(r *store.Request) error {
			submitter := ""
			if r.Submitter != nil {
				submitter = r.Submitter.Name
			}
			return put(append(row[:0], r.Reference, forms.KindLabel(r.Kind, l), r.State.Label(l), r.PTJCode, r.SubjectName,
				forms.MaskLogin(r.SubjectIC), submitter, when(r.CreatedAt), when(r.UpdatedAt)))
		})
	})
}
