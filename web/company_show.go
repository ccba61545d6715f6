package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
)

// offerStatusLabels name an offer's status in people's words.
var offerStatusLabels = map[string]string{
	store.StatusDraft:     "brouillon",
	store.StatusPublished: "publiée",
	store.StatusPaused:    "en pause",
	store.StatusFilled:    "pourvue",
	store.StatusClosed:    "fermée",
	store.StatusExpired:   "expirée",
}

// companyShowPage is the data of templates/company_show.html.
type companyShowPage struct {
	Company store.Company
	Offers  []store.Offer
	Pager   pager
}

// companyShow shows a partner company, its contacts and its offers in every
// status. A company the organisation does not work with (or only asked to)
// is the 404 page, as an unknown one: GetCompany decides.
func (h *Handler) companyShow(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	pg, err := readPager(r, "offers")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := principal(r)
	c, err := h.deps.Store.GetCompany(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	offers, next, err := h.deps.Store.ListOffers(r.Context(), p, store.OfferFilter{CompanyID: c.ID}, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "company_show", page{Title: c.Name, Nav: "companies",
		Data: companyShowPage{Company: c, Offers: offers, Pager: pg.Next(r, next)}})
}
