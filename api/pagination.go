package api

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// ListParams are the query parameters every list takes.
type ListParams struct {
	Cursor       string    `query:"cursor" doc:"Opaque cursor from a previous page's next_cursor (or its Link header)."`
	Limit        int       `query:"limit" minimum:"1" maximum:"200" default:"50" doc:"Items per page, at most 200."`
	UpdatedSince time.Time `query:"updated_since" doc:"Only items created or changed at or after this time (RFC 3339): a change feed."`
}

// encodeCursor makes the opaque next_cursor of list (store.EncodeCursor: the
// console pages with the same cursors).
func encodeCursor(list string, c *store.Cursor) string { return store.EncodeCursor(list, c) }

// decodeCursor parses a cursor of list; anything else is a 400 naming it.
func decodeCursor(list, s string) (*store.Cursor, error) { return store.DecodeCursor(list, s) }

// seqToken is what the cursor of a list paged by a number carries: the audit
// log's last entry id, a search's next page.
type seqToken struct {
	List string `json:"l"`
	N    int64  `json:"n"`
}

// encodeSeqCursor makes the opaque cursor of list's position n.
func encodeSeqCursor(list string, n int64) string {
	b, _ := json.Marshal(seqToken{List: list, N: n})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeSeqCursor parses a cursor of encodeSeqCursor; anything else is a 400
// naming it, as for every list.
func decodeSeqCursor(list, s string) (int64, error) {
	bad := &passerelle.Error{Code: passerelle.EBadRequest, Message: "The cursor is not one this list gave out: start again without it.",
		Fields: []passerelle.FieldError{{Location: "query.cursor", Message: "invalid cursor"}}}
	if len(s) > 512 {
		return 0, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, bad
	}
	var tok seqToken
	if err := json.Unmarshal(b, &tok); err != nil || tok.List != list || tok.N < 1 {
		return 0, bad
	}
	return tok.N, nil
}

// page turns list parameters into a store.Page.
func (p ListParams) page(list string) (store.Page, error) {
	after, err := decodeCursor(list, p.Cursor)
	if err != nil {
		return store.Page{}, err
	}
	page := store.Page{Limit: p.Limit, After: after}
	if !p.UpdatedSince.IsZero() {
		since := p.UpdatedSince
		page.UpdatedSince = &since
	}
	return page, nil
}

// nextLink is the RFC 8288 Link header to the next page, "" on the last.
func (s *Server) nextLink(path string, p ListParams, next string, extra url.Values) string {
	if next == "" {
		return ""
	}
	q := url.Values{}
	for k, vs := range extra {
		q[k] = vs
	}
	q.Set("cursor", next)
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if !p.UpdatedSince.IsZero() {
		q.Set("updated_since", p.UpdatedSince.Format(time.RFC3339Nano))
	}
	return "<" + s.url(path+"?"+q.Encode()) + `>; rel="next"`
}

// listOutput is a page: the body and the Link header to the next one.
type listOutput[B any] struct {
	Link string `header:"Link" doc:"RFC 8288 link to the next page (rel=\"next\"), absent on the last."`
	Body B
}

// mapSlice maps a page of stored rows to their representation.
func mapSlice[T, R any](items []T, f func(T) R) []R {
	out := make([]R, len(items))
	for i, item := range items {
		out[i] = f(item)
	}
	return out
}

// listPageOf runs one page of a list for a handler: it decodes the cursor of
// list, fetches the page, maps the rows to their representation, and makes the
// next cursor and the Link header to it (path and extra query parameters).
func listPageOf[T, R any](s *Server, list, path string, p ListParams, extra url.Values,
	fetch func(store.Page) ([]T, *store.Cursor, error), view func(T) R) (items []R, next, link string, err error) {
	page, err := p.page(list)
	if err != nil {
		return nil, "", "", err
	}
	rows, cursor, err := fetch(page)
	if err != nil {
		return nil, "", "", err
	}
	next = encodeCursor(list, cursor)
	return mapSlice(rows, view), next, s.nextLink(path, p, next, extra), nil
}

// listFilters are a list's query filters, kept so that the next page's link
// carries them too.
type listFilters struct{ url.Values }

func newListFilters() listFilters { return listFilters{url.Values{}} }

// id returns id, recorded under name, or nil when it is absent.
func (f listFilters) id(name string, id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	f.Set(name, id.String())
	return &id
}

// text returns v, recorded under name when not empty.
func (f listFilters) text(name, v string) string {
	if v != "" {
		f.Set(name, v)
	}
	return v
}

// flag returns the boolean v ("true" or "false"), recorded under name, or nil
// when it is empty.
func (f listFilters) flag(name, v string) *bool {
	if v == "" {
		return nil
	}
	f.Set(name, v)
	b := v == "true"
	return &b
}
