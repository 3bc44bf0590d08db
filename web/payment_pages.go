package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
	"github.com/perbendaharaan/ispeks/payment"
	"github.com/perbendaharaan/ispeks/store"
)

// eMaklum's pages: the list with its search and CSV export, a voucher's
// page with its timeline, the settings of one's mail, the import for
// system administrators, and the public status check. Every page works
// without JavaScript: the search is a GET form, the import a plain upload
// whose result page refreshes itself (the Refresh header) while it runs.

// paymentRow is a payment as a line of the list.
type paymentRow struct {
	Voucher, PTJ, Payee, PayeeName, Invoice, Amount string
	StatusID                                        payment.Status
	Status, Date, Mode                              string
}

// maskPayee shows a MyKad number masked (a page or a file travels further
// than the payee) and a company's registration number whole, though the
// SSM's are twelve digits too: only a number that is a MyKad's is masked.
func maskPayee(id string) string {
	if m, err := malaysia.ParseMyKad(id); err == nil {
		return m.Masked()
	}
	return id
}

func paymentRowOf(p *payment.Payment, lang string) paymentRow {
	return paymentRow{Voucher: p.VoucherNo, PTJ: p.PTJCode, Payee: maskPayee(p.PayeeID), PayeeName: p.PayeeName,
		Invoice: p.InvoiceNo, Amount: malaysia.FormatSen(p.AmountSen), StatusID: p.Status, Status: p.Status.Label(lang),
		Date: payment.ShowDate(p.StatusDate), Mode: p.Mode.Label(lang)}
}

type paymentListData struct {
	PayeeID, Q, Status, From, To string
	Statuses                     []option
	Errors                       map[string]string
	Rows                         []paymentRow
	Pager                        pager
	ExportURL                    string
	Scope                        string
	CanSettings, CanImport       bool
}

// paymentFilter reads the list's filters from the query, and keeps them
// as the query of the pager's and the export's links. Its dates are typed
// DD/MM/YYYY (ISO is read too) and given to the module as ISO days.
func paymentFilter(c *gin.Context) (payment.Filter, url.Values, error) {
	q := url.Values{}
	for _, k := range []string{"payee_id", "q", "status", "from", "to"} {
		if v := c.Query(k); v != "" {
			q.Set(k, v)
		}
	}
	var bad []apperr.FieldError
	from, fe := optionalDay("from", c.Query("from"))
	if fe != nil {
		bad = append(bad, *fe)
	}
	to, fe := optionalDay("to", c.Query("to"))
	if fe != nil {
		bad = append(bad, *fe)
	}
	f, err := payment.ParseFilter(c.Query("payee_id"), c.Query("q"), c.Query("status"), from, to)
	if err = withDateErrors(err, bad); err != nil {
		return payment.Filter{}, q, err
	}
	return f, q, nil
}

func statusOptions(lang string, selected string) []option {
	var out []option
	for _, st := range payment.Statuses() {
		out = append(out, option{Value: string(st), Label: st.Label(lang), Selected: string(st) == selected})
	}
	return out
}

// scopeText says what the list shows the viewer.
func scopeText(c *gin.Context, sc payment.Scope) string {
	switch {
	case sc.All:
		return tr(c, "payment.scope.all")
	case len(sc.PTJs) > 0:
		return tr(c, "payment.scope.ptj", "PTJ", strings.Join(sc.PTJs, ", "))
	}
	return tr(c, "payment.scope.own")
}

func (s *Server) paymentList(c *gin.Context) {
	u, l := currentUser(c), lang(c)
	sc, err := payment.ScopeOf(u)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := paymentListData{PayeeID: c.Query("payee_id"), Q: c.Query("q"), Status: c.Query("status"), From: c.Query("from"), To: c.Query("to"),
		Statuses: statusOptions(l, c.Query("status")), Scope: scopeText(c, sc),
		CanSettings: s.may(c, "GET", "/emaklum/settings"), CanImport: s.may(c, "GET", "/emaklum/import")}
	f, q, err := paymentFilter(c)
	if err != nil {
		d.Errors = fieldErrors(err, l)
		s.render(c, http.StatusUnprocessableEntity, "payment_list", d)
		return
	}
	p, err := pageOf(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.pay.Search(c.Request.Context(), u, f, p)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) { // a page past the count
			d.Errors = map[string]string{"": apperr.As(err).Message(l)}
			s.render(c, http.StatusUnprocessableEntity, "payment_list", d)
			return
		}
		s.fail(c, err)
		return
	}
	for i := range res.Items {
		d.Rows = append(d.Rows, paymentRowOf(&res.Items[i], l))
	}
	rows := len(res.Items)
	if !res.More {
		rows = 0 // no page after this one, full or not
	}
	d.Pager = newPager("/emaklum", q, p, res.Total, rows)
	d.ExportURL = "/emaklum/export.csv"
	if len(q) > 0 {
		d.ExportURL += "?" + q.Encode()
	}
	s.render(c, http.StatusOK, "payment_list", d)
}

// fieldErrors maps an Invalid error's fields to their messages in lang
// ("" for the error as a whole when it names none).
func fieldErrors(err error, lang string) map[string]string {
	e := apperr.As(err)
	out := map[string]string{}
	for _, f := range e.Fields {
		if _, dup := out[f.Field]; !dup {
			out[f.Field] = f.Message(lang)
		}
	}
	if len(out) == 0 {
		out[""] = e.Message(lang)
	}
	return out
}

// paymentExport streams the payments the list's filters select as CSV, in
// UTF-8 with a byte-order mark, every cell formula-safe; MyKad numbers and
// bank accounts masked.
func (s *Server) paymentExport(c *gin.Context) {
	u, l := currentUser(c), lang(c)
	if _, err := payment.ScopeOf(u); err != nil {
		s.fail(c, err)
		return
	}
	f, _, err := paymentFilter(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	name := "emaklum-" + s.now().In(malaysia.KL).Format("20060102") + ".csv"
	var header []string
	for _, k := range payment.Header {
		header = append(header, tr(c, "payment.field."+k))
	}
	s.sendCSV(c, name, header, func(put func([]string) error) error {
		return s.pay.Each(c.Request.Context(), u, f, func(p *payment.Payment) error {
			return put([]string{p.VoucherNo, p.PTJCode, maskPayee(p.PayeeID), p.PayeeName, p.InvoiceNo, malaysia.FormatSen(p.AmountSen),
				p.Status.Label(l), p.StatusDate, p.Mode.Label(l), p.Ref, payment.MaskAccount(p.BankAccount)})
		})
	})
}

type paymentEventRow struct {
	StatusID     payment.Status
	Status, Date string
	Mode, Ref    string
	Recorded     string
	Final        bool
}

type paymentPageData struct {
	P       paymentRow
	PTJName string
	Ref     string
	Account string
	Updated string
	Events  []paymentEventRow
	Next    []string // statuses that may follow, in words
}

func (s *Server) paymentPage(c *gin.Context) {
	l := lang(c)
	p, err := s.pay.Voucher(c.Request.Context(), currentUser(c), c.Param("voucher_no"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d := paymentPageData{P: paymentRowOf(p, l), PTJName: p.PTJName, Ref: p.Ref, Account: payment.MaskAccount(p.BankAccount),
		Updated: malaysia.DateTime(p.UpdatedAt)}
	for _, e := range p.History {
		d.Events = append(d.Events, paymentEventRow{StatusID: e.Status, Status: e.Status.Label(l), Date: payment.ShowDate(e.StatusDate),
			Mode: e.Mode.Label(l), Ref: e.Ref, Recorded: malaysia.DateTime(e.Recorded), Final: e.Status.Final()})
	}
	for _, n := range p.Status.Next() {
		d.Next = append(d.Next, n.Label(l))
	}
	s.render(c, http.StatusOK, "payment_voucher", d)
}

// The settings of one's eMaklum mail.

type paymentSettingsData struct{ MailOnMove bool }

func (s *Server) paymentSettingsPage(c *gin.Context) {
	f := s.takeFlash(c)
	set, err := s.pay.SettingsOf(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	d := paymentSettingsData{MailOnMove: set.MailOnMove}
	flash := f.flash()
	if f != nil {
		d.MailOnMove = f.value("mail_on_move") == "1" // the choice not saved, as it was made
	} else {
		flash = doneFlash(c, "payment.settings.done.")
	}
	s.page(c, http.StatusOK, "payment_settings", d, flash)
}

// paymentSettingsSave saves the settings and goes back to their page, also
// when they could not be saved (with why, and the choice as made).
func (s *Server) paymentSettingsSave(c *gin.Context) {
	set := payment.Settings{MailOnMove: c.PostForm("mail_on_move") == "1"}
	if err := s.pay.SaveSettings(c.Request.Context(), currentUser(c), set); err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			s.fail(c, err)
			return
		}
		s.refuse(c, "/emaklum/settings", err, map[string]string{"mail_on_move": c.PostForm("mail_on_move")})
		return
	}
	c.Redirect(http.StatusSeeOther, "/emaklum/settings?done=saved")
}

// The import, for system administrators: the upload is saved to a
// temporary file as it arrives (a million lines are never in memory), the
// import runs in the background, and the browser goes to its result page,
// which shows the lines read until it is done.

type importRow struct {
	ID                                      int64
	File, State, StateID, By, Started       string
	Lines, Vouchers, Created, Updated, Errs int64
}

type paymentImportData struct {
	Error   string
	Imports []importRow
	Header  string
}

func importRowOf(c *gin.Context, imp *payment.Import) importRow {
	return importRow{ID: imp.ID, File: imp.FileName, StateID: imp.State, State: tr(c, "payment.import.state."+imp.State),
		By: forms.MaskLogin(imp.ActorLogin), Started: malaysia.DateTime(imp.StartedAt),
		Lines: imp.Lines, Vouchers: imp.Vouchers, Created: imp.Created, Updated: imp.Updated, Errs: imp.ErrorCount}
}

func (s *Server) paymentImportForm(c *gin.Context, problem string) {
	list, err := s.pay.Imports(c.Request.Context(), currentUser(c), store.Page{Size: 10})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := paymentImportData{Error: problem, Header: strings.Join(payment.Header, ",")}
	for i := range list {
		d.Imports = append(d.Imports, importRowOf(c, &list[i]))
	}
	s.render(c, http.StatusOK, "payment_import", d)
}

// paymentImportPage shows the upload form, with why the last upload was
// refused when it was.
func (s *Server) paymentImportPage(c *gin.Context) {
	var problem string
	if f := s.takeFlash(c); f != nil {
		problem = f.Text
	}
	s.paymentImportForm(c, problem)
}

var (
	errImportNoFile  = apperr.New(apperr.Invalid, "payment.import.no_file")
	errImportConfirm = apperr.New(apperr.Invalid, "payment.import.confirm_needed")
)

func (s *Server) paymentImportUpload(c *gin.Context) {
	u := currentUser(c)
	up, err := receiveUpload(c, errImportNoFile)
	if err == nil && !ticked(c.PostForm("confirm")) {
		up.file.Close()
		err = errImportConfirm
	}
	if err != nil {
		if code := apperr.CodeOf(err); code == apperr.Invalid || code == apperr.TooLarge {
			s.refuse(c, "/emaklum/import", err, nil)
			return
		}
		s.fail(c, err)
		return
	}
	tmp, err := up.spool(s.cfg.DataDir, "payments-*.csv")
	up.file.Close()
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := os.Open(tmp)
	if err != nil {
		_ = os.Remove(tmp)
		s.fail(c, err)
		return
	}
	id, err := s.pay.StartImport(c.Request.Context(), u, up.name)
	if err != nil {
		f.Close()
		_ = os.Remove(tmp)
		s.fail(c, err)
		return
	}
	// The import outlives the request: the browser watches its page.
	go s.runImport(context.WithoutCancel(c.Request.Context()), u, id, f)
	c.Redirect(http.StatusSeeOther, "/emaklum/imports/"+strconv.FormatInt(id, 10))
}

// runImport imports the saved upload f into import id, then removes it.
func (s *Server) runImport(ctx context.Context, u *store.User, id int64, f *os.File) {
	defer os.Remove(f.Name())
	defer f.Close()
	imp, err := s.pay.RunImport(ctx, u, id, f)
	switch {
	case err == nil:
		if imp.Mails > 0 {
			s.wakeMail()
		}
	case apperr.Is(err, apperr.Invalid):
		// Bad lines: the import's page lists them.
	default:
		s.log.Error("payment import", "import", id, "error", err)
	}
}

type importErrorRow struct {
	Line           int64
	Field, Message string
}

type paymentImportResultData struct {
	Imp     importRow
	SHA256  string
	Events  int64
	Running bool
	Stopped bool // its saving stopped, no process saving it
	Errors  []importErrorRow
	More    int64
}

func (s *Server) paymentImportResult(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.notFound(c)
		return
	}
	imp, err := s.pay.GetImport(c.Request.Context(), currentUser(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	l := lang(c)
	d := paymentImportResultData{Imp: importRowOf(c, imp), SHA256: imp.SHA256, Events: imp.Events,
		Running: imp.State == payment.ImportRunning || imp.State == payment.ImportApplying, Stopped: imp.Stopped,
		More: imp.ErrorCount - int64(len(imp.Errors))}
	for _, e := range imp.Errors {
		d.Errors = append(d.Errors, importErrorRow{Line: e.Line, Field: e.Field, Message: e.Message(l)})
	}
	if d.Running {
		c.Header("Refresh", "2") // no script: the browser asks again
	}
	s.render(c, http.StatusOK, "payment_import_result", d)
}

// The public status check: the form posts, and the browser comes back to
// the page (post/redirect/get) with the result or the refusal in a form
// flash, so that reloading neither checks again nor counts against the
// address's limit.

type paymentCheckData struct {
	PayeeID, Reference string
	Errors             map[string]string
	Checked            bool
	Items              []paymentCheckRow
}

type paymentCheckRow struct{ StatusID, Status, Date, Mode string }

// paymentCheckPage is the public status check's form, with why the last
// check was refused and what was typed (a visitor has no session: prg.go).
func (s *Server) paymentCheckPage(c *gin.Context) {
	d := paymentCheckData{}
	if n := s.takeNote(c); n != nil {
		d.PayeeID, d.Reference, d.Errors = n.value("payee_id"), n.value("reference"), n.errors()
	}
	s.render(c, http.StatusOK, "payment_check", d)
}

func (s *Server) paymentCheck(c *gin.Context) {
	l := lang(c)
	d := paymentCheckData{PayeeID: c.PostForm("payee_id"), Reference: c.PostForm("reference")}
	items, err := s.pay.Check(c.Request.Context(), c.ClientIP(), d.PayeeID, d.Reference)
	if err != nil {
		e := apperr.As(err)
		if e.Code != apperr.Invalid && e.Code != apperr.TooManyRequests {
			s.fail(c, err)
			return
		}
		// Refused: back to the form (post/redirect/get), so that a reload
		// does not check again. A result is shown in answer to the POST: it
		// names a payment, which no address or cookie should carry.
		s.failNote(c, "/emaklum/semak", err, map[string]string{"payee_id": d.PayeeID, "reference": d.Reference})
		return
	}
	d.Checked = true
	for _, it := range items {
		d.Items = append(d.Items, paymentCheckRow{StatusID: string(it.Status), Status: it.Status.Label(l),
			Date: payment.ShowDate(it.StatusDate), Mode: it.Mode.Label(l)})
	}
	s.render(c, http.StatusOK, "payment_check", d)
}
