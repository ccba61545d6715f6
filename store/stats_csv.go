package store

import (
	"bytes"
	"encoding/csv"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// CSV writes the figures as "metric,value" lines, a header first: the
// metric is the API's JSON field path (nested fields joined with dots, maps
// by key), an absent value is an empty cell. The API's
// GET /v1/stats/programme (Accept: text/csv) and the console's export both
// answer it, so the two files are the same.
func (st ProgrammeStats) CSV() []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	row := func(metric, value string) { _ = w.Write([]string{metric, value}) }
	ratio := func(prefix string, r Ratio) {
		row(prefix+".count", strconv.Itoa(r.Count))
		row(prefix+".total", strconv.Itoa(r.Total))
		row(prefix+".rate", floatCell(r.Rate))
	}
	counts := func(prefix string, m map[string]int) {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			row(prefix+"."+k, strconv.Itoa(m[k]))
		}
	}
	row("metric", "value")
	row("organisation_id", st.OrganisationID.String())
	row("cohort_id", uuidCell(st.CohortID))
	row("from", dateCell(st.From))
	row("to", dateCell(st.To))
	row("trainees_enrolled", strconv.Itoa(st.TraineesEnrolled))
	counts("proposals_by_status", st.ProposalsByStatus)
	ratio("company_replies", st.CompanyReplies)
	counts("placements_by_kind", st.PlacementsByKind)
	row("trainees_placed", strconv.Itoa(st.TraineesPlaced))
	row("signed_contracts", strconv.Itoa(st.SignedContracts))
	target := ""
	if st.ContractsTarget != nil {
		target = strconv.Itoa(*st.ContractsTarget)
	}
	row("signed_contracts_target", target)
	row("signed_contracts_target_rate", floatCell(st.TargetReached))
	row("median_days_to_first_placement", floatCell(st.MedianDaysToFirst))
	ratio("dropouts", st.Dropouts)
	o := st.Outcomes6M
	row("outcomes_6_months.followed", strconv.Itoa(o.Followed))
	ratio("outcomes_6_months.in_work", o.InWork)
	ratio("outcomes_6_months.in_training", o.InTraining)
	ratio("outcomes_6_months.job_seeking", o.JobSeeking)
	ratio("outcomes_6_months.no_contact", o.NoContact)
	ratio("outcomes_6_months.first_job_within_6_months", o.FirstJobWithin)
	w.Flush()
	return buf.Bytes()
}

// floatCell writes a number as JSON would (rates have 4 decimals, medians
// halves), empty when absent.
func floatCell(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func uuidCell(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}

func dateCell(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}
