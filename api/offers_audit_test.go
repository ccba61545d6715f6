package api

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCreateOfferIsAudited: the audit entry written in the offer's own round
// trip names the caller, the company and the draft status.
func TestCreateOfferIsAudited(t *testing.T) {
	t.Parallel()
	w := newOfferWorld(t)
	for _, key := range []string{w.keyX, w.adviser} {
		o := w.createOffer(key, offerBody(w.x))
		var (
			role, action, resourceType string
			actor                      string
			details                    map[string]any
		)
		require.NoError(t, w.pool.QueryRow(context.Background(), `SELECT actor_role, action, resource_type, actor_key_id::text, details
			FROM audit_log WHERE resource_id = $1`, o["id"]).Scan(&role, &action, &resourceType, &actor, &details))
		require.Equal(t, "create", action)
		require.Equal(t, "offer", resourceType)
		require.Equal(t, mustKeyID(t, w.bundle, key).String(), actor)
		require.Equal(t, map[string]any{"company_id": w.x.String(), "status": "draft"}, details)
	}
}
