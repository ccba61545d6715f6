package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
)

// cohortShowPage is the data of templates/cohort_show.html.
type cohortShowPage struct {
	Cohort   store.Cohort
	Trainees []store.Trainee
	Pager    pager
}

// cohortShow shows one cohort and its trainees; another organisation's
// cohort is the 404 page, as an unknown one.
func (h *Handler) cohortShow(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	pg, err := readPager(r, "trainees")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := principal(r)
	c, err := h.deps.Store.GetCohort(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	trainees, next, err := h.deps.Store.ListTrainees(r.Context(), p, c.OrganisationID, store.TraineeFilter{CohortID: &c.ID}, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "cohort_show", page{Title: "Promotion " + c.Name, Nav: "cohorts",
		Data: cohortShowPage{Cohort: c, Trainees: trainees, Pager: pg.Next(r, next)}})
}
