package passerelle_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
)

func TestConsolePath(t *testing.T) {
	p, tr, c := uuid.New(), uuid.New(), uuid.New()
	for _, tc := range []struct {
		typ     string
		payload map[string]any
		want    string
	}{
		{"proposal.created", map[string]any{"proposal_id": p.String(), "trainee_id": tr.String()}, "/console/proposals/" + p.String()},
		{"proposal.status_changed", map[string]any{"proposal_id": p}, "/console/proposals/" + p.String()},
		{"placement.started", map[string]any{"trainee_id": tr.String()}, "/console/trainees/" + tr.String()},
		{"followup.due", map[string]any{"trainee_id": tr.String()}, "/console/followups"},
		{"offer.published", map[string]any{"company_id": c.String()}, "/console/companies/" + c.String()},
		{"trainee.erased", map[string]any{}, "/console/inbox"},
		{"proposal.created", map[string]any{"proposal_id": "../../admin"}, "/console/inbox"},
	} {
		require.Equal(t, tc.want, passerelle.ConsolePath(tc.typ, tc.payload), tc.typ)
	}
}
