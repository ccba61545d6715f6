package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
)

// traineeShow is a trainee's page. This first version shows who they are and
// their status; the trainee pages build on it.
func (h *Handler) traineeShow(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, passerelle.Errorf(passerelle.ENotFound, "Trainee not found."))
		return
	}
	t, err := h.deps.Store.GetTrainee(r.Context(), principal(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "trainee_show", page{Title: t.Identity.FirstName + " " + t.Identity.LastName,
		Nav: "trainees", Data: t})
}
