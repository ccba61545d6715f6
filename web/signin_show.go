package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/passerelle-dev/passerelle/web/session"
)

// signinPage is the data of templates/signin.html.
type signinPage struct {
	Email  string
	Sent   bool // the link was asked for: the same answer whatever the email
	Out    bool // just signed out
	Next   string
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
		Sent: q.Get("sent") == "1", Out: q.Get("out") == "1", Next: safeNext(q.Get("next"))}})
}

// safeNext is next when it is a console path to go back to after signing in,
// "" otherwise: never another site ("//evil", "/\\evil") nor outside the
// console.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || len(next) > 300 || !strings.HasPrefix(next, Prefix+"/") ||
		strings.Contains(next, "//") || strings.Contains(next, "\\") || strings.Contains(next, "..") {
		return ""
	}
	return next
}
