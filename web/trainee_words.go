package web

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/matching"
	"github.com/passerelle-dev/passerelle/reference"
	"github.com/passerelle-dev/passerelle/store"
)

// The trainee pages' vocabulary in people's words. The domain's values stay
// English (they are the API's); these maps only translate them for display.
var (
	kindLabels = map[string]string{
		store.KindApprenticeship:      "Apprentissage",
		store.KindProfessionalisation: "Contrat de professionnalisation",
		store.KindInternship:          "Stage",
		store.KindImmersion:           "Immersion (PMSMP)",
		store.KindJob:                 "Emploi",
		store.KindDiscovery:           "Découverte d'entreprise",
	}
	transportLabels = map[string]string{
		"walk": "À pied", "bike": "Vélo", "public_transport": "Transports en commun",
		"car": "Voiture", "motorbike": "Deux-roues motorisé", "carpool": "Covoiturage",
	}
	evidenceLabels = map[string]string{
		store.EvidenceDeclared:         "Déclarée",
		store.EvidenceAdviserValidated: "Validée par le référent",
		store.EvidenceOpenBadge:        "Open Badge",
	}
	consentLabels = map[string]string{
		store.ConsentMatching:       "Mise en relation avec des offres",
		store.ConsentRevealIdentity: "Révéler son identité à l'entreprise d'une offre",
		store.ConsentRQTH:           "Enregistrer sa RQTH",
		store.ConsentGuardian:       "Accord du représentant légal",
	}
	proposalStateLabels = map[string]string{
		store.ProposalSuggested:         "Suggérée",
		store.ProposalShortlisted:       "Retenue",
		store.ProposalProposed:          "Proposée à l'entreprise",
		store.ProposalInterview:         "Entretien",
		store.ProposalAccepted:          "Acceptée",
		store.ProposalPlaced:            "En poste",
		store.ProposalDismissed:         "Écartée",
		store.ProposalDeclinedByCompany: "Refusée par l'entreprise",
		store.ProposalDeclinedByTrainee: "Refusée par le ou la stagiaire",
		store.ProposalWithdrawn:         "Retirée",
		store.ProposalExpired:           "Expirée",
	}
	// reasonTitles name each part of a suggestion's score.
	reasonTitles = map[string]string{
		matching.ReasonROME:          "Métier recherché",
		matching.ReasonSkills:        "Compétences",
		matching.ReasonDistance:      "Distance",
		matching.ReasonStartDate:     "Dates",
		matching.ReasonAccessibility: "Accessibilité",
	}
	// reasonWeights are the most points each part can give, for the bars.
	reasonWeights = map[string]int{
		matching.ReasonROME:          matching.WeightROME,
		matching.ReasonSkills:        matching.WeightSkills,
		matching.ReasonDistance:      matching.WeightDistance,
		matching.ReasonStartDate:     matching.WeightStartDate,
		matching.ReasonAccessibility: matching.WeightAccessibility,
	}
)

// The trainee pages' template helpers join the shared ones before the
// templates are parsed (parsePages runs in New, after every init).
func init() {
	funcs["kindLabel"] = func(k string) string { return kindLabels[k] }
	funcs["transportLabel"] = func(m string) string { return transportLabels[m] }
	funcs["evidenceLabel"] = func(e string) string { return evidenceLabels[e] }
	funcs["consentLabel"] = func(s string) string { return consentLabels[s] }
	funcs["proposalState"] = func(s string) string { return proposalStateLabels[s] }
	funcs["romeLabel"] = func(code string) string { l, _ := reference.ROMELabel(code); return l }
	funcs["isoDate"] = func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	funcs["has"] = slices.Contains[[]string]
	// rows is the skills or windows of a form plus one blank row to add one.
	funcs["skillRows"] = func(s []store.TraineeSkill) []store.TraineeSkill {
		return append(slices.Clone(s), store.TraineeSkill{})
	}
	funcs["windowRows"] = func(w []store.Window) []store.Window { return append(slices.Clone(w), store.Window{}) }
	funcs["hours"] = func(h *float64) string {
		if h == nil {
			return ""
		}
		return strings.Replace(strconv.FormatFloat(*h, 'f', -1, 64), ".", ",", 1)
	}
	funcs["inc"] = func(i int) int { return i + 1 }
	funcs["deref"] = func(b *bool) bool { return b != nil && *b }
	funcs["derefTime"] = func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	}
	funcs["offerTitle"] = func(offers []offerChoice, id *uuid.UUID) string {
		for _, o := range offers {
			if id != nil && o.ID == *id {
				return o.Title
			}
		}
		return "une offre"
	}
}

// explained is one part of a suggestion's score, in words and as a bar.
type explained struct {
	Title  string
	Words  string
	Points int
	Max    int
	Pct    int // Points out of Max, 0..100, the bar's width
}

// explain turns a suggestion's reasons into French sentences: the matcher's
// details are English for the API, so the page says them again from the
// points and what it knows of the offer and the trainee.
func explain(sg store.Suggestion, t store.Trainee) []explained {
	var out []explained
	for _, r := range sg.Reasons {
		e := explained{Title: reasonTitles[r.Code], Points: r.Points, Max: reasonWeights[r.Code]}
		if e.Title == "" {
			e.Title = r.Code
		}
		if e.Max > 0 {
			e.Pct = min(100, max(0, r.Points*100/e.Max))
		}
		e.Words = reasonWords(r, sg, t)
		out = append(out, e)
	}
	return out
}

func reasonWords(r matching.Reason, sg store.Suggestion, t store.Trainee) string {
	full := r.Points >= reasonWeights[r.Code]
	switch r.Code {
	case matching.ReasonDistance:
		return "À " + strings.Replace(fmt.Sprintf("%.1f", sg.DistanceKm), ".", ",", 1) + " km du domicile (rayon de mobilité : " +
			fmt.Sprint(t.Profile.MobilityRadiusKm) + " km)."
	case matching.ReasonSkills:
		var have []string
		for _, need := range append(append([]string{}, sg.Offer.RequiredSkills...), sg.Offer.OptionalSkills...) {
			for _, sk := range t.Profile.Skills {
				if reference.FoldFrench(sk.Name) == reference.FoldFrench(need) {
					have = append(have, need)
					break
				}
			}
		}
		if len(have) == 0 {
			return "Aucune des compétences demandées par l'offre n'est dans le profil."
		}
		return "Compétences en commun : " + strings.Join(have, ", ") + "."
	case matching.ReasonROME:
		if r.Points == 0 {
			return "Ce métier n'est pas parmi les métiers recherchés."
		}
		return "L'offre correspond aux métiers recherchés."
	case matching.ReasonStartDate:
		if full {
			return "Disponible dès le début de l'offre."
		}
		return "Les dates de l'offre et les disponibilités se recouvrent en partie."
	case matching.ReasonAccessibility:
		if r.Points > 0 {
			return "L'entreprise s'engage sur l'accueil des personnes en situation de handicap."
		}
		return "L'offre n'indique pas d'engagement d'accessibilité."
	}
	return ""
}
