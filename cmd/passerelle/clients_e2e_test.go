package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle/client"
	"github.com/passerelle-dev/passerelle/reference"
)

// The generated clients (client/, generated from the committed specs; `make
// test` checks they are current) drive a real Passerelle: the README's guided
// tour through the Go client, and the examples' adviser journey as an
// integrator runs them — the Go program built with go, the TypeScript one
// compiled with the pinned tsc and run with node.

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../.."

// clientAs is a generated client that sends key.
func clientAs(t *testing.T, base, key string) *client.ClientWithResponses {
	t.Helper()
	c, err := client.NewClientWithResponses(base, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+key)
		return nil
	}))
	require.NoError(t, err)
	return c
}

// TestREADMETourThroughTheGoClient runs the README's guided tour, steps 1 to
// 9 (the ones that do not need the demo data), through the generated Go client.
func TestREADMETourThroughTheGoClient(t *testing.T) {
	t.Parallel()
	tm := startMain(t, setupOpts{})
	ctx := t.Context()
	admin := clientAs(t, tm.BaseURL, tm.adminKey(t))

	// 1. an organisation (admin)
	org, err := admin.CreateOrganisationWithResponse(ctx, &client.CreateOrganisationParams{},
		client.OrganisationInput{Kind: "programme", Name: "Fabrique numérique de Gonesse", Town: "Gonesse"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, org.StatusCode(), "%s", org.Body)
	orgID := org.JSON201.Id

	// 2. an adviser and an adviser key
	adv, err := admin.CreateAdviserWithResponse(ctx, orgID, &client.CreateAdviserParams{},
		client.AdviserInput{Name: "Samia Benali", Email: "samia.benali@fabrique-gonesse.example"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, adv.StatusCode(), "%s", adv.Body)
	ak, err := admin.CreateApiKeyWithResponse(ctx, &client.CreateApiKeyParams{}, client.APIKeyInput{Name: "Samia's laptop",
		Role: client.APIKeyInputRoleAdviser, OrganisationId: &orgID, AdviserId: &adv.JSON201.Id})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, ak.StatusCode(), "%s", ak.Body)
	require.True(t, strings.HasPrefix(ak.JSON201.Key, "psl_"))
	adviser := clientAs(t, tm.BaseURL, ak.JSON201.Key)

	// 3. the adviser registers a partner company and issues its key
	co, err := adviser.CreateCompanyWithResponse(ctx, &client.CreateCompanyParams{}, client.CompanyInput{
		Siret: reference.CompleteSIRET("9876543210001"), Name: "Boulangerie du Vieux Gonesse",
		Address: client.Address{Street: "3 rue de Paris", PostalCode: "95500", Town: "Gonesse"}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, co.StatusCode(), "%s", co.Body)
	ck, err := adviser.CreateApiKeyWithResponse(ctx, &client.CreateApiKeyParams{}, client.APIKeyInput{Name: "Boulangerie",
		Role: client.APIKeyInputRoleCompany, CompanyId: &co.JSON201.Id})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, ck.StatusCode(), "%s", ck.Body)
	company := clientAs(t, tm.BaseURL, ck.JSON201.Key)
	self, err := company.GetCompanyWithResponse(ctx, co.JSON201.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, self.StatusCode(), "the company reads itself")
	forbidden, err := company.ListCohortsWithResponse(ctx, orgID, &client.ListCohortsParams{})
	require.NoError(t, err)
	require.Equal(t, http.StatusForbidden, forbidden.StatusCode())
	require.NotNil(t, forbidden.ApplicationproblemJSON403, "a typed problem")
	require.Equal(t, "urn:passerelle:problem:forbidden", forbidden.ApplicationproblemJSON403.Type)

	// 4. a cohort
	cohort := func(name string, key *string) *client.CreateCohortResponse {
		t.Helper()
		track := "Développeur web"
		r, err := adviser.CreateCohortWithResponse(ctx, orgID, &client.CreateCohortParams{IdempotencyKey: key}, client.CohortInput{
			Name: name, Track: &track, Capacity: 12,
			StartDate: openapi_types.Date{Time: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)},
			EndDate:   openapi_types.Date{Time: time.Date(2027, 7, 31, 0, 0, 0, 0, time.UTC)}})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, r.StatusCode(), "%s", r.Body)
		return r
	}
	spring := cohort("Promo printemps", nil)

	// 5. pagination: an absolute Link and next_cursor
	cohort("Promo été", nil)
	cohort("Promo automne", nil)
	limit := int64(2)
	page, err := adviser.ListCohortsWithResponse(ctx, orgID, &client.ListCohortsParams{Limit: &limit})
	require.NoError(t, err)
	require.Len(t, page.JSON200.Items, 2)
	require.NotNil(t, page.JSON200.NextCursor)
	require.Contains(t, page.HTTPResponse.Header.Get("Link"), "<"+tm.Config.PublicBaseURL+"/v1/organisations/"+orgID.String()+"/cohorts?")
	next, err := adviser.ListCohortsWithResponse(ctx, orgID, &client.ListCohortsParams{Limit: &limit, Cursor: page.JSON200.NextCursor})
	require.NoError(t, err)
	require.Len(t, next.JSON200.Items, 1)
	require.Nil(t, next.JSON200.NextCursor, "the last page")

	// 6. a stale If-Match
	etag := spring.HTTPResponse.Header.Get("ETag")
	require.Equal(t, `"1"`, etag)
	in := client.CohortInput{Name: "Promo printemps 2027", Capacity: 14, StartDate: spring.JSON201.StartDate, EndDate: spring.JSON201.EndDate}
	first, err := adviser.ReplaceCohortWithResponse(ctx, spring.JSON201.Id, &client.ReplaceCohortParams{IfMatch: &etag}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, first.StatusCode(), "%s", first.Body)
	stale, err := adviser.ReplaceCohortWithResponse(ctx, spring.JSON201.Id, &client.ReplaceCohortParams{IfMatch: &etag}, in)
	require.NoError(t, err)
	require.Equal(t, http.StatusPreconditionFailed, stale.StatusCode())
	require.Equal(t, "urn:passerelle:problem:precondition_failed", stale.ApplicationproblemJSON412.Type)

	// 7. a replayed POST
	key := "tour-" + orgID.String()
	created := cohort("Promo hiver", &key)
	replayed := cohort("Promo hiver", &key)
	require.Equal(t, "true", replayed.HTTPResponse.Header.Get("Idempotent-Replayed"))
	require.Equal(t, created.JSON201.Id, replayed.JSON201.Id)
	location := created.HTTPResponse.Header.Get("Location")
	require.Equal(t, tm.Config.PublicBaseURL+"/v1/cohorts/"+created.JSON201.Id.String(), location, "an absolute Location")
	require.Equal(t, location, replayed.HTTPResponse.Header.Get("Location"))

	// 8. the company posts an offer (geocoded from its postal code) and publishes it
	start := openapi_types.Date{Time: time.Date(2027, 9, 1, 0, 0, 0, 0, time.UTC)}
	offer, err := company.CreateOfferWithResponse(ctx, &client.CreateOfferParams{}, client.OfferInput{
		Kind: client.OfferInputKindApprenticeship, Title: "Apprenti boulanger (H/F)", RomeCodes: []string{"D1102"},
		PostalCode: "95500", StartDate: &start})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, offer.StatusCode(), "%s", offer.Body)
	require.Equal(t, "Gonesse", offer.JSON201.Town)
	require.Equal(t, []string{"Boulangerie - viennoiserie"}, offer.JSON201.RomeLabels)
	pub, err := company.PublishOfferWithResponse(ctx, offer.JSON201.Id, &client.PublishOfferParams{})
	require.NoError(t, err)
	require.Equal(t, client.OfferStatusPublished, pub.JSON200.Status)

	// 9. an adviser searches apprenticeships near Gonesse (typo included)
	q, pc, radius := "boulangier", "95500", int64(20)
	kinds := []string{"apprenticeship"}
	eventually(t, 20*time.Second, "the offer is found", func() bool {
		res, err := adviser.SearchOffersWithResponse(ctx, &client.SearchOffersParams{Q: &q, PostalCode: &pc, RadiusKm: &radius, Kinds: &kinds})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode(), "%s", res.Body)
		return len(res.JSON200.Items) == 1 && res.JSON200.Items[0].Id == offer.JSON201.Id
	})
}

// TestExamplesRunAgainstARealServer builds and runs examples/go/journey and
// examples/ts/journey.ts against a running Passerelle.
func TestExamplesRunAgainstARealServer(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(repoRoot)
	require.NoError(t, err)
	npm := filepath.Join(root, ".data", "npm", "node_modules")
	tsc := filepath.Join(npm, ".bin", "tsc")
	_, err = os.Stat(tsc)
	require.NoError(t, err, "tsc comes from tools/npm, installed by `make test` (scripts/stack.sh) into .data/npm")
	tm := startMain(t, setupOpts{})
	key := tm.adminKey(t)
	dir := t.TempDir()

	runCmd := func(name string, args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "NODE_PATH="+npm)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s %s:\n%s", name, strings.Join(args, " "), out)
		return string(out)
	}
	t.Run("go", func(t *testing.T) {
		t.Parallel()
		bin := filepath.Join(dir, "journey")
		runCmd("go", "build", "-o", bin, "./examples/go/journey")
		out := runCmd(bin, "-url", tm.BaseURL, "-key", key)
		require.Contains(t, out, "suggestion")
		require.Regexp(t, `the company invites to an interview +200`, out)
	})
	t.Run("typescript", func(t *testing.T) {
		t.Parallel()
		outDir := filepath.Join(dir, "ts")
		runCmd(tsc, "-p", "examples/ts", "--outDir", outDir)
		out := runCmd("node", filepath.Join(outDir, "journey.js"), tm.BaseURL, key)
		require.Contains(t, out, "suggestion")
		require.Regexp(t, `the company invites to an interview +200`, out)
	})
}
