// Command journey walks the adviser's journey through the generated Go client
// (package client, from openapi/openapi-3.0.yaml): a partner company posts an
// offer, an adviser finds it by search, registers a trainee who consents to
// matching, takes the matcher's suggestion to a proposal, and the company
// answers it.
//
//	go run ./examples/go/journey -url http://localhost:8080 -key "$(cat .data/admin.key)"
//
// It needs an admin key (to create the organisation) and a running server
// with its worker (indexing and matching run in the background).
package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/passerelle-dev/passerelle/client"
)

func main() {
	base := flag.String("url", "http://localhost:8080", "Passerelle's base URL")
	key := flag.String("key", os.Getenv("PASSERELLE_ADMIN_KEY"), "an admin API key")
	flag.Parse()
	if err := journey(*base, *key); err != nil {
		fmt.Fprintln(os.Stderr, "journey:", err)
		os.Exit(1)
	}
}

func journey(base, key string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return run(ctx, base, key)
}

// as returns a client that sends key.
func as(base, key string) *client.ClientWithResponses {
	c, err := client.NewClientWithResponses(base, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+key)
		return nil
	}))
	if err != nil {
		panic(err) // only for a malformed base URL
	}
	return c
}

// expect is nil when the call succeeded with status; otherwise an error
// naming what, with the problem the server sent.
func expect[R interface{ StatusCode() int }](what string, status int, r R, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if r.StatusCode() != status {
		body := reflect.ValueOf(r).Elem().FieldByName("Body").Bytes() // every response keeps its Body
		return fmt.Errorf("%s: want %d, got %d: %s", what, status, r.StatusCode(), body)
	}
	fmt.Printf("%-34s %d\n", what, status)
	return nil
}

func run(ctx context.Context, base, adminKey string) error {
	admin := as(base, adminKey)
	org, err := admin.CreateOrganisationWithResponse(ctx, &client.CreateOrganisationParams{},
		client.OrganisationInput{Kind: "programme", Name: "Fabrique numérique (exemple Go)", Town: "Gonesse"})
	if err := expect("organisation", 201, org, err); err != nil {
		return err
	}
	orgID := org.JSON201.Id
	adv, err := admin.CreateAdviserWithResponse(ctx, orgID, &client.CreateAdviserParams{},
		client.AdviserInput{Name: "Samia Exemple", Email: openapi_types.Email(fmt.Sprintf("samia.%d@example.org", random(1e9)))})
	if err := expect("adviser", 201, adv, err); err != nil {
		return err
	}
	advKey, err := admin.CreateApiKeyWithResponse(ctx, &client.CreateApiKeyParams{}, client.APIKeyInput{Name: "Samia",
		Role: client.APIKeyInputRoleAdviser, OrganisationId: &orgID, AdviserId: &adv.JSON201.Id})
	if err := expect("adviser key", 201, advKey, err); err != nil {
		return err
	}
	adviser := as(base, advKey.JSON201.Key)

	// Offer: the adviser registers a partner company and posts on its behalf.
	co, err := adviser.CreateCompanyWithResponse(ctx, &client.CreateCompanyParams{}, client.CompanyInput{Siret: randomSIRET(),
		Name: "Boulangerie du Marché", Address: client.Address{Street: "1 rue de la Gare", PostalCode: "95500", Town: "Gonesse"}})
	if err := expect("company", 201, co, err); err != nil {
		return err
	}
	start := openapi_types.Date{Time: time.Now().AddDate(0, 0, 20)}
	offer, err := adviser.CreateOfferWithResponse(ctx, &client.CreateOfferParams{}, client.OfferInput{CompanyId: &co.JSON201.Id,
		Kind: client.OfferInputKindApprenticeship, Title: "Apprenti·e boulanger·ère", RomeCodes: []string{"D1102"},
		PostalCode: "95500", StartDate: &start, RequiredSkills: &[]string{"Hygiène alimentaire"}})
	if err := expect("offer (draft)", 201, offer, err); err != nil {
		return err
	}
	offerID := offer.JSON201.Id
	pub, err := adviser.PublishOfferWithResponse(ctx, offerID, &client.PublishOfferParams{})
	if err := expect("offer published", 200, pub, err); err != nil {
		return err
	}

	// Search: the offer reaches the index in the background.
	q, pc := "boulangier", "95500"
	found := false
	for i := 0; i < 100 && !found; i++ {
		res, err := adviser.SearchOffersWithResponse(ctx, &client.SearchOffersParams{Q: &q, PostalCode: &pc})
		if err := expect("search", 200, res, err); err != nil {
			return err
		}
		for _, hit := range res.JSON200.Items {
			found = found || hit.Id == offerID
		}
		if !found {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if !found {
		return errors.New("search: the offer was not found")
	}
	fmt.Printf("%-34s %s\n", "search finds it", "boulangier near 95500")

	// Trainee: registered with a profile, consenting to matching.
	email := openapi_types.Email("mia@example.org")
	tr, err := adviser.CreateTraineeWithResponse(ctx, orgID, &client.CreateTraineeParams{}, client.TraineeInput{
		ReferentId: adv.JSON201.Id,
		Identity: client.TraineeIdentity{FirstName: "Mia", LastName: "Exemple", Email: &email,
			BirthDate: openapi_types.Date{Time: time.Now().AddDate(-19, 0, 0)}},
		Profile: client.TraineeProfileInput{HomePostalCode: "95500", MobilityRadiusKm: 25,
			WantedKinds: &[]client.TraineeProfileInputWantedKinds{"apprenticeship"}, WantedRomeCodes: &[]string{"D1102"},
			Skills: &[]client.TraineeSkill{{Name: "hygiène alimentaire", Evidence: client.TraineeSkillEvidenceAdviserValidated}}},
	})
	if err := expect("trainee", 201, tr, err); err != nil {
		return err
	}
	traineeID := tr.JSON201.Id
	consent, err := adviser.RecordConsentWithResponse(ctx, traineeID, &client.RecordConsentParams{},
		client.ConsentInput{Scope: client.ConsentInputScopeMatching})
	if err := expect("consent to matching", 201, consent, err); err != nil {
		return err
	}

	// Suggestion: the matcher runs in the background.
	var proposalID openapi_types.UUID
	for i := 0; i < 100 && proposalID == (openapi_types.UUID{}); i++ {
		sg, err := adviser.ListSuggestionsWithResponse(ctx, traineeID)
		if err := expect("suggestions", 200, sg, err); err != nil {
			return err
		}
		for _, s := range sg.JSON200.Items {
			if s.Offer.Id == offerID {
				proposalID = s.ProposalId
				fmt.Printf("%-34s score %d, %d reasons\n", "suggestion", s.Score, len(s.Reasons))
			}
		}
		if proposalID == (openapi_types.UUID{}) {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if proposalID == (openapi_types.UUID{}) {
		return errors.New("suggestions: the offer was not suggested")
	}

	// Proposal: the adviser proposes the trainee to the company.
	reason := "Profil solide"
	mv, err := adviser.TransitionProposalWithResponse(ctx, proposalID, &client.TransitionProposalParams{},
		client.TransitionInput{To: client.TransitionInputToProposed, Reason: &reason})
	if err := expect("proposed to the company", 200, mv, err); err != nil {
		return err
	}

	// Company: it gets a key, sees a pseudonym, and invites to an interview.
	ck, err := adviser.CreateApiKeyWithResponse(ctx, &client.CreateApiKeyParams{}, client.APIKeyInput{Name: "Boulangerie",
		Role: client.APIKeyInputRoleCompany, CompanyId: &co.JSON201.Id})
	if err := expect("company key", 201, ck, err); err != nil {
		return err
	}
	company := as(base, ck.JSON201.Key)
	p, err := company.GetProposalWithResponse(ctx, proposalID)
	if err := expect("the company reads the proposal", 200, p, err); err != nil {
		return err
	}
	if p.JSON200.Candidate.Identity != nil || p.JSON200.TraineeId != nil {
		return errors.New("the company sees the trainee's identity without consent")
	}
	fmt.Printf("%-34s %s\n", "candidate", p.JSON200.Candidate.Pseudonym)
	iv, err := company.TransitionProposalWithResponse(ctx, proposalID, &client.TransitionProposalParams{},
		client.TransitionInput{To: client.TransitionInputToInterview})
	if err := expect("the company invites to an interview", 200, iv, err); err != nil {
		return err
	}
	return nil
}

// random is a number in [0, n).
func random(n uint64) uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) % n
}

// randomSIRET is a SIRET that passes the Luhn check, new on each run.
func randomSIRET() string {
	digits := strconv.FormatUint(1e12+random(9e12), 10)[:13]
	for c := 0; c <= 9; c++ {
		s := digits + strconv.Itoa(c)
		sum := 0
		for i := range 14 {
			d := int(s[i] - '0')
			if i%2 == 0 {
				if d *= 2; d > 9 {
					d -= 9
				}
			}
			sum += d
		}
		if sum%10 == 0 && s[:9] != "356000000" {
			return s
		}
	}
	return ""
}
