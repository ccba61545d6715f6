package store_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/store"
)

// ApplySuggestions writes a match only for the version it was computed from,
// creates, keeps and withdraws suggestions, and records one event and one
// history line per proposal it moved.
func TestApplySuggestionsGuardsTheVersion(t *testing.T) {
	b := setup(t)
	id := b.trainee()
	version := b.count(`SELECT version FROM trainees WHERE id = $1`, id)
	match := []matching.Match{{OfferID: b.offer, Score: 80, Reasons: []matching.Reason{{Code: "distance"}}}}
	proposals := func() int { return b.count(`SELECT count(*) FROM proposals WHERE trainee_id = $1`, id) }
	events := func() int {
		return b.count(`SELECT count(*) FROM events WHERE subject_type = 'proposal' AND payload->>'trainee_id' = $1`, id.String())
	}

	// A match computed from an older version writes nothing.
	_, err := b.store.ApplySuggestions(b.ctx, id, version-1, match)
	require.ErrorIs(t, err, store.ErrProfileMoved)
	require.Zero(t, proposals())
	require.Zero(t, events())

	res, err := b.store.ApplySuggestions(b.ctx, id, version, match)
	require.NoError(t, err)
	require.Equal(t, store.SuggestionResult{Created: 1}, res)
	require.Equal(t, 1, proposals())
	require.Equal(t, 1, events())
	require.Equal(t, 1, b.count(`SELECT count(*) FROM proposal_transitions t JOIN proposals p ON p.id = t.proposal_id
		WHERE p.trainee_id = $1 AND t.from_status IS NULL AND t.to_status = 'suggested'`, id))

	// The same match again changes nothing; a new score updates it without an event.
	res, err = b.store.ApplySuggestions(b.ctx, id, version, match)
	require.NoError(t, err)
	require.Equal(t, store.SuggestionResult{}, res)
	match[0].Score = 70
	res, err = b.store.ApplySuggestions(b.ctx, id, version, match)
	require.NoError(t, err)
	require.Equal(t, store.SuggestionResult{Updated: 1}, res)
	require.Equal(t, 1, events())

	// An empty match withdraws it; a stale one withdraws nothing.
	_, err = b.store.ApplySuggestions(b.ctx, id, version+1, nil)
	require.ErrorIs(t, err, store.ErrProfileMoved)
	require.Equal(t, 1, b.count(`SELECT count(*) FROM proposals WHERE trainee_id = $1 AND status = 'suggested'`, id))
	res, err = b.store.ApplySuggestions(b.ctx, id, version, nil)
	require.NoError(t, err)
	require.Equal(t, store.SuggestionResult{Withdrawn: 1}, res)
	require.Equal(t, 2, events())

	// The match brings it back.
	res, err = b.store.ApplySuggestions(b.ctx, id, version, match)
	require.NoError(t, err)
	require.Equal(t, store.SuggestionResult{Revived: 1}, res)

	// A trainee who is no longer there gets nothing, and no error.
	res, err = b.store.ApplySuggestions(b.ctx, uuid.New(), 1, match)
	require.NoError(t, err)
	require.Equal(t, store.SuggestionResult{}, res)
}
