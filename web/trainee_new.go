package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// traineeNewPage is the data of templates/trainee_new.html.
type traineeNewPage struct {
	In     store.TraineeInput
	Errors form.Errors
}

// traineeNew shows the "register a trainee" form.
func (h *Handler) traineeNew(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "trainee_new", page{Title: "Inscrire un ou une stagiaire", Nav: "trainees",
		Data: traineeNewPage{In: store.TraineeInput{Profile: store.TraineeProfile{MobilityRadiusKm: 15}}}})
}

// traineeCreate registers the trainee, followed by the signed-in adviser, and
// opens their page, where the profile is completed.
func (h *Handler) traineeCreate(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := form.Read(r)
	in := store.TraineeInput{ReferentID: p.AdviserID,
		Identity: store.TraineeIdentity{FirstName: f.String("identity.first_name"), LastName: f.String("identity.last_name"),
			BirthDate: f.Date("identity.birth_date"), Email: f.String("identity.email"), Phone: f.String("identity.phone")},
		Profile: store.TraineeProfile{HomePostalCode: f.String("profile.home_postal_code"),
			MobilityRadiusKm: f.Int("profile.mobility_radius_km")}}
	err := f.Err()
	var t store.Trainee
	if err == nil {
		t, err = h.deps.Store.CreateTrainee(r.Context(), p, p.OrganisationID, in)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		h.render(w, r, http.StatusUnprocessableEntity, "trainee_new", page{Title: "Inscrire un ou une stagiaire",
			Nav: "trainees", Data: traineeNewPage{In: in, Errors: errs}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/trainees/"+t.ID.String()+"?ok=inscrit", http.StatusSeeOther)
}
