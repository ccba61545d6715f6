package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// Each kind of offer asks for the fields that kind needs: an apprenticeship
// lasts (weeks) and aims at a diploma, an internship or an immersion has its
// dates, a company visit is one day. Every field is the store's OfferInput
// field of the same json name, so the store's errors land next to it; the
// rules themselves stay in store (offerArgs).
var kindFields = map[string][]string{
	store.KindApprenticeship: {"start_date", "duration_weeks", "weekly_hours", "qualification_level", "min_age",
		"open_to_minors", "required_skills"},
	store.KindProfessionalisation: {"start_date", "duration_weeks", "weekly_hours", "qualification_level", "min_age",
		"open_to_minors", "required_skills"},
	store.KindInternship: {"start_date", "end_date", "weekly_hours", "open_to_minors", "required_skills"},
	store.KindImmersion:  {"start_date", "end_date", "weekly_hours", "open_to_minors"},
	store.KindJob:        {"start_date", "duration_weeks", "weekly_hours", "qualification_level", "remote", "required_skills"},
	store.KindDiscovery:  {"start_date", "open_to_minors"},
}

// kindHints say in a line what each kind is, on the form's first step.
var kindHints = map[string]string{
	store.KindApprenticeship:      "Un contrat en alternance de 6 mois à 3 ans, vers un diplôme.",
	store.KindProfessionalisation: "Un contrat en alternance vers une qualification professionnelle.",
	store.KindInternship:          "Quelques semaines en entreprise pendant la formation.",
	store.KindImmersion:           "Une période de mise en situation en milieu professionnel (PMSMP), de quelques jours.",
	store.KindJob:                 "Un emploi (CDD, CDI…).",
	store.KindDiscovery:           "Une visite de l'entreprise, une demi-journée ou une journée.",
}

var levelLabels = map[string]string{
	store.LevelNone: "Aucun diplôme demandé", store.LevelCAPBEP: "CAP, BEP", store.LevelBac: "Bac",
	store.LevelBac2: "Bac + 2", store.LevelBac3: "Bac + 3", store.LevelBac5: "Bac + 5",
}

var remoteLabels = map[string]string{
	store.RemoteNone: "Sur place", store.RemotePartial: "En partie à distance", store.RemoteFull: "À distance",
}

func init() {
	funcs["levelLabel"] = func(l string) string { return levelLabels[l] }
	funcs["remoteLabel"] = func(m string) string { return remoteLabels[m] }
	funcs["kindHint"] = func(k string) string { return kindHints[k] }
	funcs["intp"] = func(n *int) string {
		if n == nil {
			return ""
		}
		return strconv.Itoa(*n)
	}
	funcs["datep"] = func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	funcs["lines"] = func(s []string) string { return strings.Join(s, "\n") }
	funcs["ternary"] = func(c bool, a, b string) string {
		if c {
			return a
		}
		return b
	}
}

// offerFormPage is the data of templates/company_offer_form.html.
type offerFormPage struct {
	Kinds  []string // the first step: choose a kind
	Kind   string
	Fields []string // what the kind asks for
	Levels []string
	Remote []string
	// OfferID is the offer being edited, zero for a new one; Version its
	// version when the form was read.
	OfferID uuid.UUID
	Version int
	In      store.OfferInput
	// The job search by words, and the communes of the postal code.
	RomeQuery string
	RomeFound []reference.ROMEEntry
	Places    []reference.Place
	Errors    form.Errors
}

// Editing reports whether the form edits an offer (rather than posting one).
func (p offerFormPage) Editing() bool { return p.OfferID != uuid.Nil }

// Has reports whether the kind's form asks for field.
func (p offerFormPage) Has(field string) bool { return slices.Contains(p.Fields, field) }

func newOfferForm(kind string, in store.OfferInput) offerFormPage {
	in.Kind = kind
	d := offerFormPage{Kind: kind, Fields: kindFields[kind], Levels: store.QualificationLevels, Remote: store.RemoteModes,
		In: in, Errors: form.Errors{}}
	return withPlaces(d)
}

// withPlaces lists the communes of the postal code typed, the one the store
// would choose preselected.
func withPlaces(d offerFormPage) offerFormPage {
	d.Places = nil
	pc, err := reference.ParsePostalCode(d.In.PostalCode)
	if err != nil {
		return d
	}
	d.Places = reference.PlacesByPostalCode(pc)
	if !slices.ContainsFunc(d.Places, func(p reference.Place) bool { return p.INSEE == d.In.INSEECode }) {
		d.In.INSEECode = ""
		if p, ok := store.DefaultCommune(pc); ok {
			d.In.INSEECode = p.INSEE
		}
	}
	return d
}

// companyOfferNew is the offer form: first the kind, then the kind's form.
func (h *Handler) companyOfferNew(w http.ResponseWriter, r *http.Request) {
	kind := r.URL.Query().Get("type")
	if _, ok := kindFields[kind]; !ok {
		h.render(w, r, http.StatusOK, "company_offer_form", page{Title: "Publier une offre", Nav: "company-new",
			Data: offerFormPage{Kinds: store.OfferKinds}})
		return
	}
	c, err := h.deps.Store.GetCompany(r.Context(), principal(r), principal(r).CompanyID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// The company's address is the offer's place until said otherwise.
	d := newOfferForm(kind, store.OfferInput{Street: c.Address.Street, PostalCode: c.Address.PostalCode, Positions: 1,
		DisabilityFriendly: c.DisabilityFriendly})
	h.render(w, r, http.StatusOK, "company_offer_form", page{Title: "Nouvelle offre : " + kindLabels[kind], Nav: "company-new", Data: d})
}

// companyOfferEdit is the form of an offer of the company.
func (h *Handler) companyOfferEdit(w http.ResponseWriter, r *http.Request) {
	o, err := h.companyOffer(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := newOfferForm(o.Kind, offerInputOf(o))
	d.OfferID, d.Version = o.ID, o.Version
	h.render(w, r, http.StatusOK, "company_offer_form", page{Title: "Modifier l'offre", Nav: "company", Data: d})
}

// companyOffer reads the offer of the path as the company: another
// company's is the 404 page (the store's read scope says so).
func (h *Handler) companyOffer(r *http.Request) (store.Offer, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return store.Offer{}, passerelle.Errorf(passerelle.ENotFound, "no such offer")
	}
	return h.deps.Store.GetOffer(r.Context(), principal(r), id)
}

// offerInputOf is an offer as the input that would write it again (edit,
// duplicate).
func offerInputOf(o store.Offer) store.OfferInput {
	return store.OfferInput{CompanyID: o.CompanyID, Kind: o.Kind, Title: o.Title, Description: o.Description,
		ROMECodes: o.ROMECodes, RequiredSkills: o.RequiredSkills, OptionalSkills: o.OptionalSkills, Street: o.Street,
		PostalCode: o.PostalCode, INSEECode: o.INSEECode, Remote: o.Remote, StartDate: o.StartDate, EndDate: o.EndDate,
		DurationWeeks: o.DurationWeeks, WeeklyHours: o.WeeklyHours, Positions: o.Positions, MinAge: o.MinAge,
		MaxAge: o.MaxAge, OpenToMinors: o.OpenToMinors, DisabilityFriendly: o.DisabilityFriendly,
		QualificationLevel: o.QualificationLevel}
}

// readOffer reads the offer form of kind into the store's input. Fields the
// kind does not ask for are left out (zero), whatever was posted.
func readOffer(f *form.Form, kind string, d *offerFormPage) store.OfferInput {
	has := func(name string) bool { return slices.Contains(kindFields[kind], name) }
	in := store.OfferInput{Kind: kind, Title: f.String("title"), Description: f.String("description"),
		ROMECodes: f.Strings("rome_codes"), Street: f.String("street"), PostalCode: f.String("postal_code"),
		INSEECode: f.String("insee_code"), Positions: f.Int("positions"), DisabilityFriendly: f.Bool("disability_friendly")}
	if has("start_date") {
		in.StartDate = f.DatePtr("start_date")
	}
	if has("end_date") {
		in.EndDate = f.DatePtr("end_date")
	}
	if has("duration_weeks") {
		in.DurationWeeks = intPtr(f, "duration_weeks")
	}
	if has("weekly_hours") {
		in.WeeklyHours = f.FloatPtr("weekly_hours")
	}
	if has("qualification_level") {
		in.QualificationLevel = f.String("qualification_level")
	}
	if has("min_age") {
		in.MinAge = intPtr(f, "min_age")
	}
	if has("open_to_minors") {
		in.OpenToMinors = f.Bool("open_to_minors")
	}
	if has("remote") {
		in.Remote = f.String("remote")
	}
	if has("required_skills") {
		for _, l := range strings.Split(f.String("required_skills"), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				in.RequiredSkills = append(in.RequiredSkills, l)
			}
		}
	}
	d.RomeQuery = f.String("metier")
	return in
}

// intPtr is the whole number in name, nil when blank.
func intPtr(f *form.Form, name string) *int {
	if f.String(name) == "" {
		return nil
	}
	n := f.Int(name)
	return &n
}

// companyOfferCreate saves a new offer as a draft (the company publishes it
// from its page). The form's "Rechercher" button looks a job up by words and
// shows the form again, saving nothing.
func (h *Handler) companyOfferCreate(w http.ResponseWriter, r *http.Request) {
	f := form.Read(r)
	kind := f.String("kind")
	if _, ok := kindFields[kind]; !ok {
		http.Redirect(w, r, Prefix+"/company/offers/new", http.StatusSeeOther)
		return
	}
	d := newOfferForm(kind, store.OfferInput{})
	d.In = readOffer(f, kind, &d)
	d = h.offerFormAgain(d)
	title := "Nouvelle offre : " + kindLabels[kind]
	if f.String("action") == "rechercher" {
		d.RomeFound = romeFound(d.RomeQuery, d.In.ROMECodes)
		h.render(w, r, http.StatusOK, "company_offer_form", page{Title: title, Nav: "company-new", Data: d})
		return
	}
	err := f.Err()
	var o store.Offer
	if err == nil {
		o, err = h.deps.Store.CreateOffer(r.Context(), principal(r), d.In)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		d.Errors = errs
		h.render(w, r, http.StatusUnprocessableEntity, "company_offer_form", page{Title: title, Nav: "company-new", Data: d})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/company/offers/"+o.ID.String()+"?ok=cree", http.StatusSeeOther) //nolint:gosec // G710: our own path and the stored offer's id
}

// companyOfferUpdate saves an edited offer with the version the form was
// read at: a concurrent change is refused, not lost.
func (h *Handler) companyOfferUpdate(w http.ResponseWriter, r *http.Request) {
	o, err := h.companyOffer(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := form.Read(r)
	d := newOfferForm(o.Kind, store.OfferInput{})
	d.OfferID, d.Version = o.ID, f.Int("version")
	d.In = readOffer(f, o.Kind, &d)
	d.In.OptionalSkills = o.OptionalSkills
	d.In.MaxAge = o.MaxAge
	d = h.offerFormAgain(d)
	if f.String("action") == "rechercher" {
		d.RomeFound = romeFound(d.RomeQuery, d.In.ROMECodes)
		h.render(w, r, http.StatusOK, "company_offer_form", page{Title: "Modifier l'offre", Nav: "company", Data: d})
		return
	}
	err = f.Err()
	if err == nil {
		_, err = h.deps.Store.UpdateOffer(r.Context(), principal(r), o.ID, &d.Version, d.In)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		d.Errors = errs
		h.render(w, r, http.StatusUnprocessableEntity, "company_offer_form", page{Title: "Modifier l'offre", Nav: "company", Data: d})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/company/offers/"+o.ID.String()+"?ok=modifiee", http.StatusSeeOther) //nolint:gosec // G710: our own path and the stored offer's id
}

// offerFormAgain refreshes what the form shows beside what was typed: the
// communes of the postal code typed.
func (h *Handler) offerFormAgain(d offerFormPage) offerFormPage { return withPlaces(d) }

// romeFound looks jobs up by words, leaving out those already chosen.
func romeFound(q string, chosen []string) []reference.ROMEEntry {
	if strings.TrimSpace(q) == "" {
		return nil
	}
	return slices.DeleteFunc(reference.SearchROME(q, romeResults),
		func(e reference.ROMEEntry) bool { return slices.Contains(chosen, e.Code) })
}
