package form

import (
	"regexp"
	"strings"
)

// Labels name input fields in people's words, by their path in the store's
// input types (the FieldError.Location of domain errors). Pages add the
// fields of their forms here, next to the labels of their templates.
var Labels = map[string]string{
	"email":                     "Adresse e-mail",
	"name":                      "Nom",
	"siret":                     "SIRET",
	"naf_code":                  "Code NAF",
	"first_name":                "Prénom",
	"last_name":                 "Nom",
	"birth_date":                "Date de naissance",
	"exit_date":                 "Date de sortie",
	"status":                    "Statut",
	"cohort_id":                 "Promotion",
	"referent_id":               "Référent",
	"profile.home_postal_code":  "Code postal",
	"profile.home_insee_code":   "Commune",
	"profile.wanted_rome_codes": "Métiers recherchés",
	"profile.skills":            "Compétences",
	"profile.availability":      "Disponibilité",
	"rqth":                      "RQTH",
	"trainee_id":                "Stagiaire",
	"offer_id":                  "Offre",
	"company_id":                "Entreprise",
	"organisation_id":           "Structure",
	"start_date":                "Date de début",
	"end_date":                  "Date de fin",
	"capacity":                  "Capacité",
	"targets":                   "Objectifs",
	"situation":                 "Situation",
	"contract_type":             "Type de contrat",
	"note":                      "Note",
	"outcome":                   "Issue",
	"reason":                    "Motif",
	"to":                        "Nouvel état",
	"scope":                     "Consentement",
	"title":                     "Intitulé",
	"postal_code":               "Code postal",
	"insee_code":                "Commune",
	"positions":                 "Nombre de postes",
	"min_age":                   "Âge minimum",
	"open_to_minors":            "Ouverte aux mineurs",
	"url":                       "Adresse",
	"event_types":               "Événements",
	"notification_preferences":  "Préférences de notification",
	// The trainee pages (trainee_*.html).
	"identity.first_name":        "Prénom",
	"identity.last_name":         "Nom",
	"identity.birth_date":        "Date de naissance",
	"identity.email":             "Adresse e-mail",
	"identity.phone":             "Téléphone",
	"profile.mobility_radius_km": "Rayon de mobilité",
	"profile.transport_modes":    "Moyens de transport",
	"profile.wanted_kinds":       "Types de contrat recherchés",
	"profile.max_weekly_hours":   "Heures par semaine au plus",
	"profile.skills.name":        "Compétence",
	"profile.skills.evidence":    "Preuve de la compétence",
	"profile.skills.badge_url":   "Adresse de l'Open Badge",
	"profile.availability.from":  "Disponible à partir du",
	"profile.availability.to":    "Disponible jusqu'au",
	// The company space and the partner requests (company_*.html, programme.html).
	"company_name":        "Nom de l'entreprise",
	"address.street":      "Adresse",
	"address.postal_code": "Code postal",
	"contact_name":        "Votre nom",
	"contact_email":       "Votre adresse e-mail",
	"contact_phone":       "Votre téléphone",
	"message":             "Message",
	"rome_codes":          "Métier",
	"description":         "Description",
	"required_skills":     "Compétences demandées",
	"street":              "Adresse",
	"duration_weeks":      "Durée en semaines",
	"weekly_hours":        "Heures par semaine",
	"max_age":             "Âge maximum",
	"qualification_level": "Diplôme",
	"remote":              "Sur place ou à distance",
	"kind":                "Type d'offre",
	"month":               "Mois",
	"still_there":         "Toujours chez vous",
	"going":               "Comment cela se passe",
	// Figures (figures.go).
	"query.from":      "Début de la période",
	"query.to":        "Fin de la période",
	"query.cohort_id": "Promotion",
}

var indexRe = regexp.MustCompile(`\[\d+\]`)

// Label is the French name of the field at path: its own entry, else that of
// the path without list indexes ("profile.skills[2].rome_code" →
// "profile.skills.rome_code"), else of its parents ("targets.placements" →
// "targets"), else the path itself, readable.
func Label(path string) string {
	if l, ok := Labels[path]; ok {
		return l
	}
	p := indexRe.ReplaceAllString(path, "")
	for {
		if l, ok := Labels[p]; ok {
			return l
		}
		i := strings.LastIndex(p, ".")
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return strings.ReplaceAll(path, "_", " ")
}
