package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// offerKindLabels are the kinds of offers and placements in people's words.
var offerKindLabels = map[string]string{
	store.KindApprenticeship:      "Apprentissage",
	store.KindProfessionalisation: "Contrat de professionnalisation",
	store.KindInternship:          "Stage",
	store.KindImmersion:           "Immersion (PMSMP)",
	store.KindJob:                 "Emploi",
	store.KindDiscovery:           "Découverte",
}

// figuresPage is the data of templates/figures.html.
type figuresPage struct {
	Stats    store.ProgrammeStats
	Cohorts  []store.Cohort
	Filter   figuresFilter
	Errors   form.Errors
	Funnel   []labelled
	Replies  []labelled
	Kinds    []labelled
	Statuses []labelled
	CSV      string // the export's address, with the same filter
}

// figuresFilter is the filter form as typed, shown again as it was.
type figuresFilter struct{ CohortID, From, To string }

// labelled is one row of a figure's table (and one bar of its chart).
type labelled struct {
	Label string
	Value int
}

// maxCohorts bounds the cohort choice of the filter: a programme runs a few
// cohorts a year.
const maxCohorts = 100

// readStatsFilter reads the filter form (?cohort_id=&from=&to=).
func readStatsFilter(r *http.Request) (store.StatsFilter, figuresFilter, error) {
	q := form.Query(r)
	f := store.StatsFilter{CohortID: q.UUIDPtr("cohort_id"), From: q.DatePtr("from"), To: q.DatePtr("to")}
	typed := figuresFilter{CohortID: q.String("cohort_id"), From: q.String("from"), To: q.String("to")}
	return f, typed, q.Err()
}

// figures shows the programme's key figures ("Chiffres du programme"): the
// funnel, the companies' replies and the placements, each as a table that a
// chart draws when JavaScript runs.
func (h *Handler) figures(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f, typed, err := readStatsFilter(r)
	var st store.ProgrammeStats
	if err == nil {
		st, err = h.deps.Store.ProgrammeStatsFor(r.Context(), p, f)
	}
	data := figuresPage{Filter: typed, CSV: Prefix + "/figures.csv"}
	if r.URL.RawQuery != "" {
		data.CSV += "?" + r.URL.RawQuery
	}
	status := http.StatusOK
	if errs, ok := form.ErrorsOf(err); ok {
		data.Errors, status = errs, http.StatusUnprocessableEntity
	} else if err != nil {
		h.fail(w, r, err)
		return
	}
	cohorts, _, err := h.deps.Store.ListCohorts(r.Context(), p, p.OrganisationID, store.Page{Limit: maxCohorts})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data.Stats, data.Cohorts = st, cohorts
	if status == http.StatusOK {
		data.Funnel = []labelled{
			{"Stagiaires inscrits", st.TraineesEnrolled},
			{"Propositions faites aux entreprises", st.CompanyReplies.Total},
			{"Réponses des entreprises", st.CompanyReplies.Count},
			{"Stagiaires placés", st.TraineesPlaced},
			{"Contrats en alternance signés", st.SignedContracts},
		}
		data.Replies = []labelled{
			{"Ont répondu", st.CompanyReplies.Count},
			{"Sans réponse", st.CompanyReplies.Total - st.CompanyReplies.Count},
		}
		for _, k := range store.OfferKinds {
			data.Kinds = append(data.Kinds, labelled{offerKindLabels[k], st.PlacementsByKind[k]})
		}
		for _, s := range store.ProposalStatuses {
			data.Statuses = append(data.Statuses, labelled{proposalStatusLabels[s], st.ProposalsByStatus[s]})
		}
	}
	h.render(w, r, status, "figures", page{Title: "Chiffres du programme", Nav: "figures", Data: data})
}

// figuresCSV is the figures' export: the same file as the API's
// GET /v1/stats/programme with Accept: text/csv.
func (h *Handler) figuresCSV(w http.ResponseWriter, r *http.Request) {
	f, _, err := readStatsFilter(r)
	var st store.ProgrammeStats
	if err == nil {
		st, err = h.deps.Store.ProgrammeStatsFor(r.Context(), principal(r), f)
	}
	if _, ok := form.ErrorsOf(err); ok {
		// The form is where a person reads what is wrong with their filter.
		http.Redirect(w, r, Prefix+"/figures?"+r.URL.RawQuery, http.StatusSeeOther) //nolint:gosec // G710: the target is our own path; the query cannot change host or path
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="chiffres-`+h.deps.Now().Format(time.DateOnly)+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(st.CSV()) //nolint:gosec // G705: a CSV attachment (text/csv, Content-Disposition), never rendered as HTML
}

// percent writes a rate (0.4286) as French people read it: "42,9 %".
func percent(rate *float64) string {
	if rate == nil {
		return "—"
	}
	return frDecimal(*rate*100, 1) + " %"
}

// frDecimal writes v with at most digits decimals and a decimal comma.
func frDecimal(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return strings.Replace(s, ".", ",", 1)
}

// dict builds a map from key, value pairs, to pass several values to a
// sub-template ({{template "figure" dict "ID" "funnel" …}}).
func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k, _ := kv[i].(string)
		m[k] = kv[i+1]
	}
	return m
}
