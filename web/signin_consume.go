package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/web/form"
)

// signinLinkShow is where the emailed link lands: a page with one button that
// posts the token. Opening the link does not use it, so a mail scanner that
// fetches links cannot spend it before the person does.
func (h *Handler) signinLinkShow(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "signin_link", page{Title: "Connexion", Data: r.URL.Query().Get("token")})
}

// signinConsume uses the link once, opens a session and sets its cookie. A
// used, expired or unknown link shows the same French error page and opens
// nothing.
func (h *Handler) signinConsume(w http.ResponseWriter, r *http.Request) {
	sess, token, next, err := h.deps.Store.ConsumeSigninLink(r.Context(), form.Read(r).String("token"))
	if passerelle.ErrorCode(err) == passerelle.EUnauthorized {
		h.cookies.Clear(w)
		h.renderError(w, r, http.StatusBadRequest, "Lien invalide ou expiré",
			"Ce lien de connexion a déjà servi ou a expiré (il est valable 15 minutes, une seule fois). Demandez-en un nouveau.")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.cookies.Set(w, token, sess.ExpiresAt)
	if next = safeNext(next); next == "" {
		next = Prefix + "/"
		if sess.ForCompany() {
			next = Prefix + "/company"
		}
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}
