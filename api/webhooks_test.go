package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// webhookBody registers an endpoint at a documentation address (TEST-NET-1):
// it passes the address checks, and no test sends anything to it (no worker
// runs in API tests).
func webhookBody() map[string]any {
	return map[string]any{"url": "https://192.0.2.10/passerelle/hooks", "description": "SI de l'E2C", "event_types": []string{}}
}

func TestWebhookLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("E2C")
	key := b.integratorKey(org)

	r := b.do(http.MethodPost, "/v1/webhooks", key, map[string]any{"url": "https://192.0.2.10/hook", "event_types": []string{"proposal.created", "placement.started"}})
	requireStatus(t, http.StatusCreated, r)
	created := r.json(t)
	id := created["id"].(string)
	require.True(t, strings.HasPrefix(created["secret"].(string), "whsec_"), "the secret is shown at creation")
	require.Equal(t, org.String(), created["organisation_id"])
	require.Equal(t, "http://127.0.0.1/v1/webhooks/"+id, r.Header.Get("Location"))

	r = b.do(http.MethodGet, "/v1/webhooks/"+id, key, nil)
	requireStatus(t, http.StatusOK, r)
	require.NotContains(t, r.json(t), "secret", "and never again")
	require.Equal(t, `"1"`, r.Header.Get("ETag"))

	r = b.do(http.MethodPatch, "/v1/webhooks/"+id, key, map[string]any{"enabled": false}, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, false, r.json(t)["enabled"])
	require.Equal(t, []any{"proposal.created", "placement.started"}, r.json(t)["event_types"], "absent fields stay")
	requireProblem(t, b.do(http.MethodPatch, "/v1/webhooks/"+id, key, map[string]any{"enabled": true}, "If-Match", `"1"`), http.StatusPreconditionFailed, "precondition_failed")
	p := requireProblem(t, b.do(http.MethodPatch, "/v1/webhooks/"+id, key, map[string]any{"event_types": []string{"nope.nope"}}), http.StatusUnprocessableEntity, "invalid")
	require.NotEmpty(t, fieldLocations(p))

	r = b.do(http.MethodPost, "/v1/webhooks/"+id+"/rotate-secret", key, nil)
	requireStatus(t, http.StatusOK, r)
	rotated := r.json(t)
	require.NotEqual(t, created["secret"], rotated["secret"])
	require.NotEmpty(t, rotated["previous_secret_expires_at"])

	r = b.do(http.MethodGet, "/v1/webhooks", key, nil)
	require.Equal(t, []string{id}, pageIDs(t, r))
	other := b.integratorKey(b.organisation("Other"))
	require.Empty(t, pageIDs(t, b.do(http.MethodGet, "/v1/webhooks", other, nil)))
	requireProblem(t, b.do(http.MethodGet, "/v1/webhooks/"+id, other, nil), http.StatusNotFound, "not_found")
	require.Equal(t, []string{id}, pageIDs(t, b.do(http.MethodGet, "/v1/webhooks", b.admin, nil)), "admins see every endpoint")

	// The delivery log and a redelivery.
	adviser, err := b.store.CreateAdviser(context.Background(), passerelle.System, org, store.AdviserInput{Name: "Samia", Email: "s@example.org"})
	require.NoError(t, err)
	b.do(http.MethodPatch, "/v1/webhooks/"+id, key, map[string]any{"enabled": true})
	b.notification(org, adviser.ID)
	r = b.do(http.MethodGet, "/v1/webhooks/"+id+"/deliveries", key, nil)
	requireStatus(t, http.StatusOK, r)
	items := r.json(t)["items"].([]any)
	require.Len(t, items, 1)
	delivery := items[0].(map[string]any)
	require.Equal(t, "proposal.created", delivery["event_type"])
	require.Equal(t, "pending", delivery["status"])
	r = b.do(http.MethodPost, "/v1/webhooks/"+id+"/deliveries/"+delivery["id"].(string)+"/redeliver", key, nil)
	requireStatus(t, http.StatusAccepted, r)
	r = b.do(http.MethodGet, "/v1/webhooks/"+id+"/deliveries/"+delivery["id"].(string), key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, delivery["event_id"], r.json(t)["event_id"])

	requireStatus(t, http.StatusNoContent, b.do(http.MethodDelete, "/v1/webhooks/"+id, key, nil))
	requireProblem(t, b.do(http.MethodGet, "/v1/webhooks/"+id, key, nil), http.StatusNotFound, "not_found")
	requireProblem(t, b.do(http.MethodGet, "/v1/webhooks", b.adviserKey(org), nil), http.StatusForbidden, "forbidden")
}

func TestWebhookURLsRefusedAtRegistration(t *testing.T) {
	t.Parallel()
	strict := setup(t)
	dev := setup(t, setupOpts{webhookAllowLoopback: true})
	for _, u := range []string{"http://127.0.0.1:8080/hook", "https://localhost/hook", "https://[::1]/", "https://10.0.0.5/",
		"http://169.254.169.254/latest/meta-data/", "https://192.168.1.1/", "https://0.0.0.0/", "https://100.64.0.1/"} {
		p := requireProblem(t, strict.do(http.MethodPost, "/v1/webhooks", strict.admin, map[string]any{"url": u}), http.StatusUnprocessableEntity, "invalid")
		require.Equal(t, []string{"body.url"}, fieldLocations(p), u)
		require.Contains(t, p["detail"], "refused", u)
	}
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost:8080/hook"} {
		requireStatus(t, http.StatusCreated, dev.do(http.MethodPost, "/v1/webhooks", dev.admin, map[string]any{"url": u}))
	}
	for _, u := range []string{"https://10.0.0.5/", "http://169.254.169.254/"} {
		requireProblem(t, dev.do(http.MethodPost, "/v1/webhooks", dev.admin, map[string]any{"url": u}), http.StatusUnprocessableEntity, "invalid")
	}
	// A URL changed later is checked too.
	r := strict.do(http.MethodPost, "/v1/webhooks", strict.admin, webhookBody())
	requireStatus(t, http.StatusCreated, r)
	id := r.json(t)["id"].(string)
	requireProblem(t, strict.do(http.MethodPatch, "/v1/webhooks/"+id, strict.admin, map[string]any{"url": "https://localhost/"}), http.StatusUnprocessableEntity, "invalid")
}
