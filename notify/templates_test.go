package notify

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// samples are the events the golden files show, one per event type (and one
// type without a template of its own).
var samples = []Event{
	{Type: "proposal.created", Payload: map[string]any{"proposal_id": "5f0e2c1a-7b3d-4e8f-9a60-1c2d3e4f5a6b", "offer_title": "Apprenti boulanger (H/F)", "company_name": "Boulangerie du Vieux Gonesse", "town": "Gonesse", "score": 87}},
	{Type: "proposal.status_changed", Payload: map[string]any{"proposal_id": "5f0e2c1a-7b3d-4e8f-9a60-1c2d3e4f5a6b", "offer_title": "Apprenti boulanger (H/F)", "from_status": "proposed", "to_status": "interview"}},
	{Type: "placement.started", Payload: map[string]any{"placement_id": "9a1c4d2e-3f5a-4b6c-8d7e-9f0a1b2c3d4e", "trainee_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", "offer_title": "Technicien fibre optique", "kind": "apprenticeship", "start_date": "2027-09-01", "end_date": "2029-08-31"}},
	{Type: "placement.ended", Payload: map[string]any{"placement_id": "9a1c4d2e-3f5a-4b6c-8d7e-9f0a1b2c3d4e", "trainee_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", "offer_title": "Technicien fibre optique", "end_date": "2029-08-31", "outcome": "completed"}},
	{Type: "followup.due", Payload: map[string]any{"trainee_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", "months": 3, "due_date": "2027-06-15"}},
	{Type: "offer.published", Payload: map[string]any{"offer_id": "2e09b7c8-d9e0-4f1a-8b2c-3d4e5f6a7b8c", "company_id": "7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a", "title": "Apprenti boulanger (H/F)", "kind": "apprenticeship", "town": "Gonesse", "expires_at": "2027-05-01T08:00:00Z"}},
	{Type: "offer.expiring", Payload: map[string]any{"offer_id": "2e09b7c8-d9e0-4f1a-8b2c-3d4e5f6a7b8c", "company_id": "7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a", "title": "Apprenti boulanger (H/F)", "town": "Gonesse", "expires_at": "2027-05-01T08:00:00Z"}},
	{Type: "trainee.erased", Payload: map[string]any{"trainee_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f"}},
	{Type: "cohort.started", Payload: map[string]any{}},
}

var sampleTime = time.Date(2027, 3, 2, 13, 5, 0, 0, time.UTC)

func golden(t *testing.T, name string, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file: run go test ./notify -update")
	require.Equal(t, string(want), got, "%s differs: review, then go test ./notify -update", path)
}

func show(m Message) string {
	return "Subject: " + m.Subject + "\n\n" + m.Text + "\n----- HTML -----\n" + m.HTML
}

func TestTemplatesGolden(t *testing.T) {
	t.Parallel()
	tpl, err := NewTemplates(DefaultLocale)
	require.NoError(t, err)
	for _, e := range samples {
		e.OccurredAt = sampleTime
		m, err := tpl.Event(Data{RecipientName: "Samia Benali", BaseURL: "https://passerelle.example.org", Event: e})
		require.NoError(t, err)
		require.NotContains(t, m.Text, "<no value>", e.Type)
		golden(t, "fr/"+e.Type+".txt", show(m))
	}
	var items []DigestItem
	for i, e := range samples[:3] {
		e.OccurredAt = sampleTime.Add(time.Duration(i) * time.Hour)
		items = append(items, DigestItem{Event: e})
	}
	m, err := tpl.Digest(Data{RecipientName: "Samia Benali", BaseURL: "https://passerelle.example.org", Items: items, Day: sampleTime})
	require.NoError(t, err)
	golden(t, "fr/digest.txt", show(m))

	// A company's recipient gets the company's templates, linking to its space
	// and never to a trainee.
	for _, e := range companySamples {
		e.OccurredAt = sampleTime
		m, err := tpl.Event(Data{BaseURL: "https://passerelle.example.org", Event: e, Company: true})
		require.NoError(t, err)
		require.NotContains(t, m.Text, "<no value>", e.Type)
		require.Contains(t, m.Text, "https://passerelle.example.org/console/company/proposals/5f0e2c1a-7b3d-4e8f-9a60-1c2d3e4f5a6b")
		require.NotContains(t, m.Text, "c3d4e5f6", "no trainee id")
		golden(t, "fr/company."+e.Type+".txt", show(m))
	}
}

// companySamples are the events a company's users are emailed about with a
// template of their own.
var companySamples = []Event{
	{Type: "proposal.status_changed", Payload: map[string]any{"proposal_id": "5f0e2c1a-7b3d-4e8f-9a60-1c2d3e4f5a6b", "trainee_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", "offer_title": "Apprenti boulanger (H/F)", "from": "shortlisted", "to": "proposed"}},
	{Type: "proposal.expiring", Payload: map[string]any{"proposal_id": "5f0e2c1a-7b3d-4e8f-9a60-1c2d3e4f5a6b", "trainee_id": "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f", "offer_title": "Apprenti boulanger (H/F)", "status": "proposed", "expires_at": "2027-03-16T13:05:00Z"}},
}

func TestHTMLEscapesPayloads(t *testing.T) {
	t.Parallel()
	tpl := MustTemplates(DefaultLocale)
	m, err := tpl.Event(Data{Event: Event{Type: "proposal.created", OccurredAt: sampleTime,
		Payload: map[string]any{"offer_title": `<script>alert("x")</script>`}}})
	require.NoError(t, err)
	require.NotContains(t, m.HTML, "<script>")
	require.Contains(t, m.HTML, "&lt;script&gt;")
}

func TestUnknownLocale(t *testing.T) {
	t.Parallel()
	_, err := NewTemplates("xx")
	require.Error(t, err)
}
