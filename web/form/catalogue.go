package form

import (
	"regexp"
	"strings"
	"sync"
)

// French is the catalogue of the messages domain code writes in English
// (field errors of store and notify), gettext-like: the English message is the
// key, the French one the value. "%s" stands for a part that varies (a value,
// a list), taken from the English message and put at the same place, in the
// same order, in the French one. Another language is another map of the same
// keys. messages_test.go fails when a store message has no entry here.
var French = map[string]string{
	// passerelle.TextFault, applied to every posted value.
	"contains a NUL character (U+0000), which cannot be stored": "contient un caractère nul (U+0000), qui ne peut pas être enregistré",
	"is not valid UTF-8": "contient des caractères illisibles (texte qui n'est pas en UTF-8)",
	"RQTH is health data: record the trainee's rqth consent (POST /v1/trainees/{id}/consents) before setting it": "La RQTH est une donnée de santé : enregistrez d'abord le consentement du stagiaire.",
	"a company key is bound to a company":                                             "une clé d'entreprise est liée à une entreprise",
	"a company key is bound to its company only":                                      "une clé d'entreprise n'est liée qu'à son entreprise",
	"a name is required":                                                              "indiquez un nom",
	"an %s key is bound to an organisation":                                           "une clé %s est liée à une structure",
	"an %s key is not bound to a company":                                             "une clé %s n'est pas liée à une entreprise",
	"an admin key is bound to no organisation, company or adviser":                    "une clé d'administration n'est liée à aucune structure, entreprise ni référent",
	"an employed trainee has a contract: one of %s":                                   "un stagiaire en emploi a un contrat : l'un de %s",
	"an exited trainee needs an exit date":                                            "indiquez la date de sortie",
	"an interruption needs its reason":                                                "indiquez le motif de l'interruption",
	"an open badge needs the https URL of its assertion":                              "un Open Badge a besoin de l'adresse https de sa preuve",
	"below 18 while open_to_minors is false: nobody could apply":                      "moins de 18 ans alors que l'offre n'est pas ouverte aux mineurs : personne ne pourrait postuler",
	"expected instant, daily_digest or off":                                           "choisissez « immédiat », « résumé quotidien » ou « désactivé »",
	"give both latitude and longitude, or neither (the postal code is then geocoded)": "indiquez la latitude et la longitude, ou aucune des deux",
	"must be 0 or more":                                                               "doit être positif ou nul",
	"must be a ROME code: a letter A to N then four digits":                           "doit être un code ROME : une lettre de A à N puis quatre chiffres",
	"must be at least 1":                                                              "doit être au moins 1",
	"must be at least min_age":                                                        "doit être au moins l'âge minimum",
	"must be between 1 and 208":                                                       "doit être compris entre 1 et 208",
	"must be on or after from":                                                        "doit être le même jour ou après la date de début",
	"must be on or after start_date":                                                  "doit être le même jour ou après la date de début",
	"must be on or after start_date (%s)":                                             "doit être le même jour ou après la date de début (%s)",
	"must be one of %s":                                                               "doit être l'une des valeurs : %s",
	"must not be blank":                                                               "ne doit pas être vide",
	"must stay %s":                                                                    "ne peut pas changer (%s)",
	"needs a start_date":                                                              "indiquez la date de début",
	"no French commune has this postal code (see GET /v1/reference/places)":           "aucune commune française n'a ce code postal",
	"no adviser of the trainee's organisation has this id":                            "aucun référent de la structure ne correspond",
	"no cohort of the trainee's organisation has this id":                             "aucune promotion de la structure ne correspond",
	"no published offer has this id":                                                  "aucune offre publiée ne correspond",
	"no trainee of your organisation has this id":                                     "aucun stagiaire de votre structure ne correspond",
	"not a WGS 84 point":                                                              "ce n'est pas un point géographique valide",
	"not a commune of postal code %s (see GET /v1/reference/places)":                  "cette commune n'a pas le code postal %s",
	"only adviser keys name an adviser":                                               "seules les clés de référent nomment un référent",
	"only an interruption has a reason":                                               "seule une interruption a un motif",
	"only for employed":                                                               "seulement pour un stagiaire en emploi",
	"repeats %s":                                                                      "répète %s",
	"required for admin keys":                                                         "obligatoire pour une clé d'administration",
	"required for reveal_identity, and only for it":                                   "obligatoire pour révéler l'identité, et seulement dans ce cas",
	"required: the company the offer is posted for":                                   "indiquez l'entreprise qui publie l'offre",
	"role must be one of %s":                                                          "le rôle doit être l'un de %s",
	"target names are 1 to 50 lower-case letters or underscores":                      "un objectif se nomme avec 1 à 50 lettres minuscules ou tirets bas",
	"the trainee must be between 13 and 100 years old":                                "le stagiaire doit avoir entre 13 et 100 ans",
	"true while min_age is 18 or more: no minor could apply":                          "ouverte aux mineurs alors que l'âge minimum est de 18 ans ou plus",
	"unknown event type":                                                              "type d'événement inconnu",
	"unknown id":                                                                      "identifiant inconnu",
	"already used in this organisation":                                               "déjà utilisée dans cette structure",
	"invalid cursor":                                                                  "position de page invalide",
	// The company space and the partner requests (docs/console-company.md).
	"at most 2000 characters":                                     "2 000 caractères au plus",
	"at most 40 characters":                                       "40 caractères au plus",
	"must be 1, 3 or 6":                                           "doit être 1, 3 ou 6",
	"must be an email address such as name@example.fr":            "indiquez une adresse e-mail, par exemple prenom.nom@exemple.fr",
	"a SIRET is exactly 14 digits":                                "un SIRET compte exactement 14 chiffres",
	"not a valid SIRET: its check digit does not match (a typo?)": "ce SIRET n'est pas valide : sa clé de contrôle ne correspond pas (une faute de frappe ?)",
	"give 1 to %s ROME codes":                                     "choisissez un métier (jusqu'à %s)",
	"must be a French postal code: five digits":                   "doit être un code postal français : cinq chiffres",
	// The form reader's own messages (form.go).
	"required":           "obligatoire",
	"not a date":         "doit être une date (jj/mm/aaaa)",
	"not a whole number": "doit être un nombre entier",
	"not an identifier":  "choix invalide",
	"not a number":       "doit être un nombre (par exemple 17,5)",
}

// Fallback is shown for a message the catalogue lacks (a message built at run
// time, such as a parser's): the field's label still says where to look.
const Fallback = "valeur invalide"

type pattern struct {
	re     *regexp.Regexp
	french string
}

// patterns are the catalogue's entries with "%s", compiled once.
var patterns = sync.OnceValue(func() []pattern {
	var out []pattern
	for en, fr := range French {
		if !strings.Contains(en, "%s") {
			continue
		}
		parts := strings.Split(en, "%s")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		out = append(out, pattern{regexp.MustCompile("^" + strings.Join(parts, "(.*)") + "$"), fr})
	}
	return out
})

// lookup finds the French for an English message: an exact entry, else an
// entry with "%s" whose fixed parts match, its variable parts carried over.
func lookup(en string) (string, bool) {
	if fr, ok := French[en]; ok {
		return fr, true
	}
	for _, p := range patterns() {
		if m := p.re.FindStringSubmatch(en); m != nil {
			fr := p.french
			for _, v := range m[1:] {
				fr = strings.Replace(fr, "%s", v, 1)
			}
			return fr, true
		}
	}
	return "", false
}

// Translate is the French of an English message, or Fallback.
func Translate(en string) string {
	if fr, ok := lookup(en); ok {
		return fr
	}
	return Fallback
}
