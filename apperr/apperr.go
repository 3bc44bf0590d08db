// Package apperr holds the handful of error kinds the whole portal speaks.
//
// Every layer returns *Error for what a user may be told (invalid input, not
// found, forbidden, conflict…); anything else is an internal error that the
// web layer logs and hides. An Error's message is a key of the language
// catalogue (package i18n) with its arguments, so that pages, the JSON API
// and the command line show the same words in the reader's language.
package apperr

import (
	"errors"
	"fmt"

	"github.com/perbendaharaan/ispeks/i18n"
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
	TooLarge               Code = "too_large"                // 413: the body is over its limit
	TooManyRequests        Code = "too_many_requests"        // 429: asked too often; try again later
	Unavailable            Code = "unavailable"              // 503: try again shortly (database down, server busy)
	Internal               Code = "internal"                 // 500: logged, never shown
)

// FieldError is a message about one input field.
type FieldError struct {
	Field string `json:"field"`
	Text  i18n.Text
}

// Message returns the field message in lang.
func (f FieldError) Message(lang string) string { return f.Text.In(lang) }

// Field returns the message key with args about field.
func Field(field, key string, args ...any) FieldError {
	return FieldError{Field: field, Text: i18n.Of(key, args...)}
}

// Error is an error a user may see.
type Error struct {
	Code   Code
	Text   i18n.Text // the message, chosen in the reader's language
	Fields []FieldError
	Err    error // the underlying cause, for logs only
}

func (e *Error) Error() string {
	msg := e.Message(i18n.EN)
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Message returns the message in lang ("en" for English, BM otherwise).
func (e *Error) Message(lang string) string { return e.Text.In(lang) }

// New returns an error of code with the message key and its args.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Text: i18n.Of(key, args...)}
}

// Wrap returns an error of code with the message key and args, keeping
// cause for logs.
func Wrap(code Code, cause error, key string, args ...any) *Error {
	return &Error{Code: code, Text: i18n.Of(key, args...), Err: cause}
}

// Fields returns an Invalid error listing field messages.
func Fields(fields ...FieldError) *Error {
	return &Error{Code: Invalid, Text: i18n.Of("error.fix_fields"), Fields: fields}
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
	return &Error{Code: Internal, Text: i18n.Of("error.internal"), Err: err}
}

// Is reports whether err is an application error of code.
func Is(err error, code Code) bool { return CodeOf(err) == code }
