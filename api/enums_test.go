package api

import (
	"fmt"
	"sort"
	"strconv"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// specEnums returns every enum of the OpenAPI document, keyed by where it is:
// "Schema.property" (a property holding an array names its items) or
// "operationId?parameter".
func specEnums(oapi *huma.OpenAPI) map[string][]string {
	out := map[string][]string{}
	var walk func(key string, s *huma.Schema)
	walk = func(key string, s *huma.Schema) {
		if s == nil {
			return
		}
		if len(s.Enum) > 0 {
			values := make([]string, len(s.Enum))
			for i, v := range s.Enum {
				values[i] = fmt.Sprint(v) // a string, or a number (month)
			}
			out[key] = values
		}
		walk(key, s.Items)
		for name, p := range s.Properties {
			walk(key+"."+name, p)
		}
	}
	for name, s := range oapi.Components.Schemas.Map() {
		walk(name, s)
	}
	for _, item := range oapi.Paths {
		for _, op := range operationsOf(item) {
			for _, p := range op.Parameters {
				walk(op.OperationID+"?"+p.Name, p.Schema)
			}
		}
	}
	return out
}

// TestSpecEnumsAreTheGoLists compares every enum of the OpenAPI document
// with the Go list the rules use, value for value and in order: a `enum:`
// tag that drifts from its list, or a new enum nobody tied to one, fails.
func TestSpecEnumsAreTheGoLists(t *testing.T) {
	t.Parallel()
	b := setup(t)
	months := make([]string, len(store.FollowupMonths))
	for i, m := range store.FollowupMonths {
		months[i] = strconv.Itoa(m)
	}
	actorRoles := append(append([]string{}, passerelle.Roles...), store.RoleSystem)
	booleans := []string{"true", "false"} // a query parameter's three states: true, false, absent
	want := map[string][]string{
		"APIKey.role":                         passerelle.Roles,
		"APIKeyInput.role":                    passerelle.Roles,
		"CreatedAPIKey.role":                  passerelle.Roles,
		"Partnership.decided_by_role":         passerelle.Roles,
		"Partnership.status":                  passerelle.PartnershipStatuses,
		"list-partnerships?status":            passerelle.PartnershipStatuses,
		"Candidate.distance_band":             matching.DistanceBands,
		"CandidateSkill.evidence":             store.Evidences,
		"TraineeSkill.evidence":               store.Evidences,
		"Company.headcount_band":              store.HeadcountBands,
		"CompanyInput.headcount_band":         store.HeadcountBands,
		"Consent.scope":                       store.ConsentScopes,
		"ConsentInput.scope":                  store.ConsentScopes,
		"Followup.contract_type":              store.ContractTypes,
		"FollowupInput.contract_type":         store.ContractTypes,
		"Followup.month":                      months,
		"Followup.situation":                  store.Situations,
		"FollowupInput.situation":             store.Situations,
		"Job.kind":                            {"match_trainee"}, // the one job kind the API follows
		"Job.state":                           store.JobStates,
		"Offer.kind":                          store.OfferKinds,
		"OfferInput.kind":                     store.OfferKinds,
		"OfferSearchHit.kind":                 store.OfferKinds,
		"Placement.kind":                      store.OfferKinds,
		"TraineeProfileInput.wanted_kinds":    store.OfferKinds,
		"Offer.qualification_level":           store.QualificationLevels,
		"OfferInput.qualification_level":      store.QualificationLevels,
		"Offer.remote":                        store.RemoteModes,
		"OfferInput.remote":                   store.RemoteModes,
		"Offer.status":                        store.OfferStatuses,
		"list-offers?status":                  store.OfferStatuses,
		"OfferSearchHit.status":               store.OfferStatuses[:3], // what the index holds: never a final status
		"Organisation.kind":                   store.OrganisationKinds,
		"OrganisationInput.kind":              store.OrganisationKinds,
		"Placement.outcome":                   store.PlacementOutcomes,
		"PlacementEndInput.outcome":           store.PlacementOutcomes,
		"Proposal.origin":                     store.ProposalOrigins,
		"Proposal.status":                     store.ProposalStatuses,
		"TransitionInput.to":                  store.ProposalStatuses,
		"list-proposals?status":               store.ProposalStatuses,
		"ProposalTransition.actor_role":       actorRoles,
		"ProposalTransition.from":             store.ProposalStatuses,
		"ProposalTransition.to":               store.ProposalStatuses,
		"Reason.code":                         matching.ReasonCodes,
		"Notification.event_type":             store.EventTypes,
		"WebhookDelivery.event_type":          store.EventTypes,
		"Readiness.status":                    {"ready", "unavailable"}, // the API's own
		"Suggestion.status":                   store.ProposalStatuses[:2],
		"Trainee.status":                      store.TraineeStatuses,
		"Erasure.cause":                       store.ErasureCauses,
		"TraineeInput.status":                 store.TraineeStatuses,
		"list-trainees?status":                store.TraineeStatuses,
		"TraineeProfileInput.transport_modes": store.TransportModes,
		"Webhook.event_types":                 store.EventTypes,
		"WebhookInput.event_types":            store.EventTypes,
		"WebhookPatch.event_types":            store.EventTypes,
		"WebhookDelivery.status":              {store.DeliveryPending, store.DeliverySent, store.DeliveryFailed},
		"list-followups?pending":              booleans,
		"list-placements?ongoing":             booleans,
		"search-offers?disability_friendly":   booleans,
		"search-offers?open_to_minors":        booleans,
		"search-offers?sort":                  search.Sorts,
		"ShardStatus.status":                  search.ShardStates,
	}
	for _, schema := range []string{"Adviser", "AdviserInput"} {
		for _, e := range store.EventTypes {
			want[schema+".notification_preferences."+e] = store.Deliveries
		}
	}
	got := specEnums(b.server.OpenAPI())
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		w, ok := want[k]
		require.True(t, ok, "the spec's enum %s %v is tied to no Go list: add it here", k, got[k])
		require.Equal(t, w, got[k], "the spec's enum %s differs from its Go list", k)
	}
	for k := range want {
		require.Contains(t, got, k, "the spec no longer has the enum %s", k)
	}
}
