package web

import (
	"net/http"
	"slices"

	"github.com/passerelle-dev/passerelle/store"
)

// traineeListPage is the data of templates/trainee_list.html.
type traineeListPage struct {
	Status   string // the filter, "" for every status
	Statuses []string
	Items    []store.Trainee
	Pager    pager
}

// traineeList lists the organisation's trainees, filtered by status, a page
// at a time.
func (h *Handler) traineeList(w http.ResponseWriter, r *http.Request) {
	pg, err := readPager(r, "trainees")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	status := r.URL.Query().Get("statut")
	if !slices.Contains(store.TraineeStatuses, status) {
		status = "" // an unknown filter shows everyone rather than an error page
	}
	p := principal(r)
	items, next, err := h.deps.Store.ListTrainees(r.Context(), p, p.OrganisationID, store.TraineeFilter{Status: status}, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "trainee_list", page{Title: "Stagiaires", Nav: "trainees", Flash: traineeFlashOf(r),
		Data: traineeListPage{Status: status, Statuses: store.TraineeStatuses, Items: items, Pager: pg.Next(r, next)}})
}
