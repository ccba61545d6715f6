package web

import (
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// traineePage is the data of templates/trainee_show.html: the trainee, their
// consents, pathway and suggestions, and the profile form (the stored profile,
// or what was just posted when it is shown again with its errors).
type traineePage struct {
	T           store.Trainee
	Age         int
	RQTHConsent bool // RQTH is shown, and editable, only with its consent
	Consents    []store.Consent
	Pathway     []store.Proposal // proposals past the suggestion stage
	Placements  []store.Placement
	Followups   []store.Followup
	Suggestions []suggestionView
	Offers      []offerChoice // the offers of their proposals, for a reveal_identity consent

	Form       store.TraineeProfile // the profile form's values
	FormRQTH   string               // "", "oui", "non"
	Version    int                  // the version the form was read at (If-Match)
	Errors     form.Errors          // the profile form's errors, by field path
	Conflict   bool                 // someone saved the trainee since the form was read
	RomeQuery  string               // the words of the job search
	RomeFound  []reference.ROMEEntry
	ConsentErr form.Errors

	Kinds, Transports, Evidences, Scopes []string
}

// suggestionView is a suggestion with its score explained.
type suggestionView struct {
	store.Suggestion
	Parts []explained
}

// offerChoice is an offer the trainee was proposed to.
type offerChoice struct {
	ID    uuid.UUID
	Title string
}

// traineeID reads the trainee id of the path; a garbled one is not found.
func traineeID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, passerelle.Errorf(passerelle.ENotFound, "Trainee not found.")
	}
	return id, nil
}

// traineeShow is a trainee's page.
func (h *Handler) traineeShow(w http.ResponseWriter, r *http.Request) {
	d, err := h.traineeOfPath(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Form = d.T.Profile
	d.FormRQTH = rqthValue(d.T.RQTH)
	d.Version = d.T.Version
	h.showTrainee(w, r, http.StatusOK, d, traineeFlashOf(r))
}

// showTrainee renders the trainee page.
func (h *Handler) showTrainee(w http.ResponseWriter, r *http.Request, status int, d traineePage, flash string) {
	h.render(w, r, status, "trainee_show", page{Title: d.T.Identity.FirstName + " " + d.T.Identity.LastName,
		Nav: "trainees", Flash: flash, Data: d})
}

// traineeOfPath is loadTrainee for the trainee the path's {id} names.
func (h *Handler) traineeOfPath(r *http.Request) (traineePage, error) {
	id, err := traineeID(r)
	if err != nil {
		return traineePage{}, err
	}
	return h.loadTrainee(r, id)
}

// loadTrainee reads everything the trainee page shows, through the store
// functions the API uses, as the signed-in adviser.
func (h *Handler) loadTrainee(r *http.Request, id uuid.UUID) (traineePage, error) {
	ctx, p, st := r.Context(), principal(r), h.deps.Store
	t, err := st.GetTrainee(ctx, p, id)
	if err != nil {
		return traineePage{}, err
	}
	d := traineePage{T: t, Age: store.Age(t.Identity.BirthDate, h.deps.Now()),
		Kinds: store.OfferKinds, Transports: store.TransportModes, Evidences: store.Evidences, Scopes: store.ConsentScopes}
	if d.Consents, err = st.ListConsents(ctx, p, id); err != nil {
		return d, err
	}
	for _, c := range d.Consents {
		if c.Scope == store.ConsentRQTH && c.WithdrawnAt == nil {
			d.RQTHConsent = true
		}
	}
	// A trainee's history is short (tens of proposals): one page of the
	// change feed holds it.
	history := store.Page{Limit: 100}
	proposals, _, err := st.ListProposals(ctx, p, store.ProposalFilter{TraineeID: &id}, history)
	if err != nil {
		return d, err
	}
	for _, pr := range proposals {
		if !slices.ContainsFunc(d.Offers, func(o offerChoice) bool { return o.ID == pr.OfferID }) {
			d.Offers = append(d.Offers, offerChoice{pr.OfferID, pr.OfferTitle})
		}
		if pr.Status != store.ProposalSuggested && pr.Status != store.ProposalShortlisted {
			d.Pathway = append(d.Pathway, pr)
		}
	}
	if d.Placements, _, err = st.ListPlacements(ctx, p, store.PlacementFilter{TraineeID: &id}, history); err != nil {
		return d, err
	}
	if d.Followups, _, err = st.ListFollowups(ctx, p, store.FollowupFilter{TraineeID: &id}, history); err != nil {
		return d, err
	}
	sgs, err := st.ListSuggestions(ctx, p, id)
	if err != nil {
		return d, err
	}
	for _, sg := range sgs {
		d.Suggestions = append(d.Suggestions, suggestionView{sg, explain(sg, t)})
	}
	return d, nil
}

// rqthValue is the RQTH select's value.
func rqthValue(v *bool) string {
	switch {
	case v == nil:
		return ""
	case *v:
		return "oui"
	}
	return "non"
}

// traineeFlashOf is the confirmation a redirect after a save asks for (?ok=…).
func traineeFlashOf(r *http.Request) string {
	return traineeFlashes[r.URL.Query().Get("ok")]
}

// traineeFlashes are the confirmations of the trainee pages' saves.
var traineeFlashes = map[string]string{
	"profil":      "Profil enregistré.",
	"inscrit":     "Stagiaire inscrit·e.",
	"consent":     "Consentement enregistré.",
	"retrait":     "Consentement retiré.",
	"proposition": "Proposition envoyée à l'entreprise.",
	"efface":      "Données du stagiaire effacées. Son parcours reste compté, sans identité, dans les chiffres du programme.",
}
