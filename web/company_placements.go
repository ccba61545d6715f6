package web

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// goingLabels say how a placement is going, in the company's words.
var goingLabels = map[string]string{
	store.GoingWell:                "Bien",
	store.GoingSomeDifficulties:    "Quelques difficultés",
	store.GoingSeriousDifficulties: "De sérieuses difficultés",
}

func init() {
	funcs["goingLabel"] = func(s string) string { return goingLabels[s] }
}

// companyPlacementsPage is the data of templates/company_placements.html.
type companyPlacementsPage struct {
	Items []store.Placement
	Pager pager
}

// companyPlacements lists the company's placements (its trainees known by
// pseudonym), ongoing ones first as the store orders them.
func (h *Handler) companyPlacements(w http.ResponseWriter, r *http.Request) {
	pg, err := readPager(r, "placements")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, next, err := h.deps.Store.ListPlacements(r.Context(), principal(r), store.PlacementFilter{}, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "company_placements", page{Title: "Stages et contrats", Nav: "company-placements",
		Data: companyPlacementsPage{Items: items, Pager: pg.Next(r, next)}})
}

// companyPlacementPage is the data of templates/company_placement.html.
type companyPlacementPage struct {
	P       store.Placement
	Answers []store.PlacementCheckin
	Due     []int // months whose questions are due
	Goings  []string
	Errors  form.Errors
}

// parisDay is now's date in Paris, at midnight UTC, as the database's dates
// read.
func parisDay(now time.Time) time.Time {
	y, m, d := now.In(Paris).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// companyPlacement shows a placement: confirm its start date, answer the
// programme's questions at 1, 3 and 6 months.
func (h *Handler) companyPlacement(w http.ResponseWriter, r *http.Request) {
	d, err := h.placementPage(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	flash := map[string]string{"debut": "La date de début est confirmée.", "suivi": "Merci, votre réponse est transmise au référent."}[r.URL.Query().Get("ok")]
	h.render(w, r, http.StatusOK, "company_placement", page{Title: d.P.OfferTitle, Nav: "company-placements", Flash: flash, Data: d})
}

func (h *Handler) placementPage(r *http.Request) (companyPlacementPage, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return companyPlacementPage{}, passerelle.Errorf(passerelle.ENotFound, "no such placement")
	}
	p := principal(r)
	l, err := h.deps.Store.GetPlacement(r.Context(), p, id)
	if err != nil {
		return companyPlacementPage{}, err
	}
	answers, err := h.deps.Store.ListPlacementCheckins(r.Context(), p, id)
	if err != nil {
		return companyPlacementPage{}, err
	}
	d := companyPlacementPage{P: l, Answers: answers, Goings: store.GoingAnswers, Errors: form.Errors{},
		Due: store.DueCheckins(l, answers, parisDay(h.deps.Now()))}
	return d, nil
}

// companyPlacementStart confirms the start date (the one shown, or another
// one typed), through the store's UpdatePlacement.
func (h *Handler) companyPlacementStart(w http.ResponseWriter, r *http.Request) {
	d, err := h.placementPage(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := form.Read(r)
	version := f.Int("version")
	in := store.PlacementUpdate{StartDate: f.DatePtr("start_date"), ConfirmStart: true}
	err = f.Err()
	if err == nil {
		_, err = h.deps.Store.UpdatePlacement(r.Context(), principal(r), d.P.ID, &version, in)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		d.Errors = errs
		h.render(w, r, http.StatusUnprocessableEntity, "company_placement", page{Title: d.P.OfferTitle, Nav: "company-placements", Data: d})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/company/placements/"+d.P.ID.String()+"?ok=debut", http.StatusSeeOther) //nolint:gosec // G710: our own path and the stored placement's id
}

// companyPlacementCheckin records the company's answer to a due question.
func (h *Handler) companyPlacementCheckin(w http.ResponseWriter, r *http.Request) {
	d, err := h.placementPage(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := form.Read(r)
	in := store.CheckinInput{Month: f.Int("month"), Going: f.String("going"), Note: f.String("note")}
	switch f.String("still_there") {
	case "oui":
		in.StillThere = ptr(true)
	case "non":
		in.StillThere = ptr(false)
	}
	err = f.Err()
	if err == nil {
		_, err = h.deps.Store.AnswerPlacementCheckin(r.Context(), principal(r), d.P.ID, in)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		d.Errors = errs
		h.render(w, r, http.StatusUnprocessableEntity, "company_placement", page{Title: d.P.OfferTitle, Nav: "company-placements", Data: d})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/company/placements/"+d.P.ID.String()+"?ok=suivi", http.StatusSeeOther) //nolint:gosec // G710: our own path and the stored placement's id
}
