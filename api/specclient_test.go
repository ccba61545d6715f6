package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The api tests' HTTP client checks every response it receives against the
// spec, with kin-openapi's openapi3filter (a maintained validator): a status
// the operation does not declare, a Content-Type it does not declare for that
// status, a header or a body that breaks its schema fails the test that got
// it. It reads the OpenAPI 3.0 rendering the code serves (the one committed as
// openapi/openapi-3.0.yaml, which TestOpenAPIDocumentIsCommitted ties to the
// code), since kin-openapi reads 3.0; the 3.1 document differs from it only in
// notation. Requests that match no operation (unknown paths, 405s, /metrics,
// /docs) have no contract to check and pass through.

var specRouter = sync.OnceValues(func() (routers.Router, error) {
	spec, err := New(Deps{}).Spec()
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec.JSON30)
	if err != nil {
		return nil, fmt.Errorf("load spec: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("spec is not valid OpenAPI 3.0: %w", err)
	}
	doc.Servers = nil // match any host: test servers listen on random ports
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562))
	return gorillamux.NewRouter(doc)
})

// specCheckingTransport validates each response against the spec.
type specCheckingTransport struct {
	t    testing.TB
	base http.RoundTripper
}

// newSpecClient returns an HTTP client whose every response is checked
// against the spec, failing t on a mismatch.
func newSpecClient(t testing.TB, base *http.Client) *http.Client {
	c := *base
	c.Transport = &specCheckingTransport{t: t, base: base.Transport}
	if c.Transport.(*specCheckingTransport).base == nil {
		c.Transport.(*specCheckingTransport).base = http.DefaultTransport
	}
	return &c
}

func (s *specCheckingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err := checkResponse(req, resp, body); err != nil {
		s.t.Errorf("%s %s answered %d, which breaks the spec: %v\nbody: %.2000s", req.Method, req.URL.RequestURI(),
			resp.StatusCode, err, body)
	}
	return resp, nil
}

// checkResponse validates one response; nil when it matches the spec or no
// operation matches the request.
func checkResponse(req *http.Request, resp *http.Response, body []byte) error {
	router, err := specRouter()
	if err != nil {
		return err
	}
	route, params, err := router.FindRoute(req)
	if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
		return nil // no operation: unknown path or method (a 404 or 405 problem), /metrics, /docs
	}
	if err != nil {
		return fmt.Errorf("find the operation: %w", err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: resp.StatusCode,
		Header: resp.Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			MultiError:              true,
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.EnableFormatValidation()},
		},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		return fmt.Errorf("%s: %s", route.Operation.OperationID, strings.ReplaceAll(err.Error(), "\n", " | "))
	}
	return nil
}

// TestSpecClientRefusesWhatTheSpecDoesNot checks the checker: an undeclared
// status, a body that breaks its schema, and a Content-Type the status does
// not declare are each caught.
func TestSpecClientRefusesWhatTheSpecDoesNot(t *testing.T) {
	t.Parallel()
	get := func(path string) *http.Request {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://127.0.0.1:1"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	answer := func(status int, contentType, body string) *http.Response {
		return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {contentType}}}
	}
	cases := []struct {
		name, path  string
		status      int
		contentType string
		body        string
		ok          bool
	}{
		{"declared", "/healthz", 200, "application/json", `{"status":"ok"}`, true},
		{"undeclared status", "/healthz", 418, "application/problem+json", `{"type":"x","title":"x","status":418}`, false},
		{"body breaks its schema", "/healthz", 200, "application/json", `{"status":1}`, false},
		{"a list that is null", "/v1/offers", 200, "application/json", `{"items":null}`, false},
		{"undeclared content type", "/healthz", 200, "text/html", `<p>ok</p>`, false},
		{"problem on a declared status", "/v1/offers", 401, "application/problem+json",
			`{"type":"urn:passerelle:problem:unauthorized","title":"Unauthorized","status":401}`, true},
		{"a problem that breaks its schema", "/v1/offers", 401, "application/problem+json", `{"type":1,"title":"x","status":401}`, false},
		{"no operation", "/nowhere", 404, "application/problem+json", `{}`, true},
	}
	for _, c := range cases {
		err := checkResponse(get(c.path), answer(c.status, c.contentType, c.body), []byte(c.body))
		if c.ok && err != nil {
			t.Errorf("%s: refused: %v", c.name, err)
		}
		if !c.ok && err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}
