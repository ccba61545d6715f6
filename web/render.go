package web

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/session"
)

// page is what every template receives: the layout's needs, and the page's
// own data in Data.
type page struct {
	Title   string         // the <title> and the h1
	Nav     string         // which nav entry is current ("today", …)
	Session *store.Session // nil when signed out
	Flash   string         // a one-line confirmation shown above the page
	Data    any
}

// funcs are the template helpers; dates.go and paginate.go define them.
var funcs = template.FuncMap{
	"frDate":        frDate,
	"frDateTime":    frDateTime,
	"plural":        plural,
	"traineeStatus": func(s string) string { return traineeStatusLabels[s] },
	// Pipeline and follow-up pages (pipeline.go, followups.go).
	"proposalStatus": func(s string) string { return proposalStatusLabels[s] },
	"proposalMove":   func(s string) string { return proposalMoveLabels[s] },
	// Figures (figures.go).
	"percent":    percent,
	"frDecimal":  frDecimal,
	"dict":       dict,
	"eventLabel": notify.EventLabel,
	// Partner companies (company_*.go).
	"offerStatus": func(s string) string { return offerStatusLabels[s] },
}

// parsePages parses each templates/<name>.html with the layout, once.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", n))
	}
	return pages
}

// render writes the page named name (templates/name.html) with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	if s, ok := session.From(r.Context()); ok {
		p.Session = &s
	}
	var buf bytes.Buffer
	if err := h.pages[name].Execute(&buf, p); err != nil {
		h.deps.Logger.Error("console: render", "page", name, "error", err)
		http.Error(w, "Erreur interne.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// Pages carry personal data: never kept by a shared cache or the back button.
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// errorPage is the data of templates/error.html.
type errorPage struct {
	Message   string
	RequestID string
}

// renderError shows the error page.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	h.render(w, r, status, "error", page{Title: title, Data: errorPage{Message: message,
		RequestID: passerelle.RequestID(r.Context())}})
}

// codeStatus is the console's reading of the error vocabulary: another
// organisation's object is "not found" like an unknown one.
var codePage = map[string]struct {
	status         int
	title, message string
}{
	passerelle.ENotFound:     {http.StatusNotFound, "Page introuvable", "Cette page n'existe pas, ou elle ne vous est pas accessible."},
	passerelle.EForbidden:    {http.StatusForbidden, "Accès refusé", "Votre rôle ne permet pas cette action."},
	passerelle.EUnauthorized: {http.StatusUnauthorized, "Connexion requise", "Votre session a pris fin. Connectez-vous de nouveau."},
	passerelle.EConflict:     {http.StatusConflict, "Action impossible", "Cette action n'est plus possible : la situation a changé entre-temps. Rechargez la page."},
	passerelle.EPrecondition: {http.StatusConflict, "Modifié entre-temps", "Quelqu'un a modifié cet élément entre-temps. Rechargez la page et recommencez."},
	passerelle.EUnavailable:  {http.StatusServiceUnavailable, "Service indisponible", "Un service dont Passerelle dépend ne répond pas. Réessayez dans un instant."},
}

// fail shows the error page for err: its code picks the status and the French
// message; anything else is an internal error, logged with the request id.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if c, ok := codePage[passerelle.ErrorCode(err)]; ok {
		h.renderError(w, r, c.status, c.title, c.message)
		return
	}
	h.deps.Logger.Error("console: internal error", "path", r.URL.Path, "request_id", passerelle.RequestID(r.Context()), "error", err)
	h.renderError(w, r, http.StatusInternalServerError, "Erreur interne",
		"Une erreur inattendue s'est produite. Elle a été enregistrée ; citez le numéro de requête si vous la signalez.")
}

// notFound is the 404 page of an unknown console address.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, passerelle.Errorf(passerelle.ENotFound, "no such page"))
}

// principal is the adviser the request acts as; routes behind session.Require
// always have one.
func principal(r *http.Request) passerelle.Principal {
	s, _ := session.From(r.Context())
	return s.Principal()
}
