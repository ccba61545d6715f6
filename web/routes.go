package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/web/session"
)

// routes lists every console route, in one place. Pages that need a signed-in
// adviser are wrapped in signedIn, those of the company space in companyIn;
// the sign-in pages and the programmes' public pages are not. Every POST is
// covered by the cross-origin protection of protect.
func (h *Handler) routes() {
	m := h.mux
	signedIn := func(f http.HandlerFunc) http.Handler {
		return session.Require(Prefix+"/signin", h.forAdvisers(f))
	}
	companyIn := func(f http.HandlerFunc) http.Handler {
		return session.Require(Prefix+"/signin", h.forCompanies(f))
	}

	m.Handle("GET "+Prefix+"/static/", static())

	// Sign-in and out (signin_*.go, signout.go).
	m.HandleFunc("GET "+Prefix+"/signin", h.signinShow)
	m.HandleFunc("POST "+Prefix+"/signin", h.signinSend)
	m.HandleFunc("GET "+Prefix+"/signin/link", h.signinLinkShow)
	m.HandleFunc("POST "+Prefix+"/signin/link", h.signinConsume)
	// Anyone signed in signs out, adviser or company user.
	anySession := func(f http.HandlerFunc) http.Handler { return session.Require(Prefix+"/signin", f) }
	m.Handle("POST "+Prefix+"/signout", anySession(h.signout))
	m.Handle("POST "+Prefix+"/signout/everywhere", anySession(h.signoutEverywhere))

	// Pages.
	m.Handle("GET "+Prefix+"/{$}", signedIn(h.today))

	// Trainee pages: list, register, the trainee's page and its forms
	// (trainee_*.go).
	m.Handle("GET "+Prefix+"/trainees", signedIn(h.traineeList))
	m.Handle("GET "+Prefix+"/trainees/new", signedIn(h.traineeNew))
	m.Handle("POST "+Prefix+"/trainees", signedIn(h.traineeCreate))
	m.Handle("GET "+Prefix+"/trainees/{id}", signedIn(h.traineeShow))
	m.Handle("POST "+Prefix+"/trainees/{id}/profile", signedIn(h.traineeProfileSave))
	m.Handle("POST "+Prefix+"/trainees/{id}/consents", signedIn(h.traineeConsentRecord))
	m.Handle("POST "+Prefix+"/trainees/{id}/consents/{cid}/withdraw", signedIn(h.traineeConsentWithdraw))
	m.Handle("POST "+Prefix+"/trainees/{id}/suggestions/{pid}/propose", signedIn(h.traineePropose))
	m.Handle("GET "+Prefix+"/trainees/{id}/export", signedIn(h.traineeExport))
	m.Handle("GET "+Prefix+"/trainees/{id}/erasure", signedIn(h.traineeEraseConfirm))
	m.Handle("POST "+Prefix+"/trainees/{id}/erasure", signedIn(h.traineeErase))

	// Search offers for a trainee, proposals pipeline, follow-ups
	// (offer_search.go, pipeline.go, followups.go).
	m.Handle("GET "+Prefix+"/trainees/{id}/offers", signedIn(h.offerSearch))
	m.Handle("POST "+Prefix+"/trainees/{id}/offers/{offer}/propose", signedIn(h.offerPropose))
	m.Handle("GET "+Prefix+"/proposals", signedIn(h.pipeline))
	m.Handle("POST "+Prefix+"/proposals/{id}/move", signedIn(h.pipelineMove))
	m.Handle("GET "+Prefix+"/followups", signedIn(h.followups))
	m.Handle("GET "+Prefix+"/followups/{id}", signedIn(h.followupShow))
	m.Handle("POST "+Prefix+"/followups/{id}", signedIn(h.followupRecord))

	// Figures (figures.go), inbox and preferences (inbox*.go, preferences*.go),
	// cohorts and partner companies (cohort_*.go, company_*.go).
	m.Handle("GET "+Prefix+"/figures", signedIn(h.figures))
	m.Handle("GET "+Prefix+"/figures.csv", signedIn(h.figuresCSV))
	m.Handle("GET "+Prefix+"/inbox", signedIn(h.inbox))
	m.Handle("POST "+Prefix+"/inbox/{id}/read", signedIn(h.inboxRead))
	m.Handle("GET "+Prefix+"/preferences", signedIn(h.preferencesShow))
	m.Handle("POST "+Prefix+"/preferences", signedIn(h.preferencesSave))
	m.Handle("GET "+Prefix+"/cohorts", signedIn(h.cohortList))
	m.Handle("GET "+Prefix+"/cohorts/{id}", signedIn(h.cohortShow))
	m.Handle("GET "+Prefix+"/companies", signedIn(h.companyList))
	m.Handle("GET "+Prefix+"/companies/{id}", signedIn(h.companyShow))
	m.Handle("POST "+Prefix+"/companies/{id}/users", signedIn(h.companyInvite))

	// Requests to become a partner: the programme's public page and form
	// (anyone), the advisers' answers (programme_*.go, partner_request*.go).
	m.HandleFunc("GET "+Prefix+"/programmes/{id}", h.programmeShow)
	m.HandleFunc("POST "+Prefix+"/programmes/{id}/requests", h.programmeRequest)
	m.Handle("GET "+Prefix+"/partner-requests", signedIn(h.partnerRequests))
	m.Handle("POST "+Prefix+"/partner-requests/{id}/{decision}", signedIn(h.partnerRequestDecide))

	// The company space: what a company key does in the API, for a company's
	// users (company_*.go; docs/console-company.md).
	m.Handle("GET "+Prefix+"/company", companyIn(h.companyHome))
	m.Handle("POST "+Prefix+"/company/partnerships/{org}/{decision}", companyIn(h.companyPartnershipDecide))
	m.Handle("GET "+Prefix+"/company/offers/new", companyIn(h.companyOfferNew))
	m.Handle("POST "+Prefix+"/company/offers", companyIn(h.companyOfferCreate))
	m.Handle("GET "+Prefix+"/company/offers/{id}", companyIn(h.companyOfferShow))
	m.Handle("GET "+Prefix+"/company/offers/{id}/edit", companyIn(h.companyOfferEdit))
	m.Handle("POST "+Prefix+"/company/offers/{id}", companyIn(h.companyOfferUpdate))
	m.Handle("POST "+Prefix+"/company/offers/{id}/status", companyIn(h.companyOfferStatus))
	m.Handle("POST "+Prefix+"/company/offers/{id}/duplicate", companyIn(h.companyOfferDuplicate))
	m.Handle("GET "+Prefix+"/company/proposals/{id}", companyIn(h.companyProposal))
	m.Handle("POST "+Prefix+"/company/proposals/{id}/answer", companyIn(h.companyProposalAnswer))
	m.Handle("GET "+Prefix+"/company/placements", companyIn(h.companyPlacements))
	m.Handle("GET "+Prefix+"/company/placements/{id}", companyIn(h.companyPlacement))
	m.Handle("POST "+Prefix+"/company/placements/{id}/start", companyIn(h.companyPlacementStart))
	m.Handle("POST "+Prefix+"/company/placements/{id}/checkins", companyIn(h.companyPlacementCheckin))

	m.HandleFunc(Prefix+"/", h.notFound)
}

// RedirectRoot sends a browser asking for / to the console; the API owns the
// other paths.
func RedirectRoot(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Prefix+"/", http.StatusFound)
}

// forAdvisers serves an adviser's page to advisers only. A company user who
// asks for the console's home goes to the company space; any other adviser
// page is the 403 page, as the API answers a role that may never call a route.
func (h *Handler) forAdvisers(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s, _ := session.From(r.Context()); s.ForCompany() {
			if r.Method == http.MethodGet && r.URL.Path == Prefix+"/" {
				http.Redirect(w, r, Prefix+"/company", http.StatusSeeOther)
				return
			}
			h.fail(w, r, passerelle.Errorf(passerelle.EForbidden, "advisers only"))
			return
		}
		next(w, r)
	}
}

// forCompanies serves a page of the company space to company users only; an
// adviser gets the 403 page (an adviser never answers for a company).
func (h *Handler) forCompanies(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s, _ := session.From(r.Context()); !s.ForCompany() {
			h.fail(w, r, passerelle.Errorf(passerelle.EForbidden, "company users only"))
			return
		}
		next(w, r)
	}
}
