package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
)

// offerBody is the API body of o: what a company's software would post
// (coordinates left to the API's geocoding of the postal code).
func offerBody(o Offer) map[string]any {
	body := map[string]any{
		"kind": o.Kind, "title": o.Title, "description": o.Description, "rome_codes": o.ROMECodes,
		"required_skills": o.RequiredSkills, "optional_skills": o.OptionalSkills,
		"postal_code": o.Place.PostalCode, "insee_code": o.Place.INSEE, "remote": o.Remote,
		"start_date": o.StartDate.Format(time.DateOnly), "end_date": o.EndDate.Format(time.DateOnly),
		"weekly_hours": o.WeeklyHours, "positions": o.Positions, "open_to_minors": o.OpenToMinors,
		"disability_friendly": o.DisabilityFriendly, "qualification_level": o.QualificationLevel,
	}
	if o.MinAge != nil {
		body["min_age"] = *o.MinAge
	}
	if o.MaxAge != nil {
		body["max_age"] = *o.MaxAge
	}
	return body
}

// insertOffer is the baseline: the INSERT CreateOffer makes, with values
// already checked and geocoded, and its index job enqueued in the same
// transaction, then the commit. Nothing else: no validation, no tenancy, no
// audit, no HTTP.
const insertOffer = `INSERT INTO offers (id, company_id, kind, title, description, rome_codes, required_skills,
	optional_skills, street, postal_code, insee_code, town, latitude, longitude, remote, start_date, end_date,
	duration_weeks, weekly_hours, positions, min_age, max_age, open_to_minors, disability_friendly, qualification_level)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`

func (b *runner) createSQL(ctx context.Context, o Offer) (time.Duration, error) {
	start := time.Now()
	err := pgx.BeginFunc(ctx, b.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, insertOffer, o.ID, o.CompanyID, o.Kind, o.Title, o.Description, o.ROMECodes,
			nonNil(o.RequiredSkills), nonNil(o.OptionalSkills), "", o.Place.PostalCode, o.Place.INSEE, o.Place.Town,
			o.Place.Lat, o.Place.Lon, o.Remote, o.StartDate, o.EndDate, nil, o.WeeklyHours, o.Positions, o.MinAge,
			o.MaxAge, o.OpenToMinors, o.DisabilityFriendly, o.QualificationLevel); err != nil {
			return err
		}
		// The search outbox row and the index job, as the store writes them.
		if _, err := tx.Exec(ctx, `INSERT INTO search_pending (offer_id) VALUES ($1)
			ON CONFLICT (offer_id) DO UPDATE SET seq = nextval('search_pending_seq')`, o.ID); err != nil {
			return err
		}
		_, err := b.river.InsertTx(ctx, tx, jobargs.IndexOffers{}, nil)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("bare insert: %w", err)
	}
	return time.Since(start), nil
}

func (b *runner) createAPI(ctx context.Context, key string, o Offer) (response, error) {
	return b.client.api(ctx, http.MethodPost, "/v1/offers", key, offerBody(o), http.StatusCreated)
}

// measureCreate posts offers through the API and inserts the same kind of
// offers with bare SQL, alternating which goes first.
func (b *runner) measureCreate(ctx context.Context) (Measurement, error) {
	const name = "create_api_vs_sql"
	var apiSamples, sqlSamples []time.Duration
	for i := range b.sizes.warmup + b.sizes.create {
		k := i % len(b.setup.companies.keys)
		key := b.setup.companies.keys[k]
		viaAPI, viaSQL := b.offerFor(k), b.offerFor(k)
		sides := []func() error{
			func() error {
				r, err := b.createAPI(ctx, key, viaAPI)
				if i >= b.sizes.warmup {
					apiSamples = append(apiSamples, r.took)
				}
				return err
			},
			func() error {
				took, err := b.createSQL(ctx, viaSQL)
				if i >= b.sizes.warmup {
					sqlSamples = append(sqlSamples, took)
				}
				return err
			},
		}
		if i%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, side := range sides {
			if err := side(); err != nil {
				return Measurement{}, fmt.Errorf("%s: %w", name, err)
			}
		}
		if i >= b.sizes.warmup {
			b.tick(name, i+1-b.sizes.warmup, b.sizes.create)
		}
	}
	return pair(name, "p50 ratio ≤ 2", 2,
		Side{Name: "api: POST /v1/offers (company key)", Stats: Summarise(apiSamples)},
		Side{Name: "sql: INSERT + InsertTx + commit", Stats: Summarise(sqlSamples)},
		"both sides write a draft offer and enqueue its index job, which the in-process worker runs"), nil
}

// offerFor makes up a new offer of the k-th company of the setup.
func (b *runner) offerFor(k int) Offer {
	c := b.companyByID[b.setup.companyIDs[k]]
	o := b.data.NewOffer(b.rng, c)
	o.ID = uuid.New()
	return o
}
