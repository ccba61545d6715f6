package store_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// TestOfferValidation refuses each rule's breach with the field it names,
// whoever the caller (the store checks for every caller, not only the API).
func TestOfferValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ptr := func(v int) *int { return &v }
	day := func(s string) *time.Time { d := date(s); return &d }
	cases := []struct {
		name  string
		edit  func(*store.OfferInput)
		field string
	}{
		{"blank title", func(in *store.OfferInput) { in.Title = "   " }, "title"},
		{"unknown kind", func(in *store.OfferInput) { in.Kind = "volunteering" }, "kind"},
		{"no ROME code", func(in *store.OfferInput) { in.ROMECodes = nil }, "rome_codes"},
		{"four ROME codes", func(in *store.OfferInput) { in.ROMECodes = []string{"D1102", "D1106", "D1101", "D1104"} }, "rome_codes"},
		{"unknown postal code", func(in *store.OfferInput) { in.PostalCode = "00000" }, "postal_code"},
		{"latitude without longitude", func(in *store.OfferInput) { lat := 48.9; in.Latitude = &lat }, "latitude"},
		{"end before start", func(in *store.OfferInput) { in.EndDate = day("2026-08-01") }, "end_date"},
		{"end without start", func(in *store.OfferInput) { in.StartDate = nil }, "end_date"},
		{"weeks against the dates", func(in *store.OfferInput) { in.DurationWeeks = ptr(3) }, "duration_weeks"},
		{"max age below min age", func(in *store.OfferInput) { in.MinAge, in.MaxAge = ptr(20), ptr(19) }, "max_age"},
		{"apprenticeship at 15", func(in *store.OfferInput) { in.MinAge = ptr(15) }, "min_age"},
		{"minors while 18 and over", func(in *store.OfferInput) { in.MinAge = ptr(18) }, "open_to_minors"},
		{"no position", func(in *store.OfferInput) { in.Positions = 0 }, "positions"},
	}
	for _, c := range cases {
		in := offerInput(b.company)
		c.edit(&in)
		_, err := b.store.CreateOffer(b.ctx, passerelle.System, in)
		require.Contains(t, fieldsOf(t, err), c.field, c.name)
	}
	require.Zero(t, b.count(`SELECT count(*) FROM offers WHERE id <> $1`, b.offer), "no refused offer was written")
	// The valid one passes, and its postal code gave it coordinates.
	o, err := b.store.CreateOffer(b.ctx, passerelle.System, offerInput(b.company))
	require.NoError(t, err)
	require.InDelta(t, 49.0, o.Latitude, 0.1)
}

// TestTraineeValidation refuses ages out of bounds (by the database's day),
// an exit without a date, an unknown status and postal code.
func TestTraineeValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var today time.Time
	require.NoError(t, b.pool.QueryRow(b.ctx, `SELECT (now() AT TIME ZONE 'Europe/Paris')::date`).Scan(&today))
	cases := []struct {
		name  string
		edit  func(*store.TraineeInput)
		field string
	}{
		{"12 today", func(in *store.TraineeInput) { in.Identity.BirthDate = today.AddDate(-13, 0, 1) }, "identity.birth_date"},
		{"101", func(in *store.TraineeInput) { in.Identity.BirthDate = today.AddDate(-101, 0, 0) }, "identity.birth_date"},
		{"exited without a date", func(in *store.TraineeInput) { in.Status = store.TraineeExited }, "exit_date"},
		{"unknown status", func(in *store.TraineeInput) { in.Status = "gone" }, "status"},
		{"unknown postal code", func(in *store.TraineeInput) { in.Profile.HomePostalCode = "00000" }, "profile.home_postal_code"},
	}
	for _, c := range cases {
		in := b.traineeInput()
		c.edit(&in)
		_, err := b.store.CreateTrainee(b.ctx, passerelle.System, b.org, in)
		require.Contains(t, fieldsOf(t, err), c.field, c.name)
	}
	require.Zero(t, b.count(`SELECT count(*) FROM trainees`), "no refused trainee was written")
	// 13 today and 100 today are both accepted.
	for _, birth := range []time.Time{today.AddDate(-13, 0, 0), today.AddDate(-100, 0, 0)} {
		in := b.traineeInput()
		in.Identity.BirthDate = birth
		_, err := b.store.CreateTrainee(b.ctx, passerelle.System, b.org, in)
		require.NoError(t, err, birth)
	}
}
