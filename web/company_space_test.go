package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

// programmeOf is the organisation of the adviser with this email.
func programmeOf(t *testing.T, e *webtest.Env, email string) uuid.UUID {
	t.Helper()
	return adviserOf(t, e, email).OrganisationID
}

// companyUserOf is the company principal of a company user, as their
// session acts.
func companyUserOf(t *testing.T, e *webtest.Env, email string) passerelle.Principal {
	t.Helper()
	p := passerelle.Principal{Role: passerelle.RoleCompany}
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT company_id FROM company_users WHERE email = $1`, email).Scan(&p.CompanyID))
	return p
}

// mobile puts the browser in the 360 × 740 phone viewport.
func mobile(e *webtest.Env) { e.Do(chromedp.EmulateViewport(360, 740)) }

// shoot takes the page's screenshots (desktop and 360 px) on the desktop
// run; the phone run keeps its viewport.
func shoot(e *webtest.Env, phone bool, name string) {
	if phone {
		return
	}
	e.Screenshot(name)
}

// TestCompanyPartnerJourney, desktop and phone: a company asks to become a
// partner on the programme's public page; the adviser accepts it in the
// console; the contact signs in from the emailed link, posts an
// apprenticeship (the job found by words, the town from the postal code),
// publishes it, and the adviser's search finds it. axe on every page.
func TestCompanyPartnerJourney(t *testing.T) {
	t.Parallel()
	for _, phone := range []bool{false, true} {
		name := map[bool]string{false: "desktop", true: "phone"}[phone]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			partnerJourney(t, phone)
		})
	}
}

func partnerJourney(t *testing.T, phone bool) {
	e := webtest.New(t, webtest.WithSearch())
	if phone {
		mobile(e)
	}
	org := programmeOf(t, e, webtest.GonesseAdviser)
	e.Visit("/console/programmes/" + org.String())
	require.Equal(t, "Fabrique numérique de Gonesse", e.H1())
	require.Contains(t, e.Text("main"), "Métiers du numérique (5 mois)", "the programme's tracks")
	require.Contains(t, e.Text("main"), "Sarcelles", "the towns of its partners' offers")
	e.Axe()
	shoot(e, phone, "programme")

	// A typo in the SIRET is said next to the field, in French.
	fill := func(siret string) {
		e.Do(chromedp.SetValue(chromedp.CSS("#siret"), siret), chromedp.SetValue(chromedp.CSS("#company_name"), "Pâtisserie Test (démo)"),
			chromedp.SetValue(chromedp.CSS(`[id="address.street"]`), "3 rue de Paris"),
			chromedp.SetValue(chromedp.CSS(`[id="address.postal_code"]`), "95500"),
			chromedp.SetValue(chromedp.CSS("#contact_name"), "Léna Test"),
			chromedp.SetValue(chromedp.CSS("#contact_email"), "lena.test@patisserie.example.org"))
		e.ClickAndWait("#demande form button")
	}
	fill("12345678901234")
	require.Contains(t, e.Text(`[id="siret-err"]`), "SIRET : ce SIRET n'est pas valide")
	e.Axe()
	shoot(e, phone, "programme-errors")
	fill("73282932000074")
	require.Contains(t, e.Text("#demande .notice"), "Votre demande est envoyée")

	// The adviser accepts it.
	e.SignIn(webtest.GonesseAdviser)
	if phone {
		mobile(e)
	}
	e.Visit("/console/companies")
	e.ClickAndWait(`a[href="/console/partner-requests"]`)
	require.Equal(t, "Demandes de partenariat", e.H1())
	require.Contains(t, e.Text("#pending-title + ul"), "Pâtisserie Test (démo)")
	e.Axe()
	shoot(e, phone, "partner-requests")
	e.ClickAndWait(`#pending-title + ul li form[action$="/accept"] button`)
	require.Contains(t, e.Text(".flash"), "l'entreprise est enregistrée comme partenaire")
	var company uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT c.id FROM companies c JOIN partnerships p ON p.company_id = c.id
		WHERE c.siret = '73282932000074' AND p.organisation_id = $1 AND p.status = 'active' AND p.steward`, org).Scan(&company))

	// The contact signs in from the invitation.
	msgs := e.SMTP.Wait(t, 2, 30e9)
	invitation := msgs[1]
	require.Equal(t, []string{"lena.test@patisserie.example.org"}, invitation.To)
	require.Equal(t, "Votre accès à l'espace entreprise de Passerelle", invitation.Subject)
	text, _ := invitation.Bodies()
	link := webtest.LinkIn(text, e.URL)
	require.Contains(t, link, "/console/signin/link?token=")
	e.Visit(link)
	e.ClickAndWait("main form button")
	require.Equal(t, "/console/company", e.Path())
	require.Equal(t, "Pâtisserie Test (démo)", e.H1())
	require.Contains(t, e.Text("header"), "Léna Test")
	e.Axe()
	shoot(e, phone, "company-home")

	// An apprenticeship: the kind first, then its form.
	e.ClickAndWait(`main a[href="/console/company/offers/new"]`)
	require.Equal(t, "Publier une offre", e.H1())
	e.Axe()
	shoot(e, phone, "company-offer-kinds")
	e.ClickAndWait(`a[href="/console/company/offers/new?type=apprenticeship"]`)
	require.Equal(t, "Nouvelle offre : Apprentissage", e.H1())
	require.Equal(t, "95500", webtest.Run(e, chromedp.Evaluate[string](`document.getElementById("postal_code").value`)), "the company's address by default")
	e.Do(chromedp.SetValue(chromedp.CSS("#title"), "Apprenti·e pâtissier·ère"), chromedp.SetValue(chromedp.CSS("#metier"), "boulanger"))
	e.ClickAndWait(`button[value="rechercher"]`)
	require.Contains(t, e.Text("#metiers"), "D1102")
	e.Do(chromedp.Click(chromedp.CSS(`input[name="rome_codes"][value="D1102"]`)),
		chromedp.SetValue(chromedp.CSS("#duration_weeks"), "104"), chromedp.SetValue(chromedp.CSS("#weekly_hours"), "35"))
	e.Axe()
	shoot(e, phone, "company-offer-form")
	e.ClickAndWait(`button[value="enregistrer"]`)
	require.Equal(t, "Apprenti·e pâtissier·ère", e.H1())
	require.Contains(t, e.Text(".flash"), "brouillon")
	require.Contains(t, e.Text("#offer-title + dl"), "Gonesse")
	e.ClickAndWait(`button[value="publish"]`)
	require.Contains(t, e.Text(".flash"), "L'offre est publiée")
	e.Axe()
	shoot(e, phone, "company-offer")
	var offer uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT id FROM offers WHERE company_id = $1 AND status = 'published'
		AND rome_codes = '{D1102}'`, company).Scan(&offer))

	// The adviser's search for a Gonesse trainee finds it.
	e.Reindex()
	trainee := traineeOf(t, e, webtest.GonesseAdviser)
	resp, body := e.Get(e.SessionClient(webtest.GonesseAdviser), "/console/trainees/"+trainee.String()+"/offers?q=p%C3%A2tissier&rayon=50")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, `id="offer-`+offer.String()+`"`)
}

// TestCompanyProposalJourney, desktop and phone: a proposal made by an
// adviser reaches the company by email; the company user opens the link,
// sees the pseudonym and no identity, the days left, accepts in one tap;
// after the trainee's consent the identity shows. The page loads from the
// emailed link to the answer are counted (the bar: at most 3).
func TestCompanyProposalJourney(t *testing.T) {
	t.Parallel()
	for _, phone := range []bool{false, true} {
		name := map[bool]string{false: "desktop", true: "phone"}[phone]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			proposalJourney(t, phone)
		})
	}
}

// proposeTo proposes an active trainee of the Gonesse adviser for the
// bakery's offer, as the adviser, and returns the proposal, the trainee and
// the proposal's event sent to the company.
func proposeTo(t *testing.T, e *webtest.Env, company passerelle.Principal) (store.Proposal, store.Trainee, uuid.UUID) {
	t.Helper()
	ctx := t.Context()
	adviser := adviserOf(t, e, webtest.GonesseAdviser)
	var trainee, offer uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT t.id, o.id FROM trainees t, offers o
		WHERE t.organisation_id = $1 AND t.status = 'active' AND o.company_id = $2 AND o.status = 'published'
		AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.trainee_id = t.id AND p.offer_id = o.id) ORDER BY t.id, o.id LIMIT 1`,
		adviser.OrganisationID, company.CompanyID).Scan(&trainee, &offer))
	p, err := e.Store.CreateProposal(ctx, adviser, store.ProposalInput{TraineeID: trainee, OfferID: offer})
	require.NoError(t, err)
	p, err = e.Store.TransitionProposal(ctx, adviser, p.ID, nil, store.TransitionInput{To: store.ProposalProposed})
	require.NoError(t, err)
	tr, err := e.Store.GetTrainee(ctx, adviser, trainee)
	require.NoError(t, err)
	var event uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT id FROM events WHERE subject_id = $1 AND type = 'proposal.status_changed'
		AND payload->>'to' = 'proposed'`, p.ID).Scan(&event))
	return p, tr, event
}

func proposalJourney(t *testing.T, phone bool) {
	e := webtest.New(t)
	if phone {
		mobile(e)
	}
	company := companyUserOf(t, e, webtest.CompanyUser)
	// The company user signed in once (the invitation); the session lasts.
	e.SignInCompany(webtest.CompanyUser)
	before := len(e.SMTP.Messages())

	p, trainee, event := proposeTo(t, e, company)
	e.DeliverEvents(event)
	msgs := e.SMTP.Wait(t, before+1, 30e9)
	var mail string
	for _, m := range msgs[before:] {
		if len(m.To) == 1 && m.To[0] == webtest.CompanyUser {
			mail, _ = m.Bodies()
			require.Equal(t, "Une candidature pour « "+p.OfferTitle+" » attend votre réponse", m.Subject)
		}
	}
	require.NotEmpty(t, mail, "the company user is emailed")
	require.NotContains(t, mail, trainee.Identity.LastName)
	require.NotContains(t, mail, trainee.ID.String())
	link := webtest.LinkIn(mail, e.URL)
	require.Equal(t, e.URL+"/console/company/proposals/"+p.ID.String(), link)

	// Count the documents the browser loads from here (a post answered by a
	// redirect is one).
	var loads atomic.Int32
	require.NoError(t, chromedp.Listen(e.Ctx, func(ev any) {
		if nav, ok := ev.(*page.EventFrameNavigated); ok && nav.Frame.ParentID == "" {
			loads.Add(1)
		}
	}))
	e.Visit(link)
	asCompany, err := e.Store.GetProposal(t.Context(), company, p.ID)
	require.NoError(t, err)
	require.Equal(t, "Candidature "+asCompany.Candidate.Pseudonym, e.H1())
	main := e.Text("main")
	require.NotContains(t, main, trainee.Identity.FirstName+" "+trainee.Identity.LastName, "no identity before consent")
	require.Contains(t, main, "Profil anonyme")
	require.Contains(t, e.Text(".deadline"), "Il vous reste 14 jours pour répondre.")
	for _, s := range trainee.Profile.Skills {
		require.Contains(t, main, s.Name)
	}
	e.Axe()
	shoot(e, phone, "company-proposal")
	e.ClickAndWait(`button[class="big"]:not(.secondary)` + `[type="submit"]`)
	require.Contains(t, e.Text(".flash"), "Réponse envoyée")
	n := loads.Load()
	t.Logf("page loads from the emailed link to the proposal answered (%s): %d", map[bool]string{false: "desktop", true: "360 px"}[phone], n)
	require.LessOrEqual(t, n, int32(3), "the bar: at most 3 page loads")
	after, err := e.Store.GetProposal(t.Context(), company, p.ID)
	require.NoError(t, err)
	require.Equal(t, store.ProposalInterview, after.Status, "the first answer is « intéressé : entretien »")

	// The trainee consents to reveal their identity for this offer: it shows.
	adviser := adviserOf(t, e, webtest.GonesseAdviser)
	_, err = e.Store.RecordConsent(t.Context(), adviser, trainee.ID, store.ConsentInput{Scope: store.ConsentRevealIdentity, OfferID: &p.OfferID})
	require.NoError(t, err)
	e.Visit("/console/company/proposals/" + p.ID.String())
	require.Equal(t, "Candidature de "+trainee.Identity.FirstName+" "+trainee.Identity.LastName, e.H1())
	require.Contains(t, e.Text("#who-title + dl"), trainee.Identity.Email)
	e.ClickAndWait(`button[class="big"]:not(.secondary)`)
	after, err = e.Store.GetProposal(t.Context(), company, p.ID)
	require.NoError(t, err)
	require.Equal(t, store.ProposalAccepted, after.Status)
	require.Contains(t, e.Text(".flash"), "la candidature est retenue")
	e.Axe()
	shoot(e, phone, "company-proposal-revealed")
}

// TestCompanyPlacement: the company confirms a placement's start date and
// answers the one-month questions.
func TestCompanyPlacement(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	company := companyUserOf(t, e, webtest.CompanyUser)
	p, _, _ := proposeTo(t, e, company)
	adviser := adviserOf(t, e, webtest.GonesseAdviser)
	_, err := e.Store.TransitionProposal(t.Context(), company, p.ID, nil, store.TransitionInput{To: store.ProposalAccepted})
	require.NoError(t, err)
	_, err = e.Store.TransitionProposal(t.Context(), adviser, p.ID, nil, store.TransitionInput{To: store.ProposalPlaced})
	require.NoError(t, err)
	var placement uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `UPDATE placements SET start_date = current_date - 40
		WHERE proposal_id = $1 RETURNING id`, p.ID).Scan(&placement))

	e.SignInCompany(webtest.CompanyUser)
	e.ClickAndWait(`nav a[href="/console/company/placements"]`)
	require.Equal(t, "Stages et contrats", e.H1())
	require.Contains(t, e.Text("main"), "(à confirmer)")
	e.Axe()
	e.Screenshot("company-placements")
	e.ClickAndWait(`a[href="/console/company/placements/` + placement.String() + `"]`)
	e.ClickAndWait(`form[action$="/start"] button`)
	require.Contains(t, e.Text(".flash"), "La date de début est confirmée.")
	require.Contains(t, e.Text("#start-title + dl"), "(confirmé)")
	require.Contains(t, e.Text("#checkins-title ~ form legend"), "Après 1 mois")
	e.Axe()
	e.Screenshot("company-placement")
	e.Do(chromedp.Click(chromedp.CSS(`input[name="going"][value="some_difficulties"]`)), chromedp.SetValue(chromedp.CSS("#note"), "Ponctuel, à encourager."))
	e.ClickAndWait(`form.checkin button`)
	require.Contains(t, e.Text(".flash"), "Merci, votre réponse est transmise")
	answers, err := e.Store.ListPlacementCheckins(t.Context(), adviser, placement)
	require.NoError(t, err)
	require.Len(t, answers, 1)
	require.Equal(t, store.GoingSomeDifficulties, answers[0].Going)
	require.True(t, answers[0].StillThere)
	var confirmed bool
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT start_confirmed_at IS NOT NULL FROM placements WHERE id = $1`, placement).Scan(&confirmed))
	require.True(t, confirmed)
}

// TestPartnerRequestSameAnswerAndLimit: a request answers the same whether
// the SIRET is registered or not, and a client address is limited.
func TestPartnerRequestSameAnswerAndLimit(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	org := programmeOf(t, e, webtest.GonesseAdviser)
	var known string
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT siret FROM companies ORDER BY siret LIMIT 1`).Scan(&known))
	form := func(siret string) url.Values {
		return url.Values{"siret": {siret}, "company_name": {"Garage Test"}, "address.postal_code": {"95500"},
			"contact_name": {"Paul Test"}, "contact_email": {"paul@garage.example.org"}}
	}
	c := e.Client()
	path := "/console/programmes/" + org.String() + "/requests"
	a, aBody := e.Post(c, path, form(known), "")
	b, bBody := e.Post(c, path, form("73282932000074"), "")
	require.Equal(t, http.StatusSeeOther, a.StatusCode)
	require.Equal(t, a.StatusCode, b.StatusCode)
	require.Equal(t, a.Header.Get("Location"), b.Header.Get("Location"))
	require.Equal(t, aBody, bBody)
	_, page := e.Get(c, a.Header.Get("Location"))
	require.Contains(t, page, "Votre demande est envoyée")

	// Bad input is a French error, never a 500, and saves nothing.
	resp, body := e.Post(c, path, url.Values{"siret": {"abc"}, "contact_email": {"pas une adresse"}, "address.postal_code": {"00000"}}, "")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "un SIRET compte exactement 14 chiffres")
	require.Contains(t, body, "indiquez une adresse e-mail")

	// Three posts so far; two more are allowed, the sixth is refused.
	for range 2 {
		resp, _ := e.Post(c, path, form("73282932000074"), "")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	}
	resp, body = e.Post(c, path, form("73282932000074"), "")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.NotEmpty(t, resp.Header.Get("Retry-After"))
	require.Contains(t, body, "Trop de demandes")
	var n int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM partner_requests WHERE organisation_id = $1`, org).Scan(&n))
	require.Equal(t, 4, n, "the two first, and the two after the error")

	resp, _ = e.Get(c, "/console/programmes/"+uuid.NewString())
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestCompanyOfferErrorsInFrench: the store's offer errors come back next
// to their fields, in French, and nothing is saved.
func TestCompanyOfferErrorsInFrench(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	c := e.SessionClient(webtest.CompanyUser)
	company := companyUserOf(t, e, webtest.CompanyUser)
	var before int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM offers WHERE company_id = $1`, company.CompanyID).Scan(&before))
	resp, body := e.Post(c, "/console/company/offers", url.Values{"kind": {"internship"}, "title": {" "}, "postal_code": {"99999"},
		"positions": {"0"}, "start_date": {"2027-03-10"}, "end_date": {"2027-03-01"}, "action": {"enregistrer"}}, "")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	for _, want := range []string{
		`id="title-err">Intitulé : ne doit pas être vide`,
		`id="rome_codes-err">Métier : choisissez un métier (jusqu&#39;à 3)`,
		`id="postal_code-err">Code postal : aucune commune française`,
		`id="positions-err">Nombre de postes : doit être au moins 1`,
		`id="end_date-err">Date de fin : doit être le même jour ou après la date de début`,
	} {
		require.Contains(t, body, want)
	}
	var after int
	require.NoError(t, e.Store.Pool().QueryRow(t.Context(), `SELECT count(*) FROM offers WHERE company_id = $1`, company.CompanyID).Scan(&after))
	require.Equal(t, before, after)
}

// TestCompanyRoutesTenancy walks every route of the company space as
// another company (the 404 page, as an unknown id), as an adviser (403) and
// signed out (sign-in); a company user on an adviser's page is 403, and the
// advisers' new routes hold another organisation's objects as unknown.
func TestCompanyRoutesTenancy(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	ctx := t.Context()
	bakery := companyUserOf(t, e, webtest.CompanyUser)
	// Another company's offer, proposal (sent to it) and placement.
	var offer, proposal, placement uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT o.id, p.id FROM offers o JOIN proposals p ON p.offer_id = o.id
		WHERE o.company_id <> $1 AND p.proposed_at IS NOT NULL ORDER BY o.id LIMIT 1`, bakery.CompanyID).Scan(&offer, &proposal))
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT id FROM placements WHERE company_id <> $1 LIMIT 1`, bakery.CompanyID).Scan(&placement))
	// The bakery's own proposal never sent to it stays unknown to it too.
	adviser := adviserOf(t, e, webtest.GonesseAdviser)
	var trainee, own uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT t.id, o.id FROM trainees t, offers o WHERE t.organisation_id = $1
		AND t.status = 'active' AND o.company_id = $2 AND o.status = 'published'
		AND NOT EXISTS (SELECT 1 FROM proposals p WHERE p.trainee_id = t.id AND p.offer_id = o.id) ORDER BY t.id LIMIT 1`,
		adviser.OrganisationID, bakery.CompanyID).Scan(&trainee, &own))
	shortlisted, err := e.Store.CreateProposal(ctx, adviser, store.ProposalInput{TraineeID: trainee, OfferID: own})
	require.NoError(t, err)

	gets := []string{"/console/company/offers/" + offer.String(), "/console/company/offers/" + offer.String() + "/edit",
		"/console/company/proposals/" + proposal.String(), "/console/company/proposals/" + shortlisted.ID.String(),
		"/console/company/placements/" + placement.String()}
	posts := map[string]url.Values{
		"/console/company/offers/" + offer.String():                    {"kind": {"internship"}, "version": {"1"}, "title": {"x"}},
		"/console/company/offers/" + offer.String() + "/status":        {"action": {"pause"}, "version": {"1"}},
		"/console/company/offers/" + offer.String() + "/duplicate":     {},
		"/console/company/proposals/" + proposal.String() + "/answer":  {"to": {"accepted"}, "version": {"1"}},
		"/console/company/placements/" + placement.String() + "/start": {"version": {"1"}, "start_date": {"2027-01-01"}},
		"/console/company/placements/" + placement.String() + "/checkins": {"month": {"1"}, "still_there": {"oui"},
			"going": {"well"}},
	}
	c := e.SessionClient(webtest.CompanyUser)
	_, unknownBody := e.Get(c, "/console/company/offers/"+uuid.NewString())
	for _, path := range gets {
		resp, body := e.Get(c, path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
		if strings.Contains(path, "/offers/") {
			require.Equal(t, stripRequestID(unknownBody), stripRequestID(body), "another company's offer looks unknown")
		}
	}
	for path, form := range posts {
		resp, _ := e.Post(c, path, form, "")
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	var status string
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT status FROM proposals WHERE id = $1`, proposal).Scan(&status))
	require.NotEqual(t, store.ProposalAccepted, status, "another company's proposal is untouched")

	// A company user on the advisers' pages: 403; on the home page: its space.
	for _, path := range []string{"/console/trainees", "/console/proposals", "/console/companies", "/console/partner-requests"} {
		resp, _ := e.Get(c, path)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, path)
	}
	resp, _ := e.Get(c, "/console/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/console/company", resp.Header.Get("Location"))

	// An adviser in the company space: 403 (an adviser never answers for a
	// company).
	a := e.SessionClient(webtest.GonesseAdviser)
	for _, path := range append(gets, "/console/company", "/console/company/offers/new", "/console/company/placements") {
		resp, _ := e.Get(a, path)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, path)
	}
	// Signed out: the sign-in page, back to the page once signed in.
	out := e.Client()
	resp, _ = e.Get(out, "/console/company/proposals/"+proposal.String())
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/console/signin?next=%2Fconsole%2Fcompany%2Fproposals%2F"+proposal.String(), resp.Header.Get("Location"))
	for path, form := range posts {
		resp, _ := e.Post(out, path, form, "")
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, path)
	}

	// Advisers: another organisation's request and company are unknown; a
	// partner that is not the company's steward may not invite.
	normandy := adviserOf(t, e, webtest.NormandyAdviser)
	require.NoError(t, e.Store.CreatePartnerRequest(ctx, normandy.OrganisationID, store.PartnerRequestInput{SIRET: "73282932000074",
		CompanyName: "Garage", Address: store.Address{PostalCode: "14200"}, ContactName: "X", ContactEmail: "x@garage.example.org"}))
	var request uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT id FROM partner_requests WHERE organisation_id = $1`, normandy.OrganisationID).Scan(&request))
	resp, _ = e.Post(a, "/console/partner-requests/"+request.String()+"/accept", nil, "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	var theirs uuid.UUID
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT company_id FROM partnerships WHERE organisation_id = $1
		AND company_id NOT IN (SELECT company_id FROM partnerships WHERE organisation_id = $2) LIMIT 1`,
		normandy.OrganisationID, adviser.OrganisationID).Scan(&theirs))
	resp, _ = e.Post(a, "/console/companies/"+theirs.String()+"/users", url.Values{"name": {"X"}, "email": {"x@y.example.org"}}, "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	var users int
	require.NoError(t, e.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM company_users WHERE email = 'x@y.example.org'`).Scan(&users))
	require.Zero(t, users)

	// "Sign out everywhere" ends every session of the company user, and only theirs.
	other := e.SessionClient(webtest.CompanyUser)
	resp, _ = e.Post(c, "/console/signout/everywhere", nil, "")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = e.Get(other, "/console/company")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "the other session is out")
	resp, _ = e.Get(a, "/console/")
	require.Equal(t, http.StatusOK, resp.StatusCode, "the adviser's session stays")

	// In the browser, the company's 404 page passes axe.
	e.SignInCompany(webtest.CompanyUser)
	e.Visit("/console/company/offers/" + offer.String())
	require.Equal(t, "Page introuvable", e.H1())
	e.Axe()
}
