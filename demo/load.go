// Package demo holds the demonstration dataset of `passerelle seed demo` —
// the five programmes of the design in their real towns, with fictional
// advisers, companies, offers and trainees at every stage from a suggestion
// to a follow-up six months after leaving — and loads it through the store,
// as its users would write it.
//
// Loading is idempotent: every object is found by its natural key (a name,
// an e-mail, a SIRET, a trainee × offer pair) before it is created, and a
// trainee's story resumes where it stopped, so a second load changes nothing
// and an interrupted one completes.
package demo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
)

// Summary is what a load found or made, per programme.
type Summary struct {
	Programmes []Loaded
}

// Loaded counts one programme's objects after the load.
type Loaded struct {
	Name                                           string
	ID                                             uuid.UUID
	Advisers, Cohorts, Companies, Offers, Trainees int
	Proposals, Placements, Followups               int
	CreatedTrainees                                int
}

// loader carries one load.
type loader struct {
	st    *store.Store
	month time.Time // the first day of the current month: relative dates start here
	pool  interface {
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	}
}

// Load loads the demo into st (whose River client must be set: offers and
// trainees enqueue their indexing and matching).
func Load(ctx context.Context, st *store.Store) (Summary, error) {
	now := time.Now().UTC()
	l := &loader{st: st, pool: st.Pool(), month: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)}
	var sum Summary
	var exits []exited
	for _, p := range Programmes {
		org, ex, created, err := l.programme(ctx, p)
		if err != nil {
			return sum, fmt.Errorf("demo: %s: %w", p.Name, err)
		}
		exits = append(exits, ex...)
		loaded, err := l.count(ctx, p.Name, org)
		if err != nil {
			return sum, err
		}
		loaded.CreatedTrainees = created
		sum.Programmes = append(sum.Programmes, loaded)
	}
	// Follow-ups fall due as the periodic job would make them; the demo
	// records what the advisers heard.
	if _, err := st.CreateDueFollowups(ctx); err != nil {
		return sum, err
	}
	for _, e := range exits {
		if err := l.followUp(ctx, e); err != nil {
			return sum, fmt.Errorf("demo: follow-ups: %w", err)
		}
	}
	for i := range sum.Programmes {
		var n int
		if err := l.pool.QueryRow(ctx, `SELECT count(*) FROM followups WHERE organisation_id = $1`, sum.Programmes[i].ID).Scan(&n); err != nil {
			return sum, err
		}
		sum.Programmes[i].Followups = n
	}
	return sum, nil
}

// exited is a trainee who left, and the situations to record at 1, 3, 6 months.
type exited struct {
	trainee uuid.UUID
	org     uuid.UUID
	story   Story
}

// find runs a lookup: ok is false when there is no row.
func (l *loader) find(ctx context.Context, sql string, args []any, dest ...any) (bool, error) {
	err := l.pool.QueryRow(ctx, sql, args...).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// siret is a valid SIRET computed from a company's name: stable across loads.
func siret(name string) string {
	h := fnv.New64a()
	h.Write([]byte(name))
	return reference.CompleteSIRET(fmt.Sprintf("8%012d", h.Sum64()%1_000_000_000_000))
}

func (l *loader) programme(ctx context.Context, p Programme) (org uuid.UUID, exits []exited, created int, err error) {
	ok, err := l.find(ctx, `SELECT id FROM organisations WHERE name = $1 ORDER BY created_at, id LIMIT 1`, []any{p.Name}, &org)
	if err != nil {
		return org, nil, 0, err
	}
	if !ok {
		o, err := l.st.CreateOrganisation(ctx, passerelle.System, store.OrganisationInput{Kind: p.Kind, Name: p.Name, Town: p.Town})
		if err != nil {
			return org, nil, 0, err
		}
		org = o.ID
	}
	staff := passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: org}

	advisers := make([]uuid.UUID, len(p.Advisers))
	for i, a := range p.Advisers {
		ok, err := l.find(ctx, `SELECT id FROM advisers WHERE organisation_id = $1 AND email = $2`, []any{org, a.Email}, &advisers[i])
		if err != nil {
			return org, nil, 0, err
		}
		if !ok {
			ad, err := l.st.CreateAdviser(ctx, passerelle.System, org, store.AdviserInput{Name: a.Name, Email: a.Email})
			if err != nil {
				return org, nil, 0, err
			}
			advisers[i] = ad.ID
		}
	}

	cohorts := make([]store.Cohort, len(p.Cohorts))
	for i, c := range p.Cohorts {
		var id uuid.UUID
		ok, err := l.find(ctx, `SELECT id FROM cohorts WHERE organisation_id = $1 AND name = $2`, []any{org, c.Name}, &id)
		if err != nil {
			return org, nil, 0, err
		}
		if !ok {
			start := l.month.AddDate(0, -c.StartMonthsAgo, 0)
			in := store.CohortInput{Name: c.Name, Track: c.Track, StartDate: start, EndDate: start.AddDate(0, c.Months, -1),
				Capacity: c.Capacity, Targets: map[string]int{}}
			if c.SignedTarget > 0 {
				in.Targets["signed_contracts"] = c.SignedTarget
			}
			co, err := l.st.CreateCohort(ctx, staff, org, in)
			if err != nil {
				return org, nil, 0, err
			}
			id = co.ID
		}
		if cohorts[i], err = l.st.GetCohort(ctx, staff, id); err != nil {
			return org, nil, 0, err
		}
	}

	companies := make([]uuid.UUID, len(p.Companies))
	offers := make([][]uuid.UUID, len(p.Companies))
	for i, c := range p.Companies {
		if companies[i], err = l.company(ctx, staff, c); err != nil {
			return org, nil, 0, err
		}
		for _, o := range c.Offers {
			id, err := l.offer(ctx, staff, companies[i], c, o)
			if err != nil {
				return org, nil, 0, err
			}
			offers[i] = append(offers[i], id)
		}
	}

	for _, t := range p.Trainees {
		s := story{l: l, p: p, t: t, org: org, staff: staff, referent: advisers[t.Referent], cohort: cohorts[t.Cohort]}
		if len(paths[t.Story]) > 0 {
			s.company, s.offer = companies[t.Company], offers[t.Company][t.Offer]
			s.contact = p.Companies[t.Company]
		}
		isNew, err := s.run(ctx)
		if err != nil {
			return org, nil, 0, fmt.Errorf("%s %s: %w", t.First, t.Last, err)
		}
		if isNew {
			created++
		}
		if s.exitDate() != nil {
			exits = append(exits, exited{trainee: s.trainee, org: org, story: t.Story})
		}
	}
	return org, exits, created, nil
}

// company finds the company by its SIRET or registers it, and makes it a
// partner of the organisation. A company another programme registered first
// is asked, and accepts, as its contact would: who may act for a company is
// decided by the company.
func (l *loader) company(ctx context.Context, staff passerelle.Principal, c Company) (uuid.UUID, error) {
	var id uuid.UUID
	ok, err := l.find(ctx, `SELECT id FROM companies WHERE siret = $1`, []any{siret(c.Name)}, &id)
	if err != nil || ok {
		if ok {
			if _, _, err = l.st.CreatePartnership(ctx, staff, siret(c.Name), nil); err != nil {
				return id, err
			}
			contact := passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: id}
			_, err = l.st.DecidePartnership(ctx, contact, staff.OrganisationID, id, passerelle.PartnershipActive)
		}
		return id, err
	}
	co, err := l.st.CreateCompany(ctx, staff, store.CompanyInput{SIRET: siret(c.Name), Name: c.Name, NAFCode: c.NAF,
		HeadcountBand: c.Headcount, Address: store.Address{Street: c.Street, PostalCode: c.PostalCode, Town: c.Town},
		DisabilityFriendly: c.DisabilityFriendly,
		Contacts:           []store.Contact{{Name: c.ContactName, Role: c.ContactRole, Email: c.ContactEmail}}})
	if err != nil || c.ContactEmail == "" {
		return co.ID, err
	}
	// The programme that registered the company invites its contact to the
	// company space (the link it creates is not sent: the demo prints one).
	_, _, err = l.st.InviteCompanyUser(ctx, staff, co.ID, store.CompanyUserInput{Name: c.ContactName, Email: c.ContactEmail})
	return co.ID, err
}

// offer finds the company's offer by its title or posts and publishes it.
func (l *loader) offer(ctx context.Context, staff passerelle.Principal, company uuid.UUID, c Company, o Offer) (uuid.UUID, error) {
	var id uuid.UUID
	var status string
	ok, err := l.find(ctx, `SELECT id, status FROM offers WHERE company_id = $1 AND title = $2`, []any{company, o.Title}, &id, &status)
	if err != nil {
		return id, err
	}
	if !ok {
		start := l.month.AddDate(0, o.StartInMonths, 0)
		end := start.AddDate(0, 0, o.Weeks*7-1)
		in := store.OfferInput{CompanyID: company, Kind: o.Kind, Title: o.Title, Description: o.Description, ROMECodes: o.ROME,
			RequiredSkills: o.Required, OptionalSkills: o.Optional, Street: c.Street, PostalCode: c.PostalCode, Positions: o.Positions,
			StartDate: &start, EndDate: &end, OpenToMinors: o.OpenToMinors, QualificationLevel: o.Level, WeeklyHours: ptr(35.0)}
		if o.Kind == store.KindApprenticeship {
			in.MinAge = ptr(store.ApprenticeshipAge)
		}
		created, err := l.st.CreateOffer(ctx, staff, in)
		if err != nil {
			return id, err
		}
		id, status = created.ID, created.Status
	}
	if status == store.StatusDraft {
		if _, err := l.st.TransitionOffer(ctx, staff, id, nil, store.ActionPublish); err != nil {
			return id, err
		}
	}
	return id, nil
}

func ptr[T any](v T) *T { return &v }

// count reads what the programme holds after the load.
func (l *loader) count(ctx context.Context, name string, org uuid.UUID) (Loaded, error) {
	out := Loaded{Name: name, ID: org}
	err := l.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM advisers WHERE organisation_id = $1),
			(SELECT count(*) FROM cohorts WHERE organisation_id = $1),
			(SELECT count(*) FROM partnerships WHERE organisation_id = $1),
			(SELECT count(*) FROM offers WHERE company_id IN (SELECT company_id FROM partnerships WHERE organisation_id = $1)),
			(SELECT count(*) FROM trainees WHERE organisation_id = $1),
			(SELECT count(*) FROM proposals WHERE organisation_id = $1),
			(SELECT count(*) FROM placements WHERE organisation_id = $1)`, org).
		Scan(&out.Advisers, &out.Cohorts, &out.Companies, &out.Offers, &out.Trainees, &out.Proposals, &out.Placements)
	return out, err
}
