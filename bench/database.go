package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/passerelle-dev/passerelle/migrations"
)

var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// CreateDatabase drops the database called name on serverURL's server (any
// database URL of that server, whose role may create databases), creates it
// afresh, migrates it and returns its URL.
func CreateDatabase(ctx context.Context, serverURL, name string) (string, error) {
	if !databaseName.MatchString(name) {
		return "", fmt.Errorf("bench: database name %q: want lower-case letters, digits and _", name)
	}
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return "", fmt.Errorf("bench: connect to %s: %w", redact(serverURL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if conn.Config().Database == name {
		return "", fmt.Errorf("bench: refusing to drop %s, the database DATABASE_URL names: pick another --database", name)
	}
	for _, stmt := range []string{`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`, `CREATE DATABASE ` + name} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return "", fmt.Errorf("bench: %s: %w (the role needs CREATEDB)", stmt, err)
		}
	}
	dbURL, err := withDatabase(serverURL, name)
	if err != nil {
		return "", err
	}
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return "", fmt.Errorf("bench: %w", err)
	}
	defer pool.Close()
	if _, err := migrations.Apply(ctx, pool); err != nil {
		return "", fmt.Errorf("bench: migrate %s: %w", name, err)
	}
	return dbURL, nil
}

// DropDatabase drops the database called name (a test's, once it is done).
func DropDatabase(ctx context.Context, serverURL, name string) error {
	if !databaseName.MatchString(name) {
		return fmt.Errorf("bench: database name %q: want lower-case letters, digits and _", name)
	}
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return fmt.Errorf("bench: connect to %s: %w", redact(serverURL), err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	return err
}

func withDatabase(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("bench: DATABASE_URL must be a postgres:// URL to derive the bench database's from")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the database"
	}
	return u.Redacted()
}

// Load writes the dataset with COPY: companies, then their offers, every
// offer published (60 days before its expiry, as the API would have set).
func Load(ctx context.Context, pool *pgxpool.Pool, d *Dataset) error {
	companies := make([][]any, len(d.Companies))
	for i, c := range d.Companies {
		addr, _ := json.Marshal(map[string]string{"street": "", "postal_code": c.Place.PostalCode, "town": c.Place.Town})
		companies[i] = []any{c.ID, c.SIRET, c.Name, c.NAF, c.HeadcountBand, json.RawMessage(addr),
			c.Place.Lat, c.Place.Lon, c.DisabilityFriendly}
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"companies"},
		[]string{"id", "siret", "name", "naf_code", "headcount_band", "address", "latitude", "longitude", "disability_friendly"},
		pgx.CopyFromRows(companies)); err != nil {
		return fmt.Errorf("bench: copy companies: %w", err)
	}
	cols := []string{"id", "company_id", "kind", "title", "description", "rome_codes", "required_skills", "optional_skills",
		"postal_code", "insee_code", "town", "latitude", "longitude", "remote", "start_date", "end_date", "weekly_hours",
		"positions", "min_age", "max_age", "open_to_minors", "disability_friendly", "qualification_level", "status",
		"published_at", "expires_at", "created_at", "updated_at", "version"}
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"offers"}, cols, pgx.CopyFromSlice(len(d.Offers), func(i int) ([]any, error) {
		o := d.Offers[i]
		created := o.PublishedAt.Add(-time.Hour)
		return []any{o.ID, o.CompanyID, o.Kind, o.Title, o.Description, o.ROMECodes, nonNil(o.RequiredSkills),
			nonNil(o.OptionalSkills), o.Place.PostalCode, o.Place.INSEE, o.Place.Town, o.Place.Lat, o.Place.Lon, o.Remote,
			o.StartDate, o.EndDate, o.WeeklyHours, o.Positions, o.MinAge, o.MaxAge, o.OpenToMinors, o.DisabilityFriendly,
			o.QualificationLevel, "published", o.PublishedAt, o.PublishedAt.AddDate(0, 0, 60), created, o.PublishedAt, 2}, nil
	}))
	if err != nil {
		return fmt.Errorf("bench: copy offers: %w", err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE companies; ANALYZE offers`); err != nil {
		return fmt.Errorf("bench: analyze: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
