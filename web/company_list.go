package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle/store"
)

// companyListPage is the data of templates/company_list.html.
type companyListPage struct {
	Items []store.Company
	Pager pager
}

// companyList lists the partner companies the adviser's organisation works
// with: store.ListCompanies applies the partnership rule (active partners
// only, docs/tenancy.md), so a pending request shows nothing private.
func (h *Handler) companyList(w http.ResponseWriter, r *http.Request) {
	pg, err := readPager(r, "companies")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, next, err := h.deps.Store.ListCompanies(r.Context(), principal(r), store.CompanyFilter{}, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "company_list", page{Title: "Entreprises partenaires", Nav: "companies",
		Data: companyListPage{Items: items, Pager: pg.Next(r, next)}})
}
