package passerelle

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in api/problems.go; domain code picks
// the code that says what went wrong, never a status.
const (
	EInvalid      = "invalid"             // the request is well-formed but its content is wrong (422)
	EBadRequest   = "bad_request"         // the request cannot be read: garbled cursor, bad header (400)
	EUnauthorized = "unauthorized"        // no credentials, or revoked ones (401)
	EForbidden    = "forbidden"           // this role may never do this (403)
	ENotFound     = "not_found"           // missing, or another tenant's (404)
	EConflict     = "conflict"            // clashes with the current state (409)
	EPrecondition = "precondition_failed" // If-Match did not match (412)
	ETooLarge     = "too_large"           // body over the limit (413)
	ERateLimited  = "rate_limited"        // too many requests for this key (429)
	EUnavailable  = "unavailable"         // a dependency is down; retry later (503)
	EInternal     = "internal"            // a bug or an unexpected failure (500)
)

// Error is an error a user can act on: a code from the list above, a message fit
// to show, and optionally the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

// FieldError names one bad field. Location is the field's path in the input
// ("siret", "profile.home_postal_code"): the API shows it as "body.<path>",
// the console as the field's French label. Only errors about a request's
// other parts carry their HTTP location ("query.cursor").
type FieldError struct {
	Location string
	Message  string
	Value    any
}

func (e *Error) Error() string {
	return fmt.Sprintf("passerelle error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error naming the fields at fault.
func Invalid(message string, fields ...FieldError) *Error {
	return &Error{Code: EInvalid, Message: message, Fields: fields}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EInternal
	}
}

// ErrorMessage returns the message of the first *Error in err's chain. Any other
// error gets a fixed message, so internals never reach a user.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "An internal error occurred."
	}
}
