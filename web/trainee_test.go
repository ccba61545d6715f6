package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

// runMatcher does what the match worker does for trainee id (River is
// insert-only in the harness): load the profile, rank the candidate offers,
// store the suggestions.
func runMatcher(t *testing.T, e *webtest.Env, id uuid.UUID) {
	t.Helper()
	ctx := t.Context()
	p, found, err := e.Store.LoadMatchProfile(ctx, id)
	require.NoError(t, err)
	require.True(t, found)
	var matches []matching.Match
	if p.Matchable {
		offers, err := e.Store.CandidateOffers(ctx, p.Trainee)
		require.NoError(t, err)
		matches = matching.NewIndex(offers).Match(p.Trainee, time.Now(), matching.Options{TopN: 10})
	}
	_, err = e.Store.ApplySuggestions(ctx, id, p.Version, matches)
	require.NoError(t, err)
}

// waitingTrainee is an active trainee of the adviser with the matching
// consent and no proposal yet: the one the matcher has ideas for.
func waitingTrainee(t *testing.T, e *webtest.Env, email string) (uuid.UUID, string) {
	t.Helper()
	var id uuid.UUID
	var name string
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT t.id, t.first_name || ' ' || t.last_name FROM trainees t
		JOIN advisers a ON a.id = t.referent_id WHERE a.email = $1 AND t.status = 'active'
		AND EXISTS (SELECT 1 FROM consents c WHERE c.trainee_id = t.id AND c.scope = 'matching' AND c.withdrawn_at IS NULL)
		AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.trainee_id = t.id)
		AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.trainee_id = t.id AND c.scope = 'rqth')
		ORDER BY t.id LIMIT 1`, email).Scan(&id, &name))
	return id, name
}

// TestTraineeJourney is journey 2: sign in, the trainees list, a demo
// trainee, a profile edit adding a job found by words and a skill, a consent,
// the suggestions explained, and one proposed to its company.
func TestTraineeJourney(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	id, name := waitingTrainee(t, e, webtest.GonesseAdviser)
	// The demo's waiting trainee already wants bakery jobs: start without, so
	// that the search by words adds it.
	_, err := e.Store.Pool().Exec(t.Context(), `UPDATE trainees SET wanted_rome_codes = array_remove(wanted_rome_codes, 'D1102')
		WHERE id = $1`, id)
	require.NoError(t, err)
	e.SignIn(webtest.GonesseAdviser)

	e.ClickAndWait(`nav a[href="/console/trainees"]`)
	require.Equal(t, "Stagiaires", e.H1())
	e.Axe()
	e.Screenshot("trainees")
	e.Visit("/console/trainees?statut=active")
	require.Contains(t, e.Text("main"), "En parcours")
	e.ClickAndWait(`a[href="/console/trainees/` + id.String() + `"]`)
	require.Equal(t, name, e.H1())
	require.NotContains(t, e.Text("#identite-title + dl"), "RQTH", "no RQTH without its consent") //nolint:misspell // French
	require.Zero(t, webtest.Run(e, chromedpCount(`#rqth`)), "no RQTH field without its consent")
	e.Axe()

	// A job found by words, without JavaScript: the form posts and comes back.
	var skills int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT jsonb_array_length(skills) FROM trainees WHERE id = $1`, id).Scan(&skills))
	e.Do(chromedp.SendKeys(chromedp.CSS(`#metier`), "boulanger"))
	e.ClickAndWait(`button[value="rechercher"]`)
	require.Contains(t, e.Text("#metiers"), "pour « boulanger »")
	require.Contains(t, e.Text("#metiers"), "D1102")
	e.Do(chromedp.Click(chromedp.CSS(`input[name="profile.wanted_rome_codes"][value="D1102"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="profile.skills[`+strconv.Itoa(skills)+`].name"]`), "Pétrissage"))
	e.ClickAndWait(`button[value="enregistrer"]`)
	require.Contains(t, e.Text(".flash"), "Profil enregistré")
	got, err := e.Store.GetTrainee(t.Context(), adviserOf(t, e, webtest.GonesseAdviser), id)
	require.NoError(t, err)
	require.Contains(t, got.Profile.WantedROMECodes, "D1102")
	require.Contains(t, got.Profile.Skills, store.TraineeSkill{Name: "Pétrissage", Evidence: store.EvidenceDeclared})
	e.Screenshot("trainee-profile")

	// The rqth consent: the RQTH appears, marked sensitive for eyes and ears.
	e.Do(chromedp.SetValue(chromedp.CSS(`#scope`), "rqth"))
	e.ClickAndWait(`#consentements form.stack button[type="submit"]`)
	require.Contains(t, e.Text(".flash"), "Consentement enregistré")
	require.Contains(t, e.Text("#consentements"), "Enregistrer sa RQTH")
	require.Contains(t, e.Text("#identite-title + dl"), "RQTH\ndonnée sensible Non renseignée") //nolint:misspell // French
	e.Axe()

	// The matcher runs (as its worker would after the save); the suggestions
	// say why, in words and bars.
	runMatcher(t, e, id)
	e.Visit("/console/trainees/" + id.String())
	sgs, err := e.Store.ListSuggestions(t.Context(), adviserOf(t, e, webtest.GonesseAdviser), id)
	require.NoError(t, err)
	require.NotEmpty(t, sgs, "the demo has offers for a waiting trainee")
	text := e.Text("#suggestions")
	require.Contains(t, text, sgs[0].Offer.Title)
	require.Contains(t, text, "Score : "+strconv.Itoa(sgs[0].Score)+" sur 100")
	require.Contains(t, text, "Distance")
	require.Contains(t, text, " km du domicile")
	require.Equal(t, len(sgs)*5, webtest.Run(e, chromedpCount(`#suggestions meter`)), "five bars per suggestion")
	e.Axe()
	e.Screenshot("trainee")

	e.ClickAndWait(`#suggestions form button`)
	require.Contains(t, e.Text(".flash"), "Proposition envoyée")
	require.Contains(t, e.Text("#parcours"), sgs[0].Offer.Title+" — Proposée à l'entreprise")
	p, err := e.Store.GetProposal(t.Context(), adviserOf(t, e, webtest.GonesseAdviser), sgs[0].ProposalID)
	require.NoError(t, err)
	require.Equal(t, store.ProposalProposed, p.Status)
	e.Axe()
}

// TestTraineeEditConflict: a profile saved by someone else since the form was
// read is refused with a French message, and nothing typed is saved.
func TestTraineeEditConflict(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	id, _ := waitingTrainee(t, e, webtest.GonesseAdviser)
	e.SignIn(webtest.GonesseAdviser)
	e.Visit("/console/trainees/" + id.String())
	// Someone else saves the trainee meanwhile.
	_, err := e.Store.Pool().Exec(t.Context(), `UPDATE trainees SET version = version + 1 WHERE id = $1`, id)
	require.NoError(t, err)
	e.Do(chromedp.SetValue(chromedp.CSS(`#profile\.mobility_radius_km`), "42"))
	e.ClickAndWait(`button[value="enregistrer"]`)
	require.Contains(t, e.Text("#profil"), "Quelqu'un a modifié ce profil")
	var radius int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT mobility_radius_km FROM trainees WHERE id = $1`, id).Scan(&radius))
	require.NotEqual(t, 42, radius)
	e.Axe()
}

// TestRegisterTrainee registers a trainee through the form: a blank form
// names the fields in French, a filled one opens the new trainee's page.
func TestRegisterTrainee(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	e.SignIn(webtest.GonesseAdviser)
	e.Visit("/console/trainees/new")
	e.ClickAndWait(`main button[type="submit"]`)
	require.Contains(t, e.Text("main"), "Date de naissance : obligatoire")
	e.Do(chromedp.SetValue(chromedp.CSS(`#identity\.birth_date`), time.Now().AddDate(-19, 0, 0).Format(time.DateOnly)),
		chromedp.SendKeys(chromedp.CSS(`#profile\.home_postal_code`), "95500"))
	e.ClickAndWait(`main button[type="submit"]`)
	require.Contains(t, e.Text("main"), "Prénom : ne doit pas être vide")
	require.Contains(t, e.Text("main"), "Nom : ne doit pas être vide")
	require.Equal(t, "95500", webtest.Run(e, chromedp.Value(chromedp.CSS(`#profile\.home_postal_code`))), "what was typed stays")
	e.Axe()
	e.Screenshot("trainee-new")
	e.Do(chromedp.SendKeys(chromedp.CSS(`#identity\.first_name`), "Inès"),
		chromedp.SendKeys(chromedp.CSS(`#identity\.last_name`), "Essai"))
	e.ClickAndWait(`main button[type="submit"]`)
	require.Equal(t, "Inès Essai", e.H1())
	require.Contains(t, e.Text("#identite-title + dl"), "Gonesse (95500)") //nolint:misspell // French
	e.Axe()
}

// TestTraineeRoutesTenancy: every trainee route answers another
// organisation's trainee with the 404 page, and a signed-out visitor with the
// sign-in page.
func TestTraineeRoutesTenancy(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	c := e.SessionClient(webtest.GonesseAdviser)
	theirs := traineeOf(t, e, webtest.NormandyAdviser)
	var consent, proposal uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT id FROM consents WHERE trainee_id = $1 LIMIT 1`, theirs).Scan(&consent))
	_ = e.Store.Pool().QueryRow(t.Context(), `SELECT id FROM proposals WHERE trainee_id = $1 LIMIT 1`, theirs).Scan(&proposal)
	base := "/console/trainees/" + theirs.String()
	posts := map[string]url.Values{
		base + "/profile":  {"version": {"1"}, "profile.home_postal_code": {"95500"}},
		base + "/consents": {"scope": {"guardian"}},
		base + "/consents/" + consent.String() + "/withdraw":    {},
		base + "/suggestions/" + proposal.String() + "/propose": {},
		base + "/erasure": {},
	}
	gets := []string{base, base + "/export", base + "/erasure"}
	for _, path := range gets {
		resp, _ := e.Get(c, path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	for path, form := range posts {
		resp, _ := e.Post(c, path, form, "")
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	var withdrawn bool
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT withdrawn_at IS NOT NULL FROM consents WHERE id = $1`, consent).Scan(&withdrawn))
	require.False(t, withdrawn, "another organisation's consent is untouched")
	var erased bool
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT erased_at IS NOT NULL FROM trainees WHERE id = $1`, theirs).Scan(&erased))
	require.False(t, erased, "another organisation's trainee is not erased")

	out := e.Client()
	for _, path := range append([]string{"/console/trainees", "/console/trainees/new"}, gets...) {
		resp, _ := e.Get(out, path)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, path)
		require.Contains(t, resp.Header.Get("Location"), "/console/signin", path)
	}
	for path, form := range posts {
		resp, _ := e.Post(out, path, form, "")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, path)
	}
}

// TestTraineeProfileErrorsInFrench: the store's field errors come back next
// to their fields, in French, naming the field in people's words, and nothing
// is saved.
func TestTraineeProfileErrorsInFrench(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	c := e.SessionClient(webtest.GonesseAdviser)
	id := traineeOf(t, e, webtest.GonesseAdviser)
	var version int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT version FROM trainees WHERE id = $1`, id).Scan(&version))
	resp, body := e.Post(c, "/console/trainees/"+id.String()+"/profile", url.Values{
		"version": {strconv.Itoa(version)}, "action": {"enregistrer"},
		"profile.home_postal_code": {"99999"}, "profile.mobility_radius_km": {"10"},
		"profile.skills[0].name": {"Soudure"}, "profile.skills[0].evidence": {"open_badge"}, "profile.skills[0].badge_url": {""},
		"profile.max_weekly_hours": {"beaucoup"},
	}, "")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `<p class="error" id="profile.max_weekly_hours-err">Heures par semaine au plus : doit être un nombre`)
	require.NotContains(t, body, "body.")
	var after int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT version FROM trainees WHERE id = $1`, id).Scan(&after))
	require.Equal(t, version, after, "nothing saved")

	// With the number right, the store's errors show: the open badge needs its URL.
	resp, body = e.Post(c, "/console/trainees/"+id.String()+"/profile", url.Values{
		"version": {strconv.Itoa(version)}, "action": {"enregistrer"},
		"profile.home_postal_code": {"99999"}, "profile.mobility_radius_km": {"10"},
		"profile.skills[0].name": {"Soudure"}, "profile.skills[0].evidence": {"open_badge"}, "profile.skills[0].badge_url": {""},
	}, "")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `<p class="error" id="profile.home_postal_code-err">Code postal : aucune commune française`)
	require.Contains(t, body, `https de sa preuve`)
	require.Contains(t, body, `id="profile.skills[0].badge_url-err"`)
}
