package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
)

// Offer is an apprenticeship, internship, immersion… posted by a company.
type Offer struct {
	ID                 uuid.UUID  `json:"id" doc:"Identifier."`
	CompanyID          uuid.UUID  `json:"company_id" doc:"The company the offer is posted for."`
	CompanyName        string     `json:"company_name" example:"Boulangerie du Marché"`
	Kind               string     `json:"kind" enum:"apprenticeship,professionalisation,internship,immersion,job,discovery"`
	Title              string     `json:"title" example:"Apprenti·e boulanger·ère"`
	Description        string     `json:"description"`
	ROMECodes          []string   `json:"rome_codes" example:"[\"D1102\"]" doc:"1 to 3 ROME codes."`
	ROMELabels         []string   `json:"rome_labels" example:"[\"Boulangerie - viennoiserie\"]" doc:"The label of each ROME code, in the same order; for a code the embedded reference does not list, the label of its family or domain."`
	RequiredSkills     []string   `json:"required_skills"`
	OptionalSkills     []string   `json:"optional_skills"`
	Street             string     `json:"street" doc:"Street address; empty when not given."`
	PostalCode         string     `json:"postal_code" example:"95500"`
	INSEECode          string     `json:"insee_code" example:"95277" doc:"INSEE code of the commune, from the postal code."`
	Town               string     `json:"town" example:"Gonesse" doc:"The commune's official name, from the postal code."`
	Latitude           float64    `json:"latitude" example:"48.98693"`
	Longitude          float64    `json:"longitude" example:"2.44892"`
	Remote             string     `json:"remote" enum:"none,partial,full"`
	StartDate          *Date      `json:"start_date,omitempty"`
	EndDate            *Date      `json:"end_date,omitempty"`
	DurationWeeks      *int       `json:"duration_weeks,omitempty"`
	WeeklyHours        *float64   `json:"weekly_hours,omitempty"`
	Positions          int        `json:"positions" example:"2"`
	PositionsFilled    int        `json:"positions_filled" doc:"Read-only: all positions once the offer is filled."`
	MinAge             *int       `json:"min_age,omitempty"`
	MaxAge             *int       `json:"max_age,omitempty"`
	OpenToMinors       bool       `json:"open_to_minors"`
	DisabilityFriendly bool       `json:"disability_friendly"`
	QualificationLevel string     `json:"qualification_level" enum:"none,cap_bep,bac,bac_2,bac_3,bac_5"`
	Status             string     `json:"status" enum:"draft,published,paused,filled,closed,expired"`
	AllowedActions     []string   `json:"allowed_actions" example:"[\"pause\",\"fill\",\"close\"]" doc:"The transitions the offer's status allows now (POST /v1/offers/{id}/{action})."`
	PublishedAt        *time.Time `json:"published_at,omitempty" doc:"When the offer was first published."`
	ExpiresAt          *time.Time `json:"expires_at,omitempty" doc:"60 days after the last publication; the company is reminded 7 days before."`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// OfferInput is the body of creation and replacement.
type OfferInput struct {
	CompanyID      *uuid.UUID `json:"company_id,omitempty" doc:"The company the offer is posted for. Required for admins, advisers and integrators (a partner company of their organisation); a company key may omit it (its own company is the only one it may name). Cannot change."`
	Kind           string     `json:"kind" enum:"apprenticeship,professionalisation,internship,immersion,job,discovery" doc:"apprenticeship, professionalisation (contrat de professionnalisation), internship (stage), immersion (PMSMP), job, or discovery (a company visit)."`
	Title          string     `json:"title" minLength:"1" maxLength:"200" example:"Apprenti·e boulanger·ère"`
	Description    string     `json:"description,omitempty" maxLength:"10000"`
	ROMECodes      []string   `json:"rome_codes" nullable:"false" minItems:"1" maxItems:"3" example:"[\"D1102\"]" doc:"1 to 3 ROME codes: a letter from A to N and 4 digits. Any well-formed code is accepted; see GET /v1/reference/rome."`
	RequiredSkills []string   `json:"required_skills,omitempty" maxItems:"30" doc:"At most 30, each up to 100 characters. Trimmed; repeats (ignoring case) are dropped."`
	OptionalSkills []string   `json:"optional_skills,omitempty" maxItems:"30" doc:"At most 30, each up to 100 characters. Trimmed; repeats (ignoring case) are dropped."`
	Street         string     `json:"street,omitempty" maxLength:"200" example:"12 place du Marché"`
	PostalCode     string     `json:"postal_code" pattern:"^[0-9]{5}$" patternDescription:"5 digits" example:"95500" doc:"Must be a French postal code: the commune (INSEE code and town) is taken from it."`
	INSEECode      string     `json:"insee_code,omitempty" pattern:"^[0-9][0-9AB][0-9]{3}$" patternDescription:"INSEE commune code" example:"95277" doc:"Picks one of the communes sharing the postal code (see GET /v1/reference/places); by default the one the postal code is geocoded to."`
	Latitude       *float64   `json:"latitude,omitempty" minimum:"-90" maximum:"90" dependentRequired:"longitude" doc:"WGS 84; give both coordinates or neither. Without them the offer is placed at its commune."`
	Longitude      *float64   `json:"longitude,omitempty" minimum:"-180" maximum:"180" dependentRequired:"latitude" doc:"WGS 84; give both coordinates or neither."`
	Remote         string     `json:"remote,omitempty" enum:"none,partial,full" doc:"Default none."`
	StartDate      *Date      `json:"start_date,omitempty" example:"2026-09-01"`
	EndDate        *Date      `json:"end_date,omitempty" example:"2027-08-31" doc:"On or after start_date, which it needs."`
	DurationWeeks  *int       `json:"duration_weeks,omitempty" minimum:"1" maximum:"208" doc:"Instead of, or with, the dates; with both dates it must agree with them (the days they span, both included, divided by 7, rounded up or down)."`
	WeeklyHours    *float64   `json:"weekly_hours,omitempty" exclusiveMinimum:"0" maximum:"48" example:"35"`
	Positions      int        `json:"positions,omitempty" minimum:"1" maximum:"10000" doc:"Default 1. Never fewer than the positions filled."`
	MinAge         *int       `json:"min_age,omitempty" minimum:"14" maximum:"99" doc:"An apprenticeship's is 16 or more. The legal upper bound of apprenticeships (29) has exceptions per person (RQTH), so max_age is free up to 99."`
	MaxAge         *int       `json:"max_age,omitempty" minimum:"14" maximum:"99" doc:"At least min_age; 18 or more unless open_to_minors."`
	OpenToMinors   bool       `json:"open_to_minors,omitempty" doc:"Accepts candidates under 18. Default false; cannot be true with min_age 18 or more."`
	// DisabilityFriendly is per offer: a company may welcome RQTH workers on some posts only.
	DisabilityFriendly bool   `json:"disability_friendly,omitempty" doc:"Adapted to recognised disabled workers (RQTH). Default false."`
	QualificationLevel string `json:"qualification_level,omitempty" enum:"none,cap_bep,bac,bac_2,bac_3,bac_5" doc:"Target level of the national framework: none (no diploma), cap_bep (level 3), bac (4), bac_2 (5: BTS, BUT 2), bac_3 (6: licence, BUT), bac_5 (7: master). Default none."`
}

func (in OfferInput) store() store.OfferInput {
	o := store.OfferInput{Kind: in.Kind, Title: in.Title, Description: in.Description, ROMECodes: in.ROMECodes,
		RequiredSkills: in.RequiredSkills, OptionalSkills: in.OptionalSkills, Street: in.Street, PostalCode: in.PostalCode,
		INSEECode: in.INSEECode, Latitude: in.Latitude, Longitude: in.Longitude, Remote: in.Remote,
		DurationWeeks: in.DurationWeeks, WeeklyHours: in.WeeklyHours, Positions: in.Positions, MinAge: in.MinAge,
		MaxAge: in.MaxAge, OpenToMinors: in.OpenToMinors, DisabilityFriendly: in.DisabilityFriendly,
		QualificationLevel: in.QualificationLevel}
	if in.CompanyID != nil {
		o.CompanyID = *in.CompanyID
	}
	if in.StartDate != nil {
		o.StartDate = ptr(in.StartDate.Time())
	}
	if in.EndDate != nil {
		o.EndDate = ptr(in.EndDate.Time())
	}
	if o.Positions == 0 {
		o.Positions = 1 // the schema refuses an explicit 0: this is the default
	}
	return o
}

func offerOf(o store.Offer) Offer {
	out := Offer{ID: o.ID, CompanyID: o.CompanyID, CompanyName: o.CompanyName, Kind: o.Kind, Title: o.Title,
		Description: o.Description, ROMECodes: o.ROMECodes, ROMELabels: make([]string, len(o.ROMECodes)),
		RequiredSkills: o.RequiredSkills, OptionalSkills: o.OptionalSkills, Street: o.Street, PostalCode: o.PostalCode,
		INSEECode: o.INSEECode, Town: o.Town, Latitude: o.Latitude, Longitude: o.Longitude, Remote: o.Remote,
		DurationWeeks: o.DurationWeeks, WeeklyHours: o.WeeklyHours, Positions: o.Positions,
		PositionsFilled: o.PositionsFilled, MinAge: o.MinAge, MaxAge: o.MaxAge, OpenToMinors: o.OpenToMinors,
		DisabilityFriendly: o.DisabilityFriendly, QualificationLevel: o.QualificationLevel, Status: o.Status,
		AllowedActions: store.AllowedOfferActions(o.Status), PublishedAt: o.PublishedAt, ExpiresAt: o.ExpiresAt,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	for i, c := range o.ROMECodes {
		out.ROMELabels[i], _ = reference.ROMELabel(c)
	}
	if o.StartDate != nil {
		out.StartDate = ptr(dateOf(*o.StartDate))
	}
	if o.EndDate != nil {
		out.EndDate = ptr(dateOf(*o.EndDate))
	}
	return out
}

// OfferList is a page of offers.
type OfferList struct {
	Items      []Offer `json:"items"`
	NextCursor string  `json:"next_cursor,omitempty" doc:"Cursor of the next page; absent on the last."`
}

type offerOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location" doc:"Absolute URL of the resource created (PUBLIC_BASE_URL and its path)."`
	Body     Offer
}

func newOfferOutput(o store.Offer) *offerOutput {
	return &offerOutput{ETag: etag(o.Version), Body: offerOf(o)}
}

// offerActions document each transition operation.
var offerActions = []struct{ action, summary, description string }{
	{store.ActionPublish, "Publish an offer",
		"A draft becomes published: advisers find it, and it expires 60 days later (the company is reminded 7 days before, with an `offer.expiring` event). Writes an `offer.published` event."},
	{store.ActionPause, "Pause an offer",
		"A published offer is hidden from advisers' searches until resumed. Pausing does not stop the expiry clock."},
	{store.ActionResume, "Resume a paused offer",
		"A paused offer is published again, with the same expiry date; once that date has passed it cannot resume."},
	{store.ActionFill, "Mark an offer as filled",
		"All positions are filled: the offer leaves search. Final."},
	{store.ActionClose, "Close an offer",
		"The company withdraws a draft, published or paused offer: it leaves search. Final."},
}

func (s *Server) registerOffers() {
	const tag = "Offers"
	huma.Register(s.api, creating(huma.Operation{
		OperationID: "create-offer", Method: http.MethodPost, Path: "/v1/offers",
		Summary: "Post an offer",
		Description: "Creates a draft offer. A company posts its own; an adviser or integrator posts on behalf of a partner " +
			"company of its organisation (another company answers 404); an admin for any company. Without coordinates, the " +
			"offer is placed at its commune; an unknown postal code answers 422. Every rule that involves several fields " +
			"(dates, ages, duration) is checked, and each field at fault is named.",
		Tags: []string{tag}, DefaultStatus: http.StatusCreated, Security: roles(allRoles...),
	}), func(ctx context.Context, in *struct{ Body OfferInput }) (*offerOutput, error) {
		o, err := s.deps.Store.CreateOffer(ctx, principal(ctx), in.Body.store())
		if err != nil {
			return nil, err
		}
		out := newOfferOutput(o)
		out.Location = s.url("/v1/offers/" + o.ID.String())
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-offers", Method: http.MethodGet, Path: "/v1/offers",
		Summary: "List offers",
		Description: "A change feed of the offers you may read: a company its own, in any status; advisers and integrators " +
			"the published offers of every company and every offer of their partner companies; admins all. " +
			"To find offers by content or place, use the search.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ListParams
		CompanyID uuid.UUID `query:"company_id" doc:"Only this company's offers (among those you see)."`
		Status    string    `query:"status" enum:"draft,published,paused,filled,closed,expired" doc:"Only offers in this status."`
	}) (*listOutput[OfferList], error) {
		extra := newListFilters()
		extra.id("company_id", in.CompanyID)
		filter := store.OfferFilter{CompanyID: in.CompanyID, Status: extra.text("status", in.Status)}
		items, next, link, err := listPageOf(s, "offers", "/v1/offers", in.ListParams, extra.Values,
			func(page store.Page) ([]store.Offer, *store.Cursor, error) {
				return s.deps.Store.ListOffers(ctx, principal(ctx), filter, page)
			}, offerOf)
		if err != nil {
			return nil, err
		}
		return &listOutput[OfferList]{Link: link, Body: OfferList{Items: items, NextCursor: next}}, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "get-offer", Method: http.MethodGet, Path: "/v1/offers/{id}",
		Summary: "Get an offer", Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Offer id."`
	}) (*offerOutput, error) {
		o, err := s.deps.Store.GetOffer(ctx, principal(ctx), in.ID)
		if err != nil {
			return nil, err
		}
		return newOfferOutput(o), nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "replace-offer", Method: http.MethodPut, Path: "/v1/offers/{id}",
		Summary: "Replace an offer's content",
		Description: "While the offer is a draft, published or paused (otherwise 409). The company, the status and its dates " +
			"stay; optional fields left out are cleared. The company, and advisers and integrators of its partner " +
			"organisations, may; others who can read the offer get 403.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		ID uuid.UUID `path:"id" doc:"Offer id."`
		IfMatch
		Body OfferInput
	}) (*offerOutput, error) {
		version, err := in.version()
		if err != nil {
			return nil, err
		}
		o, err := s.deps.Store.UpdateOffer(ctx, principal(ctx), in.ID, version, in.Body.store())
		if err != nil {
			return nil, err
		}
		return newOfferOutput(o), nil
	})

	for _, a := range offerActions {
		action := a.action
		huma.Register(s.api, huma.Operation{
			OperationID: action + "-offer", Method: http.MethodPost, Path: "/v1/offers/{id}/" + action,
			Summary: a.summary,
			Description: a.description + " An action the offer's status does not allow answers 409 naming those it does " +
				"(also in the offer's `allowed_actions`). Whoever may replace the offer may.",
			Tags: []string{tag}, Security: roles(allRoles...),
		}, func(ctx context.Context, in *struct {
			ID uuid.UUID `path:"id" doc:"Offer id."`
			IfMatch
		}) (*offerOutput, error) {
			version, err := in.version()
			if err != nil {
				return nil, err
			}
			o, err := s.deps.Store.TransitionOffer(ctx, principal(ctx), in.ID, version, action)
			if err != nil {
				return nil, err
			}
			return newOfferOutput(o), nil
		})
	}
}
