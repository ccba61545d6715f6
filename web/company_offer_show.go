package web

import (
	"net/http"
	"slices"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// offerActionLabels name what a company may do to its offer's status.
var offerActionLabels = map[string]string{
	store.ActionPublish: "Publier",
	store.ActionPause:   "Mettre en pause",
	store.ActionResume:  "Republier",
	store.ActionFill:    "Marquer pourvue",
	store.ActionClose:   "Fermer",
}

// offerFlashes are the confirmations of the offer page, by ?ok=.
var offerFlashes = map[string]string{
	"cree":              "L'offre est enregistrée en brouillon. Publiez-la pour que les référents la trouvent.",
	"modifiee":          "L'offre est modifiée.",
	"copiee":            "Voici une copie de l'offre, en brouillon, aux dates décalées d'un an : vérifiez-la puis publiez-la.",
	store.ActionPublish: "L'offre est publiée : les référents la trouvent dans leur recherche.",
	store.ActionPause:   "L'offre est en pause : elle n'apparaît plus dans les recherches.",
	store.ActionResume:  "L'offre est de nouveau publiée.",
	store.ActionFill:    "L'offre est pourvue. Merci !",
	store.ActionClose:   "L'offre est fermée.",
}

func init() {
	funcs["offerAction"] = func(a string) string { return offerActionLabels[a] }
}

// candidate is a proposal as the company's pages list it.
type candidate struct {
	store.Proposal
	DaysLeft int  // before it expires without an answer (proposed only)
	Waiting  bool // proposed: waiting for the company's answer
}

// candidateOf adds to a proposal what its card shows.
func (h *Handler) candidateOf(p store.Proposal) candidate {
	c := candidate{Proposal: p, Waiting: p.Status == store.ProposalProposed}
	if c.Waiting {
		c.DaysLeft = max(0, daysLeft(h.deps.Now(), p.StatusChangedAt.Add(h.deps.ProposalExpiry)))
	}
	return c
}

// companyOfferShowPage is the data of templates/company_offer_show.html.
type companyOfferShowPage struct {
	Offer      store.Offer
	Actions    []string
	Editable   bool
	Candidates []candidate
}

// companyOfferShow shows one of the company's offers, the actions its
// status allows, and the candidates proposed for it.
func (h *Handler) companyOfferShow(w http.ResponseWriter, r *http.Request) {
	o, err := h.companyOffer(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	props, _, err := h.deps.Store.ListProposals(r.Context(), principal(r), store.ProposalFilter{OfferID: &o.ID}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := companyOfferShowPage{Offer: o, Actions: store.AllowedOfferActions(o.Status),
		Editable: slices.Contains([]string{store.StatusDraft, store.StatusPublished, store.StatusPaused}, o.Status)}
	for _, p := range props {
		d.Candidates = append(d.Candidates, h.candidateOf(p))
	}
	sortCandidates(d.Candidates)
	h.render(w, r, http.StatusOK, "company_offer_show", page{Title: o.Title, Nav: "company",
		Flash: offerFlashes[r.URL.Query().Get("ok")], Data: d})
}

// sortCandidates puts those waiting for an answer first, the closest to
// expiring first.
func sortCandidates(cs []candidate) {
	slices.SortStableFunc(cs, func(a, b candidate) int {
		switch {
		case a.Waiting && !b.Waiting:
			return -1
		case b.Waiting && !a.Waiting:
			return 1
		}
		return a.DaysLeft - b.DaysLeft
	})
}

// companyOfferStatus applies the action posted (publish, pause, resume,
// fill, close) through the store's offer state machine.
func (h *Handler) companyOfferStatus(w http.ResponseWriter, r *http.Request) {
	o, err := h.companyOffer(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := form.Read(r)
	action, version := f.String("action"), f.Int("version")
	if _, ok := offerActionLabels[action]; !ok || f.Err() != nil {
		h.fail(w, r, passerelle.Errorf(passerelle.EConflict, "unknown action"))
		return
	}
	if _, err := h.deps.Store.TransitionOffer(r.Context(), principal(r), o.ID, &version, action); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/company/offers/"+o.ID.String()+"?ok="+action, http.StatusSeeOther) //nolint:gosec // G710: our own path, the stored offer's id and a known action
}

// companyOfferDuplicate copies an offer (last year's, say) into a new draft,
// its dates moved on by whole years until it starts from today on, and
// opens the copy's form.
func (h *Handler) companyOfferDuplicate(w http.ResponseWriter, r *http.Request) {
	o, err := h.companyOffer(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := offerInputOf(o)
	if in.StartDate != nil {
		today := h.deps.Now()
		years := 0
		for in.StartDate.AddDate(years, 0, 0).Before(today.AddDate(0, 0, -1)) {
			years++
		}
		in.StartDate = ptr(in.StartDate.AddDate(years, 0, 0))
		if in.EndDate != nil {
			in.EndDate = ptr(in.EndDate.AddDate(years, 0, 0))
		}
	}
	c, err := h.deps.Store.CreateOffer(r.Context(), principal(r), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/company/offers/"+c.ID.String()+"?ok=copiee", http.StatusSeeOther) //nolint:gosec // G710: our own path and the stored offer's id
}
