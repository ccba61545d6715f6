package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// traineeConsentRecord records one of the trainee's consents (the form under
// "Consentements"), through the store function the API uses.
func (h *Handler) traineeConsentRecord(w http.ResponseWriter, r *http.Request) {
	id, err := traineeID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := form.Read(r)
	in := store.ConsentInput{Scope: f.String("scope"), OfferID: f.UUIDPtr("offer_id"), Note: f.String("note")}
	err = f.Err()
	if err == nil {
		_, err = h.deps.Store.RecordConsent(r.Context(), principal(r), id, in)
	}
	errs, invalid := form.ErrorsOf(err)
	if passerelle.ErrorCode(err) == passerelle.EConflict {
		// Already recorded: say so next to the form rather than on an error page.
		errs, invalid = form.Errors{"scope": "Consentement : ce consentement est déjà enregistré ; retirez-le d'abord pour le remplacer."}, true
	}
	if invalid {
		d, lerr := h.loadTrainee(r, id)
		if lerr != nil {
			h.fail(w, r, lerr)
			return
		}
		d.Form, d.FormRQTH, d.Version = d.T.Profile, rqthValue(d.T.RQTH), d.T.Version
		d.ConsentErr = errs
		h.showTrainee(w, r, http.StatusUnprocessableEntity, d, "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/trainees/"+id.String()+"?ok=consent#consentements", http.StatusSeeOther) //nolint:gosec // G710: our own path; id is a parsed UUID
}

// traineeConsentWithdraw withdraws one consent; withdrawing the rqth consent
// erases the RQTH (the store does it).
func (h *Handler) traineeConsentWithdraw(w http.ResponseWriter, r *http.Request) {
	id, err := traineeID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cid, err := uuid.Parse(r.PathValue("cid"))
	if err != nil {
		h.fail(w, r, passerelle.Errorf(passerelle.ENotFound, "Consent not found."))
		return
	}
	if _, err := h.deps.Store.WithdrawConsent(r.Context(), principal(r), id, cid); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/trainees/"+id.String()+"?ok=retrait#consentements", http.StatusSeeOther) //nolint:gosec // G710: our own path; id is a parsed UUID
}

// traineePropose sends a suggestion to its offer's company: the proposal's
// transition to "proposed", through the store function the API uses (which
// checks the proposal is this trainee's and the move is allowed).
func (h *Handler) traineePropose(w http.ResponseWriter, r *http.Request) {
	id, err := traineeID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pid, err := uuid.Parse(r.PathValue("pid"))
	if err != nil {
		h.fail(w, r, passerelle.Errorf(passerelle.ENotFound, "Proposal not found."))
		return
	}
	ctx, p := r.Context(), principal(r)
	pr, err := h.deps.Store.GetProposal(ctx, p, pid)
	if err == nil && pr.TraineeID != id {
		err = passerelle.Errorf(passerelle.ENotFound, "Proposal not found.")
	}
	if err == nil {
		_, err = h.deps.Store.TransitionProposal(ctx, p, pid, &pr.Version, store.TransitionInput{To: store.ProposalProposed})
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/trainees/"+id.String()+"?ok=proposition#parcours", http.StatusSeeOther) //nolint:gosec // G710: our own path; id is a parsed UUID
}
