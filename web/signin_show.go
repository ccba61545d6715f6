package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle/web/session"
)

// signinPage is the data of templates/signin.html.
type signinPage struct {
	Email  string
	Sent   bool // the link was asked for: the same answer whatever the email
	Out    bool // just signed out
	Errors map[string]string
}

// signinShow shows the email form (or, signed in already, the Today page).
func (h *Handler) signinShow(w http.ResponseWriter, r *http.Request) {
	if _, ok := session.From(r.Context()); ok {
		http.Redirect(w, r, Prefix+"/", http.StatusSeeOther)
		return
	}
	q := r.URL.Query()
	h.render(w, r, http.StatusOK, "signin", page{Title: "Connexion", Data: signinPage{
		Sent: q.Get("sent") == "1", Out: q.Get("out") == "1"}})
}
