package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
)

// referenceCacheControl lets clients keep reference answers for a day: the
// data is embedded in the binary and changes only with a release.
const referenceCacheControl = "private, max-age=86400"

// ROMECode is a job sheet of the ROME (Répertoire opérationnel des métiers et
// des emplois).
type ROMECode struct {
	Code  string `json:"code" example:"M1805"`
	Label string `json:"label" example:"Études et développement informatique"`
}

// ROMEList is the answer to a ROME search.
type ROMEList struct {
	Items []ROMECode `json:"items"`
}

// Place is a French commune under one of its postal codes.
type Place struct {
	PostalCode string  `json:"postal_code" example:"95500"`
	INSEECode  string  `json:"insee_code" example:"95277" doc:"INSEE commune code."`
	Town       string  `json:"town" example:"Gonesse" doc:"The commune's official name."`
	Latitude   float64 `json:"latitude" example:"48.98693" doc:"WGS 84, of the town (not of an address)."`
	Longitude  float64 `json:"longitude" example:"2.44892"`
	Population int     `json:"population" doc:"Municipal population; 0 when unknown."`
}

// PlaceList is the communes of a postal code.
type PlaceList struct {
	Items []Place `json:"items"`
}

type referenceOutput[B any] struct {
	CacheControl string `header:"Cache-Control"`
	Body         B
}

func (s *Server) registerReference() {
	const tag = "Reference data"
	huma.Register(s.api, huma.Operation{
		OperationID: "search-rome", Method: http.MethodGet, Path: "/v1/reference/rome",
		Summary: "Find ROME codes",
		Description: "Job sheets of the embedded ROME reference whose code starts with q, or whose label has a word " +
			"starting with each word of q (\"dev info\" finds M1805), ignoring case and accents: the exact code first, " +
			"then other codes, then labels in alphabetical order. Offers accept any well-formed code, listed here or not.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		Q     string `query:"q" required:"true" minLength:"1" maxLength:"100" example:"boulang" doc:"A code or its start (M18), or words of the label."`
		Limit int    `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"At most this many codes."`
	}) (*referenceOutput[ROMEList], error) {
		entries := reference.SearchROME(in.Q, in.Limit)
		out := &referenceOutput[ROMEList]{CacheControl: referenceCacheControl, Body: ROMEList{Items: make([]ROMECode, len(entries))}}
		for i, e := range entries {
			out.Body.Items[i] = ROMECode{Code: e.Code, Label: e.Label}
		}
		return out, nil
	})

	huma.Register(s.api, huma.Operation{
		OperationID: "list-places", Method: http.MethodGet, Path: "/v1/reference/places",
		Summary: "Communes of a postal code",
		Description: "The communes sharing a postal code, with their INSEE code and coordinates, sorted by name: what an " +
			"offer's postal code and optional insee_code resolve to. An unknown postal code answers 404.",
		Tags: []string{tag}, Security: roles(allRoles...),
	}, func(ctx context.Context, in *struct {
		PostalCode string `query:"postal_code" required:"true" pattern:"^[0-9]{5}$" patternDescription:"5 digits" example:"95500"`
	}) (*referenceOutput[PlaceList], error) {
		places := reference.PlacesByPostalCode(in.PostalCode)
		if len(places) == 0 {
			return nil, passerelle.Errorf(passerelle.ENotFound, "No French commune has the postal code %s.", in.PostalCode)
		}
		out := &referenceOutput[PlaceList]{CacheControl: referenceCacheControl, Body: PlaceList{Items: make([]Place, len(places))}}
		for i, p := range places {
			out.Body.Items[i] = Place{PostalCode: p.PostalCode, INSEECode: p.INSEE, Town: p.Town, Latitude: p.Lat,
				Longitude: p.Lon, Population: p.Population}
		}
		return out, nil
	})
}
