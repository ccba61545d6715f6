package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// situationLabels name the follow-up situations in people's words.
var situationLabels = map[string]string{
	store.SituationEmployed:   "En emploi",
	store.SituationTraining:   "En formation",
	store.SituationJobSeeking: "En recherche d'emploi",
	store.SituationNoContact:  "Pas de nouvelles",
}

// contractLabels name the contract types in people's words.
var contractLabels = map[string]string{
	"cdi": "CDI", "cdd": "CDD", "interim": "Intérim", "apprenticeship": "Contrat d'apprentissage",
	"professionalisation": "Contrat de professionnalisation", "other": "Autre",
}

// followupsPage is the data of templates/followups.html.
type followupsPage struct {
	Items []followupItem
	Pager pager
}

type followupItem struct {
	store.FollowupCard
	Overdue bool
}

// followups lists the follow-ups due and overdue in the organisation.
func (h *Handler) followups(w http.ResponseWriter, r *http.Request) {
	pg, err := readPager(r, "followups-due")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, next, err := h.deps.Store.ListDueFollowups(r.Context(), principal(r), pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := followupsPage{Pager: pg.Next(r, next)}
	now := h.deps.Now()
	for _, f := range items {
		data.Items = append(data.Items, followupItem{f, f.Overdue(now)})
	}
	h.render(w, r, http.StatusOK, "followups", page{Title: "Suivis", Nav: "followups", Flash: flashOf(r), Data: data})
}

// followupForm is the data of templates/followup_record.html.
type followupForm struct {
	Followup    store.Followup
	TraineeName string
	Situations  []option
	Contracts   []option
	Values      store.FollowupInput
	Errors      form.Errors
}

type option struct{ Value, Label string }

func optionsOf(values []string, labels map[string]string) []option {
	out := make([]option, len(values))
	for i, v := range values {
		out[i] = option{v, labels[v]}
	}
	return out
}

// followupShow shows the form that records a follow-up's outcome.
func (h *Handler) followupShow(w http.ResponseWriter, r *http.Request) {
	f, name, err := h.followupOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	in := store.FollowupInput{Note: f.Note}
	if f.Situation != nil {
		in.Situation = *f.Situation
	}
	if f.ContractType != nil {
		in.ContractType = *f.ContractType
	}
	h.renderFollowupForm(w, r, http.StatusOK, followupForm{Followup: f, TraineeName: name, Values: in})
}

// followupRecord records the outcome through the store's RecordFollowup
// (the API's); its field errors come back next to the fields, in French.
func (h *Handler) followupRecord(w http.ResponseWriter, r *http.Request) {
	f, name, err := h.followupOf(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	fm := form.Read(r)
	in := store.FollowupInput{Situation: fm.String("situation"), ContractType: fm.String("contract_type"), Note: fm.String("note")}
	version := fm.Int("version")
	err = fm.Err()
	if err == nil {
		_, err = h.deps.Store.RecordFollowup(r.Context(), principal(r), f.ID, &version, in)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		h.renderFollowupForm(w, r, http.StatusUnprocessableEntity, followupForm{Followup: f, TraineeName: name, Values: in, Errors: errs})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/followups?"+url.Values{"fait": {"enregistre"}}.Encode(), http.StatusSeeOther)
}

// followupOf reads the follow-up of the path and its trainee's name, as the
// principal may see them.
func (h *Handler) followupOf(r *http.Request) (store.Followup, string, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return store.Followup{}, "", passerelle.Errorf(passerelle.ENotFound, "Follow-up not found.")
	}
	p := principal(r)
	f, err := h.deps.Store.GetFollowup(r.Context(), p, id)
	if err != nil {
		return f, "", err
	}
	t, err := h.deps.Store.GetTrainee(r.Context(), p, f.TraineeID)
	if err != nil {
		return f, "", err
	}
	return f, t.Identity.FirstName + " " + t.Identity.LastName, nil
}

func (h *Handler) renderFollowupForm(w http.ResponseWriter, r *http.Request, status int, data followupForm) {
	data.Situations = optionsOf(store.Situations, situationLabels)
	data.Contracts = optionsOf(store.ContractTypes, contractLabels)
	h.render(w, r, status, "followup_record", page{Title: "Suivi à " + strconv.Itoa(data.Followup.Month) + " mois de " + data.TraineeName,
		Nav: "followups", Data: data})
}
