package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/store"
)

func TestPaginationFollowsCursorsAndLinks(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, name := range []string{"A", "B", "C", "D", "E"} {
		b.organisation(name)
	}
	var names []string
	next := "/v1/organisations?limit=2"
	pages := 0
	for next != "" {
		r := b.do(http.MethodGet, next, b.admin, nil)
		requireStatus(t, http.StatusOK, r)
		pages++
		body := r.json(t)
		for _, it := range body["items"].([]any) {
			names = append(names, it.(map[string]any)["name"].(string))
		}
		link := r.Header.Get("Link")
		if body["next_cursor"] == nil {
			require.Empty(t, link, "no Link on the last page")
			next = ""
			continue
		}
		require.True(t, strings.HasSuffix(link, `>; rel="next"`), link)
		u, err := url.Parse(strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`))
		require.NoError(t, err)
		require.Equal(t, body["next_cursor"], u.Query().Get("cursor"))
		next = u.RequestURI()
	}
	require.Equal(t, 3, pages)
	require.ElementsMatch(t, []string{"A", "B", "C", "D", "E"}, names)
}

func TestUpdatedSinceIsAChangeFeed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.organisation("old")
	_, err := b.pool.Exec(t.Context(), `UPDATE organisations SET updated_at = now() - interval '1 day'`)
	require.NoError(t, err)
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	b.organisation("new")
	r := b.do(http.MethodGet, "/v1/organisations?updated_since="+url.QueryEscape(since), b.admin, nil)
	requireStatus(t, http.StatusOK, r)
	items := r.json(t)["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "new", items[0].(map[string]any)["name"])
}

func TestBadCursorsAre400(t *testing.T) {
	t.Parallel()
	b := setup(t)
	for _, c := range []string{"garbage", "%00%01", strings.Repeat("A", 600),
		encodeCursor("api-keys", &store.Cursor{UpdatedAt: time.Now(), ID: uuid.New()})} {
		p := requireProblem(t, b.do(http.MethodGet, "/v1/organisations?cursor="+url.QueryEscape(c), b.admin, nil), http.StatusBadRequest, "bad_request")
		require.Equal(t, "query.cursor", p["errors"].([]any)[0].(map[string]any)["location"])
	}
	requireProblem(t, b.do(http.MethodGet, "/v1/organisations?limit=201", b.admin, nil), http.StatusUnprocessableEntity, "invalid")
}

func TestRateLimitPerKey(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{rateLimitPerMinute: 60, rateLimitBurst: 3})
	other := b.adviserKey(b.organisation("x"))
	for range 3 {
		r := b.do(http.MethodGet, "/v1/organisations", b.admin, nil)
		requireStatus(t, http.StatusOK, r)
		require.Contains(t, r.Header.Get("RateLimit-Policy"), `q=60;w=60`)
	}
	r := b.do(http.MethodGet, "/v1/organisations", b.admin, nil)
	requireProblem(t, r, http.StatusTooManyRequests, "rate_limited")
	require.Equal(t, "1", r.Header.Get("Retry-After"))
	require.Contains(t, r.Header.Get("RateLimit"), `r=0`)
	// Another key has its own budget.
	requireStatus(t, http.StatusOK, b.do(http.MethodGet, "/v1/organisations", other, nil))
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add(encodeCursor("organisations", &store.Cursor{UpdatedAt: time.Now(), ID: uuid.New()}))
	f.Add("")
	f.Add("eyJsIjoib3JnYW5pc2F0aW9ucyJ9")
	f.Add("!!!")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor("organisations", s)
		if err != nil {
			require.Nil(t, c)
			require.Equal(t, "bad_request", codeOf(err))
			return
		}
		if s == "" {
			require.Nil(t, c)
			return
		}
		require.NotEqual(t, uuid.Nil, c.ID)
		require.False(t, c.UpdatedAt.IsZero())
		// What decodes re-encodes to a cursor that decodes the same.
		again, err := decodeCursor("organisations", encodeCursor("organisations", c))
		require.NoError(t, err)
		require.Equal(t, c.ID, again.ID)
		require.True(t, c.UpdatedAt.Equal(again.UpdatedAt))
	})
}
