// Package session keeps console sessions: the cookie that carries the
// session's token, and the middleware that turns it into the session read
// from PostgreSQL at every request, so a revoked session is out at its next
// request.
package session

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"time"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// CookieName is the session cookie's name.
const CookieName = "passerelle_session"

// Cookies writes and clears the session cookie.
type Cookies struct {
	// Secure marks cookies Secure: set when the public base URL is https.
	Secure bool
	// Path scopes the cookie to the console.
	Path string
}

// Set writes the cookie of a new session: HttpOnly (no script reads it),
// SameSite=Lax (not sent on cross-site posts), Secure over HTTPS.
func (c Cookies) Set(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: HttpOnly and SameSite=Lax always; Secure whenever the public URL is https (plain http in local dev)
		Name: CookieName, Value: token, Path: c.Path, Expires: expires,
		HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

// Clear removes the cookie.
func (c Cookies) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{ //nolint:gosec // G124: HttpOnly and SameSite=Lax always; Secure whenever the public URL is https (plain http in local dev)
		Name: CookieName, Value: "", Path: c.Path, MaxAge: -1,
		HttpOnly: true, Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

type ctxKey struct{}

// From returns the request's session, if it has an open one.
func From(ctx context.Context) (store.Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(store.Session)
	return s, ok
}

// Load reads the cookie's session from the store and puts it in the request
// context. No cookie, or a revoked or expired session, leaves the request
// anonymous (and clears a stale cookie); pages that need a session redirect
// to sign-in themselves (see Require).
func (c Cookies) Load(st *store.Store) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			cookie, err := r.Cookie(CookieName)
			if err == nil && cookie.Value != "" {
				s, err := st.SessionByToken(r.Context(), cookie.Value)
				switch passerelle.ErrorCode(err) {
				case "":
					r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, s))
				case passerelle.EUnauthorized:
					c.Clear(w)
				default: // the database is down: say so rather than sign the person out
					http.Error(w, "Passerelle est momentanément indisponible. Réessayez dans un instant.",
						http.StatusServiceUnavailable)
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Require sends a request without a session to signIn, and serves the others.
// A page asked for (GET), other than the home page, is named in signIn's
// "next" parameter, so the sign-in link leads back to it (an emailed link
// to a proposal lands on the proposal).
func Require(signIn string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := From(r.Context()); !ok {
			target := signIn
			if r.Method == http.MethodGet && r.URL.Path != path.Dir(signIn)+"/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}
