package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
)

// LoadTrainees copies the generated trainees (see Dataset.Trainees) into
// organisation org, followed by referent, each with a matching consent (and
// an rqth one with RQTH) recorded by key. A trainee's home is the dataset
// town it was placed on.
func (d *Dataset) LoadTrainees(ctx context.Context, pool *pgxpool.Pool, keys *datakey.Ring, org, referent, key uuid.UUID, ts []matching.Trainee) error {
	towns := make(map[matching.Point]reference.Place, len(d.places.places))
	for _, p := range d.places.places {
		towns[matching.Point{Lat: p.Lat, Lon: p.Lon}] = p
	}
	cols := []string{"id", "organisation_id", "referent_id", "first_name", "last_name", "birth_date", "home_postal_code",
		"home_insee_code", "home_town", "home_latitude", "home_longitude", "mobility_radius_km", "wanted_kinds",
		"wanted_rome_codes", "skills", "availability", "max_weekly_hours", "rqth_sealed", "rqth_key_id", "pseudonym_salt"}
	var consents [][]any
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"trainees"}, cols, pgx.CopyFromSlice(len(ts), func(i int) ([]any, error) {
		t := ts[i]
		home, ok := towns[t.Home]
		if !ok {
			return nil, fmt.Errorf("bench: trainee %d lives on no dataset town", i)
		}
		skills := make([]store.TraineeSkill, len(t.Skills))
		for j, s := range t.Skills {
			skills[j] = store.TraineeSkill{Name: s.Name, Evidence: string(s.Evidence)}
			if s.Evidence == matching.EvidenceOpenBadge {
				skills[j].BadgeURL = "https://badges.example.org/assertions/" + t.ID.String()
			}
		}
		windows := make([]store.Window, len(t.Availability))
		for j, w := range t.Availability {
			windows[j] = store.Window{From: w.From}
			if !w.To.IsZero() {
				windows[j].To = &w.To
			}
		}
		sk, err := json.Marshal(skills)
		if err != nil {
			return nil, err
		}
		av, err := json.Marshal(windows)
		if err != nil {
			return nil, err
		}
		var maxHours, rqth, rqthKey any
		if t.MaxWeeklyHours > 0 {
			maxHours = t.MaxWeeklyHours
		}
		consents = append(consents, []any{uuid.New(), t.ID, store.ConsentMatching, key, "adviser"})
		if t.RQTH {
			rqth, rqthKey = store.SealRQTH(keys, t.ID, true)
			consents = append(consents, []any{uuid.New(), t.ID, store.ConsentRQTH, key, "adviser"})
		}
		salt := make([]byte, 32)
		_, _ = rand.Read(salt)
		return []any{t.ID, org, referent, "Stagiaire", fmt.Sprintf("Banc %d", i), t.BirthDate, home.PostalCode, home.INSEE,
			home.Town, home.Lat, home.Lon, int(t.RadiusKm), t.WantedKinds, t.WantedROME, json.RawMessage(sk),
			json.RawMessage(av), maxHours, rqth, rqthKey, salt}, nil
	}))
	if err != nil {
		return fmt.Errorf("bench: copy trainees: %w", err)
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"consents"}, []string{"id", "trainee_id", "scope", "recorded_by", "recorded_role"},
		pgx.CopyFromRows(consents)); err != nil {
		return fmt.Errorf("bench: copy consents: %w", err)
	}
	_, err = pool.Exec(ctx, `ANALYZE trainees; ANALYZE consents`)
	return err
}
