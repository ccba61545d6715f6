package web

import (
	"net/http"
	"net/url"

	"github.com/passerelle-dev/passerelle/store"
)

// pageSize is how many rows a console list shows.
const pageSize = 25

// pager is a list's position, read from the "apres" query parameter (the
// same opaque cursors as the API), and its link to the next page. A list page
// does:
//
//	pg, err := readPager(r, "trainees")
//	items, next, err := st.ListX(ctx, principal(r), filter, pg.Page)
//	data.Pager = pg.Next(r, next)
//
// and its template includes {{template "pager" .Data.Pager}} (layout.html).
type pager struct {
	list  string
	Page  store.Page
	First bool   // no cursor: the first page
	Link  string // the next page's address, "" on the last
}

// readPager reads the cursor of list; a garbled one is a bad request.
func readPager(r *http.Request, list string) (pager, error) {
	raw := r.URL.Query().Get("apres")
	after, err := store.DecodeCursor(list, raw)
	if err != nil {
		return pager{}, err
	}
	return pager{list: list, Page: store.Page{Limit: pageSize, After: after}, First: raw == ""}, nil
}

// Next returns p with the link to the page after next (none when next is nil),
// keeping the request's other query parameters (filters).
func (p pager) Next(r *http.Request, next *store.Cursor) pager {
	if next == nil {
		return p
	}
	q := url.Values{}
	for k, v := range r.URL.Query() {
		q[k] = v
	}
	q.Set("apres", store.EncodeCursor(p.list, next))
	p.Link = r.URL.Path + "?" + q.Encode()
	return p
}
