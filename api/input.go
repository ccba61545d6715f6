package api

import (
	"bytes"
	"io"
	"mime"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/passerelle-dev/passerelle"
)

// checkInput refuses hostile input before any operation sees it, at a cost
// bounded by the size of the request: every parameter the operation declares
// (query, path, header) must be text PostgreSQL can store
// (passerelle.TextFault), and the body — read once, capped at the operation's
// MaxBodyBytes — is walked by scanJSON, which refuses what passes the generic
// caps or holds a string no column may hold. The operation then decodes the
// buffered body. It runs after authenticate, so an anonymous caller learns
// nothing but 401.
func (s *Server) checkInput(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if op == nil {
		next(ctx)
		return
	}
	if err := checkParams(ctx, op); err != nil {
		s.writeErr(ctx, err)
		return
	}
	if op.RequestBody == nil {
		next(ctx)
		return
	}
	body, err := readBody(ctx, op.MaxBodyBytes)
	if err != nil {
		s.writeErr(ctx, err)
		return
	}
	if isJSON(ctx.Header("Content-Type")) {
		if e := scanJSON(body, bodyLimits); e != nil {
			s.writeErr(ctx, e)
			return
		}
	}
	next(&bufferedContext{humaContext: ctx, body: body})
}

// checkParams applies passerelle.TextFault to the declared parameters.
func checkParams(ctx huma.Context, op *huma.Operation) error {
	var query map[string][]string
	var fields []passerelle.FieldError
	for _, p := range op.Parameters {
		var values []string
		switch p.In {
		case "query":
			if query == nil {
				u := ctx.URL()
				query = u.Query()
			}
			values = query[p.Name]
		case "path":
			values = []string{ctx.Param(p.Name)}
		case "header":
			values = []string{ctx.Header(p.Name)}
		}
		for _, v := range values {
			if fault := passerelle.TextFault(v); fault != "" {
				fields = append(fields, passerelle.FieldError{Location: p.In + "." + p.Name, Message: fault})
				break
			}
		}
	}
	if len(fields) > 0 {
		return passerelle.Invalid("A parameter holds text Passerelle cannot store (see the errors).", fields...)
	}
	return nil
}

// isJSON reports whether a Content-Type is JSON (or absent, which huma reads
// as JSON).
func isJSON(contentType string) bool {
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// readBody reads the request body once, refusing it when it reaches limit
// bytes (huma's own rule for MaxBodyBytes). A context already buffered by
// checkInput gives its bytes without reading again.
func readBody(ctx huma.Context, limit int64) ([]byte, error) {
	if b, ok := ctx.(*bufferedContext); ok {
		return b.body, nil
	}
	r := ctx.BodyReader()
	if r == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, passerelle.Errorf(passerelle.EBadRequest, "The request body could not be read.")
	}
	if int64(len(body)) >= limit {
		return nil, passerelle.Errorf(passerelle.ETooLarge, "The request body must be smaller than %d bytes.", limit)
	}
	return body, nil
}

// bufferedContext hands the operation the body checkInput already read.
type bufferedContext struct {
	humaContext
	body []byte
}

// BodyReader implements huma.Context.
func (c *bufferedContext) BodyReader() io.Reader { return bytes.NewReader(c.body) }
