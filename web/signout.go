package web

import "net/http"

// signout closes this session.
func (h *Handler) signout(w http.ResponseWriter, r *http.Request) {
	if err := h.deps.Store.RevokeSession(r.Context(), principal(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookies.Clear(w)
	http.Redirect(w, r, Prefix+"/signin?out=1", http.StatusSeeOther)
}

// signoutEverywhere closes every session of the adviser (a lost phone, a
// shared computer): each is out at its next request.
func (h *Handler) signoutEverywhere(w http.ResponseWriter, r *http.Request) {
	if _, err := h.deps.Store.RevokeAllSessions(r.Context(), principal(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookies.Clear(w)
	http.Redirect(w, r, Prefix+"/signin?out=1", http.StatusSeeOther)
}
