package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// companyHomePage is the data of templates/company_home.html.
type companyHomePage struct {
	Company store.Company
	// Waiting are the candidates waiting for the company's answer; Ongoing
	// those in interview or accepted.
	Waiting, Ongoing []candidate
	Offers           []store.Offer
	// Asks are the programmes asking to work with the company.
	Asks []partnershipAsk
}

// partnershipAsk is a programme's pending request to work with the company.
type partnershipAsk struct {
	Organisation store.Organisation
}

// companyHome is the company space's home: the answers waiting, the offers,
// the programmes asking to work with the company.
func (h *Handler) companyHome(w http.ResponseWriter, r *http.Request) {
	ctx, p := r.Context(), principal(r)
	c, err := h.deps.Store.GetCompany(ctx, p, p.CompanyID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := companyHomePage{Company: c}
	props, _, err := h.deps.Store.ListProposals(ctx, p, store.ProposalFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, pr := range props {
		switch pr.Status {
		case store.ProposalProposed:
			d.Waiting = append(d.Waiting, h.candidateOf(pr))
		case store.ProposalInterview, store.ProposalAccepted:
			d.Ongoing = append(d.Ongoing, h.candidateOf(pr))
		}
	}
	sortCandidates(d.Waiting)
	if d.Offers, _, err = h.deps.Store.ListOffers(ctx, p, store.OfferFilter{CompanyID: c.ID}, store.Page{Limit: store.MaxLimit}); err != nil {
		h.fail(w, r, err)
		return
	}
	asks, _, err := h.deps.Store.ListPartnerships(ctx, p, store.PartnershipFilter{Status: passerelle.PartnershipPending}, store.Page{Limit: 50})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, a := range asks {
		o, err := h.deps.Store.GetOrganisation(ctx, p, a.OrganisationID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Asks = append(d.Asks, partnershipAsk{Organisation: o})
	}
	flash := map[string]string{"accepte": "Le programme peut désormais vous proposer des candidatures et publier des offres pour vous.",
		"refuse": "La demande est refusée : ce programme n'agit pas pour votre entreprise."}[r.URL.Query().Get("ok")]
	h.render(w, r, http.StatusOK, "company_home", page{Title: c.Name, Nav: "company", Flash: flash, Data: d})
}

// companyPartnershipDecide is the company's answer to a programme asking to
// work with it: the store's DecidePartnership, as with the company's key.
func (h *Handler) companyPartnershipDecide(w http.ResponseWriter, r *http.Request) {
	org, err := uuid.Parse(r.PathValue("org"))
	to := map[string]string{"accept": passerelle.PartnershipActive, "refuse": passerelle.PartnershipRefused}[r.PathValue("decision")]
	if err != nil || to == "" {
		h.notFound(w, r)
		return
	}
	p := principal(r)
	if _, err := h.deps.Store.DecidePartnership(r.Context(), p, org, p.CompanyID, to); err != nil {
		h.fail(w, r, err)
		return
	}
	ok := map[string]string{passerelle.PartnershipActive: "accepte", passerelle.PartnershipRefused: "refuse"}[to]
	http.Redirect(w, r, Prefix+"/company?ok="+ok, http.StatusSeeOther)
}
