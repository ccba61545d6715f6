package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// deliveryLabels are the deliveries in people's words.
var deliveryLabels = map[string]string{
	store.DeliveryInstant:     "Tout de suite",
	store.DeliveryDailyDigest: "Dans le résumé quotidien",
	store.DeliveryOff:         "Jamais",
}

// preferencesPage is the data of templates/preferences.html.
type preferencesPage struct {
	Rows   []preferenceRow
	Errors form.Errors
}

// preferenceRow is one event type and its choice.
type preferenceRow struct {
	Event, Label, Chosen string
	Choices              []choice
}

type choice struct{ Value, Label string }

func preferenceRows(p store.NotificationPreferences) []preferenceRow {
	var rows []preferenceRow
	for _, e := range store.EventTypes {
		row := preferenceRow{Event: e, Label: notify.EventLabel(e), Chosen: p.For(e)}
		for _, d := range store.Deliveries {
			row.Choices = append(row.Choices, choice{d, deliveryLabels[d]})
		}
		rows = append(rows, row)
	}
	return rows
}

// preferencesShow shows how each event type reaches the adviser: at once,
// in the daily digest, or not at all.
func (h *Handler) preferencesShow(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	a, err := h.deps.Store.GetAdviser(r.Context(), p, p.AdviserID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	flash := ""
	if r.URL.Query().Get("enregistre") != "" {
		flash = "Vos préférences sont enregistrées."
	}
	h.render(w, r, http.StatusOK, "preferences", page{Title: "Préférences de notification", Nav: "inbox", Flash: flash,
		Data: preferencesPage{Rows: preferenceRows(a.NotificationPreferences)}})
}

// preferencesSave saves the choices through the store function of
// PUT /v1/advisers/{id}, keeping the adviser's name and email.
func (h *Handler) preferencesSave(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	f := form.Read(r)
	a, err := h.deps.Store.GetAdviser(r.Context(), p, p.AdviserID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	prefs := store.NotificationPreferences{}
	for _, e := range store.EventTypes {
		if v := f.String("notification_preferences." + e); v != "" {
			prefs[e] = v
		}
	}
	_, err = h.deps.Store.UpdateAdviser(r.Context(), p, a.ID, &a.Version,
		store.AdviserInput{Name: a.Name, Email: a.Email, NotificationPreferences: prefs})
	if errs, ok := form.ErrorsOf(err); ok {
		h.render(w, r, http.StatusUnprocessableEntity, "preferences", page{Title: "Préférences de notification", Nav: "inbox",
			Data: preferencesPage{Rows: preferenceRows(prefs), Errors: errs}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/preferences?enregistre=1", http.StatusSeeOther)
}
