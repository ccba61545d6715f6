package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle/web/session"
)

// routes lists every console route, in one place. Pages that need a signed-in
// adviser are wrapped in signedIn; the sign-in pages are not. Every POST is
// covered by the cross-origin protection of protect.
func (h *Handler) routes() {
	m := h.mux
	signedIn := func(f http.HandlerFunc) http.Handler { return session.Require(Prefix+"/signin", f) }

	m.Handle("GET "+Prefix+"/static/", static())

	// Sign-in and out (signin_*.go, signout.go).
	m.HandleFunc("GET "+Prefix+"/signin", h.signinShow)
	m.HandleFunc("POST "+Prefix+"/signin", h.signinSend)
	m.HandleFunc("GET "+Prefix+"/signin/link", h.signinLinkShow)
	m.HandleFunc("POST "+Prefix+"/signin/link", h.signinConsume)
	m.Handle("POST "+Prefix+"/signout", signedIn(h.signout))
	m.Handle("POST "+Prefix+"/signout/everywhere", signedIn(h.signoutEverywhere))

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

	m.HandleFunc(Prefix+"/", h.notFound)
}

// RedirectRoot sends a browser asking for / to the console; the API owns the
// other paths.
func RedirectRoot(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Prefix+"/", http.StatusFound)
}
