package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// notification records an event for adviser and fans it out at once (no
// worker runs in API tests), returning the inbox entry's id.
func (b *bundle) notification(org, adviser uuid.UUID) uuid.UUID {
	b.t.Helper()
	ctx := context.Background()
	ids, err := b.store.RecordEvents(ctx, []store.Event{{Type: "proposal.created", OrganisationID: &org, AdviserID: &adviser,
		SubjectType: "proposal", SubjectID: uuid.New(), Payload: map[string]any{"offer_title": "Apprenti boulanger (H/F)"}}})
	require.NoError(b.t, err)
	_, err = b.store.FanOut(ctx, ids[0], store.FanOutOptions{Render: func(store.Event) (string, string) { return "Nouvelle piste", "résumé" }},
		func(pgx.Tx) error { return nil })
	require.NoError(b.t, err)
	var id uuid.UUID
	require.NoError(b.t, b.pool.QueryRow(ctx, `SELECT id FROM notifications WHERE event_id = $1`, ids[0]).Scan(&id))
	return id
}

func TestInbox(t *testing.T) {
	t.Parallel()
	b := setup(t)
	org := b.organisation("E2C")
	a, err := b.store.CreateAdviser(context.Background(), passerelle.System, org, store.AdviserInput{Name: "Samia", Email: "samia@example.org"})
	require.NoError(t, err)
	other, err := b.store.CreateAdviser(context.Background(), passerelle.System, org, store.AdviserInput{Name: "Marc", Email: "marc@example.org"})
	require.NoError(t, err)
	key := b.key(store.KeyInput{Role: passerelle.RoleAdviser, OrganisationID: &org, AdviserID: &a.ID})
	var mine []uuid.UUID
	for range 3 {
		mine = append(mine, b.notification(org, a.ID))
	}
	theirs := b.notification(org, other.ID)

	r := b.do(http.MethodGet, "/v1/me/notifications/unread-count", key, nil)
	requireStatus(t, http.StatusOK, r)
	require.EqualValues(t, 3, r.json(t)["unread"])

	r = b.do(http.MethodGet, "/v1/me/notifications?limit=2", key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Len(t, pageIDs(t, r), 2)
	require.Contains(t, r.Header.Get("Link"), `rel="next"`)
	first := r.json(t)["items"].([]any)[0].(map[string]any)
	require.Equal(t, "Nouvelle piste", first["title"])
	require.Equal(t, "proposal.created", first["event_type"])
	require.Equal(t, false, first["read"])
	r = b.do(http.MethodGet, "/v1/me/notifications?limit=2&cursor="+r.json(t)["next_cursor"].(string), key, nil)
	require.Len(t, pageIDs(t, r), 1)

	r = b.do(http.MethodPost, "/v1/me/notifications/"+mine[0].String()+"/read", key, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, true, r.json(t)["read"])
	readAt := r.json(t)["read_at"]
	r = b.do(http.MethodPost, "/v1/me/notifications/"+mine[0].String()+"/read", key, nil)
	require.Equal(t, readAt, r.json(t)["read_at"], "reading twice keeps the first time")
	r = b.do(http.MethodGet, "/v1/me/notifications/unread-count", key, nil)
	require.EqualValues(t, 2, r.json(t)["unread"])
	r = b.do(http.MethodGet, "/v1/me/notifications?unread=true", key, nil)
	require.ElementsMatch(t, []string{mine[1].String(), mine[2].String()}, pageIDs(t, r))

	requireProblem(t, b.do(http.MethodPost, "/v1/me/notifications/"+theirs.String()+"/read", key, nil), http.StatusNotFound, "not_found")
	unbound := b.adviserKey(org)
	p := requireProblem(t, b.do(http.MethodGet, "/v1/me/notifications", unbound, nil), http.StatusForbidden, "forbidden")
	require.Contains(t, p["detail"], "adviser_id")
	requireProblem(t, b.do(http.MethodGet, "/v1/me/notifications", b.admin, nil), http.StatusForbidden, "forbidden")
	requireProblem(t, b.do(http.MethodGet, "/v1/me/notifications", b.integratorKey(org), nil), http.StatusForbidden, "forbidden")
}
