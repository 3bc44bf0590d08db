package web

import (
	"strings"

	"github.com/perbendaharaan/ispeks/apperr"
	"github.com/perbendaharaan/ispeks/forms"
	"github.com/perbendaharaan/ispeks/malaysia"
)

// Dates typed into forms: every page shows a date field as text taking
// DD/MM/YYYY (HH/BB/TTTT), whatever the browser's locale would make of a
// date picker, and every handler reads one through malaysia.ParseDate into
// the ISO day (2026-12-31) the services and the API take.

// formDay reads the date typed into field: its ISO day, or the field's
// error (and "") when it is not a date or nothing was typed; a form whose
// date may be left out asks optionalDay.
func formDay(field, typed string) (string, *apperr.FieldError) {
	t, err := malaysia.ParseDate(typed)
	if err != nil {
		fe := forms.Field(field, err)
		return "", &fe
	}
	return malaysia.Day(t), nil
}

// withDateErrors is err, a service's refusal of a form whose bad dates were
// given to it as "", with those dates' own errors first, so that the page
// shows why each date was refused and the other fields' errors at once. A
// refusal that is not about the input (forbidden, internal) is err itself.
func withDateErrors(err error, bad []apperr.FieldError) error {
	if len(bad) == 0 || err != nil && apperr.CodeOf(err) != apperr.Invalid {
		return err
	}
	fields := append([]apperr.FieldError(nil), bad...)
	if err != nil {
		fields = append(fields, apperr.As(err).Fields...)
	}
	return apperr.Fields(fields...)
}

// optionalDay is formDay of a field that may be left empty ("", no error).
func optionalDay(field, typed string) (string, *apperr.FieldError) {
	if strings.TrimSpace(typed) == "" {
		return "", nil
	}
	return formDay(field, typed)
}
