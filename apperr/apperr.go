// Package apperr holds the handful of error kinds the whole portal speaks.
//
// Every layer returns *Error for what a user may be told (invalid input, not
// found, forbidden, conflict…); anything else is an internal error that the
// web layer logs and hides. Each Error carries its message in Bahasa Malaysia
// (MS, the default) and English (EN), and optional field-level messages, so
// that pages and the JSON API show the same words.
package apperr

import (
	"errors"
	"fmt"
)

// Code is the kind of an application error. The web layer maps each to an
// HTTP status; the JSON API shows it as error.code.
type Code string

const (
	Invalid                Code = "invalid"                  // 422: the input breaks a rule
	Unauthorized           Code = "unauthorized"             // 401: not logged in, or bad credentials
	Forbidden              Code = "forbidden"                // 403: logged in, but not allowed
	NotFound               Code = "not_found"                // 404
	Conflict               Code = "conflict"                 // 409: stale version, duplicate, wrong state
	PasswordChangeRequired Code = "password_change_required" // 403 until the user changes the password
	Internal               Code = "internal"                 // 500: logged, never shown
)

// FieldError is a message about one input field.
type FieldError struct {
	Field string `json:"field"`
	MS    string `json:"-"`
	EN    string `json:"-"`
}

// Message returns the field message in lang ("en" or anything else for BM).
func (f FieldError) Message(lang string) string { return pick(lang, f.MS, f.EN) }

// Error is an error a user may see.
type Error struct {
	Code   Code
	MS     string // message in Bahasa Malaysia
	EN     string // message in English
	Fields []FieldError
	Err    error // the underlying cause, for logs only
}

func (e *Error) Error() string {
	msg := e.EN
	if msg == "" {
		msg = e.MS
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Message returns the message in lang ("en" for English, BM otherwise).
func (e *Error) Message(lang string) string { return pick(lang, e.MS, e.EN) }

func pick(lang, ms, en string) string {
	if lang == "en" && en != "" {
		return en
	}
	if ms == "" {
		return en
	}
	return ms
}

// New returns an error of code with a message in both languages.
func New(code Code, ms, en string) *Error { return &Error{Code: code, MS: ms, EN: en} }

// Wrap returns an error of code with both messages, keeping cause for logs.
func Wrap(code Code, cause error, ms, en string) *Error {
	return &Error{Code: code, MS: ms, EN: en, Err: cause}
}

// Fields returns an Invalid error listing field messages.
func Fields(fields ...FieldError) *Error {
	return &Error{
		Code:   Invalid,
		MS:     "Sila betulkan ruangan yang ditandakan.",
		EN:     "Please correct the marked fields.",
		Fields: fields,
	}
}

// CodeOf returns the code of err: the code of the first *Error in its chain,
// or Internal for anything else (and "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error in err's chain, or an Internal error hiding err.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{
		Code: Internal,
		MS:   "Ralat dalaman. Sila cuba sebentar lagi.",
		EN:   "Internal error. Please try again shortly.",
		Err:  err,
	}
}

// Is reports whether err is an application error of code.
func Is(err error, code Code) bool { return CodeOf(err) == code }
