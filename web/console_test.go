package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

func TestMain(m *testing.M) { webtest.Main(m) }

// traineeOf returns a trainee followed by the adviser with this email.
func traineeOf(t *testing.T, e *webtest.Env, email string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT t.id FROM trainees t JOIN advisers a ON a.id = t.referent_id
		WHERE a.email = $1 ORDER BY t.id LIMIT 1`, email).Scan(&id))
	return id
}

// proposeOne sends one of the adviser's active trainees to a partner
// company's published offer, through the store as that adviser, and returns
// the offer's title.
func proposeOne(t *testing.T, e *webtest.Env, email string) string {
	t.Helper()
	ctx := t.Context()
	actor := passerelle.Principal{Role: passerelle.RoleAdviser}
	var trainee, offer uuid.UUID
	var title string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT a.id, a.organisation_id, t.id FROM advisers a
		JOIN trainees t ON t.referent_id = a.id WHERE a.email = $1 AND t.status = 'active' ORDER BY t.id LIMIT 1`, email).
		Scan(&actor.AdviserID, &actor.OrganisationID, &trainee))
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT o.id, o.title FROM offers o
		JOIN partnerships ps ON ps.company_id = o.company_id WHERE ps.organisation_id = $1 AND o.status = 'published'
		AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.offer_id = o.id AND p.trainee_id = $2) ORDER BY o.id LIMIT 1`,
		actor.OrganisationID, trainee).Scan(&offer, &title))
	p, err := e.Store.CreateProposal(ctx, actor, store.ProposalInput{TraineeID: trainee, OfferID: offer})
	require.NoError(t, err)
	_, err = e.Store.TransitionProposal(ctx, actor, p.ID, nil, store.TransitionInput{To: "proposed"})
	require.NoError(t, err)
	return title
}

// TestSigninJourney signs the Gonesse adviser in through the emailed link and
// lands on Today, showing what the store holds for them; both pages pass axe.
func TestSigninJourney(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	e.Visit("/")
	require.Equal(t, "/console/signin", e.Path(), "/ sends a browser to the console, which asks to sign in")
	require.Equal(t, "Connexion", e.H1())
	e.Axe()
	e.Screenshot("signin")

	title := proposeOne(t, e, webtest.GonesseAdviser)
	e.SignIn(webtest.GonesseAdviser)
	require.Equal(t, "/console/", e.Path())
	require.Equal(t, "Aujourd'hui", e.H1())
	require.Contains(t, e.Text("header"), "Samia Exemple")

	// The page shows the adviser's figures as the database has them.
	var active, waiting int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT
		(SELECT count(*) FROM trainees t JOIN advisers a ON a.id = t.referent_id WHERE a.email = $1 AND t.status = 'active'),
		(SELECT count(*) FROM proposals p JOIN trainees t ON t.id = p.trainee_id JOIN advisers a ON a.id = t.referent_id
			WHERE a.email = $1 AND p.status = 'proposed')`, webtest.GonesseAdviser).Scan(&active, &waiting))
	require.Positive(t, active, "the demo gives the Gonesse adviser trainees")
	require.True(t, strings.HasPrefix(e.Text(".counts"), itoa(active)+"\nEn parcours"), e.Text(".counts"))
	items := webtest.Run(e, chromedpCount(`#waiting-title + ul.items > li`))
	require.Equal(t, min(waiting, 20), items)
	require.Contains(t, e.Text("#waiting-title + ul.items"), title)
	require.Contains(t, e.Text("#waiting-title + ul.items"), "expire dans 14 jours")
	e.Axe()
	e.Screenshot("today")
}

// TestSigninKeyboardOnly does the sign-in with the keyboard alone: Tab to the
// field, type, Enter; then Tab to the button of the link's page, Enter.
func TestSigninKeyboardOnly(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	e.Visit("/console/signin")
	e.TabTo("INPUT#email")
	e.Type(webtest.GonesseAdviser2)
	e.Enter()
	e.WaitFor(".notice")
	msgs := e.SMTP.Wait(t, 1, 30e9)
	text, _ := msgs[0].Bodies()
	i := strings.Index(text, e.URL)
	require.GreaterOrEqual(t, i, 0, "the email carries the link")
	link := text[i:]
	link = link[:strings.IndexAny(link, " \r\n")]

	e.Visit(link)
	e.TabTo("BUTTON Se connecter")
	e.Enter()
	e.WaitFor("#trainees-title")
	require.Equal(t, "Aujourd'hui", e.H1())
}

// TestUnknownEmailSameAnswer: an unknown email gets the page a known one
// gets, and no email.
func TestUnknownEmailSameAnswer(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	c := e.Client()
	known, knownBody := e.Post(c, "/console/signin", url.Values{"email": {webtest.GonesseAdviser}}, "")
	unknown, unknownBody := e.Post(c, "/console/signin", url.Values{"email": {"personne@exemple.fr"}}, "")
	require.Equal(t, http.StatusSeeOther, known.StatusCode)
	require.Equal(t, known.StatusCode, unknown.StatusCode)
	require.Equal(t, known.Header.Get("Location"), unknown.Header.Get("Location"))
	require.Equal(t, knownBody, unknownBody)
	msgs := e.SMTP.Wait(t, 1, 30e9)
	require.Equal(t, []string{webtest.GonesseAdviser}, msgs[0].To)
	require.Equal(t, "Votre lien de connexion à Passerelle", msgs[0].Subject)
	require.Len(t, e.SMTP.Messages(), 1, "no email for the unknown address")

	// A malformed address is a French error naming the field.
	resp, body := e.Post(c, "/console/signin", url.Values{"email": {"pas-une-adresse"}}, "")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "Indiquez votre adresse e-mail professionnelle")
}

// TestUsedLinkDoesNotSignIn: a link works once; the second use shows the
// French error page and sets no cookie.
func TestUsedLinkDoesNotSignIn(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	link := e.RequestLink(webtest.GonesseAdviser, 1)
	token := strings.TrimPrefix(link, e.URL+"/console/signin/link?token=")

	first, _ := e.Post(e.Client(), "/console/signin/link", url.Values{"token": {token}}, "")
	require.Equal(t, http.StatusSeeOther, first.StatusCode)
	require.NotEmpty(t, sessionCookie(first))

	again := e.Client()
	second, body := e.Post(again, "/console/signin/link", url.Values{"token": {token}}, "")
	require.Equal(t, http.StatusBadRequest, second.StatusCode)
	require.Contains(t, body, "Lien invalide ou expiré")
	require.Empty(t, sessionCookie(second))
	resp, _ := e.Get(again, "/console/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/console/signin", resp.Header.Get("Location"))

	// In the browser too: the page says so, in French.
	e.Visit(link)
	e.ClickAndWait("main form button")
	require.Equal(t, "Lien invalide ou expiré", e.H1())
}

// TestExpiredLinkDoesNotSignIn: a link older than 15 minutes opens nothing.
func TestExpiredLinkDoesNotSignIn(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	links, err := e.Store.CreateSigninLinks(t.Context(), webtest.GonesseAdviser)
	require.NoError(t, err)
	require.Len(t, links, 1)
	_, err = e.Store.Pool().Exec(t.Context(), `UPDATE signin_links SET created_at = now() - interval '16 minutes',
		expires_at = now() - interval '1 minute'`)
	require.NoError(t, err)
	resp, body := e.Post(e.Client(), "/console/signin/link", url.Values{"token": {links[0].Token}}, "")
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	require.Contains(t, body, "Lien invalide ou expiré")
	require.Empty(t, sessionCookie(resp))
}

// TestCrossOriginPostRefused: a form posted from another site is refused,
// signed in or not, and does nothing.
func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	resp, body := e.Post(e.Client(), "/console/signin", url.Values{"email": {webtest.GonesseAdviser}}, "http://evil.example.org")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	require.Contains(t, body, "envoyé depuis un autre site")

	c := e.SessionClient(webtest.GonesseAdviser)
	resp, _ = e.Post(c, "/console/signout/everywhere", nil, "http://evil.example.org")
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	resp, _ = e.Get(c, "/console/")
	require.Equal(t, http.StatusOK, resp.StatusCode, "the refused post signed nobody out")
	require.Empty(t, e.SMTP.Messages(), "the refused sign-in form sent nothing")
}

// TestRevokedSessionIsOut: "sign out everywhere" from another device puts the
// browser's session out at its next request.
func TestRevokedSessionIsOut(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	e.SignIn(webtest.GonesseAdviser)
	other := e.SessionClient(webtest.GonesseAdviser)
	resp, _ := e.Post(other, "/console/signout/everywhere", nil, "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	e.Visit("/console/")
	require.Equal(t, "/console/signin", e.Path())
	resp, _ = e.Get(other, "/console/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
}

// TestOtherOrganisationIs404: another organisation's trainee is the same 404
// page as an unknown one.
func TestOtherOrganisationIs404(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	c := e.SessionClient(webtest.GonesseAdviser)
	own := traineeOf(t, e, webtest.GonesseAdviser)
	resp, _ := e.Get(c, "/console/trainees/"+own.String())
	require.Equal(t, http.StatusOK, resp.StatusCode)

	theirs := traineeOf(t, e, webtest.NormandyAdviser)
	resp, body := e.Get(c, "/console/trainees/"+theirs.String())
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	unknown, unknownBody := e.Get(c, "/console/trainees/"+uuid.NewString())
	require.Equal(t, http.StatusNotFound, unknown.StatusCode)
	require.Equal(t, stripRequestID(unknownBody), stripRequestID(body), "another organisation's trainee looks unknown")
	garbled, _ := e.Get(c, "/console/trainees/pas-un-id")
	require.Equal(t, http.StatusNotFound, garbled.StatusCode)

	e.SignIn(webtest.GonesseAdviser)
	e.Visit("/console/trainees/" + theirs.String())
	require.Equal(t, "Page introuvable", e.H1())
	e.Axe()
	e.Screenshot("not-found")
}
