package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
)

func TestWebhookRetriesSpanThreeDays(t *testing.T) {
	t.Parallel()
	var least, most time.Duration
	for attempt := 1; attempt < jobargs.WebhookMaxAttempts; attempt++ {
		d := WebhookRetryDelay(attempt)
		least += time.Duration(float64(d) * (1 - webhookJitter))
		most += d
		for range 20 {
			j := jittered(d)
			require.True(t, j <= d && j >= time.Duration(float64(d)*(1-webhookJitter)), "attempt %d: %s", attempt, j)
		}
	}
	require.Equal(t, 30*time.Second, WebhookRetryDelay(1))
	require.Equal(t, time.Minute, WebhookRetryDelay(2))
	require.Equal(t, 12*time.Hour, WebhookRetryDelay(30))
	require.GreaterOrEqual(t, least, 72*time.Hour, "even with the largest jitter, retries span three days")
	require.Less(t, most, 7*24*time.Hour)
	t.Logf("retries span %s to %s", least, most)
}

// script is a receiver on loopback answering statuses in turn (the last one
// for good).
type script struct {
	mu       sync.Mutex
	statuses []int
	got      []http.Header
	bodies   [][]byte
}

func (s *script) start(t *testing.T, statuses ...int) *httptest.Server {
	s.statuses = statuses
	mux := http.NewServeMux()
	mux.HandleFunc("/moved", func(http.ResponseWriter, *http.Request) { t.Error("a redirect was followed") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		b, _ := json.Marshal(body)
		s.mu.Lock()
		status := s.statuses[min(len(s.got), len(s.statuses)-1)]
		s.got = append(s.got, r.Header.Clone())
		s.bodies = append(s.bodies, b)
		s.mu.Unlock()
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "/moved")
		}
		w.WriteHeader(status)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// webhookJob waits for the delivery's job to be waiting for a retry, and runs
// it now (River's retry without its wait).
func (b *notifyBundle) retryNow(t *testing.T, attempts int) {
	t.Helper()
	var id int64
	eventually(t, 20*time.Second, func() (bool, string) {
		var state string
		var attempt int
		var at time.Time
		err := b.pool.QueryRow(context.Background(), `SELECT id, state, attempt, scheduled_at FROM river_job WHERE kind = 'deliver_webhook'`).
			Scan(&id, &state, &attempt, &at)
		if err == nil && state == "retryable" && attempt == attempts {
			// The webhook schedule, not River's default.
			wait, want := time.Until(at), WebhookRetryDelay(attempt)
			require.True(t, wait > want*7/10 && wait <= want, "next attempt in %s, want %s less jitter", wait, want)
		}
		return err == nil && state == "retryable" && attempt == attempts, fmt.Sprint(state, attempt, err)
	})
	_, err := b.river.JobRetry(context.Background(), id)
	require.NoError(t, err)
}

func (b *notifyBundle) endpoint(t *testing.T, url string) store.WebhookEndpoint {
	t.Helper()
	w, err := b.store.CreateWebhook(context.Background(), passerelle.System, store.WebhookInput{URL: &url}, notify.NewSecret())
	require.NoError(t, err)
	return w
}

func (b *notifyBundle) offerPublished(t *testing.T) uuid.UUID {
	t.Helper()
	ids, err := b.store.RecordEvents(context.Background(), []store.Event{{Type: store.EventOfferPublished, SubjectType: "offer", SubjectID: uuid.New(),
		Payload: map[string]any{"title": "Apprenti boulanger (H/F)"}}})
	require.NoError(t, err)
	return ids[0]
}

func TestWebhookRetriedUntilAccepted(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	var rc script
	srv := rc.start(t, 500, 302, 200)
	ep := b.endpoint(t, srv.URL+"/hook")
	b.start(t, b.river)
	event := b.offerPublished(t)

	b.retryNow(t, 1) // after the 500
	b.retryNow(t, 2) // after the 302, not followed
	eventually(t, 20*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM deliveries WHERE status = 'sent' AND attempts = 3 AND endpoint_id = $1`, ep.ID)
		return n == 1, fmt.Sprintf("%d sent", n)
	})
	require.Equal(t, 3, rc.count())
	for _, h := range rc.got {
		require.Equal(t, event.String(), h.Get("webhook-id"), "the same webhook-id on every attempt")
	}
	require.JSONEq(t, `{"type":"offer.published","timestamp":"`+rc.timestamp(t)+`","sequence":1,"data":{"title":"Apprenti boulanger (H/F)"}}`, string(rc.bodies[2]))
	d, _, err := b.store.ListWebhookDeliveries(context.Background(), passerelle.System, ep.ID, store.Page{})
	require.NoError(t, err)
	full, err := b.store.GetWebhookDelivery(context.Background(), passerelle.System, ep.ID, d[0].ID)
	require.NoError(t, err)
	var codes []int
	for _, a := range full.Log {
		codes = append(codes, *a.StatusCode)
	}
	require.Equal(t, []int{500, 302, 200}, codes, "the delivery log")
}

// Two events about one placement recorded in the same transaction (the
// same timestamp) reach the receiver numbered in the order they happened.
func TestWebhookBodiesCarryTheSubjectSequence(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	var rc script
	srv := rc.start(t, 200, 200)
	b.endpoint(t, srv.URL+"/hook")
	b.start(t, b.river)
	placement := uuid.New()
	_, err := b.store.RecordEvents(context.Background(), []store.Event{
		{Type: store.EventPlacementStarted, SubjectType: "placement", SubjectID: placement},
		{Type: store.EventPlacementEnded, SubjectType: "placement", SubjectID: placement},
	})
	require.NoError(t, err)
	eventually(t, 20*time.Second, func() (bool, string) { return rc.count() == 2, fmt.Sprintf("%d received", rc.count()) })
	got := map[string]float64{}
	var stamps []string
	for _, raw := range rc.bodies {
		var body map[string]any
		require.NoError(t, json.Unmarshal(raw, &body))
		got[body["type"].(string)] = body["sequence"].(float64)
		stamps = append(stamps, body["timestamp"].(string))
	}
	require.Equal(t, stamps[0], stamps[1], "the same second: only the sequence orders them")
	require.Equal(t, map[string]float64{store.EventPlacementStarted: 1, store.EventPlacementEnded: 2}, got)
}

func (s *script) timestamp(t *testing.T) string {
	var body map[string]any
	require.NoError(t, json.Unmarshal(s.bodies[0], &body))
	return body["timestamp"].(string)
}

func TestWebhook410DisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	var rc script
	srv := rc.start(t, 410)
	ep := b.endpoint(t, srv.URL+"/hook")
	b.start(t, b.river)
	b.offerPublished(t)
	eventually(t, 20*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'deliver_webhook' AND state = 'cancelled'`)
		return n == 1, fmt.Sprintf("%d cancelled", n)
	})
	got, err := b.store.GetWebhook(context.Background(), passerelle.System, ep.ID)
	require.NoError(t, err)
	require.False(t, got.Enabled)
	require.Contains(t, got.DisabledReason, "410")
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM deliveries WHERE status = 'failed'`))

	// A disabled endpoint gets nothing more.
	b.offerPublished(t)
	eventually(t, 10*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM river_job WHERE kind = 'fan_out_event' AND state = 'completed'`)
		return n == 2, fmt.Sprintf("%d fanned out", n)
	})
	require.Equal(t, 1, b.count(t, `SELECT count(*) FROM deliveries`))
	require.Equal(t, 1, rc.count())
	// Redelivery is refused until the owner enables it again.
	d, _, err := b.store.ListWebhookDeliveries(context.Background(), passerelle.System, ep.ID, store.Page{})
	require.NoError(t, err)
	_, err = b.store.Redeliver(context.Background(), passerelle.System, ep.ID, d[0].ID)
	require.Equal(t, passerelle.EConflict, passerelle.ErrorCode(err))
}

func TestWebhookRefusedAtConnectTime(t *testing.T) {
	t.Parallel()
	b := setupNotify(t)
	b.cfg.Notifier.Webhooks = notify.NewSender(notify.Guard{}) // production setting: no loopback
	var rc script
	srv := rc.start(t, 200)
	ep := b.endpoint(t, srv.URL+"/hook") // registered directly: the API would have refused it
	b.start(t, b.river)
	b.offerPublished(t)
	eventually(t, 20*time.Second, func() (bool, string) {
		n := b.count(t, `SELECT count(*) FROM deliveries WHERE attempts = 1 AND status = 'pending' AND last_error LIKE 'refused:%' AND endpoint_id = $1`, ep.ID)
		return n == 1, fmt.Sprintf("%d refused", n)
	})
	require.Zero(t, rc.count())
}
