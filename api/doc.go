// Package api is Passerelle's HTTP surface: huma v2 operations under /v1, the
// operational endpoints (/healthz, /readyz, /metrics, the OpenAPI document, the
// docs UI) and the conventions every resource shares — authentication and
// tenancy from each operation's declared security, RFC 9457 problems, cursor
// pagination, idempotency keys, ETags and rate limits.
//
// Handlers are thin: they turn a request into a call to store/ or search/ and
// the answer into a response. They build no SQL and no search filter. Errors are
// translated to problems in one place, problems.go. Only cmd/ imports this package.
package api
