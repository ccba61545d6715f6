package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/store"
)

func TestOfferLifecycle(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	o := w.createOffer(w.keyX, offerBody(w.x))
	id := o["id"].(string)
	state := func(r response) map[string]any {
		t.Helper()
		requireStatus(t, http.StatusOK, r)
		return r.json(t)
	}

	// Only a draft publishes; the answer names what is allowed.
	p := requireProblem(t, w.act(w.keyX, id, "pause"), http.StatusConflict, "conflict")
	require.Contains(t, p["detail"], "Allowed actions: publish, close.")

	before := time.Now()
	o = state(w.act(w.keyX, id, "publish"))
	require.Equal(t, "published", o["status"])
	require.Equal(t, []any{"pause", "fill", "close"}, o["allowed_actions"])
	published, expires := mustRFC3339(t, o["published_at"]), mustRFC3339(t, o["expires_at"])
	require.WithinDuration(t, before, published, time.Minute)
	require.Equal(t, 60*24*time.Hour, expires.Sub(published), "expires 60 days after publication")
	p = requireProblem(t, w.act(w.keyX, id, "publish"), http.StatusConflict, "conflict")
	require.Contains(t, p["detail"], "Allowed actions: pause, fill, close.")

	// Pause and resume: the expiry date stays.
	o = state(w.act(w.adviser, id, "pause"))
	require.Equal(t, "paused", o["status"])
	require.Equal(t, []any{"resume", "fill", "close"}, o["allowed_actions"])
	o = state(w.act(w.keyX, id, "resume"))
	require.Equal(t, "published", o["status"])
	require.Equal(t, expires, mustRFC3339(t, o["expires_at"]))
	require.Equal(t, published, mustRFC3339(t, o["published_at"]))

	// A published offer's content may still change.
	r := w.do(http.MethodPut, "/v1/offers/"+id, w.keyX, offerWith(offerBody(w.x), map[string]any{"title": "Apprenti·e pâtissier·ère"}))
	require.Equal(t, "Apprenti·e pâtissier·ère", state(r)["title"])

	// Filled: every position, and final.
	o = state(w.act(w.keyX, id, "fill"))
	require.Equal(t, "filled", o["status"])
	require.Equal(t, o["positions"], o["positions_filled"])
	require.Equal(t, []any{}, o["allowed_actions"])
	for _, action := range []string{"publish", "pause", "resume", "fill", "close"} {
		p = requireProblem(t, w.act(w.keyX, id, action), http.StatusConflict, "conflict")
		require.Contains(t, p["detail"], "final")
	}
	requireProblem(t, w.do(http.MethodPut, "/v1/offers/"+id, w.keyX, offerBody(w.x)), http.StatusConflict, "conflict")

	// A draft may be closed straight away.
	draft := w.createOffer(w.keyX, offerBody(w.x))["id"].(string)
	require.Equal(t, "closed", state(w.act(w.keyX, draft, "close"))["status"])

	// Unknown actions are unknown routes.
	requireProblem(t, w.act(w.keyX, id, "archive"), http.StatusNotFound, "not_found")

	// Every step is audited, with no title or personal data.
	r = w.do(http.MethodGet, "/v1/audit?resource_id="+id, w.admin, nil)
	requireStatus(t, http.StatusOK, r)
	var steps []string
	for _, it := range r.json(t)["items"].([]any) {
		e := it.(map[string]any)
		steps = append(steps, e["action"].(string))
		require.Equal(t, w.x.String(), e["details"].(map[string]any)["company_id"])
	}
	require.Equal(t, []string{"create", "publish", "pause", "resume", "update", "fill"}, steps)
	require.Contains(t, string(r.body), `"changed":["title"]`)
	require.NotContains(t, string(r.body), "Apprenti")

	// Publication wrote one offer.published event, with nothing personal.
	events, err := w.store.ListEvents(t.Context(), store.EventFilter{SubjectID: ptr(mustUUID(t, id))})
	require.NoError(t, err)
	require.Len(t, events, 1)
	e := events[0]
	require.Equal(t, store.EventOfferPublished, e.Type)
	require.Equal(t, "offer", e.SubjectType)
	require.Equal(t, w.x, *e.CompanyID)
	require.Nil(t, e.OrganisationID)
	requireNoPersonalData(t, e)
	require.Equal(t, "Apprenti·e boulanger·ère", e.Payload["title"])
	require.Equal(t, "published", e.Payload["status"])
}

// requireNoPersonalData checks an event's payload against the fields it may
// carry, and for the contact details bakery() gives companies.
func requireNoPersonalData(t *testing.T, e store.Event) {
	t.Helper()
	allowed := []string{"offer_id", "company_id", "title", "kind", "status", "rome_codes", "postal_code", "town", "published_at", "expires_at"}
	for k := range e.Payload {
		require.Contains(t, allowed, k, "event %s carries %s", e.Type, k)
	}
	b := string(mustJSON(t, e.Payload))
	for _, personal := range []string{"Camille", "camille.martin", "02 31", "place du Marché"} {
		require.NotContains(t, b, personal)
	}
}

func mustRFC3339(t *testing.T, v any) time.Time {
	t.Helper()
	s, ok := v.(string)
	require.True(t, ok, "not a time: %v", v)
	tm, err := time.Parse(time.RFC3339Nano, s)
	require.NoError(t, err)
	return tm
}

// indexOfferJob is a pending offer change (its search_pending row) and the
// state of the index job that will take it.
type indexOfferJob struct {
	OfferID, State, Queue, Xmin string
}

// indexOfferJobs returns the pending offer changes, each with the state of
// the (one) index_offers job.
func (b *bundle) indexOfferJobs() []indexOfferJob {
	b.t.Helper()
	rows, err := b.pool.Query(context.Background(), `SELECT p.offer_id::text, coalesce(j.state::text, 'none'), coalesce(j.queue, ''), p.xmin::text
		FROM search_pending p LEFT JOIN river_job j ON j.kind = 'index_offers' AND j.finalized_at IS NULL ORDER BY p.seq`)
	require.NoError(b.t, err)
	defer rows.Close()
	var out []indexOfferJob
	for rows.Next() {
		var j indexOfferJob
		require.NoError(b.t, rows.Scan(&j.OfferID, &j.State, &j.Queue, &j.Xmin))
		out = append(out, j)
	}
	require.NoError(b.t, rows.Err())
	return out
}

// offerXmin is the id of the transaction that last wrote the offer's row.
func (b *bundle) offerXmin(id string) string {
	b.t.Helper()
	var x string
	require.NoError(b.t, b.pool.QueryRow(context.Background(), `SELECT xmin::text FROM offers WHERE id = $1`, id).Scan(&x))
	return x
}

// clearIndexOfferJobs stands for the search worker having run: the jobs are gone.
func (b *bundle) clearIndexOfferJobs() {
	b.t.Helper()
	_, err := b.pool.Exec(context.Background(), `DELETE FROM river_job WHERE kind = 'index_offers'`)
	require.NoError(b.t, err)
	_, err = b.pool.Exec(context.Background(), `DELETE FROM search_pending`)
	require.NoError(b.t, err)
}

func TestOfferWritesEnqueueIndexJobInTheSameTransaction(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	id := ""
	requireOneJob := func(step string) {
		t.Helper()
		jobs := w.indexOfferJobs()
		require.Len(t, jobs, 1, "after %s", step)
		require.Equal(t, indexOfferJob{OfferID: id, State: "available", Queue: "index", Xmin: w.offerXmin(id)}, jobs[0],
			"after %s: one pending change and its job, written by the transaction that wrote the offer", step)
		w.clearIndexOfferJobs()
	}

	id = w.createOffer(w.keyX, offerBody(w.x))["id"].(string)
	requireOneJob("create")
	requireStatus(t, http.StatusOK, w.do(http.MethodPut, "/v1/offers/"+id, w.keyX, offerBody(w.x)))
	requireOneJob("update")
	for _, action := range []string{"publish", "pause", "resume", "fill"} {
		requireStatus(t, http.StatusOK, w.act(w.adviser, id, action))
		requireOneJob(action)
	}

	// Failed writes enqueue nothing.
	other := w.createOffer(w.keyX, offerBody(w.x))["id"].(string)
	w.clearIndexOfferJobs()
	requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.keyX, offerWith(offerBody(w.x), map[string]any{"postal_code": "00000"})), http.StatusUnprocessableEntity, "invalid")
	requireProblem(t, w.do(http.MethodPost, "/v1/offers", w.adviser, offerBody(w.y)), http.StatusNotFound, "not_found")
	requireProblem(t, w.act(w.keyX, id, "publish"), http.StatusConflict, "conflict")
	requireProblem(t, w.act(w.keyX, other, "pause"), http.StatusConflict, "conflict")
	requireProblem(t, w.act(w.keyX, other, "publish", "If-Match", `"9"`), http.StatusPreconditionFailed, "precondition_failed")
	requireProblem(t, w.act(w.keyY, other, "publish"), http.StatusNotFound, "not_found")
	requireProblem(t, w.do(http.MethodPut, "/v1/offers/"+other, w.keyX, offerWith(offerBody(w.x), map[string]any{"max_age": 15})), http.StatusUnprocessableEntity, "invalid")
	require.Empty(t, w.indexOfferJobs())

	// A burst of writes to one offer collapses into one pending change.
	for range 3 {
		requireStatus(t, http.StatusOK, w.do(http.MethodPut, "/v1/offers/"+other, w.keyX, offerBody(w.x)))
	}
	jobs := w.indexOfferJobs()
	require.Len(t, jobs, 1)
	require.Equal(t, other, jobs[0].OfferID)
}

func TestOfferExpiryAndReminder(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	ctx := t.Context()
	publish := func() string {
		id := w.createOffer(w.keyX, offerBody(w.x))["id"].(string)
		requireStatus(t, http.StatusOK, w.act(w.keyX, id, "publish"))
		return id
	}
	// The clock is the database's: move an offer's expiry instead of waiting.
	expiresIn := func(id string, d time.Duration) {
		_, err := w.pool.Exec(ctx, `UPDATE offers SET expires_at = now() + make_interval(secs => $2) WHERE id = $1`, id, d.Seconds())
		require.NoError(t, err)
	}
	status := func(id string) string {
		r := w.do(http.MethodGet, "/v1/offers/"+id, w.keyX, nil)
		requireStatus(t, http.StatusOK, r)
		return r.json(t)["status"].(string)
	}

	past, pausedPast, soon, later, fresh := publish(), publish(), publish(), publish(), publish()
	requireStatus(t, http.StatusOK, w.act(w.keyX, pausedPast, "pause"))
	expiresIn(past, -time.Minute)
	expiresIn(pausedPast, -time.Hour)
	expiresIn(soon, 3*24*time.Hour)
	expiresIn(later, 10*24*time.Hour)

	// A paused offer past its expiry cannot resume, even before the job runs.
	p := requireProblem(t, w.act(w.keyX, pausedPast, "resume"), http.StatusConflict, "conflict")
	require.Contains(t, p["detail"], "expired")
	w.clearIndexOfferJobs()

	// The periodic job: expired offers, then reminders.
	worker := &jobs.ExpireOffersWorker{Store: w.store}
	require.NoError(t, worker.Work(ctx, &river.Job[jobs.ExpireOffersArgs]{}))
	require.Equal(t, "expired", status(past))
	require.Equal(t, "expired", status(pausedPast))
	for _, id := range []string{soon, later, fresh} {
		require.Equal(t, "published", status(id))
	}
	var indexed []string
	for _, j := range w.indexOfferJobs() {
		require.Equal(t, "available", j.State)
		require.Equal(t, w.offerXmin(j.OfferID), j.Xmin, "expired and enqueued in one transaction")
		indexed = append(indexed, j.OfferID)
	}
	require.ElementsMatch(t, []string{past, pausedPast}, indexed)
	requireProblem(t, w.act(w.keyX, past, "resume"), http.StatusConflict, "conflict")

	// Expiry is audited as the system.
	r := w.do(http.MethodGet, "/v1/audit?resource_id="+pausedPast, w.admin, nil)
	requireStatus(t, http.StatusOK, r)
	items := r.json(t)["items"].([]any)
	last := items[len(items)-1].(map[string]any)
	require.Equal(t, "expire", last["action"])
	require.Equal(t, "admin", last["actor_role"])
	require.NotContains(t, last, "actor_key_id")
	require.Equal(t, map[string]any{"company_id": w.x.String(), "from": "paused", "to": "expired"}, last["details"])

	// One reminder, for the offer expiring within 7 days, once.
	expiring, err := w.store.ListEvents(ctx, store.EventFilter{Type: store.EventOfferExpiring})
	require.NoError(t, err)
	require.Len(t, expiring, 1)
	require.Equal(t, mustUUID(t, soon), expiring[0].SubjectID)
	require.Equal(t, w.x, *expiring[0].CompanyID)
	requireNoPersonalData(t, expiring[0])
	require.Contains(t, expiring[0].Payload, "expires_at")

	require.NoError(t, worker.Work(ctx, &river.Job[jobs.ExpireOffersArgs]{}))
	n, err := w.store.ExpireOffers(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	n, err = w.store.RemindExpiringOffers(ctx, store.ExpiryReminderAhead)
	require.NoError(t, err)
	require.Zero(t, n, "reminded once")
	expiring, err = w.store.ListEvents(ctx, store.EventFilter{Type: store.EventOfferExpiring})
	require.NoError(t, err)
	require.Len(t, expiring, 1)

	// Later in time, the other offer gets its own reminder, then expires.
	expiresIn(later, 2*24*time.Hour)
	n, err = w.store.RemindExpiringOffers(ctx, store.ExpiryReminderAhead)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	expiresIn(later, -time.Second)
	n, err = w.store.ExpireOffers(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, "expired", status(later))

	// Reminders change nothing searchable: the offer's version stays.
	r = w.do(http.MethodGet, "/v1/offers/"+soon, w.keyX, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
}

// A company's new name is part of its offers' representation: their ETags
// move and their search documents are re-indexed, in the rename's transaction.
func TestCompanyRenameReindexesItsOffers(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	live := w.createOffer(w.keyX, offerBody(w.x))
	requireStatus(t, http.StatusOK, w.act(w.keyX, live["id"].(string), "publish"))
	closed := w.createOffer(w.keyX, offerBody(w.x))
	requireStatus(t, http.StatusOK, w.act(w.keyX, closed["id"].(string), "close"))
	before := w.do(http.MethodGet, "/v1/offers/"+live["id"].(string), w.keyX, nil).Header.Get("ETag")
	w.clearIndexOfferJobs()

	body := bakery(w.do(http.MethodGet, "/v1/companies/"+w.x.String(), w.keyX, nil).json(t)["siret"].(string))
	body["name"] = "Boulangerie Renommée"
	r := w.do(http.MethodPut, "/v1/companies/"+w.x.String(), w.keyX, body)
	requireStatus(t, http.StatusOK, r)

	got := w.do(http.MethodGet, "/v1/offers/"+live["id"].(string), w.keyX, nil)
	require.Equal(t, "Boulangerie Renommée", got.json(t)["company_name"])
	require.NotEqual(t, before, got.Header.Get("ETag"))
	jobs := w.indexOfferJobs()
	require.Len(t, jobs, 1, "the searchable offer only, not the closed one")
	require.Equal(t, live["id"], jobs[0].OfferID)
	require.Equal(t, w.offerXmin(live["id"].(string)), jobs[0].Xmin, "enqueued in the rename's transaction")

	// Another update that keeps the name re-indexes nothing.
	w.clearIndexOfferJobs()
	body["disability_friendly"] = false
	requireStatus(t, http.StatusOK, w.do(http.MethodPut, "/v1/companies/"+w.x.String(), w.keyX, body))
	require.Empty(t, w.indexOfferJobs())
}
