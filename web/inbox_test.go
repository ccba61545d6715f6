package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/webtest"
)

// fanOutAll fans out every event not fanned out yet, as the fan-out job does
// (same store function, same French titles), and returns how many inbox
// notifications it wrote.
func fanOutAll(t *testing.T, e *webtest.Env) int {
	t.Helper()
	tpl, err := notify.NewTemplates(notify.DefaultLocale)
	require.NoError(t, err)
	rows, err := e.Store.Pool().Query(t.Context(), `SELECT id FROM events ORDER BY occurred_at, id`)
	require.NoError(t, err)
	var ids []uuid.UUID
	for rows.Next() {
		var id uuid.UUID
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	n := 0
	for _, id := range ids {
		res, err := e.Store.FanOut(t.Context(), id, store.FanOutOptions{Render: func(ev store.Event) (string, string) {
			title, summary, err := tpl.Summary(notify.Event{ID: ev.ID.String(), Type: ev.Type, OccurredAt: ev.OccurredAt, Payload: ev.Payload})
			require.NoError(t, err)
			return title, summary
		}}, nil)
		require.NoError(t, err)
		n += res.Inbox
	}
	return n
}

// TestInbox: a proposal's notification is in the adviser's inbox with a
// link to the proposal's page, the same link as its email; marking it read
// moves it out of the unread list; another adviser's notification is 404.
func TestInbox(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	proposeOne(t, e, webtest.GonesseAdviser)
	require.Positive(t, fanOutAll(t, e), "the proposal notifies its referent")
	p := adviserOf(t, e, webtest.GonesseAdviser)
	items, _, err := e.Store.ListNotifications(t.Context(), p, store.NotificationFilter{Unread: true}, store.Page{Limit: 10})
	require.NoError(t, err)
	require.NotEmpty(t, items)
	first := items[0]

	e.SignIn(webtest.GonesseAdviser)
	e.ClickAndWait(`nav a[href="/console/inbox"]`)
	require.Equal(t, "Notifications", e.H1())
	require.Contains(t, e.Text("main"), first.Title)
	link := passerelle.ConsolePath(first.EventType, first.Payload)
	require.NotEqual(t, "/console/inbox", link, "a proposal's notification links to its subject")
	require.GreaterOrEqual(t, webtest.Run(e, chromedpCount(`.inbox a[href="`+link+`"]`)), 1)
	e.Axe()
	e.Screenshot("inbox")

	e.Visit("/console/inbox?non-lues=1")
	before, err := e.Store.CountUnread(t.Context(), p)
	require.NoError(t, err)
	e.ClickAndWait(`.inbox li form button`)
	require.Equal(t, "/console/inbox?non-lues=1", e.Path(), "back to the list it was marked from")
	after, err := e.Store.CountUnread(t.Context(), p)
	require.NoError(t, err)
	require.Equal(t, before-1, after, "the button marked one notification read")

	other := e.SessionClient(webtest.GonesseAdviser2)
	resp, _ := e.Post(other, "/console/inbox/"+first.ID.String()+"/read", url.Values{}, "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode, "another adviser's notification is not theirs")
	resp, _ = e.Post(other, "/console/inbox/pas-un-id/read", url.Values{}, "")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = e.Get(e.Client(), "/console/inbox")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed out goes to sign in")
}

// TestInboxEmpty shows the empty state.
func TestInboxEmpty(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	e.SignIn(webtest.NormandyAdviser)
	e.Visit("/console/inbox")
	require.Contains(t, e.Text("main"), "Aucune notification.")
	e.Axe()
}

// TestPreferences saves a choice through the store function of
// PUT /v1/advisers/{id} and shows it again; an unknown delivery is said in
// French next to the form.
func TestPreferences(t *testing.T) {
	t.Parallel()
	e := webtest.New(t)
	e.SignIn(webtest.GonesseAdviser)
	e.Visit("/console/preferences")
	require.Equal(t, "Préférences de notification", e.H1())
	e.Do(chromedp.Click(chromedp.CSS(`input[name="notification_preferences.proposal.created"][value="daily_digest"]`)))
	e.ClickAndWait(`button[type="submit"]:not(.link)`)
	require.Contains(t, e.Text("main"), "Vos préférences sont enregistrées.")
	p := adviserOf(t, e, webtest.GonesseAdviser)
	a, err := e.Store.GetAdviser(t.Context(), p, p.AdviserID)
	require.NoError(t, err)
	require.Equal(t, store.DeliveryDailyDigest, a.NotificationPreferences.For("proposal.created"))
	require.Equal(t, store.DeliveryInstant, a.NotificationPreferences.For("followup.due"))
	e.Axe()
	e.Screenshot("preferences")

	c := e.SessionClient(webtest.GonesseAdviser)
	resp, body := e.Post(c, "/console/preferences", url.Values{"notification_preferences.followup.due": {"parfois"}}, "")
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "notification")
	require.NotContains(t, body, "body.")
}
