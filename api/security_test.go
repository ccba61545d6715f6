package api

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
)

// publicOperations are the only operations callable without a key.
var publicOperations = []string{"healthz", "readyz"}

// tenants are two organisations, each with a partner company, an adviser and a
// cohort, and keys of every role. Tenant A's keys are pointed at tenant B's ids.
type tenant struct {
	org, company, adviser, cohort, companyKeyID uuid.UUID
	offer                                       uuid.UUID         // a draft of company: no other tenant sees it
	trainee, consent, job                       uuid.UUID         // a trainee of org, a consent of theirs, a match of theirs
	proposal, placement                         uuid.UUID         // another trainee of org, placed on a published offer of company
	followup                                    uuid.UUID         // of a trainee who left two months ago
	notification                                uuid.UUID         // in the adviser's inbox
	webhook, delivery                           uuid.UUID         // the integrator's endpoint and a delivery to it
	keys                                        map[string]string // role → secret
	askSIRET                                    string            // a company org may ask to work with (create-partnership)
}

// privateIDs are tenant tn's ids that no other tenant may ever read, not even
// one that asked to work with tn's company: the company's id is public (its
// published offers name it), these are not.
func (tn tenant) privateIDs() []uuid.UUID {
	return []uuid.UUID{tn.adviser, tn.cohort, tn.companyKeyID, tn.offer, tn.trainee, tn.consent, tn.job,
		tn.proposal, tn.placement, tn.followup, tn.notification, tn.webhook, tn.delivery}
}

func newTenant(t *testing.T, b *bundle, name string) tenant {
	t.Helper()
	ctx := context.Background()
	tn := tenant{org: b.organisation(name), keys: map[string]string{passerelle.RoleAdmin: b.admin}}
	tn.keys[passerelle.RoleAdviser] = b.adviserKey(tn.org)
	tn.keys[passerelle.RoleIntegrator] = b.integratorKey(tn.org)
	admin := passerelle.Principal{Role: passerelle.RoleAdmin}

	// Companies, advisers and cohorts through the API, as a client would.
	r := b.do(http.MethodPost, "/v1/companies", tn.keys[passerelle.RoleAdviser], companyBody(name))
	requireStatus(t, http.StatusCreated, r)
	tn.company = mustUUID(t, r.json(t)["id"].(string))
	k, secret, err := b.store.CreateKey(ctx, admin, store.KeyInput{Name: "company", Role: passerelle.RoleCompany, CompanyID: &tn.company})
	require.NoError(t, err)
	tn.keys[passerelle.RoleCompany], tn.companyKeyID = secret, k.ID

	r = b.do(http.MethodPost, "/v1/organisations/"+tn.org.String()+"/advisers", b.admin, adviserBody(name))
	requireStatus(t, http.StatusCreated, r)
	tn.adviser = mustUUID(t, r.json(t)["id"].(string))
	// The adviser key speaks for this adviser, so that it has an inbox.
	tn.keys[passerelle.RoleAdviser] = b.key(store.KeyInput{Role: passerelle.RoleAdviser, OrganisationID: &tn.org, AdviserID: &tn.adviser})
	r = b.do(http.MethodPost, "/v1/webhooks", tn.keys[passerelle.RoleIntegrator], webhookBody())
	requireStatus(t, http.StatusCreated, r)
	tn.webhook = mustUUID(t, r.json(t)["id"].(string))
	tn.notification = b.notification(tn.org, tn.adviser) // also a delivery to the webhook
	require.NoError(t, b.pool.QueryRow(ctx, `SELECT id FROM deliveries WHERE endpoint_id = $1`, tn.webhook).Scan(&tn.delivery))
	r = b.do(http.MethodPost, "/v1/organisations/"+tn.org.String()+"/cohorts", b.admin, cohortBody(name))
	requireStatus(t, http.StatusCreated, r)
	tn.cohort = mustUUID(t, r.json(t)["id"].(string))
	r = b.do(http.MethodPost, "/v1/offers", tn.keys[passerelle.RoleCompany], offerBody(tn.company))
	requireStatus(t, http.StatusCreated, r)
	tn.offer = mustUUID(t, r.json(t)["id"].(string))
	r = b.do(http.MethodPost, "/v1/organisations/"+tn.org.String()+"/trainees", tn.keys[passerelle.RoleAdviser], traineeBody(tn.adviser))
	requireStatus(t, http.StatusCreated, r)
	tn.trainee = mustUUID(t, r.json(t)["id"].(string))
	r = b.do(http.MethodPost, "/v1/trainees/"+tn.trainee.String()+"/consents", tn.keys[passerelle.RoleAdviser], map[string]any{"scope": "matching"})
	requireStatus(t, http.StatusCreated, r)
	tn.consent = mustUUID(t, r.json(t)["id"].(string))
	r = b.do(http.MethodPost, "/v1/trainees/"+tn.trainee.String()+"/match", tn.keys[passerelle.RoleAdviser], nil)
	requireStatus(t, http.StatusAccepted, r)
	tn.job = mustUUID(t, r.json(t)["id"].(string))
	_, tn.proposal, tn.placement = placedTrainee(t, b, tn)
	tn.followup = followedUpTrainee(t, b, tn)
	return tn
}

// followedUpTrainee makes a trainee of tn who left two months ago, and
// returns their first follow-up.
func followedUpTrainee(t *testing.T, b *bundle, tn tenant) uuid.UUID {
	t.Helper()
	in := traineeIn(tn)
	in.Status, in.ExitDate = store.TraineeExited, ptr(time.Now().AddDate(0, -2, 0))
	trainee := b.newTrainee(tn, in)
	_, err := b.store.CreateDueFollowups(context.Background())
	require.NoError(t, err)
	fs, _, err := b.store.ListFollowups(context.Background(), passerelle.System, store.FollowupFilter{TraineeID: &trainee}, store.Page{})
	require.NoError(t, err)
	require.Len(t, fs, 1)
	return fs[0].ID
}

// placedTrainee places a new trainee of tn on a new published offer of tn's
// company, and returns the trainee, the proposal and the placement.
func placedTrainee(t *testing.T, b *bundle, tn tenant) (trainee, proposal, placement uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	r := b.do(http.MethodPost, "/v1/offers", tn.keys[passerelle.RoleCompany], offerBody(tn.company))
	requireStatus(t, http.StatusCreated, r)
	offer := mustUUID(t, r.json(t)["id"].(string))
	requireStatus(t, http.StatusOK, b.do(http.MethodPost, "/v1/offers/"+offer.String()+"/publish", tn.keys[passerelle.RoleCompany], nil))
	in := traineeIn(tn)
	trainee = b.newTrainee(tn, in)
	p, err := b.store.CreateProposal(ctx, passerelle.System, store.ProposalInput{TraineeID: trainee, OfferID: offer})
	require.NoError(t, err)
	for _, to := range []string{store.ProposalProposed, store.ProposalAccepted, store.ProposalPlaced} {
		_, err = b.store.TransitionProposal(ctx, passerelle.System, p.ID, nil, store.TransitionInput{To: to})
		require.NoError(t, err)
	}
	ls, _, err := b.store.ListPlacements(ctx, passerelle.System, store.PlacementFilter{OfferID: &offer}, store.Page{})
	require.NoError(t, err)
	require.Len(t, ls, 1)
	return trainee, p.ID, ls[0].ID
}

var siretSeq = make(chan int, 1)

func init() { siretSeq <- 1 }

// validSIRET returns a fresh SIRET passing the Luhn check.
func validSIRET() string {
	n := <-siretSeq
	siretSeq <- n + 1
	return reference.CompleteSIRET(fmt.Sprintf("4%012d", n*7919%1_000_000_000_000))
}

func companyBody(name string) map[string]any {
	return map[string]any{"siret": validSIRET(), "name": "Entreprise " + name, "address": map[string]any{"street": "1 rue de la Gare", "postal_code": "95500", "town": "Gonesse"}, "disability_friendly": true, "contacts": []any{}}
}

func adviserBody(name string) map[string]any {
	return map[string]any{"name": "Référent " + name, "email": strings.ToLower(strings.ReplaceAll(name, " ", "")) + uuid.NewString()[:8] + "@example.org", "notification_preferences": map[string]any{}}
}

func cohortBody(name string) map[string]any {
	return map[string]any{"name": "Promo " + name, "track": "Développeur web", "start_date": "2026-09-01", "end_date": "2027-02-28", "capacity": 12, "targets": map[string]any{"signed_contracts": 8}}
}

// bodyFor returns a valid body for a writing operation, aimed at tenant tn.
// A new writing operation must be added here: the test fails until it is.
func bodyFor(t *testing.T, method, opID string, tn tenant) any {
	if method == http.MethodGet || method == http.MethodDelete {
		return nil
	}
	switch opID {
	case "create-organisation", "replace-organisation":
		return map[string]any{"kind": "e2c", "name": "Org", "town": "Caen"}
	case "create-company", "replace-company":
		return companyBody("X")
	case "create-adviser", "replace-adviser":
		return adviserBody("X")
	case "create-cohort", "replace-cohort":
		return cohortBody("X")
	case "create-api-key":
		return map[string]any{"name": "k", "role": "company", "company_id": tn.company.String()}
	case "create-partnership":
		return map[string]any{"siret": tn.askSIRET, "organisation_id": tn.org.String()}
	case "accept-partnership", "refuse-partnership":
		return nil
	case "revoke-api-key":
		return nil
	case "create-offer", "replace-offer":
		return offerBody(tn.company)
	case "publish-offer", "pause-offer", "resume-offer", "fill-offer", "close-offer":
		return nil
	case "create-trainee", "replace-trainee":
		return traineeBody(tn.adviser)
	case "record-consent":
		return map[string]any{"scope": "guardian"}
	case "withdraw-consent", "match-trainee", "export-trainee", "erase-trainee":
		return nil
	case "create-proposal":
		return map[string]any{"trainee_id": tn.trainee.String(), "offer_id": tn.offer.String()}
	case "transition-proposal":
		return map[string]any{"to": "withdrawn", "reason": "security walk"}
	case "update-placement":
		return map[string]any{"tutor": map[string]any{"name": "Tuteur", "role": "gérant"}}
	case "end-placement":
		return map[string]any{"outcome": "completed"}
	case "record-followup":
		return map[string]any{"situation": "employed", "contract_type": "cdd"}
	case "read-my-notification", "rotate-webhook-secret", "redeliver-webhook":
		return nil
	case "create-webhook":
		return webhookBody()
	case "update-webhook":
		return map[string]any{"description": "changed", "event_types": []string{"proposal.created"}}
	}
	t.Fatalf("security test: no sample body for %s: add one to bodyFor", opID)
	return nil
}

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// pathFor fills path's parameters with tenant tn's ids, from the resource the
// parameter follows ("/v1/companies/{id}" takes the company).
func pathFor(t *testing.T, path string, tn tenant) string {
	return pathParam.ReplaceAllStringFunc(path, func(m string) string {
		name := m[1 : len(m)-1]
		before, _, _ := strings.Cut(path, m)
		segs := strings.Split(strings.Trim(before, "/"), "/")
		resource := segs[len(segs)-1]
		if name != "id" {
			resource = name
		}
		switch resource {
		case "organisations", "organisation_id":
			return tn.org.String()
		case "companies", "company_id":
			return tn.company.String()
		case "advisers":
			return tn.adviser.String()
		case "cohorts":
			return tn.cohort.String()
		case "api-keys":
			return tn.companyKeyID.String()
		case "offers":
			return tn.offer.String()
		case "trainees":
			return tn.trainee.String()
		case "consent_id":
			return tn.consent.String()
		case "jobs":
			return tn.job.String()
		case "proposals":
			return tn.proposal.String()
		case "placements":
			return tn.placement.String()
		case "followups":
			return tn.followup.String()
		case "notifications":
			return tn.notification.String()
		case "webhooks":
			return tn.webhook.String()
		case "delivery_id":
			return tn.delivery.String()
		}
		t.Fatalf("security test: no id for %s in %s: add the resource to pathFor", m, path)
		return ""
	})
}

// TestEveryOperationEnforcesItsSecurity walks the generated spec: every
// operation but health declares roles; without a key it is 401; with a role
// it does not declare, 403; with a declared role aimed at another tenant's
// objects, 404; aimed at its own, neither 401, 403, 404 nor a 5xx. A third
// organisation, pending, has asked to work with tenant A's company and not
// been accepted: every route on A's objects answers it 404, and no list shows
// it anything private of A's.
func TestEveryOperationEnforcesItsSecurity(t *testing.T) {
	t.Parallel()
	// The walk sends hundreds of requests per key in a few seconds: the rate
	// limiter (tested on its own) is set out of its way.
	b := setup(t, setupOpts{search: true, rateLimitPerMinute: 1_000_000, rateLimitBurst: 100_000})
	a := newTenant(t, b, "Tenant A")
	other := newTenant(t, b, "Tenant B")
	ctx := context.Background()
	_, revoked, err := b.store.CreateKey(ctx, passerelle.System, store.KeyInput{Name: "r", Role: passerelle.RoleAdmin})
	require.NoError(t, err)
	revokedKey := revoked
	k := mustKeyID(t, b, revokedKey)
	_, err = b.store.RevokeKey(ctx, passerelle.System, k)
	require.NoError(t, err)

	// A company registered by an admin, partner of nobody: what tenant A asks
	// to work with when the walk creates a partnership.
	free := companyBody("libre")
	requireStatus(t, http.StatusCreated, b.do(http.MethodPost, "/v1/companies", b.admin, free))
	a.askSIRET = free["siret"].(string)

	// The pending tenant asked to work with A's company; nobody answered.
	pending := tenant{org: b.organisation("Tenant P"), keys: map[string]string{}}
	r := b.do(http.MethodPost, "/v1/organisations/"+pending.org.String()+"/advisers", b.admin, adviserBody("P"))
	requireStatus(t, http.StatusCreated, r)
	pending.adviser = mustUUID(t, r.json(t)["id"].(string)) // so that its key has an inbox
	pending.keys[passerelle.RoleAdviser] = b.key(store.KeyInput{Role: passerelle.RoleAdviser, OrganisationID: &pending.org, AdviserID: &pending.adviser})
	pending.keys[passerelle.RoleIntegrator] = b.integratorKey(pending.org)
	c, err := b.store.GetCompany(ctx, passerelle.System, a.company)
	require.NoError(t, err)
	r = b.do(http.MethodPost, "/v1/partnerships", pending.keys[passerelle.RoleAdviser], map[string]any{"siret": c.SIRET})
	requireStatus(t, http.StatusCreated, r)
	require.Equal(t, passerelle.PartnershipPending, r.json(t)["status"])

	ops := 0
	for path, item := range b.server.OpenAPI().Paths {
		for method, op := range operationsOf(item) {
			ops++
			name := method + " " + path
			if len(op.Security) == 0 {
				require.Contains(t, publicOperations, op.OperationID, "%s declares no security", name)
				continue
			}
			declared := op.Security[0][securityScheme]
			require.NotEmpty(t, declared, "%s declares the bearer scheme with no role", name)
			for _, r := range declared {
				require.Contains(t, passerelle.Roles, r, "%s declares unknown role %q", name, r)
			}

			ownPath := pathFor(t, path, a)
			body := bodyFor(t, method, op.OperationID, a)
			requireProblem(t, b.do(method, ownPath, "", body), http.StatusUnauthorized, "unauthorized")
			requireProblem(t, b.do(method, ownPath, revokedKey, body), http.StatusUnauthorized, "unauthorized")
			requireProblem(t, b.do(method, ownPath, "psl_garbage", body), http.StatusUnauthorized, "unauthorized")

			for _, role := range passerelle.Roles {
				key := a.keys[role]
				if !slices.Contains(declared, role) {
					requireProblem(t, b.do(method, ownPath, key, body), http.StatusForbidden, "forbidden")
					continue
				}
				if role != passerelle.RoleAdmin { // an admin has no other tenant
					foreign := b.do(method, pathFor(t, path, other), key, bodyFor(t, method, op.OperationID, other))
					require.Less(t, foreign.StatusCode, 500, "%s as %s on another tenant: %s", name, role, foreign.body)
					if strings.Contains(path, "{") {
						require.Equal(t, http.StatusNotFound, foreign.StatusCode,
							"%s as %s on another tenant's ids must be 404: %s", name, role, foreign.body)
					}
				}
				if pk := pending.keys[role]; pk != "" {
					requirePendingSeesNothing(t, b, method, name, op.OperationID, ownPath, pk, role, a)
				}
				if destructive[op.OperationID] {
					continue // would take tenant A's keys or partners away from the rest of the walk
				}
				ownBody := bodyFor(t, method, op.OperationID, a)
				if op.OperationID == "transition-proposal" && role == passerelle.RoleCompany {
					ownBody = map[string]any{"to": "declined_by_company", "reason": "security walk"} // the company's own move
				}
				if op.OperationID == "erase-trainee" {
					// Each erasure takes a trainee away: a fresh one per call.
					ownPath = "/v1/trainees/" + b.newTrainee(a, traineeIn(a)).String() + "/erasure"
				}
				own := b.do(method, ownPath, key, ownBody)
				require.Less(t, own.StatusCode, 500, "%s as %s: %s", name, role, own.body)
				require.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound}, own.StatusCode,
					"%s as %s on its own tenant's ids: %s", name, role, own.body)
			}
		}
	}
	require.Greater(t, ops, 10, "the walk saw the API's operations")
}

// requirePendingSeesNothing calls an operation, aimed at tenant a's objects,
// with the key of an organisation whose partnership with a's company is still
// pending: on a's ids it is 404; a write naming a's objects in its body is
// refused as not found (or, for an id in a body, invalid: "no trainee of
// yours has this id"), never done and never 403; a read answers but shows
// none of a's private ids.
func requirePendingSeesNothing(t *testing.T, b *bundle, method, name, opID, path, key, role string, a tenant) {
	t.Helper()
	body := bodyFor(t, method, opID, a)
	r := b.do(method, path, key, body)
	require.Less(t, r.StatusCode, 500, "%s as a pending %s: %s", name, role, r.body)
	switch {
	case strings.Contains(name, "{") && r.StatusCode == http.StatusForbidden && strings.HasPrefix(path, "/v1/offers/"+a.offer.String()):
		// The walk published A's offer: anyone reads it (public data), so a
		// change by whoever may not make it is 403, as for any reader.
		pub := b.do(http.MethodGet, "/v1/offers/"+a.offer.String(), key, nil)
		requireStatus(t, http.StatusOK, pub)
		require.Equal(t, "published", pub.json(t)["status"], "%s as a pending %s: 403 on an offer it may not read", name, role)
	case strings.Contains(name, "{") && r.StatusCode == http.StatusOK && method == http.MethodGet && path == "/v1/offers/"+a.offer.String():
		// The walk published A's offer (operations run in random order): a
		// published offer is public data, which a pending partner may read.
		require.Equal(t, "published", r.json(t)["status"], "%s as a pending %s: 200 on an offer that is not public", name, role)
	case strings.Contains(name, "{"):
		require.Equal(t, http.StatusNotFound, r.StatusCode, "%s as a pending %s on tenant A's ids must be 404: %s", name, role, r.body)
	case body != nil:
		sent := string(mustJSON(t, body))
		if strings.Contains(sent, a.company.String()) || strings.Contains(sent, a.org.String()) ||
			slices.ContainsFunc(a.privateIDs(), func(id uuid.UUID) bool { return strings.Contains(sent, id.String()) }) {
			require.Contains(t, []int{http.StatusNotFound, http.StatusUnprocessableEntity}, r.StatusCode,
				"%s as a pending %s naming tenant A's objects must be 404 (or 422 for a body id): %s", name, role, r.body)
		}
	default:
		private := a.privateIDs()
		if published(t, b, a.offer) { // the walk may have published A's draft: then anyone reads it
			private = slices.DeleteFunc(private, func(id uuid.UUID) bool { return id == a.offer })
		}
		for _, id := range private {
			require.NotContains(t, string(r.body), id.String(), "%s as a pending %s shows tenant A's %s", name, role, id)
		}
		if opID == "list-companies" || opID == "list-api-keys" {
			require.NotContains(t, string(r.body), a.company.String(), "%s as a pending %s shows tenant A's company", name, role)
		}
	}
}

// published reports whether the offer is published now.
func published(t *testing.T, b *bundle, offer uuid.UUID) bool {
	t.Helper()
	o, err := b.store.GetOffer(context.Background(), passerelle.System, offer)
	require.NoError(t, err)
	return o.Status == store.StatusPublished
}

// destructive operations are not replayed on tenant A's own objects.
var destructive = map[string]bool{"revoke-api-key": true, "delete-partnership": true, "delete-webhook": true,
	"refuse-partnership": true}

// operationsOf lists a path's operations by method.
func operationsOf(item *huma.PathItem) map[string]*huma.Operation {
	ops := map[string]*huma.Operation{}
	for method, op := range map[string]*huma.Operation{
		http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
		http.MethodPatch: item.Patch, http.MethodDelete: item.Delete,
	} {
		if op != nil {
			ops[method] = op
		}
	}
	return ops
}

func mustKeyID(t *testing.T, b *bundle, secret string) uuid.UUID {
	t.Helper()
	p, err := b.store.Authenticate(context.Background(), secret)
	require.NoError(t, err)
	return p.KeyID
}
