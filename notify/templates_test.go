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
	{Type: "proposal.created", Payload: map[string]any{"proposal_id": "5f0e…", "offer_title": "Apprenti boulanger (H/F)", "company_name": "Boulangerie du Vieux Gonesse", "town": "Gonesse", "score": 87}},
	{Type: "proposal.status_changed", Payload: map[string]any{"proposal_id": "5f0e…", "offer_title": "Apprenti boulanger (H/F)", "from_status": "proposed", "to_status": "interview"}},
	{Type: "placement.started", Payload: map[string]any{"placement_id": "9a1c…", "offer_title": "Technicien fibre optique", "kind": "apprenticeship", "start_date": "2027-09-01", "end_date": "2029-08-31"}},
	{Type: "placement.ended", Payload: map[string]any{"placement_id": "9a1c…", "offer_title": "Technicien fibre optique", "end_date": "2029-08-31", "outcome": "completed"}},
	{Type: "followup.due", Payload: map[string]any{"trainee_id": "c3d4…", "months": 3, "due_date": "2027-06-15"}},
	{Type: "offer.published", Payload: map[string]any{"offer_id": "2e09…", "title": "Apprenti boulanger (H/F)", "kind": "apprenticeship", "town": "Gonesse", "expires_at": "2027-05-01T08:00:00Z"}},
	{Type: "offer.expiring", Payload: map[string]any{"offer_id": "2e09…", "title": "Apprenti boulanger (H/F)", "town": "Gonesse", "expires_at": "2027-05-01T08:00:00Z"}},
	{Type: "trainee.erased", Payload: map[string]any{"trainee_id": "c3d4…"}},
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
		m, err := tpl.Event(Data{RecipientName: "Samia Benali", Event: e})
		require.NoError(t, err)
		require.NotContains(t, m.Text, "<no value>", e.Type)
		golden(t, "fr/"+e.Type+".txt", show(m))
	}
	var items []DigestItem
	for i, e := range samples[:3] {
		e.OccurredAt = sampleTime.Add(time.Duration(i) * time.Hour)
		items = append(items, DigestItem{Event: e})
	}
	m, err := tpl.Digest(Data{RecipientName: "Samia Benali", Items: items, Day: sampleTime})
	require.NoError(t, err)
	golden(t, "fr/digest.txt", show(m))
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
