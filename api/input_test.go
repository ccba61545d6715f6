package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// hostileKeys is the body of issue #9: 50,000 unknown keys in
// notification_preferences, under 1 MiB.
func hostileKeys() []byte {
	var b strings.Builder
	b.WriteString(`{"name":"Camille Martin","email":"camille@example.org","notification_preferences":{`)
	for i := range 50_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"k%05d":"off"`, i)
	}
	b.WriteString(`}}`)
	return []byte(b.String())
}

// nested is a value nested depth arrays deep.
func nested(depth int) string {
	return strings.Repeat("[", depth) + strings.Repeat("]", depth)
}

// items is a JSON array of n numbers.
func items(n int) string {
	return "[" + strings.TrimSuffix(strings.Repeat("1,", n), ",") + "]"
}

// TestHostileBodiesAreRefused sends the bodies of issue #9 and asserts what
// the server did: the problem and the field it names, and that nothing was
// stored (offers, keys) or changed (the adviser's version). Each request's
// time is logged, not asserted (timed assertions are flaky on a shared
// machine): `go test -run TestHostileBodiesAreRefused -v ./api/` shows them.
func TestHostileBodiesAreRefused(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	b := w.bundle
	r := b.do(http.MethodPost, "/v1/organisations/"+w.org.String()+"/advisers", w.adviser,
		map[string]any{"name": "Camille Martin", "email": "camille@example.org"})
	requireStatus(t, http.StatusCreated, r)
	adviserID := r.json(t)["id"].(string)

	// offer is a valid offer body with title's JSON text replaced.
	offer := func(title string) []byte {
		body := string(mustJSON(t, offerWith(offerBody(w.x), map[string]any{"title": "TITLE"})))
		return []byte(strings.Replace(body, `"TITLE"`, title, 1))
	}
	// offerField is a valid offer body with one more field's JSON text.
	offerField := func(name, value string) []byte {
		body := string(mustJSON(t, offerWith(offerBody(w.x), nil, name)))
		return []byte(strings.TrimSuffix(body, "}") + `,"` + name + `":` + value + `}`)
	}
	for _, tc := range []struct {
		name, method, path string
		body               []byte
		status             int
		code, location     string
	}{
		{"50,000 unknown preference keys", http.MethodPut, "/v1/advisers/" + adviserID, hostileKeys(),
			http.StatusUnprocessableEntity, "invalid", "body.notification_preferences"},
		{"NUL escape in an offer title", http.MethodPost, "/v1/offers", offer(`"Boulanger\u0000"`),
			http.StatusUnprocessableEntity, "invalid", "body.title"},
		{"raw NUL byte in an offer title", http.MethodPost, "/v1/offers", offer("\"Boulanger\x00\""),
			http.StatusUnprocessableEntity, "invalid", "body.title"},
		{"NUL in an API key name", http.MethodPost, "/v1/api-keys",
			[]byte(`{"name":"clé\u0000","role":"integrator","organisation_id":"` + w.org.String() + `"}`),
			http.StatusUnprocessableEntity, "invalid", "body.name"},
		{"invalid UTF-8 in an offer title", http.MethodPost, "/v1/offers", offer("\"Boulanger \xff\xfe\""),
			http.StatusUnprocessableEntity, "invalid", "body.title"},
		{"encoded surrogate (CESU-8) in an offer title", http.MethodPost, "/v1/offers", offer("\"Boulanger \xed\xa0\x80\""),
			http.StatusUnprocessableEntity, "invalid", "body.title"},
		{"lone high surrogate escape", http.MethodPost, "/v1/offers", offer(`"Boulanger \ud800"`),
			http.StatusUnprocessableEntity, "invalid", "body.title"},
		{"high surrogate before a non-surrogate", http.MethodPost, "/v1/offers", offer(`"Boulanger \ud800\u0041"`),
			http.StatusUnprocessableEntity, "invalid", "body.title"},
		{"lone low surrogate escape", http.MethodPost, "/v1/offers", offer(`"\udc00 Boulanger"`),
			http.StatusUnprocessableEntity, "invalid", "body.title"},
		{"a key with a NUL", http.MethodPost, "/v1/offers", offerField("a\\u0000b", "1"),
			http.StatusUnprocessableEntity, "invalid", "body"},
		{"nested 10,000 deep", http.MethodPost, "/v1/offers", offerField("required_skills", nested(10_000)),
			http.StatusUnprocessableEntity, "invalid", "body.required_skills" + strings.Repeat("[0]", 31)},
		{"1,001 items", http.MethodPost, "/v1/offers", offerField("required_skills", items(1001)),
			http.StatusUnprocessableEntity, "invalid", "body.required_skills"},
		{"1,000,001 items (over 1 MiB)", http.MethodPost, "/v1/offers", offerField("required_skills", items(1_000_001)),
			http.StatusRequestEntityTooLarge, "too_large", ""},
		{"a 100,001-byte string", http.MethodPost, "/v1/offers", offerField("description", `"`+strings.Repeat("é", 50_001)+`"`),
			http.StatusUnprocessableEntity, "invalid", "body.description"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			r := b.do(tc.method, tc.path, w.adviser, tc.body, "If-Match", `"1"`)
			t.Logf("%s: %d bytes refused with %d in %s", tc.name, len(tc.body), r.StatusCode, time.Since(start))
			p := requireProblem(t, r, tc.status, tc.code)
			if tc.location != "" {
				require.Equal(t, []string{tc.location}, fieldLocations(p))
			}
			// A problem stays small whatever the request held.
			require.Less(t, len(r.body), 2048, "problem: %s", r.body)
		})
	}

	// Nothing was stored or changed.
	var offers, keys int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM offers`).Scan(&offers))
	require.Zero(t, offers)
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM api_keys WHERE name LIKE 'clé%'`).Scan(&keys))
	require.Zero(t, keys)
	r = b.do(http.MethodGet, "/v1/advisers/"+adviserID, w.adviser, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"1"`, r.Header.Get("ETag"))

	// What the refusals leave alone: a surrogate pair (an emoji), escaped or
	// not, and text at the caps.
	for _, title := range []string{`"Boulanger \ud83e\udd56"`, `"Boulanger 🥖"`} {
		r = b.do(http.MethodPost, "/v1/offers", w.adviser, offer(title))
		requireStatus(t, http.StatusCreated, r)
		require.Equal(t, "Boulanger 🥖", r.json(t)["title"])
	}
}

// TestHostileParametersAreRefused applies the same text rule to query, path
// and header parameters.
func TestHostileParametersAreRefused(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	b := w.bundle
	for _, tc := range []struct {
		name, method, path string
		headers            []string
		location           string
	}{
		{"NUL in a query parameter", http.MethodGet, "/v1/offers/search?q=pain%00", nil, "query.q"},
		{"invalid UTF-8 in a query parameter", http.MethodGet, "/v1/offers?cursor=%ff", nil, "query.cursor"},
		{"NUL in a path parameter", http.MethodGet, "/v1/offers/%00", nil, "path.id"},
		{"invalid UTF-8 in a header", http.MethodPost, "/v1/offers", []string{"Idempotency-Key", "clé\xff"}, "header.Idempotency-Key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == http.MethodPost {
				body = offerBody(w.x)
			}
			p := requireProblem(t, b.do(tc.method, tc.path, w.adviser, body, tc.headers...), http.StatusUnprocessableEntity, "invalid")
			require.Equal(t, []string{tc.location}, fieldLocations(p))
		})
	}
	var offers int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM offers`).Scan(&offers))
	require.Zero(t, offers)
}

// BenchmarkHostileKeys measures the scan that refuses issue #9's body
// (go test -run '^$' -bench HostileKeys ./api/).
func BenchmarkHostileKeys(b *testing.B) {
	body := hostileKeys()
	for b.Loop() {
		if e := scanJSON(body, bodyLimits); e == nil {
			b.Fatal("accepted")
		}
	}
}
