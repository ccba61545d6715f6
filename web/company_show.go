package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
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
	// Users sign in to the company's space; Invite is the invitation form.
	Users  []store.CompanyUser
	Invite store.CompanyUserInput
	Errors form.Errors
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
	c, err := h.deps.Store.GetCompany(r.Context(), principal(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showCompany(w, r, http.StatusOK, c, store.CompanyUserInput{}, form.Errors{})
}

// showCompany renders a company's page with its offers, its users and the
// invitation form (with what was typed and its errors).
func (h *Handler) showCompany(w http.ResponseWriter, r *http.Request, status int, c store.Company, in store.CompanyUserInput, errs form.Errors) {
	pg, err := readPager(r, "offers")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := principal(r)
	offers, next, err := h.deps.Store.ListOffers(r.Context(), p, store.OfferFilter{CompanyID: c.ID}, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	users, err := h.deps.Store.ListCompanyUsers(r.Context(), p, c.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	flash := map[string]string{"invite": "L'invitation est envoyée : la personne reçoit son lien de connexion par e-mail."}[r.URL.Query().Get("ok")]
	h.render(w, r, status, "company_show", page{Title: c.Name, Nav: "companies", Flash: flash,
		Data: companyShowPage{Company: c, Offers: offers, Pager: pg.Next(r, next), Users: users, Invite: in, Errors: errs}})
}
