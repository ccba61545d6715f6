package api

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// ProgrammeStats are a programme's key figures; docs/statistics.md defines
// each so that a programme can reproduce it.
type ProgrammeStats struct {
	OrganisationID             uuid.UUID      `json:"organisation_id"`
	CohortID                   *uuid.UUID     `json:"cohort_id,omitempty"`
	From                       *Date          `json:"from,omitempty"`
	To                         *Date          `json:"to,omitempty"`
	TraineesEnrolled           int            `json:"trainees_enrolled" doc:"The population: trainees of the organisation (and cohort) whose enrolment day (the cohort's start date, else the day they were registered) is in the period. Every other figure is about them."`
	ProposalsByStatus          map[string]int `json:"proposals_by_status" doc:"Their proposals by current status, every status listed."`
	CompanyReplies             Ratio          `json:"company_replies" doc:"Of their proposals ever proposed to a company (total), those the company answered: interview, accepted or declined (count)."`
	PlacementsByKind           map[string]int `json:"placements_by_kind" doc:"Their placements by kind, every kind listed."`
	TraineesPlaced             int            `json:"trainees_placed" doc:"Trainees with at least one placement."`
	SignedContracts            int            `json:"signed_contracts" doc:"Their placements of kind apprenticeship or professionalisation (work-study contracts)."`
	SignedContractsTarget      *int           `json:"signed_contracts_target,omitempty" doc:"The cohort's targets.signed_contracts; without cohort_id, the sum over the organisation's cohorts starting in the period. Absent when none sets it."`
	SignedContractsTargetRate  *float64       `json:"signed_contracts_target_rate,omitempty" doc:"signed_contracts / signed_contracts_target, 4 decimals."`
	MedianDaysToFirstPlacement *float64       `json:"median_days_to_first_placement,omitempty" doc:"Median, over trainees_placed, of the days from enrolment to the start date of their first placement. Absent when nobody is placed."`
	Dropouts                   Ratio          `json:"dropouts" doc:"Trainees who left (exit date) before their cohort's end date without any placement, of trainees_enrolled."`
	Outcomes6Months            Outcomes       `json:"outcomes_6_months"`
}

// Ratio is a count among a total.
type Ratio struct {
	Count int      `json:"count"`
	Total int      `json:"total"`
	Rate  *float64 `json:"rate,omitempty" doc:"count / total, 4 decimals; absent when total is 0."`
}

// Outcomes are the situations at the 6-month follow-up.
type Outcomes struct {
	Followed              int   `json:"followed" doc:"Trainees whose 6-month follow-up is recorded: the total of each ratio below."`
	InWork                Ratio `json:"in_work" doc:"Situation employed at 6 months."`
	InTraining            Ratio `json:"in_training" doc:"Situation training at 6 months."`
	JobSeeking            Ratio `json:"job_seeking"`
	NoContact             Ratio `json:"no_contact"`
	FirstJobWithin6Months Ratio `json:"first_job_within_6_months" doc:"Employed at the 1-, 3- or 6-month follow-up."`
}

func ratioOf(r store.Ratio) Ratio { return Ratio{Count: r.Count, Total: r.Total, Rate: r.Rate} }

func statsOf(s store.ProgrammeStats) ProgrammeStats {
	out := ProgrammeStats{OrganisationID: s.OrganisationID, CohortID: s.CohortID, TraineesEnrolled: s.TraineesEnrolled,
		ProposalsByStatus: s.ProposalsByStatus, CompanyReplies: ratioOf(s.CompanyReplies), PlacementsByKind: s.PlacementsByKind,
		TraineesPlaced: s.TraineesPlaced, SignedContracts: s.SignedContracts, SignedContractsTarget: s.ContractsTarget,
		SignedContractsTargetRate: s.TargetReached, MedianDaysToFirstPlacement: s.MedianDaysToFirst,
		Dropouts: ratioOf(s.Dropouts),
		Outcomes6Months: Outcomes{Followed: s.Outcomes6M.Followed, InWork: ratioOf(s.Outcomes6M.InWork),
			InTraining: ratioOf(s.Outcomes6M.InTraining), JobSeeking: ratioOf(s.Outcomes6M.JobSeeking),
			NoContact: ratioOf(s.Outcomes6M.NoContact), FirstJobWithin6Months: ratioOf(s.Outcomes6M.FirstJobWithin)}}
	if s.From != nil {
		out.From = ptr(dateOf(*s.From))
	}
	if s.To != nil {
		out.To = ptr(dateOf(*s.To))
	}
	return out
}

type statsOutput struct {
	ContentType string `header:"Content-Type"`
	Vary        string `header:"Vary"`
	Body        []byte
}

func (s *Server) registerStats() {
	registry := s.api.OpenAPI().Components.Schemas
	schema := registry.Schema(reflect.TypeFor[ProgrammeStats](), true, "ProgrammeStats")
	huma.Register(s.api, huma.Operation{
		OperationID: "get-programme-stats", Method: http.MethodGet, Path: "/v1/stats/programme",
		Summary: "A programme's key figures",
		Description: "For one organisation (advisers and integrators: theirs, the default; admins name it), optionally one " +
			"cohort and a period of enrolment: trainees enrolled, proposals by status, company reply rate, placements by " +
			"kind, signed work-study contracts against the cohort's `signed_contracts` target, median days to the first " +
			"placement, drop-outs and the situations at 6 months. Every figure's definition is in docs/statistics.md. " +
			"JSON, or CSV (`metric,value` lines) with `Accept: text/csv`; errors are problem details either way.",
		Tags: []string{"Statistics"}, Security: memberRoles,
		Responses: map[string]*huma.Response{
			"200": {Description: "The figures.", Content: map[string]*huma.MediaType{
				"application/json": {Schema: schema},
				"text/csv":         {Schema: &huma.Schema{Type: huma.TypeString, Description: "metric,value lines, a header first."}},
			}},
		},
	}, func(ctx context.Context, in *struct {
		OrganisationID uuid.UUID `query:"organisation_id" doc:"Required for admins; advisers and integrators: their own (another answers 404)."`
		CohortID       uuid.UUID `query:"cohort_id" doc:"Only this cohort's trainees."`
		From           string    `query:"from" format:"date" doc:"First enrolment day of the period (included)."`
		To             string    `query:"to" format:"date" doc:"Last enrolment day of the period (included)."`
		Accept         string    `header:"Accept"`
	}) (*statsOutput, error) {
		var f store.StatsFilter
		if in.OrganisationID != uuid.Nil {
			f.OrganisationID = &in.OrganisationID
		}
		if in.CohortID != uuid.Nil {
			f.CohortID = &in.CohortID
		}
		for _, d := range []struct {
			name, value string
			into        **time.Time
		}{{"from", in.From, &f.From}, {"to", in.To, &f.To}} {
			if d.value == "" {
				continue
			}
			t, err := time.Parse(time.DateOnly, d.value)
			if err != nil {
				return nil, passerelle.Invalid("Not a date.", passerelle.FieldError{Location: "query." + d.name, Message: "want YYYY-MM-DD", Value: d.value})
			}
			*d.into = &t
		}
		st, err := s.deps.Store.ProgrammeStatsFor(ctx, principal(ctx), f)
		if err != nil {
			return nil, err
		}
		body := statsOf(st)
		if wantsCSV(in.Accept) {
			return &statsOutput{ContentType: "text/csv; charset=utf-8", Vary: "Accept", Body: st.CSV()}, nil
		}
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		return &statsOutput{ContentType: "application/json", Vary: "Accept", Body: b}, nil
	})
}

// wantsCSV reports whether Accept prefers text/csv to JSON: it names
// text/csv and not application/json before it.
func wantsCSV(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		switch strings.ToLower(strings.TrimSpace(mt)) {
		case "text/csv":
			return true
		case "application/json", "application/*":
			return false
		}
	}
	return false
}
