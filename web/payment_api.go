package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/payment"
	"github.com/perbendaharaan/ispeks/store"
)

// The eMaklum API: the same rules as the pages, for integrators (the
// accounting system's import) and the national portal's status check.

// apiPayment is a payment as the API shows it to those who may see it:
// the payee id whole (the caller searches by it), the bank account masked.
type apiPayment struct {
	VoucherNo   string          `json:"voucher_no"`
	PTJCode     string          `json:"ptj_code"`
	PTJName     string          `json:"ptj_name,omitempty"`
	PayeeID     string          `json:"payee_id"`
	PayeeName   string          `json:"payee_name"`
	InvoiceNo   string          `json:"invoice_no"`
	AmountSen   int64           `json:"amount_sen"`
	Status      payment.Status  `json:"status"`
	StatusDate  string          `json:"status_date"`
	Mode        payment.Mode    `json:"payment_mode"`
	Ref         string          `json:"payment_ref"`
	BankAccount string          `json:"bank_account"`
	UpdatedAt   time.Time       `json:"updated_at"`
	History     []apiPaymentEvt `json:"history,omitempty"`
}

type apiPaymentEvt struct {
	Status     payment.Status `json:"status"`
	StatusDate string         `json:"status_date"`
	Mode       payment.Mode   `json:"payment_mode"`
	Ref        string         `json:"payment_ref"`
	ImportID   int64          `json:"import_id"`
	RecordedAt time.Time      `json:"recorded_at"`
}

func paymentJSON(p *payment.Payment) apiPayment {
	return apiPayment{VoucherNo: p.VoucherNo, PTJCode: p.PTJCode, PTJName: p.PTJName, PayeeID: p.PayeeID, PayeeName: p.PayeeName,
		InvoiceNo: p.InvoiceNo, AmountSen: p.AmountSen, Status: p.Status, StatusDate: p.StatusDate, Mode: p.Mode, Ref: p.Ref,
		BankAccount: payment.MaskAccount(p.BankAccount), UpdatedAt: p.UpdatedAt.UTC()}
}

// apiPaymentImport takes the accounting system's file (multipart field
// "file") and imports it before answering: 201 with the counts, 422 with
// every bad line and nothing imported, or 202 with the import's id when
// its saving stopped midway (SQLite) and the server will finish it.
func (s *Server) apiPaymentImport(c *gin.Context) {
	up, err := receiveUpload(c, errImportNoFile)
	if err != nil {
		s.fail(c, err)
		return
	}
	defer up.file.Close()
	imp, err := s.pay.Import(c.Request.Context(), currentUser(c), up.name, up.file)
	var ie *payment.ImportError
	switch {
	case errors.As(err, &ie):
		l := lang(c)
		list := make([]gin.H, 0, len(ie.Errors))
		for _, e := range ie.Errors {
			list = append(list, gin.H{"line": e.Line, "field": e.Field, "message": e.Message(l)})
		}
		c.JSON(http.StatusUnprocessableEntity, gin.H{
			"error":       gin.H{"code": apperr.Invalid, "message": apperr.As(err).Message(l)},
			"id":          ie.ImportID,
			"errors":      list,
			"error_count": ie.Count,
		})
		return
	case errors.Is(err, store.ErrUnfinished):
		s.log.Error("payment import stopped midway", "import", imp.ID, "error", err)
		c.JSON(http.StatusAccepted, gin.H{"id": imp.ID, "state": imp.State, "lines": imp.Lines})
		return
	case err != nil:
		s.fail(c, err)
		return
	}
	if imp.Mails > 0 {
		s.wakeMail()
	}
	c.JSON(http.StatusCreated, gin.H{"id": imp.ID, "lines": imp.Lines, "vouchers": imp.Vouchers,
		"created": imp.Created, "updated": imp.Updated, "events": imp.Events})
}

// apiPaymentList searches the payments the caller may see. The total is
// exact up to store.CountLimit; past it "total" is the cap and
// "total_exact" false, and pages go no deeper. Its dates are ISO
// (YYYY-MM-DD), as the API's always are.
func (s *Server) apiPaymentList(c *gin.Context) {
	f, err := payment.ParseFilter(c.Query("payee_id"), c.Query("q"), c.Query("status"), c.Query("from"), c.Query("to"))
	if err != nil {
		s.fail(c, err)
		return
	}
	page, err := store.ParsePage(c.Query("page"), c.Query("page_size"))
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.pay.Search(c.Request.Context(), currentUser(c), f, page)
	if err != nil {
		s.fail(c, err)
		return
	}
	items := make([]apiPayment, 0, len(res.Items))
	for i := range res.Items {
		items = append(items, paymentJSON(&res.Items[i]))
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": res.Total.N, "total_exact": res.Total.Exact,
		"page": max(page.Number, 1), "page_size": page.Limit(), "more": res.More})
}

func (s *Server) apiPaymentGet(c *gin.Context) {
	p, err := s.pay.Voucher(c.Request.Context(), currentUser(c), c.Param("voucher_no"))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := paymentJSON(p)
	out.History = []apiPaymentEvt{}
	for _, e := range p.History {
		out.History = append(out.History, apiPaymentEvt{Status: e.Status, StatusDate: e.StatusDate, Mode: e.Mode, Ref: e.Ref,
			ImportID: e.ImportID, RecordedAt: e.Recorded.UTC()})
	}
	c.JSON(http.StatusOK, out)
}

// apiPaymentStatus is the public status check: no login, the payee id and
// an invoice number or payment reference.
func (s *Server) apiPaymentStatus(c *gin.Context) {
	var req struct {
		PayeeID   string `json:"payee_id"`
		Reference string `json:"reference"`
	}
	if err := c.ShouldBindJSON(&req); err != nil {
		s.fail(c, errBadJSON)
		return
	}
	items, err := s.pay.Check(c.Request.Context(), c.ClientIP(), req.PayeeID, req.Reference)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}
