package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/yaml"
)

// The spec declares every status an operation can send, each with its body:
// problems are shared responses in components.responses, so that a typed
// client gets one Problem type and the document stays short. Which statuses
// an operation can send follows from what it declares (security, parameters,
// body, If-Match, method): the rules are in responsesOf, and the api tests'
// HTTP client fails on any status the spec does not declare (specclient_test.go).

// problemResponses names each error status's shared response.
var problemResponses = map[int]struct{ name, description string }{
	http.StatusBadRequest: {"BadRequest", "The request cannot be read: a body that is not JSON, a cursor this list " +
		"did not give out, an Idempotency-Key over 255 characters."},
	http.StatusUnauthorized:  {"Unauthorized", "No valid API key: send one as `Authorization: Bearer <key>`."},
	http.StatusForbidden:     {"Forbidden", "The key's role may never call this operation, or may not make this change."},
	http.StatusNotFound:      {"NotFound", "No such object — or another tenant's, which answers the same."},
	http.StatusNotAcceptable: {"NotAcceptable", "The Accept header names no media type this operation sends."},
	http.StatusConflict:      {"Conflict", "The object's state does not allow this (a status transition, a duplicate), or a request with the same Idempotency-Key is still running."},
	http.StatusPreconditionFailed: {"PreconditionFailed", "If-Match does not match the object's current ETag: read it again " +
		"and reapply the change."},
	http.StatusRequestEntityTooLarge: {"ContentTooLarge", "The body is 1 MiB or more."},
	http.StatusUnsupportedMediaType:  {"UnsupportedMediaType", "The body's Content-Type is not JSON."},
	http.StatusUnprocessableEntity: {"UnprocessableContent", "Input that breaks the schema or a rule; `errors` names each " +
		"field at fault."},
	http.StatusTooManyRequests:     {"TooManyRequests", "Too many requests for this API key; retry after Retry-After seconds."},
	http.StatusInternalServerError: {"InternalError", "An unexpected failure, logged with the request id; the detail is fixed."},
	http.StatusServiceUnavailable: {"ServiceUnavailable", "A dependency (PostgreSQL, or Meilisearch for the search) " +
		"is unavailable; retry after Retry-After seconds."},
}

// retryAfterHeader documents Retry-After on 429 and 503.
func retryAfterHeader() *huma.Param {
	return &huma.Param{Description: "Seconds to wait before retrying.", Schema: &huma.Schema{Type: huma.TypeInteger, Minimum: ptr(0.0)}}
}

// registerProblemResponses adds the shared problem responses to the spec.
func registerProblemResponses(oapi *huma.OpenAPI) {
	problem := oapi.Components.Schemas.Schema(reflect.TypeFor[Problem](), true, "Problem")
	if oapi.Components.Responses == nil {
		oapi.Components.Responses = map[string]*huma.Response{}
	}
	for status, r := range problemResponses {
		resp := &huma.Response{
			Description: r.description,
			Content:     map[string]*huma.MediaType{"application/problem+json": {Schema: problem}},
		}
		if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
			resp.Headers = map[string]*huma.Param{"Retry-After": retryAfterHeader()}
		}
		oapi.Components.Responses[r.name] = resp
	}
}

// responsesOf lists the error statuses op can send.
func responsesOf(op *huma.Operation) []int {
	codes := []int{http.StatusInternalServerError}
	add := func(c ...int) { codes = append(codes, c...) }
	secured := len(op.Security) > 0 && len(op.Security[0]) > 0
	var hasCursor, hasIfMatch bool
	hasParams := len(op.Parameters) > 0
	for _, p := range op.Parameters {
		switch {
		case p.In == "query" && p.Name == "cursor":
			hasCursor = true
		case p.In == "header" && p.Name == "If-Match":
			hasIfMatch = true
		}
	}
	hasBody := op.RequestBody != nil
	if op.OperationID != "healthz" {
		add(http.StatusServiceUnavailable) // PostgreSQL (or Meilisearch) down
	}
	if secured {
		add(http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests)
		if hasParams || hasBody {
			// An id of another tenant, or anything a parameter names that
			// does not exist (a postal code), answers 404.
			add(http.StatusNotFound)
		}
		if op.Method != http.MethodGet {
			add(http.StatusConflict)
		}
	}
	if hasParams || hasBody {
		add(http.StatusUnprocessableEntity)
	}
	if hasBody || hasCursor || op.Metadata[metaIdempotent] == true {
		add(http.StatusBadRequest)
	}
	if hasBody {
		add(http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType)
	}
	if hasIfMatch {
		add(http.StatusPreconditionFailed)
	}
	for code, r := range op.Responses {
		if n, err := strconv.Atoi(code); err == nil && n < 300 && r.Content != nil {
			add(http.StatusNotAcceptable) // huma negotiates the body's media type
			break
		}
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

// declareResponses is huma's OnAddOperation hook: it replaces huma's catch-all
// "default" error response with each status op can send. A response the
// operation declares with a body of its own (readyz's 503) is kept.
func declareResponses(_ *huma.OpenAPI, op *huma.Operation) {
	delete(op.Responses, "default")
	for _, code := range responsesOf(op) {
		key := strconv.Itoa(code)
		if r, ok := op.Responses[key]; ok && r.Content != nil && r.Ref == "" {
			if _, problem := r.Content["application/problem+json"]; !problem {
				continue
			}
		}
		op.Responses[key] = &huma.Response{Ref: "#/components/responses/" + problemResponses[code].name}
	}
}

// Spec is the OpenAPI document in the forms it is served and committed in.
type Spec struct {
	JSON, YAML, JSON30, YAML30 []byte
}

// specCache is a server's spec, rendered on first use.
type specCache struct {
	once sync.Once
	spec Spec
	err  error
}

// Spec renders the OpenAPI 3.1 document and its 3.0 downgrade (for
// generators that lack 3.1), once per server. Both are cleaned of huma's
// keywords that are not JSON Schema (patternDescription becomes the extension
// x-pattern-description), and the 3.0 one of 3.1-only keywords.
func (s *Server) Spec() (Spec, error) {
	c := &s.spec
	c.once.Do(func() { c.spec, c.err = renderSpec(s.api.OpenAPI()) })
	return c.spec, c.err
}

func renderSpec(oapi *huma.OpenAPI) (Spec, error) {
	var out Spec
	raw, err := json.Marshal(oapi)
	if err != nil {
		return out, fmt.Errorf("openapi: %w", err)
	}
	if out.JSON, err = cleanSpec(raw, false); err != nil {
		return out, err
	}
	raw30, err := oapi.Downgrade()
	if err != nil {
		return out, fmt.Errorf("openapi: downgrade: %w", err)
	}
	if out.JSON30, err = cleanSpec(raw30, true); err != nil {
		return out, err
	}
	if out.YAML, err = toYAML(out.JSON); err != nil {
		return out, err
	}
	out.YAML30, err = toYAML(out.JSON30)
	return out, err
}

func toYAML(j []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := yaml.Convert(&buf, bytes.NewReader(j)); err != nil {
		return nil, fmt.Errorf("openapi: yaml: %w", err)
	}
	return buf.Bytes(), nil
}

// cleanSpec rewrites keywords that are no schema keyword of the version.
func cleanSpec(doc []byte, v30 bool) ([]byte, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	cleanNode(v, v30)
	if root, ok := v.(map[string]any); ok && v30 {
		// A 3.0 license names its licence by URL, not by SPDX identifier.
		if info, ok := root["info"].(map[string]any); ok {
			if lic, ok := info["license"].(map[string]any); ok {
				if id, ok := lic["identifier"].(string); ok {
					delete(lic, "identifier")
					lic["url"] = "https://spdx.org/licenses/" + id + ".html"
				}
			}
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return b, nil
}

// schema31Only are JSON Schema keywords OpenAPI 3.0 does not have, and the
// extension each becomes in the 3.0 rendering.
var schema31Only = map[string]string{
	"dependentRequired": "x-dependent-required", "propertyNames": "x-property-names",
	"prefixItems": "x-prefix-items", "unevaluatedProperties": "x-unevaluated-properties",
	"contentEncoding": "x-content-encoding", "contentMediaType": "x-content-media-type",
}

func cleanNode(node any, v30 bool) {
	switch n := node.(type) {
	case map[string]any:
		if ref, ok := n["$ref"]; ok && v30 && len(n) > 1 {
			// 3.0 ignores a $ref's siblings: wrap it so that its description
			// (or default) stays.
			delete(n, "$ref")
			n["allOf"] = []any{map[string]any{"$ref": ref}}
		}
		_, isSchema := n["type"]
		for k, child := range n {
			switch {
			case k == "patternDescription" && isSchema:
				delete(n, k)
				n["x-pattern-description"] = child
				continue
			case v30 && isSchema && k == "const":
				delete(n, k)
				n["enum"] = []any{child}
				continue
			case v30 && isSchema && schema31Only[k] != "":
				// Kept as an extension; descriptions say the rule in words.
				delete(n, k)
				n[schema31Only[k]] = child
				continue
			case v30 && k == "additionalProperties" && isEmptySchema(child):
				// 3.1's {} takes any value, null included; 3.0's would
				// refuse null (nullable false): any value is `true`.
				n[k] = true
				continue
			case v30 && k == "examples" && isSchema:
				// A 3.0 schema has one example (huma's downgrade set it).
				if _, list := child.([]any); list {
					delete(n, k)
					continue
				}
			}
			cleanNode(child, v30)
		}
	case []any:
		for _, child := range n {
			cleanNode(child, v30)
		}
	}
}

// isEmptySchema reports whether v is the schema {}.
func isEmptySchema(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0
}

// registerSpec serves the spec: /openapi.json and /openapi.yaml (3.1, as
// committed in openapi/openapi.yaml), /openapi-3.0.json and
// /openapi-3.0.yaml (as committed in openapi/openapi-3.0.yaml).
func (s *Server) registerSpec() {
	serve := func(path, contentType string, pick func(Spec) []byte) {
		s.mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			spec, err := s.Spec()
			if err != nil {
				writeProblem(w, r, err)
				return
			}
			w.Header().Set("Content-Type", contentType)
			_, _ = w.Write(pick(spec))
		})
	}
	serve("/openapi.json", "application/openapi+json", func(sp Spec) []byte { return sp.JSON })
	serve("/openapi.yaml", "application/openapi+yaml", func(sp Spec) []byte { return sp.YAML })
	serve("/openapi-3.0.json", "application/openapi+json", func(sp Spec) []byte { return sp.JSON30 })
	serve("/openapi-3.0.yaml", "application/openapi+yaml", func(sp Spec) []byte { return sp.YAML30 })
}
