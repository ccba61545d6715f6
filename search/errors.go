package search

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/meilisearch/meilisearch-go"

	"github.com/passerelle-dev/passerelle"
)

// RetryAfterSeconds is what a client is told to wait when Meilisearch is down.
const RetryAfterSeconds = 5

// UnavailableError is returned when Meilisearch cannot be reached or answers
// that it cannot serve (5xx, timeout, index missing). It carries the
// passerelle.EUnavailable code (503 at the API) and a Retry-After hint; the
// cause stays for logs.
type UnavailableError struct {
	Cause error
}

var errUnavailable = passerelle.Errorf(passerelle.EUnavailable,
	"Search is temporarily unavailable. Offers are still saved and will be searchable again shortly; retry later.")

func (e *UnavailableError) Error() string { return "search: unavailable: " + e.Cause.Error() }

// Unwrap exposes both the cause and the domain error, so that errors.As finds
// the *passerelle.Error and errors.Is the cause.
func (e *UnavailableError) Unwrap() []error { return []error{errUnavailable, e.Cause} }

// RetryAfter is the Retry-After header value, in seconds.
func (e *UnavailableError) RetryAfter() string { return strconv.Itoa(RetryAfterSeconds) }

// classify turns a Meilisearch failure that means "not now" into an
// *UnavailableError; other errors (a bad request: a bug) pass unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if unavailable(err) {
		return &UnavailableError{Cause: err}
	}
	return err
}

func unavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, meilisearch.ErrConnectingFailed) ||
		errors.Is(err, meilisearch.ErrMeilisearchNotAvailable) {
		return true
	}
	var me *meilisearch.Error
	if !errors.As(err, &me) {
		return false
	}
	switch me.ErrCode {
	case meilisearch.MeilisearchCommunicationError, meilisearch.MeilisearchTimeoutError, meilisearch.MeilisearchMaxRetriesExceeded:
		return true
	}
	// An index missing (a Meilisearch restarted on empty data, before the
	// settings are applied again) is also "not now": the reconciler refills it.
	return me.StatusCode >= http.StatusInternalServerError || me.MeilisearchApiError.Code == "index_not_found"
}

// IsUnavailable reports whether err says Meilisearch is down or not ready.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}
