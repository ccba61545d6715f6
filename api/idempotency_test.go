package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

func countOrganisations(t *testing.T, b *bundle) int {
	t.Helper()
	var n int
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT count(*) FROM organisations`).Scan(&n))
	return n
}

func TestIdempotencyReplaysTheFirstResponse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := map[string]any{"kind": "cfa", "name": "Cité Apprenti.e", "town": "Longvic"}
	first := b.do(http.MethodPost, "/v1/organisations", b.admin, body, "Idempotency-Key", "create-cite-1")
	requireStatus(t, http.StatusCreated, first)
	again := b.do(http.MethodPost, "/v1/organisations", b.admin, body, "Idempotency-Key", "create-cite-1")
	requireStatus(t, http.StatusCreated, again)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.JSONEq(t, string(first.body), string(again.body))
	require.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"))
	require.Equal(t, first.Header.Get("ETag"), again.Header.Get("ETag"))
	require.Equal(t, 1, countOrganisations(t, b), "one organisation for two requests")

	// Same key, another body: 422, and nothing created.
	body["town"] = "Dijon"
	p := requireProblem(t, b.do(http.MethodPost, "/v1/organisations", b.admin, body, "Idempotency-Key", "create-cite-1"),
		http.StatusUnprocessableEntity, "invalid")
	require.Contains(t, p["detail"], "Idempotency-Key")
	require.Equal(t, 1, countOrganisations(t, b))

	// Without a key, each POST creates.
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/organisations", b.admin, body))
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/organisations", b.admin, body))
	require.Equal(t, 3, countOrganisations(t, b))
}

func TestIdempotencyKeysAreScopedPerAPIKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	other := b.key(store.KeyInput{Role: passerelle.RoleAdmin})
	body := map[string]any{"kind": "mission_locale", "name": "Mission Locale", "town": "Meaux"}
	r1 := b.do(http.MethodPost, "/v1/organisations", b.admin, body, "Idempotency-Key", "same-key")
	r2 := b.do(http.MethodPost, "/v1/organisations", other, body, "Idempotency-Key", "same-key")
	requireStatus(t, http.StatusCreated, r1)
	requireStatus(t, http.StatusCreated, r2)
	require.Empty(t, r2.Header.Get("Idempotent-Replayed"))
	require.NotEqual(t, r1.json(t)["id"], r2.json(t)["id"])
}

func TestIdempotencyFailuresAreNotReplayed(t *testing.T) {
	t.Parallel()
	b := setup(t)
	bad := map[string]any{"kind": "nope", "name": "x", "town": "y"}
	requireProblem(t, b.do(http.MethodPost, "/v1/organisations", b.admin, bad, "Idempotency-Key", "k1"), http.StatusUnprocessableEntity, "invalid")
	// The corrected request with the same key runs.
	good := map[string]any{"kind": "e2c", "name": "x", "town": "y"}
	r := b.do(http.MethodPost, "/v1/organisations", b.admin, good, "Idempotency-Key", "k1")
	requireStatus(t, http.StatusCreated, r)
	require.Empty(t, r.Header.Get("Idempotent-Replayed"))
}

func TestIdempotencyConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	b := setup(t)
	body := map[string]any{"kind": "programme", "name": "Fabrique du numérique", "town": "Niort"}
	const n = 8
	var wg sync.WaitGroup
	statuses := make([]int, n)
	ids := make([]any, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := b.do(http.MethodPost, "/v1/organisations", b.admin, body, "Idempotency-Key", "burst")
			statuses[i] = r.StatusCode
			var created struct{ ID string }
			if r.StatusCode == http.StatusCreated && json.Unmarshal(r.body, &created) == nil {
				ids[i] = created.ID
			}
		}()
	}
	wg.Wait()
	var created []any
	for i, st := range statuses {
		require.Contains(t, []int{http.StatusCreated, http.StatusConflict}, st, "duplicate %d", i)
		if st == http.StatusCreated {
			created = append(created, ids[i])
		}
	}
	require.NotEmpty(t, created)
	for _, id := range created {
		require.Equal(t, created[0], id, "every 201 is the same organisation (first or replayed)")
	}
	require.Equal(t, 1, countOrganisations(t, b), "concurrent duplicates create once")
	// After the burst, a retry replays.
	r := b.do(http.MethodPost, "/v1/organisations", b.admin, body, "Idempotency-Key", "burst")
	requireStatus(t, http.StatusCreated, r)
	require.Equal(t, "true", r.Header.Get("Idempotent-Replayed"))
}

func TestIdempotencyConcurrentDuplicateAnswers409(t *testing.T) {
	t.Parallel()
	b := setup(t)
	caller := mustKeyID(t, b, b.admin)
	// A request with this key is in progress (claimed, not finished).
	body := `{"kind":"e2c","name":"E2C","town":"Caen"}`
	claim, err := b.store.BeginIdempotent(context.Background(), caller, "running", idempotencyHash(http.MethodPost, "/v1/organisations", "", []byte(body)))
	require.NoError(t, err)
	require.Equal(t, store.IdemNew, claim.State)
	p := requireProblem(t, b.do(http.MethodPost, "/v1/organisations", b.admin, body, "Idempotency-Key", "running"), http.StatusConflict, "conflict")
	require.Contains(t, p["detail"], "still being processed")
	require.Equal(t, 0, countOrganisations(t, b))
}

func TestIdempotencyRecordsArePurged(t *testing.T) {
	t.Parallel()
	b := setup(t)
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/organisations", b.admin,
		map[string]any{"kind": "e2c", "name": "x", "town": "y"}, "Idempotency-Key", "old"))
	ctx := context.Background()
	_, err := b.pool.Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - interval '26 hours'`)
	require.NoError(t, err)
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/organisations", b.admin,
		map[string]any{"kind": "e2c", "name": "x", "town": "y"}, "Idempotency-Key", "recent"))
	n, err := b.store.PurgeIdempotencyKeys(ctx, 25*60*60*1e9)
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "only the record past retention goes")
	var left []string
	rows, err := b.pool.Query(ctx, `SELECT key FROM idempotency_keys`)
	require.NoError(t, err)
	for rows.Next() {
		var k string
		require.NoError(t, rows.Scan(&k))
		left = append(left, k)
	}
	require.Equal(t, []string{"recent"}, left)
}

// The process dies after the commit and before its reply (the handler is
// aborted there, the connection cut with no response): the client's retry
// gets the first response, and nothing is created twice.
func TestIdempotencyResponseIsCommittedWithTheWrite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var cut sync.Once
	b.server.afterIdempotentCommit = func() {
		cut.Do(func() { panic(http.ErrAbortHandler) })
	}
	body := map[string]any{"kind": "cfa", "name": "CFA du Commerce", "town": "Niort"}
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, b.http.URL+"/v1/organisations", bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+b.admin)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "cut-after-commit")
	resp, err := b.http.Client().Do(req)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err, "no reply reached the client")
	require.Equal(t, 1, countOrganisations(t, b), "the write was committed")

	again := b.do(http.MethodPost, "/v1/organisations", b.admin, body, "Idempotency-Key", "cut-after-commit")
	requireStatus(t, http.StatusCreated, again)
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	var created struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	require.NoError(t, json.Unmarshal(again.body, &created))
	require.Equal(t, "CFA du Commerce", created.Name)
	var stored string
	require.NoError(t, b.pool.QueryRow(context.Background(), `SELECT id::text FROM organisations WHERE name = 'CFA du Commerce'`).Scan(&stored))
	require.Equal(t, stored, created.ID, "the replay describes the row the first request created")
	require.Equal(t, 1, countOrganisations(t, b), "the retry created nothing")
}
