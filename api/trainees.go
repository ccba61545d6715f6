package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
)

// Trainee is a young person in a programme, as their organisation sees them.
type Trainee struct {
	ID             uuid.UUID       `json:"id" doc:"Identifier."`
	OrganisationID uuid.UUID       `json:"organisation_id" doc:"The trainee's organisation: the only one that sees their identity."`
	CohortID       *uuid.UUID      `json:"cohort_id,omitempty"`
	ReferentID     uuid.UUID       `json:"referent_id" doc:"The adviser who follows the trainee."`
	Identity       TraineeIdentity `json:"identity" doc:"Personal data: only the trainee's organisation reads it, and every read is written to the audit log."`
	Profile        TraineeProfile  `json:"profile"`
	Status         string          `json:"status" enum:"active,placed,exited,archived"`
	ExitDate       *Date           `json:"exit_date,omitempty"`
	ExitReason     string          `json:"exit_reason,omitempty"`
	RQTH           *bool           `json:"rqth,omitempty" doc:"Recognised disabled worker status: present only while an rqth consent is recorded. Used for eligibility and accessibility only; never sent to a company, the search index or a webhook."`
	// GuardianConsentMissing flags a trainee under 15 without a guardian's
	// consent: not matched until it is recorded.
	GuardianConsentMissing bool      `json:"guardian_consent_missing" doc:"True for a trainee under 15 without a recorded guardian consent (scope guardian): under 15, consent to processing is given with a legal guardian (French law, GDPR art. 8), and the trainee is not matched until it is recorded."`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`
}

// TraineeIdentity is who the trainee is.
type TraineeIdentity struct {
	FirstName string `json:"first_name" minLength:"1" maxLength:"100" example:"Inès"`
	LastName  string `json:"last_name" minLength:"1" maxLength:"100" example:"Exemple"`
	BirthDate Date   `json:"birth_date" example:"2007-03-14" doc:"Decides the age rules of matching (apprenticeship 16–29, minors)."`
	Email     string `json:"email,omitempty" maxLength:"254" format:"email"`
	Phone     string `json:"phone,omitempty" maxLength:"30" example:"06 00 00 00 00"`
}

// TraineeProfile is what matching reads.
type TraineeProfile struct {
	HomePostalCode   string         `json:"home_postal_code" example:"95500"`
	HomeINSEECode    string         `json:"home_insee_code" example:"95277"`
	HomeTown         string         `json:"home_town" example:"Gonesse" doc:"From the postal code."`
	HomeLatitude     float64        `json:"home_latitude" doc:"Of the commune, from the postal code."`
	HomeLongitude    float64        `json:"home_longitude"`
	MobilityRadiusKm int            `json:"mobility_radius_km" example:"20"`
	TransportModes   []string       `json:"transport_modes"`
	DrivingLicence   bool           `json:"driving_licence"`
	WantedKinds      []string       `json:"wanted_kinds"`
	WantedROMECodes  []string       `json:"wanted_rome_codes"`
	Skills           []TraineeSkill `json:"skills"`
	Languages        []string       `json:"languages"`
	Availability     []Window       `json:"availability"`
	MaxWeeklyHours   *float64       `json:"max_weekly_hours,omitempty"`
}

// TraineeProfileInput is the profile a caller sets; the home commune and its
// coordinates come from the postal code.
type TraineeProfileInput struct {
	HomePostalCode   string         `json:"home_postal_code" pattern:"^[0-9]{5}$" example:"95500"`
	HomeINSEECode    string         `json:"home_insee_code,omitempty" maxLength:"5" example:"95277" doc:"Picks the commune when a postal code has several."`
	MobilityRadiusKm int            `json:"mobility_radius_km" minimum:"0" maximum:"300" example:"20" doc:"How far from home the trainee can go, in km."`
	TransportModes   []string       `json:"transport_modes,omitempty" maxItems:"6" uniqueItems:"true" enum:"walk,bike,public_transport,car,motorbike,carpool"`
	DrivingLicence   bool           `json:"driving_licence,omitempty"`
	WantedKinds      []string       `json:"wanted_kinds,omitempty" maxItems:"6" uniqueItems:"true" enum:"apprenticeship,professionalisation,internship,immersion,job,discovery" doc:"Offer kinds the trainee wants; empty means any."`
	WantedROMECodes  []string       `json:"wanted_rome_codes,omitempty" maxItems:"10" example:"[\"M1805\"]" doc:"ROME codes of the jobs the trainee aims at."`
	Skills           []TraineeSkill `json:"skills,omitempty" maxItems:"50"`
	Languages        []string       `json:"languages,omitempty" maxItems:"10" example:"[\"fr\",\"ar\"]" doc:"ISO 639-1 codes."`
	Availability     []Window       `json:"availability,omitempty" maxItems:"20" doc:"Periods the trainee is available; empty means from now on."`
	MaxWeeklyHours   *float64       `json:"max_weekly_hours,omitempty" exclusiveMinimum:"0" maximum:"48"`
}

// TraineeSkill is a skill and how it is known.
type TraineeSkill struct {
	Name     string `json:"name" minLength:"1" maxLength:"100" example:"HTML/CSS"`
	Evidence string `json:"evidence" enum:"declared,adviser_validated,open_badge" doc:"declared by the trainee, validated by an adviser, or proven by an open badge (weighs most in matching)."`
	BadgeURL string `json:"badge_url,omitempty" maxLength:"2000" format:"uri" doc:"The https URL of the open badge assertion; required with open_badge."`
}

// Window is a period of availability; both days are included.
type Window struct {
	From Date  `json:"from" example:"2026-12-01"`
	To   *Date `json:"to,omitempty" example:"2027-06-30" doc:"Absent: open-ended."`
}

// TraineeInput is the body of creation and replacement.
type TraineeInput struct {
	CohortID   *uuid.UUID          `json:"cohort_id,omitempty" doc:"A cohort of the trainee's organisation."`
	ReferentID uuid.UUID           `json:"referent_id" doc:"An adviser of the trainee's organisation."`
	Identity   TraineeIdentity     `json:"identity"`
	Profile    TraineeProfileInput `json:"profile"`
	Status     string              `json:"status,omitempty" enum:"active,placed,exited,archived" doc:"active when absent. Only active trainees are matched."`
	ExitDate   *Date               `json:"exit_date,omitempty" doc:"Required when exited; follow-ups are due 1, 3 and 6 months after it."`
	ExitReason string              `json:"exit_reason,omitempty" maxLength:"500"`
	RQTH       *bool               `json:"rqth,omitempty" doc:"Only once an rqth consent is recorded (422 otherwise)."`
}

func (in TraineeInput) store() store.TraineeInput {
	p := in.Profile
	out := store.TraineeInput{CohortID: in.CohortID, ReferentID: in.ReferentID, Status: in.Status, ExitReason: in.ExitReason,
		RQTH: in.RQTH, ExitDate: dateTime(in.ExitDate),
		Identity: store.TraineeIdentity{FirstName: in.Identity.FirstName, LastName: in.Identity.LastName,
			BirthDate: in.Identity.BirthDate.Time(), Email: in.Identity.Email, Phone: in.Identity.Phone},
		Profile: store.TraineeProfile{HomePostalCode: p.HomePostalCode, HomeINSEECode: p.HomeINSEECode,
			MobilityRadiusKm: p.MobilityRadiusKm, TransportModes: p.TransportModes, DrivingLicence: p.DrivingLicence,
			WantedKinds: p.WantedKinds, WantedROMECodes: p.WantedROMECodes, Languages: p.Languages, MaxWeeklyHours: p.MaxWeeklyHours,
			Skills: mapSlice(p.Skills, func(s TraineeSkill) store.TraineeSkill {
				return store.TraineeSkill{Name: s.Name, Evidence: s.Evidence, BadgeURL: s.BadgeURL}
			}),
			Availability: mapSlice(p.Availability, func(w Window) store.Window {
				return store.Window{From: w.From.Time(), To: dateTime(w.To)}
			}),
		},
	}
	return out
}

// dateTime is the day of d, nil when d is.
func dateTime(d *Date) *time.Time {
	if d == nil {
		return nil
	}
	t := d.Time()
	return &t
}

// datePtr is the day of t, nil when t is.
func datePtr(t *time.Time) *Date {
	if t == nil {
		return nil
	}
	d := dateOf(*t)
	return &d
}

func windowsOf(ws []store.Window) []Window {
	return mapSlice(ws, func(w store.Window) Window { return Window{From: dateOf(w.From), To: datePtr(w.To)} })
}

func skillsOf(ss []store.TraineeSkill) []TraineeSkill {
	return mapSlice(ss, func(s store.TraineeSkill) TraineeSkill {
		return TraineeSkill{Name: s.Name, Evidence: s.Evidence, BadgeURL: s.BadgeURL}
	})
}

func traineeOf(t store.Trainee) Trainee {
	p := t.Profile
	return Trainee{ID: t.ID, OrganisationID: t.OrganisationID, CohortID: t.CohortID, ReferentID: t.ReferentID,
		Identity: TraineeIdentity{FirstName: t.Identity.FirstName, LastName: t.Identity.LastName,
			BirthDate: dateOf(t.Identity.BirthDate), Email: t.Identity.Email, Phone: t.Identity.Phone},
		Profile: TraineeProfile{HomePostalCode: p.HomePostalCode, HomeINSEECode: p.HomeINSEECode, HomeTown: p.HomeTown,
			HomeLatitude: p.HomeLatitude, HomeLongitude: p.HomeLongitude, MobilityRadiusKm: p.MobilityRadiusKm,
			TransportModes: nonNil(p.TransportModes), DrivingLicence: p.DrivingLicence, WantedKinds: nonNil(p.WantedKinds),
			WantedROMECodes: nonNil(p.WantedROMECodes), Skills: skillsOf(p.Skills), Languages: nonNil(p.Languages),
			Availability: windowsOf(p.Availability), MaxWeeklyHours: p.MaxWeeklyHours},
		Status: t.Status, ExitDate: datePtr(t.ExitDate), ExitReason: t.ExitReason, RQTH: t.RQTH,
		GuardianConsentMissing: t.GuardianConsentMissing, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// TraineeList is a page of trainees.
type TraineeList struct {
	Items      []Trainee `json:"items"`
	NextCursor string    `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type traineeOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     Trainee
}

func newTraineeOutput(t store.Trainee) *traineeOutput {
	return &traineeOutput{ETag: etag(t.Version), Body: traineeOf(t)}
}

func (s *Server) registerTrainees() {
	const tag = "Trainees"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-trainee", Method: http.MethodPost, Path: "/v1/organisations/{id}/trainees",
		Summary: "Add a trainee to an organisation", Tags: []string{tag}, DefaultStatus: http.StatusCreated,
		Description: "Advisers and integrators add trainees to their own organisation. The trainee is matched once " +
			"a matching consent is recorded (POST /v1/trainees/{id}/consents), and again after every change.",
		Security: memberRoles,
	}), func(ctx context.Context, in *struct {
		ID   uuid.UUID `path:"id" doc:"Organisation id."`
		Body TraineeInput
	}) (*traineeOutput, error) {
		t, err := s.deps.Store.CreateTrainee(ctx, principal(ctx), in.ID, in.Body.store())
		if err != nil {
			return nil, err
		}
		out := newTraineeOutput(t)
		out.Location = s.url("/v1/trainees/" + t.ID.String())
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-trainees", Method: http.MethodGet, Path: "/v1/organisations/{id}/trainees",
		Summary: "List an organisation's trainees", Tags: []string{tag}, Security: memberRoles,
		Description: "Every identity read is written to the audit log.",
	}, func(ctx context.Context, in *struct {
		ID         uuid.UUID `path:"id" doc:"Organisation id."`
		CohortID   uuid.UUID `query:"cohort_id" doc:"Only this cohort's trainees."`
		ReferentID uuid.UUID `query:"referent_id" doc:"Only the trainees this adviser follows."`
		Status     string    `query:"status" enum:"active,placed,exited,archived"`
		ListParams
	}) (*listOutput[TraineeList], error) {
		extra := newListFilters()
		f := store.TraineeFilter{CohortID: extra.id("cohort_id", in.CohortID), ReferentID: extra.id("referent_id", in.ReferentID),
			Status: extra.text("status", in.Status)}
		items, next, link, err := listPageOf(s, "trainees", "/v1/organisations/"+in.ID.String()+"/trainees", in.ListParams,
			extra.Values,
			func(page store.Page) ([]store.Trainee, *store.Cursor, error) {
				return s.deps.Store.ListTrainees(ctx, principal(ctx), in.ID, f, page)
			}, traineeOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[TraineeList]{Link: link, Body: TraineeList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-trainee", Method: http.MethodGet, Path: "/v1/trainees/{id}",
		Summary: "Get a trainee", Tags: []string{tag}, Security: memberRoles,
		Description: "The read of the identity is written to the audit log.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Trainee id."`
	}) (*traineeOutput, error) {
		t, err := s.deps.Store.GetTrainee(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newTraineeOutput(t), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "replace-trainee", Method: http.MethodPut, Path: "/v1/trainees/{id}",
		Summary: "Replace a trainee's fields", Tags: []string{tag}, Security: memberRoles,
		Description: "The trainee's suggestions are recomputed in the background.",
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Trainee id."`
		IfMatch
		Body TraineeInput
	}) (*traineeOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		t, err := s.deps.Store.UpdateTrainee(ctx, principal(ctx), in.ID, version, in.Body.store())
		if err != nil {
			return nil, err
		}
		return newTraineeOutput(t), nil
	})
}
