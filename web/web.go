package web

import (
	"crypto/rand"
	"embed"
	"encoding/hex"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/session"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is where the console is mounted.
const Prefix = "/console"

// Deps is what the console needs from the process.
type Deps struct {
	Store  *store.Store
	Logger *slog.Logger
	// Mailer sends sign-in links; nil when SMTP_URL is unset (links then come
	// only from `passerelle signin-link`).
	Mailer *notify.Mailer
	// PublicBaseURL is the address people reach Passerelle at: links in
	// emails start with it, and an https one makes cookies Secure.
	PublicBaseURL string
	// ProposalExpiry dates the proposals waiting on a company.
	ProposalExpiry time.Duration
	// Search finds offers for a trainee; nil, or Meilisearch down, and the
	// search page says the search is unavailable while the rest works.
	Search *search.Client
	// Now is the clock for dates shown (tests may fix it); time.Now if nil.
	Now func() time.Time
}

// Handler serves the console.
type Handler struct {
	deps    Deps
	cookies session.Cookies
	pages   map[string]*template.Template
	mux     *http.ServeMux
	handler http.Handler
}

// New builds the console. It panics if a template does not parse: they are
// embedded, so that is a bug caught by any test.
func New(deps Deps) *Handler {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	h := &Handler{
		deps:    deps,
		cookies: session.Cookies{Secure: strings.HasPrefix(deps.PublicBaseURL, "https://"), Path: Prefix + "/"},
		pages:   parsePages(),
		mux:     http.NewServeMux(),
	}
	h.routes()
	h.handler = h.protect(h.cookies.Load(deps.Store)(h.mux))
	return h
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.handler.ServeHTTP(w, r) }

// static serves the embedded CSS and images.
func static() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	return http.StripPrefix(Prefix+"/static/", http.FileServerFS(sub))
}

// protect refuses every cross-origin unsafe request (form posts from another
// site) with Go's CrossOriginProtection, which reads Sec-Fetch-Site and
// Origin: no token to carry in forms, and it covers every form at once. It
// also sets the headers every page gets.
func (h *Handler) protect(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.renderError(w, r, http.StatusForbidden, "Requête refusée",
			"Ce formulaire a été envoyé depuis un autre site. Rechargez la page de Passerelle et recommencez.")
	}))
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		r = r.WithContext(passerelle.WithRequestID(r.Context(), id))
		hd := w.Header()
		hd.Set("X-Request-Id", id)
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		protected.ServeHTTP(w, r)
	})
}

// validRequestID accepts a caller's X-Request-Id only when short and plain (as
// the API does), so logs never carry what a client made up at length.
func validRequestID(id string) bool {
	if len(id) < 8 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !requestIDChar(c) {
			return false
		}
	}
	return true
}

// requestIDChar reports whether c may appear in a request ID: an ASCII letter
// or digit, '.', '_' or '-'.
func requestIDChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
}
