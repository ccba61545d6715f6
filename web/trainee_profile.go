package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// romeResults is how many jobs a search by words lists.
const romeResults = 8

// traineeProfileSave handles the profile form. Its "Rechercher" button looks
// jobs up by words (boulanger → D1102) and shows the form again with what was
// typed and the jobs found, saving nothing: the search works without
// JavaScript. Its "Enregistrer" button saves through UpdateTrainee with the
// version the form was read at, so a concurrent edit is refused, not lost.
func (h *Handler) traineeProfileSave(w http.ResponseWriter, r *http.Request) {
	d, err := h.traineeOfPath(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := form.Read(r)
	d.Form, d.FormRQTH = readProfile(f, d.T.Profile)
	d.Version = f.Int("version")
	if f.String("action") == "rechercher" {
		d.RomeQuery = f.String("metier")
		d.RomeFound = slices.DeleteFunc(reference.SearchROME(d.RomeQuery, romeResults),
			func(e reference.ROMEEntry) bool { return slices.Contains(d.Form.WantedROMECodes, e.Code) })
		h.showTrainee(w, r, http.StatusOK, d, "")
		return
	}
	in := store.TraineeInput{CohortID: d.T.CohortID, ReferentID: d.T.ReferentID, Identity: d.T.Identity,
		Profile: d.Form, Status: d.T.Status, ExitDate: d.T.ExitDate, ExitReason: d.T.ExitReason, RQTH: d.T.RQTH}
	if d.RQTHConsent {
		in.RQTH = map[string]*bool{"": nil, "oui": ptr(true), "non": ptr(false)}[d.FormRQTH]
	}
	err = f.Err()
	if err == nil {
		_, err = h.deps.Store.UpdateTrainee(r.Context(), principal(r), d.T.ID, &d.Version, in)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		d.Errors = errs
		h.showTrainee(w, r, http.StatusUnprocessableEntity, d, "")
		return
	}
	if passerelle.ErrorCode(err) == passerelle.EPrecondition {
		// Keep what they typed; the page now shows the saved version beside it.
		d.Conflict = true
		h.showTrainee(w, r, http.StatusConflict, d, "")
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/trainees/"+d.T.ID.String()+"?ok=profil#profil", http.StatusSeeOther) //nolint:gosec // G710: our own path; the id is the stored trainee's
}

// readProfile reads the profile form into the profile it edits. Rows left
// blank (the empty skill and availability rows) are dropped; the fields the
// form does not show (languages, the place the store derives) are kept.
func readProfile(f *form.Form, was store.TraineeProfile) (store.TraineeProfile, string) {
	p := store.TraineeProfile{
		HomePostalCode:   f.String("profile.home_postal_code"),
		MobilityRadiusKm: f.Int("profile.mobility_radius_km"),
		TransportModes:   f.Strings("profile.transport_modes"),
		DrivingLicence:   f.Bool("profile.driving_licence"),
		WantedKinds:      f.Strings("profile.wanted_kinds"),
		WantedROMECodes:  f.Strings("profile.wanted_rome_codes"),
		Languages:        was.Languages,
		MaxWeeklyHours:   f.FloatPtr("profile.max_weekly_hours"),
	}
	if p.HomePostalCode == was.HomePostalCode {
		p.HomeTown = was.HomeTown
	}
	for i := 0; ; i++ {
		k := "profile.skills[" + strconv.Itoa(i) + "]"
		if !f.Has(k + ".name") {
			break
		}
		sk := store.TraineeSkill{Name: f.String(k + ".name"), Evidence: f.String(k + ".evidence"), BadgeURL: f.String(k + ".badge_url")}
		if sk.Name == "" {
			continue
		}
		if sk.Evidence != store.EvidenceOpenBadge {
			sk.BadgeURL = ""
		}
		p.Skills = append(p.Skills, sk)
	}
	for i := 0; ; i++ {
		k := "profile.availability[" + strconv.Itoa(i) + "]"
		if !f.Has(k + ".from") {
			break
		}
		if f.String(k+".from") == "" && f.String(k+".to") == "" {
			continue
		}
		p.Availability = append(p.Availability, store.Window{From: f.Date(k + ".from"), To: f.DatePtr(k + ".to")})
	}
	return p, f.String("rqth")
}
