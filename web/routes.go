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
	m.Handle("GET "+Prefix+"/trainees/{id}", signedIn(h.traineeShow))

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

	m.HandleFunc(Prefix+"/", h.notFound)
}

// RedirectRoot sends a browser asking for / to the console; the API owns the
// other paths.
func RedirectRoot(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Prefix+"/", http.StatusFound)
}
