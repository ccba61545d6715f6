package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle/store"
)

// cohortListPage is the data of templates/cohort_list.html.
type cohortListPage struct {
	Items []store.Cohort
	Pager pager
}

// cohortList lists the organisation's cohorts ("Promotions").
func (h *Handler) cohortList(w http.ResponseWriter, r *http.Request) {
	pg, err := readPager(r, "cohorts")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := principal(r)
	items, next, err := h.deps.Store.ListCohorts(r.Context(), p, p.OrganisationID, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "cohort_list", page{Title: "Promotions", Nav: "cohorts",
		Data: cohortListPage{Items: items, Pager: pg.Next(r, next)}})
}
