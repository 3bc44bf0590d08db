package web

import (
	"net/url"
	"strconv"
	"strings"
)

// Links builds absolute addresses of the portal's pages, for mail: the web
// layer owns the routes, so the domain asks it instead of spelling paths.
type Links struct{ base string }

// NewLinks returns the link builder of the portal served at baseURL.
func NewLinks(baseURL string) Links { return Links{base: strings.TrimRight(baseURL, "/")} }

// Home is the home page.
func (l Links) Home() string { return l.base + "/" }

// Inbox is the list of what waits for the reader.
func (l Links) Inbox() string { return l.base + "/inbox" }

// Request is the detail page of request id.
func (l Links) Request(id int64) string { return l.base + "/requests/" + strconv.FormatInt(id, 10) }

// SetPassword is the set-password page of a one-time link's token;
// SetPassword("") is the address a token is appended to.
func (l Links) SetPassword(token string) string {
	return l.base + "/password/set?token=" + url.QueryEscape(token)
}

// Payslip is an employee's slip of month (YYYY-MM).
func (l Links) Payslip(month string) string { return l.base + "/epayslip/" + url.PathEscape(month) }

// Voucher is the page of eMaklum voucher no.
func (l Links) Voucher(no string) string { return l.base + "/emaklum/vouchers/" + url.PathEscape(no) }

// Statement is an employee's Borang EC of year.
func (l Links) Statement(year int) string { return l.base + "/eec/" + strconv.Itoa(year) }
