package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"

	"github.com/passerelle-dev/passerelle"
)

// ProblemTypePrefix starts every problem type URI. The URIs are stable names
// documented in docs/problems.md, not links.
const ProblemTypePrefix = "urn:passerelle:problem:"

// codeStatus is the one table from error codes to HTTP statuses.
var codeStatus = map[string]int{
	passerelle.EBadRequest:   http.StatusBadRequest,
	passerelle.EUnauthorized: http.StatusUnauthorized,
	passerelle.EForbidden:    http.StatusForbidden,
	passerelle.ENotFound:     http.StatusNotFound,
	passerelle.EConflict:     http.StatusConflict,
	passerelle.EPrecondition: http.StatusPreconditionFailed,
	passerelle.ETooLarge:     http.StatusRequestEntityTooLarge,
	passerelle.EInvalid:      http.StatusUnprocessableEntity,
	passerelle.ERateLimited:  http.StatusTooManyRequests,
	passerelle.EUnavailable:  http.StatusServiceUnavailable,
	passerelle.EInternal:     http.StatusInternalServerError,
}

// statusCode is the reverse, for errors huma raises itself (validation, body
// size, unknown content type...).
var statusCode = map[int]string{
	http.StatusBadRequest:            passerelle.EBadRequest,
	http.StatusUnauthorized:          passerelle.EUnauthorized,
	http.StatusForbidden:             passerelle.EForbidden,
	http.StatusNotFound:              passerelle.ENotFound,
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusNotAcceptable:         "not_acceptable",
	http.StatusConflict:              passerelle.EConflict,
	http.StatusPreconditionFailed:    passerelle.EPrecondition,
	http.StatusRequestEntityTooLarge: passerelle.ETooLarge,
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   passerelle.EInvalid,
	http.StatusTooManyRequests:       passerelle.ERateLimited,
	http.StatusServiceUnavailable:    passerelle.EUnavailable,
	http.StatusInternalServerError:   passerelle.EInternal,
}

// internalMessage is all a client learns of an unexpected failure.
const internalMessage = "An internal error occurred. It has been logged; quote the request id when reporting it."

// Problem is an RFC 9457 problem details document.
type Problem struct {
	Type      string              `json:"type" doc:"Stable URI naming the kind of problem (see docs/problems.md)." example:"urn:passerelle:problem:not_found"`
	Title     string              `json:"title" doc:"Short summary of the problem type." example:"Not Found"`
	Status    int                 `json:"status" doc:"HTTP status code." example:"404"`
	Detail    string              `json:"detail,omitempty" doc:"What went wrong this time, in words a person can act on."`
	Instance  string              `json:"instance,omitempty" doc:"The request path."`
	RequestID string              `json:"request_id,omitempty" doc:"Identifier of the request, also in the X-Request-Id header and the server logs."`
	Errors    []*huma.ErrorDetail `json:"errors,omitempty" doc:"The fields at fault, when there are."`

	headers http.Header
}

func (p *Problem) Error() string { return p.Detail }

// GetStatus implements huma.StatusError.
func (p *Problem) GetStatus() int { return p.Status }

// GetHeaders implements huma.HeadersError (Retry-After on 429 and 503).
func (p *Problem) GetHeaders() http.Header { return p.headers }

// ContentType implements huma.ContentTypeFilter: problems are problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" {
		return "application/problem+json"
	}
	return ct
}

// RetryAfterError is implemented by errors that tell the client when to retry.
type RetryAfterError interface {
	error
	RetryAfter() string
}

var configureOnce sync.Once

// configureHuma sets huma's process-wide hooks, once: every error is built as a
// Problem through newProblem — a stateless function (it finds the logger and
// request id in the request context), so several servers in one process
// (tests) share it safely — and JSON field names are case-sensitive, so that
// {"NAME": …} is an unknown field, not an alias of "name".
func configureHuma() {
	configureOnce.Do(func() {
		huma.ValidateStrictCasing = true
		// Lists are never null: the server sends [] for an empty one, and the
		// spec says so (typed clients get X[], not X[] | null).
		huma.DefaultArrayNullable = false
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			return newProblem(nil, status, msg, errs...)
		}
		huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
			return newProblem(ctx, status, msg, errs...)
		}
	})
}

// newProblem is the one translation from errors to problems. A
// passerelle.Error among errs decides the status and detail; huma's own errors
// keep theirs; anything else is an internal error, logged in full and shown
// with a fixed message.
func newProblem(ctx huma.Context, status int, msg string, errs ...error) *Problem {
	p := &Problem{Status: status, Detail: msg}
	if ctx != nil {
		p.Instance = ctx.URL().Path
		p.RequestID = passerelle.RequestID(ctx.Context())
	}
	var domain *passerelle.Error
	for _, err := range errs {
		if err != nil && errors.As(err, &domain) {
			break
		}
	}
	switch {
	case domain != nil:
		p.Status = codeStatus[domain.Code]
		if p.Status == 0 {
			p.Status = http.StatusInternalServerError
		}
		p.Detail = domain.Message
		for _, f := range domain.Fields {
			p.Errors = append(p.Errors, &huma.ErrorDetail{Location: httpLocation(f.Location), Message: f.Message, Value: f.Value})
		}
		for _, err := range errs {
			var ra RetryAfterError
			if errors.As(err, &ra) {
				p.headers = http.Header{"Retry-After": {ra.RetryAfter()}}
				// huma applies the headers of a handler's own error only; set it
				// here so that every path (handler, middleware) carries it.
				if ctx != nil {
					ctx.SetHeader("Retry-After", ra.RetryAfter())
				}
			}
		}
	default:
		for _, err := range errs {
			if err == nil {
				continue
			}
			var d huma.ErrorDetailer
			if errors.As(err, &d) {
				p.Errors = append(p.Errors, d.ErrorDetail())
			} else if status < 500 {
				p.Errors = append(p.Errors, &huma.ErrorDetail{Message: err.Error()})
			}
		}
	}
	p.Errors = boundErrors(p.Errors)
	if p.Status == http.StatusServiceUnavailable && p.headers.Get("Retry-After") == "" {
		// Every 503 says when to come back, whichever dependency is down.
		p.headers = http.Header{"Retry-After": {strconv.Itoa(RetryAfterSeconds)}}
		if ctx != nil {
			ctx.SetHeader("Retry-After", p.headers.Get("Retry-After"))
		}
	}
	if p.Status >= 500 && p.Status != http.StatusServiceUnavailable {
		if ctx != nil {
			loggerFrom(ctx.Context()).Error("internal error", "status", p.Status, "detail", msg, "errors", errorStrings(errs))
		}
		p.Detail = internalMessage
		p.Errors = nil
	}
	code := statusCode[p.Status]
	if code == "" {
		code = strings.ToLower(strings.ReplaceAll(http.StatusText(p.Status), " ", "_"))
	}
	if p.Status == 0 { // huma's example error used for the schema
		code = "example"
	}
	p.Type = ProblemTypePrefix + code
	p.Title = http.StatusText(p.Status)
	return p
}

// RetryAfterSeconds is the Retry-After of a 503 whose error names no delay
// of its own.
const RetryAfterSeconds = 5

// maxProblemErrors bounds the field errors of one problem: enough to fix a
// form, and a problem's size stays small whatever the request held.
const maxProblemErrors = 20

// maxProblemValue bounds the length of a string value echoed in a field error.
const maxProblemValue = 200

// boundErrors keeps the first maxProblemErrors field errors and only the
// values worth echoing: a scalar, or a string cut to maxProblemValue bytes.
// huma's validator gives every unknown key of an object the whole object as
// its value; a 50,000-key object once made a problem of 50,000 copies of
// itself, which took the machine's cores and memory (issue #9).
func boundErrors(errs []*huma.ErrorDetail) []*huma.ErrorDetail {
	if len(errs) > maxProblemErrors {
		errs = errs[:maxProblemErrors]
	}
	for i, e := range errs {
		if e == nil {
			continue
		}
		v := e.Value
		switch x := v.(type) {
		case nil, bool, int, int64, float64, json.Number:
		case string:
			if len(x) > maxProblemValue {
				v = strings.ToValidUTF8(x[:maxProblemValue], "") + "…"
			}
		default:
			v = nil
		}
		if v != e.Value {
			errs[i] = &huma.ErrorDetail{Location: e.Location, Message: e.Message, Value: v}
		}
	}
	return errs
}

func errorStrings(errs []error) []string {
	out := make([]string, 0, len(errs))
	for _, err := range errs {
		if err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// writeProblem writes a problem outside huma (middleware, unknown routes).
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := newProblemFromRequest(r, err)
	for k, vs := range p.headers {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = jsonEncode(w, p)
}

func newProblemFromRequest(r *http.Request, err error) *Problem {
	var domain *passerelle.Error
	status := http.StatusInternalServerError
	if errors.As(err, &domain) {
		status = codeStatus[domain.Code]
	}
	p := newProblem(nil, status, "", err)
	p.Instance = r.URL.Path
	p.RequestID = passerelle.RequestID(r.Context())
	if p.Status == http.StatusInternalServerError {
		loggerFrom(r.Context()).Error("internal error", "error", err)
	}
	return p
}

// httpLocation is where a field error points in the request. Domain code names
// fields by their path in the input ("siret", "profile.home_postal_code"), as
// the console reads them too; a request's fields are in its body unless the
// location already says otherwise ("query.cursor").
func httpLocation(loc string) string {
	if loc == "body" {
		return loc // the body as a whole
	}
	for _, prefix := range []string{"body.", "query.", "path.", "header."} {
		if strings.HasPrefix(loc, prefix) {
			return loc
		}
	}
	return "body." + loc
}
