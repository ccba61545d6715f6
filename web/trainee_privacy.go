package web

import (
	"encoding/json"
	"net/http"

	"github.com/passerelle-dev/passerelle/store"
)

// erasurePage is the data of templates/trainee_erase.html: the confirmation
// an adviser sees before erasing a trainee.
type erasurePage struct {
	T store.Trainee
}

// traineeExport downloads everything held about the trainee: the same
// document, built by the same store function, as GET /v1/trainees/{id}/export
// (audited as an export there).
func (h *Handler) traineeExport(w http.ResponseWriter, r *http.Request) {
	id, err := traineeID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	x, err := h.deps.Store.ExportTrainee(r.Context(), principal(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	body, err := json.Marshal(x)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="trainee-`+id.String()+`.json"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(append(body, '\n'))
}

// traineeEraseConfirm is the page that asks the adviser to confirm an
// erasure, saying what goes and what stays.
func (h *Handler) traineeEraseConfirm(w http.ResponseWriter, r *http.Request) {
	id, err := traineeID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.deps.Store.GetTrainee(r.Context(), principal(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "trainee_erase", page{Title: "Effacer les données de " + t.Identity.FirstName + " " + t.Identity.LastName,
		Nav: "trainees", Data: erasurePage{T: t}})
}

// traineeErase erases the trainee (store.EraseTrainee, as POST
// /v1/trainees/{id}/erasure) and goes back to the list: the trainee's page is
// a 404 from then on.
func (h *Handler) traineeErase(w http.ResponseWriter, r *http.Request) {
	id, err := traineeID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.deps.Store.EraseTrainee(r.Context(), principal(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/trainees?ok=efface", http.StatusSeeOther)
}
