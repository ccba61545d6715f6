package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// Identity sentinels: a company's responses must never hold them before the
// reveal consent.
const (
	sentinelFirst = "Zorglubette"
	sentinelLast  = "Sentinelle-Xq"
	sentinelEmail = "zorglubette.sentinelle@example.org"
	sentinelPhone = "+33 6 99 98 97 96"
	sentinelBirth = "2001-02-03"
)

// traineeIn is a trainee of tenant tn with sentinel identity, living in
// Gonesse (the offers of the tests are there too).
func traineeIn(tn tenant) store.TraineeInput {
	birth, _ := time.Parse(time.DateOnly, sentinelBirth)
	from, _ := time.Parse(time.DateOnly, "2026-01-01")
	return store.TraineeInput{
		CohortID: &tn.cohort, ReferentID: tn.adviser,
		Identity: store.TraineeIdentity{FirstName: sentinelFirst, LastName: sentinelLast, BirthDate: birth,
			Email: sentinelEmail, Phone: sentinelPhone},
		Profile: store.TraineeProfile{HomePostalCode: "95500", MobilityRadiusKm: 20, WantedKinds: []string{"apprenticeship"},
			Skills:       []store.TraineeSkill{{Name: "Pétrissage", Evidence: store.EvidenceAdviserValidated}},
			Availability: []store.Window{{From: from}}},
	}
}

// newTrainee creates a trainee of tn directly in the store (its match job is
// enqueued, not worked: these tests are about what follows a match).
func (b *bundle) newTrainee(tn tenant, in store.TraineeInput) uuid.UUID {
	b.t.Helper()
	tr, err := b.store.CreateTrainee(context.Background(), passerelle.System, tn.org, in)
	require.NoError(b.t, err)
	return tr.ID
}

// publish publishes tenant tn's draft offer.
func (b *bundle) publish(tn tenant) {
	b.t.Helper()
	requireStatus(b.t, http.StatusOK, b.do(http.MethodPost, "/v1/offers/"+tn.offer.String()+"/publish", tn.keys[passerelle.RoleCompany], nil))
}

// propose creates a shortlisted proposal of trainee for tn's offer.
func (b *bundle) propose(tn tenant, trainee uuid.UUID) uuid.UUID {
	b.t.Helper()
	r := b.do(http.MethodPost, "/v1/proposals", tn.keys[passerelle.RoleAdviser],
		map[string]any{"trainee_id": trainee, "offer_id": tn.offer, "reason": "bon profil"})
	requireStatus(b.t, http.StatusCreated, r)
	return mustUUID(b.t, r.json(b.t)["id"].(string))
}

func (b *bundle) move(key string, proposal uuid.UUID, to string) response {
	b.t.Helper()
	return b.do(http.MethodPost, "/v1/proposals/"+proposal.String()+"/transitions", key, map[string]any{"to": to, "reason": "test"})
}

func TestCreateProposal(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a, other := newTenant(t, b, "A"), newTenant(t, b, "B")
	trainee := b.newTrainee(a, traineeIn(a))
	adviser := a.keys[passerelle.RoleAdviser]

	// A draft offer takes no proposal.
	p := requireProblem(t, b.do(http.MethodPost, "/v1/proposals", adviser, map[string]any{"trainee_id": trainee, "offer_id": a.offer}),
		http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.offer_id"}, fieldLocations(p))
	b.publish(a)
	// Another organisation's trainee is not one of yours.
	p = requireProblem(t, b.do(http.MethodPost, "/v1/proposals", other.keys[passerelle.RoleAdviser],
		map[string]any{"trainee_id": trainee, "offer_id": a.offer}), http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.trainee_id"}, fieldLocations(p))
	requireProblem(t, b.do(http.MethodPost, "/v1/proposals", a.keys[passerelle.RoleCompany],
		map[string]any{"trainee_id": trainee, "offer_id": a.offer}), http.StatusForbidden, "forbidden")

	id := b.propose(a, trainee)
	r := b.do(http.MethodGet, "/v1/proposals/"+id.String(), adviser, nil)
	requireStatus(t, http.StatusOK, r)
	body := r.json(t)
	require.Equal(t, "shortlisted", body["status"])
	require.Equal(t, "adviser", body["origin"])
	require.Equal(t, trainee.String(), body["trainee_id"])
	require.Equal(t, []any{"proposed", "dismissed"}, body["allowed_transitions"])
	require.Equal(t, `"1"`, r.Header.Get("ETag"))
	identity := body["candidate"].(map[string]any)["identity"].(map[string]any)
	require.Equal(t, sentinelFirst, identity["first_name"])
	require.NotContains(t, string(r.body), sentinelBirth, "the candidate never shows the birth date")

	// The pair exists.
	p = requireProblem(t, b.do(http.MethodPost, "/v1/proposals", adviser, map[string]any{"trainee_id": trainee, "offer_id": a.offer}),
		http.StatusConflict, "conflict")
	require.Contains(t, p["detail"], id.String())

	// Before it is proposed, the company does not see it at all.
	requireProblem(t, b.do(http.MethodGet, "/v1/proposals/"+id.String(), a.keys[passerelle.RoleCompany], nil), http.StatusNotFound, "not_found")
	r = b.do(http.MethodGet, "/v1/proposals", a.keys[passerelle.RoleCompany], nil)
	requireStatus(t, http.StatusOK, r)
	require.NotContains(t, pageIDs(t, r), id.String())
	// Another organisation's adviser neither.
	requireProblem(t, b.do(http.MethodGet, "/v1/proposals/"+id.String(), other.keys[passerelle.RoleAdviser], nil), http.StatusNotFound, "not_found")

	// Filters.
	for _, q := range []string{"trainee_id=" + trainee.String(), "offer_id=" + a.offer.String(), "status=shortlisted"} {
		r = b.do(http.MethodGet, "/v1/proposals?"+q, adviser, nil)
		requireStatus(t, http.StatusOK, r)
		require.Equal(t, []string{id.String()}, pageIDs(t, r), q)
	}
	r = b.do(http.MethodGet, "/v1/proposals?status=proposed", adviser, nil)
	require.Empty(t, pageIDs(t, r))
	r = b.do(http.MethodGet, "/v1/proposals", other.keys[passerelle.RoleAdviser], nil)
	require.NotContains(t, pageIDs(t, r), id.String())

	// The creation is in the history and in the events.
	r = b.do(http.MethodGet, "/v1/proposals/"+id.String()+"/transitions", adviser, nil)
	requireStatus(t, http.StatusOK, r)
	items := r.json(t)["items"].([]any)
	require.Len(t, items, 1)
	require.Equal(t, "shortlisted", items[0].(map[string]any)["to"])
	require.Equal(t, "bon profil", items[0].(map[string]any)["reason"])
	events, err := b.store.ListEvents(t.Context(), store.EventFilter{Type: store.EventProposalCreated, SubjectID: &id})
	require.NoError(t, err)
	require.Len(t, events, 1)
	require.Equal(t, a.adviser, *events[0].AdviserID)
}

// TestProposalTransitionTable tries every move from every status with every
// role, through the API: allowed moves succeed and are recorded; a move the
// role never makes is 403; one it makes from other statuses is 409 naming
// what it may do; a company does not see what was never proposed to it (404).
func TestProposalTransitionTable(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{rateLimitPerMinute: 1_000_000, rateLimitBurst: 10_000})
	a := newTenant(t, b, "A")
	requireStatus(t, http.StatusOK, b.do(http.MethodPut, "/v1/offers/"+a.offer.String(), a.keys[passerelle.RoleCompany],
		offerWith(offerBody(a.company), map[string]any{"positions": 5})))
	b.publish(a)
	trainee := b.newTrainee(a, traineeIn(a))
	id := b.propose(a, trainee)
	ctx := t.Context()

	// The expected table, written out: (from, to) → party.
	table := map[[2]string]string{
		{"suggested", "shortlisted"}: "programme", {"suggested", "proposed"}: "programme", {"suggested", "dismissed"}: "programme",
		{"shortlisted", "proposed"}: "programme", {"shortlisted", "dismissed"}: "programme",
		{"suggested", "withdrawn"}: "system", {"withdrawn", "suggested"}: "system",
		{"proposed", "interview"}: "company", {"proposed", "accepted"}: "company", {"proposed", "declined_by_company"}: "company",
		{"proposed", "withdrawn"}: "programme", {"proposed", "declined_by_trainee"}: "programme", {"proposed", "expired"}: "system",
		{"interview", "accepted"}: "company", {"interview", "declined_by_company"}: "company",
		{"interview", "withdrawn"}: "programme", {"interview", "declined_by_trainee"}: "programme",
		{"accepted", "placed"}: "programme", {"accepted", "declined_by_company"}: "company",
		{"accepted", "withdrawn"}: "programme", {"accepted", "declined_by_trainee"}: "programme",
	}
	rules := store.ProposalTransitionRules()
	require.Len(t, rules, len(table))
	for _, r := range rules {
		require.Equal(t, table[[2]string{r.From, r.To}], r.Party, "%s → %s", r.From, r.To)
	}
	parties := map[string][]string{
		passerelle.RoleAdmin: {"programme", "company"}, passerelle.RoleAdviser: {"programme"},
		passerelle.RoleIntegrator: {"programme"}, passerelle.RoleCompany: {"company"},
	}
	keys := map[string]string{passerelle.RoleAdmin: b.admin}
	for role, k := range a.keys {
		keys[role] = k
	}
	neverProposed := []string{"suggested", "shortlisted", "dismissed"}

	for _, role := range passerelle.Roles {
		for _, from := range store.ProposalStatuses {
			for _, to := range store.ProposalStatuses {
				name := fmt.Sprintf("%s: %s → %s", role, from, to)
				// Put the proposal in from, as it would be after its history.
				var proposedAt any
				if !slices.Contains(neverProposed, from) {
					proposedAt = time.Now()
				}
				_, err := b.pool.Exec(ctx, `DELETE FROM placements WHERE proposal_id = $1`, id)
				require.NoError(t, err)
				_, err = b.pool.Exec(ctx, `UPDATE proposals SET status = $2, proposed_at = $3 WHERE id = $1`, id, from, proposedAt)
				require.NoError(t, err)
				_, err = b.pool.Exec(ctx, `UPDATE offers SET positions_filled = 0, status = 'published' WHERE id = $1`, a.offer)
				require.NoError(t, err)
				_, err = b.pool.Exec(ctx, `UPDATE trainees SET status = 'active' WHERE id = $1`, trainee)
				require.NoError(t, err)

				r := b.move(keys[role], id, to)
				party, exists := table[[2]string{from, to}]
				ever := false
				for ft, p := range table {
					if ft[1] == to && slices.Contains(parties[role], p) {
						ever = true
					}
				}
				switch {
				case role == passerelle.RoleCompany && slices.Contains(neverProposed, from):
					requireProblem(t, r, http.StatusNotFound, "not_found")
				case exists && slices.Contains(parties[role], party):
					requireStatus(t, http.StatusOK, r)
					require.Equal(t, to, r.json(t)["status"], name)
					var n int
					require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM proposal_transitions
						WHERE proposal_id = $1 AND from_status = $2 AND to_status = $3 AND actor_role = $4`, id, from, to, role).Scan(&n))
					require.Equal(t, 1, n, name)
					_, err := b.pool.Exec(ctx, `DELETE FROM proposal_transitions WHERE proposal_id = $1 AND from_status IS NOT NULL`, id)
					require.NoError(t, err)
				case !ever:
					requireProblem(t, r, http.StatusForbidden, "forbidden")
				default:
					p := requireProblem(t, r, http.StatusConflict, "conflict")
					allowed := []string{}
					for _, s := range store.ProposalStatuses {
						if p, ok := table[[2]string{from, s}]; ok && slices.Contains(parties[role], p) {
							allowed = append(allowed, s)
						}
					}
					if len(allowed) > 0 {
						require.Contains(t, p["detail"], "Allowed: "+strings.Join(allowed, ", ")+".", name)
					}
				}
			}
		}
	}
}

func TestProposalLifecycleToPlacement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a, other := newTenant(t, b, "A"), newTenant(t, b, "B")
	b.publish(a) // two positions
	ctx := t.Context()
	adviser, company := a.keys[passerelle.RoleAdviser], a.keys[passerelle.RoleCompany]
	first, second := b.newTrainee(a, traineeIn(a)), b.newTrainee(a, traineeIn(a))
	p1, p2 := b.propose(a, first), b.propose(a, second)

	// If-Match.
	requireProblem(t, b.do(http.MethodPost, "/v1/proposals/"+p1.String()+"/transitions", adviser,
		map[string]any{"to": "proposed"}, "If-Match", `"7"`), http.StatusPreconditionFailed, "precondition_failed")
	r := b.do(http.MethodPost, "/v1/proposals/"+p1.String()+"/transitions", adviser, map[string]any{"to": "proposed"}, "If-Match", `"1"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, `"2"`, r.Header.Get("ETag"))
	require.NotNil(t, r.json(t)["proposed_at"])
	// Another tenant's company does not see it; this one's does.
	requireProblem(t, b.do(http.MethodGet, "/v1/proposals/"+p1.String(), other.keys[passerelle.RoleCompany], nil), http.StatusNotFound, "not_found")
	r = b.do(http.MethodGet, "/v1/proposals/"+p1.String(), company, nil)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, []any{"interview", "accepted", "declined_by_company"}, r.json(t)["allowed_transitions"])

	for _, step := range []struct{ key, to string }{{company, "interview"}, {company, "accepted"}, {adviser, "placed"}} {
		requireStatus(t, http.StatusOK, b.move(step.key, p1, step.to))
	}
	// The placement exists, the trainee is placed, the offer has one position left.
	r = b.do(http.MethodGet, "/v1/placements?offer_id="+a.offer.String(), adviser, nil)
	requireStatus(t, http.StatusOK, r)
	items := r.json(t)["items"].([]any)
	require.Len(t, items, 1)
	placement := items[0].(map[string]any)
	require.Equal(t, "apprenticeship", placement["kind"])
	require.Equal(t, "2026-09-01", placement["start_date"])
	require.Equal(t, first.String(), placement["trainee_id"])
	var traineeStatus string
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT status FROM trainees WHERE id = $1`, first).Scan(&traineeStatus))
	require.Equal(t, "placed", traineeStatus)
	r = b.do(http.MethodGet, "/v1/offers/"+a.offer.String(), company, nil)
	require.EqualValues(t, 1, r.json(t)["positions_filled"])
	require.Equal(t, "published", r.json(t)["status"])

	// The second placement fills the offer, which leaves search through its
	// index job, enqueued in the same transaction.
	for _, step := range []struct{ key, to string }{{adviser, "proposed"}, {company, "accepted"}, {adviser, "placed"}} {
		requireStatus(t, http.StatusOK, b.move(step.key, p2, step.to))
	}
	r = b.do(http.MethodGet, "/v1/offers/"+a.offer.String(), company, nil)
	require.EqualValues(t, 2, r.json(t)["positions_filled"])
	require.Equal(t, "filled", r.json(t)["status"])
	var jobs int
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT count(*) FROM search_pending WHERE offer_id = $1`,
		a.offer.String()).Scan(&jobs))
	require.Positive(t, jobs)

	// Events: status changes name the referent and carry no personal data.
	events, err := b.store.ListEvents(ctx, store.EventFilter{Type: store.EventProposalStatusChanged, SubjectID: &p1})
	require.NoError(t, err)
	require.Len(t, events, 4)
	require.Equal(t, a.adviser, *events[0].AdviserID)
	require.Equal(t, map[string]any{"proposal_id": p1.String(), "offer_id": a.offer.String(), "trainee_id": first.String(),
		"offer_title": "Apprenti·e boulanger·ère", "from": "shortlisted", "to": "proposed"}, events[0].Payload)
	all, err := b.store.ListEvents(ctx, store.EventFilter{Type: store.EventPlacementStarted})
	require.NoError(t, err)
	var started []store.Event
	for _, e := range all {
		if e.Payload["offer_id"] == a.offer.String() {
			started = append(started, e)
		}
	}
	require.Len(t, started, 2)
	for _, e := range append(events, started...) {
		raw := string(mustJSON(t, e.Payload))
		for _, s := range []string{sentinelFirst, sentinelLast, sentinelEmail, sentinelPhone, sentinelBirth} {
			require.NotContains(t, raw, s)
		}
	}

	// The history.
	r = b.do(http.MethodGet, "/v1/proposals/"+p1.String()+"/transitions", adviser, nil)
	var tos []string
	for _, it := range r.json(t)["items"].([]any) {
		tos = append(tos, it.(map[string]any)["to"].(string))
	}
	require.Equal(t, []string{"shortlisted", "proposed", "interview", "accepted", "placed"}, tos)
	r = b.do(http.MethodGet, "/v1/proposals/"+p1.String()+"/transitions", company, nil)
	require.Len(t, r.json(t)["items"], 4, "the company sees the history from the proposal on")
	require.NotContains(t, string(r.body), "actor_key_id")

	// The placement: the company sets its tutor; then it ends.
	placementID := placement["id"].(string)
	r = b.do(http.MethodPatch, "/v1/placements/"+placementID, company,
		map[string]any{"tutor": map[string]any{"name": "Marc Lefèvre", "role": "chef boulanger"}, "end_date": "2027-06-30"})
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, "Marc Lefèvre", r.json(t)["tutor"].(map[string]any)["name"])
	require.Equal(t, "2027-06-30", r.json(t)["end_date"])
	require.Nil(t, r.json(t)["trainee_id"], "a company knows the trainee by pseudonym")
	p := requireProblem(t, b.do(http.MethodPatch, "/v1/placements/"+placementID, company, map[string]any{"end_date": "2020-01-01"}),
		http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.end_date"}, fieldLocations(p))
	requireProblem(t, b.do(http.MethodPatch, "/v1/placements/"+placementID, other.keys[passerelle.RoleCompany], map[string]any{}),
		http.StatusNotFound, "not_found")
	p = requireProblem(t, b.do(http.MethodPost, "/v1/placements/"+placementID+"/end", adviser, map[string]any{"outcome": "interrupted"}),
		http.StatusUnprocessableEntity, "invalid")
	require.Equal(t, []string{"body.reason"}, fieldLocations(p))
	r = b.do(http.MethodPost, "/v1/placements/"+placementID+"/end", adviser,
		map[string]any{"outcome": "interrupted", "reason": "rupture pendant la période d'essai", "end_date": "2026-10-15"}, "If-Match", `"2"`)
	requireStatus(t, http.StatusOK, r)
	require.Equal(t, "interrupted", r.json(t)["outcome"])
	require.Equal(t, "2026-10-15", r.json(t)["end_date"])
	requireProblem(t, b.do(http.MethodPost, "/v1/placements/"+placementID+"/end", adviser, map[string]any{"outcome": "completed"}),
		http.StatusConflict, "conflict")
	ended, err := b.store.ListEvents(ctx, store.EventFilter{Type: store.EventPlacementEnded})
	require.NoError(t, err)
	require.Len(t, ended, 1)
	require.Equal(t, "interrupted", ended[0].Payload["outcome"])
	require.NotContains(t, ended[0].Payload, "outcome_reason")
	r = b.do(http.MethodGet, "/v1/placements?ongoing=false", adviser, nil)
	require.Equal(t, []string{placementID}, pageIDs(t, r))
}

// TestCompanyNeverSeesIdentityBeforeConsent reads every company-facing
// response raw: no name, contact, birth date or trainee id until the trainee
// consents to reveal their identity for this offer.
func TestCompanyNeverSeesIdentityBeforeConsent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	a := newTenant(t, b, "A")
	b.publish(a)
	trainee := b.newTrainee(a, traineeIn(a))
	id := b.propose(a, trainee)
	company := a.keys[passerelle.RoleCompany]
	requireStatus(t, http.StatusOK, b.move(a.keys[passerelle.RoleAdviser], id, "proposed"))

	secrets := []string{sentinelFirst, sentinelLast, sentinelEmail, sentinelPhone, sentinelBirth, trainee.String(), "rqth", "score", "reasons"}
	reads := func() []response {
		return []response{
			b.do(http.MethodGet, "/v1/proposals/"+id.String(), company, nil),
			b.do(http.MethodGet, "/v1/proposals", company, nil),
			b.do(http.MethodGet, "/v1/proposals?offer_id="+a.offer.String(), company, nil),
			b.do(http.MethodGet, "/v1/proposals/"+id.String()+"/transitions", company, nil),
			b.do(http.MethodGet, "/v1/placements", company, nil),
		}
	}
	check := func(revealed bool) {
		for _, r := range reads() {
			requireStatus(t, http.StatusOK, r)
			for _, s := range secrets {
				if revealed && (s == sentinelFirst || s == sentinelLast || s == sentinelEmail || s == sentinelPhone) {
					continue
				}
				require.NotContains(t, string(r.body), s, "%s", r.Request.URL)
			}
		}
	}
	check(false)
	r := b.do(http.MethodGet, "/v1/proposals/"+id.String(), company, nil)
	cand := r.json(t)["candidate"].(map[string]any)
	require.Regexp(t, `^Candidat·e [A-Z2-7]{4}-[A-Z2-7]{4}$`, cand["pseudonym"])
	require.Equal(t, "0-5 km", cand["distance_band"])
	require.Equal(t, false, cand["minor_at_start"])
	require.Equal(t, "Pétrissage", cand["skills"].([]any)[0].(map[string]any)["name"])

	// A consent for another offer reveals nothing here.
	st := b.store
	other := newTenant(t, b, "B")
	b.publish(other)
	_, err := st.RecordConsent(t.Context(), passerelle.System, trainee, store.ConsentInput{Scope: store.ConsentRevealIdentity, OfferID: &other.offer})
	require.NoError(t, err)
	check(false)

	_, err = st.RecordConsent(t.Context(), passerelle.System, trainee, store.ConsentInput{Scope: store.ConsentRevealIdentity, OfferID: &a.offer})
	require.NoError(t, err)
	r = b.do(http.MethodGet, "/v1/proposals/"+id.String(), company, nil)
	identity := r.json(t)["candidate"].(map[string]any)["identity"].(map[string]any)
	require.Equal(t, sentinelFirst, identity["first_name"])
	require.Equal(t, sentinelPhone, identity["phone"])
	check(true)
	// The company's read of the identity is audited.
	var n int
	require.NoError(t, b.pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE action = 'read_identity'
		AND resource_id = $1 AND actor_role = 'company'`, trainee).Scan(&n))
	require.Positive(t, n)
}
