package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// metaIdempotent marks creating operations, which honour Idempotency-Key.
const metaIdempotent = "passerelle-idempotent"

// creating marks op as a creating POST: it accepts Idempotency-Key, and the
// spec says so.
func creating(op huma.Operation) huma.Operation {
	if op.Metadata == nil {
		op.Metadata = map[string]any{}
	}
	op.Metadata[metaIdempotent] = true
	op.Parameters = append(op.Parameters, &huma.Param{
		Name: "Idempotency-Key", In: "header",
		Description: "Any unique string (a UUID is best). A retry with the same key and body replays the first response " +
			"(with `Idempotent-Replayed: true`); the same key with another body answers 422; while the first request " +
			"runs, a duplicate answers 409. Keys are scoped to the API key and kept at least 24 hours.",
		Schema: &huma.Schema{Type: "string", MaxLength: ptr(255)},
	})
	return op
}

func ptr[T any](v T) *T { return &v }

// replayedHeaders are the response headers stored for a replay.
var replayedHeaders = []string{"Content-Type", "Location", "ETag"}

// idempotency replays the first response to a retried creating POST. It runs
// after authenticate: keys are scoped per API key.
func (s *Server) idempotency(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	key := ctx.Header("Idempotency-Key")
	if op == nil || op.Metadata[metaIdempotent] != true || key == "" {
		next(ctx)
		return
	}
	if len(key) > 255 {
		s.writeErr(ctx, &passerelle.Error{Code: passerelle.EBadRequest, Message: "Idempotency-Key is at most 255 characters.",
			Fields: []passerelle.FieldError{{Location: "header.Idempotency-Key", Message: "too long"}}})
		return
	}
	caller := principal(ctx.Context())
	body, err := readBody(ctx, op.MaxBodyBytes)
	if err != nil {
		s.writeErr(ctx, err)
		return
	}
	u := ctx.URL()
	claim, err := s.deps.Store.BeginIdempotent(ctx.Context(), caller.KeyID, key, idempotencyHash(ctx.Method(), u.Path, u.RawQuery, body))
	if err != nil {
		s.writeErr(ctx, err)
		return
	}
	switch claim.State {
	case store.IdemReplay:
		for k, v := range claim.Headers {
			ctx.SetHeader(k, v)
		}
		ctx.SetHeader("Idempotent-Replayed", "true")
		ctx.SetStatus(claim.Status)
		_, _ = ctx.BodyWriter().Write(claim.Body)
		return
	case store.IdemMismatch:
		s.writeErr(ctx, &passerelle.Error{Code: passerelle.EInvalid,
			Message: "This Idempotency-Key was already used with another request: use a new key for a new request.",
			Fields:  []passerelle.FieldError{{Location: "header.Idempotency-Key", Message: "reused with a different body"}}})
		return
	case store.IdemInProgress:
		s.writeErr(ctx, passerelle.Errorf(passerelle.EConflict,
			"A request with this Idempotency-Key is still being processed: retry in a moment to get its response."))
		return
	}

	// The operation runs in a request transaction, and its response is
	// held back: a success is recorded in that transaction, committed, and
	// only then sent. A process that dies after the commit has recorded the
	// response its client never received, and the retry replays it.
	reqCtx, tx, err := s.deps.Store.BeginRequest(ctx.Context())
	if err != nil {
		_ = s.deps.Store.AbandonIdempotent(context.WithoutCancel(ctx.Context()), caller.KeyID, key)
		s.writeErr(ctx, err)
		return
	}
	rec := &recordingContext{humaContext: huma.WithContext(ctx, reqCtx), body: bytes.NewReader(body)}
	next(rec)
	// Finish or abandon even if the client went away.
	bg := context.WithoutCancel(reqCtx)
	// Only successes are remembered: a refused request created nothing, and
	// its retry (corrected or not) deserves a fresh answer.
	if rec.status >= 200 && rec.status < 300 {
		err = s.deps.Store.FinishIdempotent(bg, caller.KeyID, key, rec.status, rec.replayed(), rec.out.Bytes())
		if err == nil {
			err = tx.Commit(bg)
		}
		if err == nil {
			if s.afterIdempotentCommit != nil {
				s.afterIdempotentCommit()
			}
			rec.flush(ctx)
			return
		}
		loggerFrom(ctx.Context()).Error("idempotent request: commit", "error", err, "status", strconv.Itoa(rec.status))
	}
	_ = tx.Rollback(bg)
	if aerr := s.deps.Store.AbandonIdempotent(context.WithoutCancel(ctx.Context()), caller.KeyID, key); aerr != nil {
		loggerFrom(ctx.Context()).Error("idempotency record", "error", aerr, "status", strconv.Itoa(rec.status))
	}
	if err != nil { // the success could not be committed: nothing was created
		s.writeErr(ctx, err)
		return
	}
	rec.flush(ctx)
}

// humaContext lets recordingContext embed a huma.Context: the interface has a
// method named Context, which an embedded field of that name would hide.
type humaContext huma.Context

// idempotencyHash identifies a request: the same key with another hash is a
// different request.
func idempotencyHash(method, path, query string, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(method + " " + path + "?" + query + "\n"))
	h.Write(body)
	return h.Sum(nil)
}

// recordingContext feeds the buffered body to the operation and holds what it
// answers until flush.
type recordingContext struct {
	humaContext
	body    *bytes.Reader
	status  int
	headers []header // in the order set
	out     bytes.Buffer
}

type header struct {
	name, value string
	add         bool
}

func (c *recordingContext) BodyReader() io.Reader { return c.body }

func (c *recordingContext) SetStatus(code int) { c.status = code }

func (c *recordingContext) Status() int { return c.status }

func (c *recordingContext) SetHeader(name, value string) {
	c.headers = append(c.headers, header{name: name, value: value})
}

func (c *recordingContext) AppendHeader(name, value string) {
	c.headers = append(c.headers, header{name: name, value: value, add: true})
}

func (c *recordingContext) BodyWriter() io.Writer { return &c.out }

// replayed are the headers stored with the response for a replay.
func (c *recordingContext) replayed() map[string]string {
	kept := map[string]string{}
	for _, h := range c.headers {
		for _, name := range replayedHeaders {
			if strings.EqualFold(h.name, name) {
				kept[name] = h.value
			}
		}
	}
	return kept
}

// flush sends the held response on ctx.
func (c *recordingContext) flush(ctx huma.Context) {
	for _, h := range c.headers {
		if h.add {
			ctx.AppendHeader(h.name, h.value)
		} else {
			ctx.SetHeader(h.name, h.value)
		}
	}
	ctx.SetStatus(c.status)
	_, _ = ctx.BodyWriter().Write(c.out.Bytes())
}
