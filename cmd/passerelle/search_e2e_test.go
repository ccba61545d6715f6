package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/internal/testsearch"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/search/shard"
	"github.com/passerelle-dev/passerelle/store"
)

// TestSearchSurvivesAMeilisearchOutage: with the test's own Meilisearch
// stopped during a burst of offer writes (in several départements, one offer
// moving between them), every write succeeds and search answers 503 with
// Retry-After; once Meilisearch is back, every shard converges (River
// retries) to exactly the database's searchable offers and versions, each in
// its own shard and in the national index. A reindex afterwards swaps in
// equal shards.
func TestSearchSurvivesAMeilisearchOutage(t *testing.T) {
	t.Parallel()
	meili := testsearch.Start(t)
	tm := startMain(t, setupOpts{meili: &meili.Server})
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": tm.Config.DatabaseURL, "MEILI_URL": meili.URL,
			"MEILI_MASTER_KEY": meili.MasterKey, "MEILI_INDEX_PREFIX": meili.Prefix}[k]
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	require.NoError(t, run(ctx, []string{"keys", "create", "--role", "admin", "--name", "e2e", "--quiet"}, &out, &errOut, env))
	auth := []string{"Authorization", "Bearer " + strings.TrimSpace(out.String()), "Content-Type", "application/json"}
	call := func(method, path string, body any) (int, map[string]any) {
		t.Helper()
		var r *bytes.Reader
		if body != nil {
			b, err := json.Marshal(body)
			require.NoError(t, err)
			r = bytes.NewReader(b)
		} else {
			r = bytes.NewReader(nil)
		}
		resp, data := tm.do(t, method, path, r, auth...)
		var m map[string]any
		_ = json.Unmarshal(data, &m)
		return resp.StatusCode, m
	}

	status, company := call(http.MethodPost, "/v1/companies", map[string]any{"siret": "44306184100047", "name": "Boulangerie du Marché",
		"address": map[string]any{"street": "1 rue de la Gare", "postal_code": "95500", "town": "Gonesse"}})
	require.Equal(t, http.StatusCreated, status, "%v", company)
	towns := []string{"95500", "79000", "75011", "14000"}
	n := 0
	offer := func(title string) map[string]any {
		n++
		return map[string]any{"company_id": company["id"], "kind": "apprenticeship", "title": title,
			"rome_codes": []any{"D1102"}, "postal_code": towns[n%len(towns)], "start_date": "2026-09-01", "positions": 2}
	}
	create := func(title string) string {
		t.Helper()
		status, o := call(http.MethodPost, "/v1/offers", offer(title))
		require.Equal(t, http.StatusCreated, status, "%v", o)
		return o["id"].(string)
	}
	act := func(id, action string) {
		t.Helper()
		status, o := call(http.MethodPost, "/v1/offers/"+id+"/"+action, nil)
		require.Equal(t, http.StatusOK, status, "%s %s: %v", action, id, o)
	}

	// Before the outage: written, published, found.
	var ids []string
	for i := range 5 {
		id := create(fmt.Sprintf("Apprenti boulanger %d", i))
		act(id, "publish")
		ids = append(ids, id)
	}
	sc := search.New(meili.URL, meili.MasterKey, meili.Prefix)
	waitConverged(t, tm, sc, 30*time.Second)

	meili.Stop()
	writes := 0
	for i := range 10 { // 10 creations, 5 publications, 5 pauses, 3 fills, 2 closes, 5 replacements
		id := create(fmt.Sprintf("Vendeur en boulangerie %d", i))
		writes++
		if i%2 == 0 {
			act(id, "publish")
			writes++
		}
		ids = append(ids, id)
	}
	for _, id := range ids[:5] {
		act(id, "pause")
		writes++
	}
	for _, id := range ids[:3] {
		act(id, "fill")
		writes++
	}
	act(ids[5], "close")
	act(ids[6], "close")
	writes += 2
	for _, id := range ids[7:12] {
		status, o := call(http.MethodPut, "/v1/offers/"+id, offer("Commis de cuisine"))
		require.Equal(t, http.StatusOK, status, "%v", o)
		writes++
	}
	require.GreaterOrEqual(t, writes, 30)

	resp, body := tm.do(t, http.MethodGet, "/v1/offers/search?"+url.Values{"q": {"boulanger"}}.Encode(), nil, auth...)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode, string(body))
	require.Equal(t, "5", resp.Header.Get("Retry-After"))
	p := problem(t, resp, body)
	require.Equal(t, "urn:passerelle:problem:unavailable", p["type"])

	meili.Restart()
	// River retries with its exponential backoff (1 s, 16 s, 81 s…).
	waitConverged(t, tm, sc, 150*time.Second)

	resp, body = tm.do(t, http.MethodGet, "/v1/offers/search?"+url.Values{"q": {"cuisinier"}}.Encode(), nil, auth...)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var res struct {
		Hits []struct{ ID, Title string } `json:"items"`
	}
	require.NoError(t, json.Unmarshal(body, &res))
	require.NotEmpty(t, res.Hits, "the replacements made while Meilisearch was down are searchable (cuisinier ~ cuisine)")

	// A full reindex builds a new index and swaps it in; nothing is lost.
	out.Reset()
	require.NoError(t, run(ctx, []string{"reindex"}, &out, &errOut, env), errOut.String())
	require.Regexp(t, `^reindex: 10 offers indexed into [0-9]+ shards \([0-9]+ geographic, largest [0-9A-Za-z-]+ with [0-9]+\) in [0-9.]+m?s\n$`, out.String())
	waitConverged(t, tm, sc, 10*time.Second)
}

// waitConverged polls until every shard holds exactly the database's
// searchable offers that belong to it (by the shard map in PostgreSQL), each
// at its current version, and the national index all of them.
func waitConverged(t *testing.T, tm *testMain, sc *search.Client, within time.Duration) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), tm.Config.DatabaseURL)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	sc.SetShardSource(store.New(tm.pool, nil))
	var want, got map[string]map[string]int
	for deadline := time.Now().Add(within); ; time.Sleep(200 * time.Millisecond) {
		m, err := sc.Map(context.Background())
		require.NoError(t, err)
		rows, err := conn.Query(context.Background(), `SELECT id::text, version, latitude, longitude, insee_code, remote = 'full'
			FROM offers WHERE status IN ('draft', 'published', 'paused')`)
		require.NoError(t, err)
		want = map[string]map[string]int{}
		var id, insee string
		var v int
		var lat, lon float64
		var remote bool
		_, err = pgx.ForEachRow(rows, []any{&id, &v, &lat, &lon, &insee, &remote}, func() error {
			for _, cell := range []string{m.Place(shard.Point{Lat: lat, Lon: lon}, insee, remote).ID, shard.NationalID} {
				if want[cell] == nil {
					want[cell] = map[string]int{}
				}
				want[cell][id] = v
			}
			return nil
		})
		require.NoError(t, err)
		got, err = sc.ShardVersions(context.Background())
		if err == nil {
			for cell, docs := range got {
				if len(docs) == 0 {
					delete(got, cell)
				}
			}
			if maps.EqualFunc(want, got, maps.Equal) {
				return
			}
		}
		if time.Now().After(deadline) {
			break
		}
	}
	require.Equal(t, want, got, "the shards did not converge within %s; logs:\n%s", within, tm.Logs.String())
}
