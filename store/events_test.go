package store_test

import (
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/store"
)

// Writers recording events about one subject at the same time take turns:
// the subject's events are numbered 1…n, none twice.
func TestEventSequencePerSubjectUnderConcurrency(t *testing.T) {
	b := setup(t)
	subject, other := uuid.New(), uuid.New()
	const writers = 8
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			_, err := b.store.RecordEvents(b.ctx, []store.Event{
				{Type: store.EventPlacementStarted, SubjectType: "placement", SubjectID: subject},
				{Type: store.EventPlacementStarted, SubjectType: "placement", SubjectID: other},
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, id := range []uuid.UUID{subject, other} {
		require.Equal(t, writers, b.count(`SELECT count(DISTINCT subject_sequence) FROM events WHERE subject_id = $1`, id))
		require.Equal(t, writers, b.count(`SELECT max(subject_sequence) FROM events WHERE subject_id = $1`, id))
	}
}
