package demo

// The five programmes of the design, in their real towns, with fictional
// people and companies. Every name of a person is obviously made up
// (Exemple, Fictif, Démo…); company names are invented, SIRETs are computed
// from them (valid check digit, not a real company's).

// Programme is one organisation and what it works with.
type Programme struct {
	Name      string
	Kind      string // organisation kind
	Town      string
	Advisers  []Adviser
	Cohorts   []Cohort
	Companies []Company
	Trainees  []Trainee
}

// Adviser is a referent.
type Adviser struct{ Name, Email string }

// Cohort is a promotion; its dates are months relative to the first load.
type Cohort struct {
	Name, Track    string
	StartMonthsAgo int // the first of the month this many months before the load
	Months         int // length
	Capacity       int
	SignedTarget   int // targets.signed_contracts; 0 for none
}

// CompanyUserEmail is the demo's company user: Marc Exemple, of the Gonesse
// programme's bakery, signs in to the company space with it (make run prints
// a link).
const CompanyUserEmail = "marc.exemple@boulangerie-vieux-pays.example.org"

// Company is a partner company and its offers.
type Company struct {
	Name, NAF, Headcount     string
	Street, PostalCode, Town string
	DisabilityFriendly       bool
	ContactName, ContactRole string
	// ContactEmail, when set, lets the contact sign in to the company space
	// (a company user).
	ContactEmail string
	Offers       []Offer
}

// Offer is a published offer; it starts StartInMonths after the load.
type Offer struct {
	Kind, Title, Description string
	ROME                     []string
	Required, Optional       []string
	Positions                int
	Weeks                    int
	StartInMonths            int
	OpenToMinors             bool
	Level                    string
}

// Trainee is a fictional trainee and where their story has got to.
type Trainee struct {
	First, Last    string
	Birth          string // YYYY-MM-DD
	PostalCode     string
	Cohort         int // index in Programme.Cohorts
	Referent       int // index in Programme.Advisers
	Kinds, ROME    []string
	Skills         []string
	BadgeSkill     string // a skill with an open badge, "" for none
	Story          Story
	Company, Offer int // the offer of the story (indexes)
}

// Story is how far a trainee went.
type Story string

// Stories, each a path of proposal statuses and what follows.
const (
	Waiting      Story = "waiting"        // matching consent, no proposal: the matcher suggests
	Shortlisted  Story = "shortlisted"    // an adviser's idea
	Proposed     Story = "proposed"       // sent to the company, identity revealed
	Interview    Story = "interview"      // the company is meeting them
	Placed       Story = "placed"         // signed, ongoing
	Completed    Story = "completed"      // placed a month after enrolment, completed, left 7 months ago: in work at 6 months
	DroppedOut   Story = "dropped_out"    // left early, 8 months ago, never placed
	BackToSchool Story = "back_to_school" // declined an offer, left at the cohort's end (7 months ago or more): back in training
)

// paths are the proposal statuses each story goes through.
var paths = map[Story][]string{
	Shortlisted:  {"shortlisted"},
	Proposed:     {"shortlisted", "proposed"},
	Interview:    {"shortlisted", "proposed", "interview"},
	Placed:       {"shortlisted", "proposed", "interview", "accepted", "placed"},
	Completed:    {"shortlisted", "proposed", "interview", "accepted", "placed"},
	DroppedOut:   {"shortlisted", "proposed", "declined_by_company"},
	BackToSchool: {"shortlisted", "proposed", "declined_by_trainee"},
}

var digital = []string{"HTML et CSS", "JavaScript", "Git", "travail en équipe"}

// Programmes is the demo.
var Programmes = []Programme{
	{
		Name: "E2C Normandie — Parcours digital", Kind: "e2c", Town: "Hérouville-Saint-Clair",
		Advisers: []Adviser{{"Claire Exemple", "claire.exemple@e2c-normandie.example.org"}, {"Hugo Fictif", "hugo.fictif@e2c-normandie.example.org"}},
		Cohorts: []Cohort{
			{"Promo A — Parcours digital", "Parcours digital", 12, 7, 15, 6},
			{"Promo B — Parcours digital", "Parcours digital", 4, 7, 15, 6},
			{"Piste numérique 20 semaines", "Développeur web", 1, 5, 9, 4},
		},
		Companies: []Company{
			{Name: "Octet Normand (démo)", NAF: "62.01Z", Headcount: "10-49", Street: "3 avenue de la Boréal", PostalCode: "14200", Town: "Hérouville-Saint-Clair",
				DisabilityFriendly: true, ContactName: "Jeanne Démo", ContactRole: "responsable technique", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e développeur·se web", ROME: []string{"M1805"}, Required: []string{"HTML et CSS", "JavaScript"}, Optional: []string{"Git"}, Positions: 2, Weeks: 104, StartInMonths: 2, Level: "bac"},
					{Kind: "discovery", Title: "Visite découverte : une journée dans une ESN", ROME: []string{"M1805", "M1810"}, Positions: 8, Weeks: 1, StartInMonths: 1, OpenToMinors: true},
				}},
			{Name: "Caen Numérique Services (démo)", NAF: "62.02A", Headcount: "1-9", Street: "14 rue Saint-Pierre", PostalCode: "14000", Town: "Caen",
				ContactName: "Paul Essai", ContactRole: "gérant", Offers: []Offer{
					{Kind: "internship", Title: "Stage support informatique", ROME: []string{"M1810", "I1401"}, Required: []string{"travail en équipe"}, Positions: 2, Weeks: 8, StartInMonths: 1},
				}},
		},
		Trainees: []Trainee{
			{First: "Alix", Last: "Exemple", Birth: "2005-03-14", PostalCode: "14200", Cohort: 2, Kinds: []string{"apprenticeship", "internship"}, ROME: []string{"M1805"}, Skills: digital, BadgeSkill: "HTML et CSS", Story: Interview},
			{First: "Nour", Last: "Fictif", Birth: "2004-11-02", PostalCode: "14000", Cohort: 1, Kinds: []string{"internship", "discovery"}, ROME: []string{"M1810"}, Skills: []string{"travail en équipe", "bureautique"}, Story: Waiting},
			{First: "Timéo", Last: "Démo", Birth: "2003-06-21", PostalCode: "14200", Cohort: 0, Kinds: []string{"apprenticeship"}, ROME: []string{"M1805"}, Skills: digital, Story: Completed},
			{First: "Inès", Last: "Essai", Birth: "2006-01-30", PostalCode: "14000", Cohort: 0, Referent: 1, Kinds: []string{"internship"}, ROME: []string{"M1810"}, Skills: []string{"bureautique"}, Story: DroppedOut, Company: 1},
		},
	},
	{
		Name: "Fabrique du numérique", Kind: "programme", Town: "Niort",
		Advisers: []Adviser{{"Margaux Exemple", "margaux.exemple@fabrique-numerique.example.org"}, {"Bilal Modèle", "bilal.modele@fabrique-numerique.example.org"}},
		Cohorts: []Cohort{
			{"Niort — administrateur réseau", "Administrateur systèmes et réseaux", 11, 9, 14, 0},
			{"Poitiers — community manager", "Chargé·e de communication numérique", 16, 9, 13, 0},
			{"Poitiers — développeur web", "Développeur web", 2, 9, 13, 0},
		},
		Companies: []Company{
			{Name: "Mutuelle du Marais (démo)", NAF: "65.12Z", Headcount: "250-4999", Street: "9 rue de l'Eden", PostalCode: "79000", Town: "Niort",
				DisabilityFriendly: true, ContactName: "Sophie Fictif", ContactRole: "chargée RH", Offers: []Offer{
					{Kind: "internship", Title: "Stage administrateur·rice systèmes et réseaux (3 mois)", ROME: []string{"M1801"}, Required: []string{"Linux", "réseaux TCP/IP"}, Positions: 2, Weeks: 12, StartInMonths: 1, Level: "bac"},
				}},
			{Name: "Agence Clain Communication (démo)", NAF: "73.11Z", Headcount: "10-49", Street: "2 place du Marché", PostalCode: "86000", Town: "Poitiers",
				ContactName: "Léo Démo", ContactRole: "directeur de création", Offers: []Offer{
					{Kind: "internship", Title: "Stage community manager (3 mois)", ROME: []string{"E1101"}, Required: []string{"réseaux sociaux", "rédaction web"}, Positions: 2, Weeks: 12, StartInMonths: 1},
					{Kind: "internship", Title: "Stage développeur·se web (3 mois)", ROME: []string{"M1805"}, Required: []string{"JavaScript"}, Optional: []string{"Git"}, Positions: 1, Weeks: 12, StartInMonths: 2},
				}},
		},
		Trainees: []Trainee{
			{First: "Jade", Last: "Exemple", Birth: "2001-09-09", PostalCode: "79000", Cohort: 0, Kinds: []string{"internship"}, ROME: []string{"M1801"}, Skills: []string{"Linux", "réseaux TCP/IP"}, Story: Completed},
			{First: "Rayan", Last: "Fictif", Birth: "2002-02-17", PostalCode: "86000", Cohort: 1, Referent: 1, Kinds: []string{"internship"}, ROME: []string{"E1101"}, Skills: []string{"réseaux sociaux", "rédaction web"}, Story: BackToSchool, Company: 1},
			{First: "Lina", Last: "Démo", Birth: "2003-12-01", PostalCode: "86000", Cohort: 2, Referent: 1, Kinds: []string{"internship"}, ROME: []string{"M1805"}, Skills: digital, Story: Proposed, Company: 1, Offer: 1},
			{First: "Maël", Last: "Essai", Birth: "2000-07-07", PostalCode: "79000", Cohort: 0, Kinds: []string{"internship"}, ROME: []string{"M1801"}, Skills: []string{"Linux"}, Story: Placed},
		},
	},
	{
		Name: "Hub du numérique — Cité du numérique et de l'insertion", Kind: "programme", Town: "Meaux",
		Advisers: []Adviser{{"Karim Exemple", "karim.exemple@hub-numerique.example.org"}},
		Cohorts: []Cohort{
			{"Technicien·ne fibre optique", "Technicien fibre optique (18-25 ans sans diplôme)", 11, 6, 12, 5},
			{"Promo numérique", "Initiation au numérique", 3, 6, 12, 0},
		},
		Companies: []Company{
			{Name: "Fibre Brie Réseaux (démo)", NAF: "42.22Z", Headcount: "50-249", Street: "5 rue du Faubourg Saint-Nicolas", PostalCode: "77100", Town: "Meaux",
				ContactName: "Aline Essai", ContactRole: "conductrice de travaux", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e technicien·ne raccordement fibre optique", ROME: []string{"F1605", "I1307"}, Required: []string{"travail en hauteur", "soudure fibre"}, Positions: 3, Weeks: 52, StartInMonths: 1, Level: "cap_bep"},
					{Kind: "immersion", Title: "Immersion (PMSMP) : technicien·ne fibre", ROME: []string{"I1307"}, Positions: 4, Weeks: 2, StartInMonths: 1, OpenToMinors: true},
				}},
		},
		Trainees: []Trainee{
			{First: "Enzo", Last: "Exemple", Birth: "2004-04-04", PostalCode: "77100", Cohort: 0, Kinds: []string{"apprenticeship"}, ROME: []string{"F1605"}, Skills: []string{"travail en hauteur"}, Story: Placed},
			{First: "Yasmine", Last: "Fictif", Birth: "2009-08-20", PostalCode: "77124", Cohort: 1, Kinds: []string{"immersion"}, ROME: []string{"I1307"}, Skills: []string{"curiosité"}, Story: Shortlisted, Offer: 1},
			{First: "Dylan", Last: "Démo", Birth: "2003-10-10", PostalCode: "77100", Cohort: 0, Kinds: []string{"apprenticeship"}, ROME: []string{"F1605"}, Skills: []string{"soudure fibre"}, Story: Completed},
		},
	},
	{
		Name: "Cité Apprenti.e", Kind: "cfa", Town: "Longvic",
		Advisers: []Adviser{{"Fanny Exemple", "fanny.exemple@cite-apprentie.example.org"}, {"Omar Fictif", "omar.fictif@cite-apprentie.example.org"}},
		Cohorts: []Cohort{
			{"Sessions sur deux ans", "Préparation à l'apprentissage (20 sessions de 3 à 4 semaines)", 12, 24, 200, 150},
		},
		Companies: []Company{
			{Name: "Boulangerie des Ducs (démo)", NAF: "10.71C", Headcount: "1-9", Street: "21 rue de la Liberté", PostalCode: "21000", Town: "Dijon",
				DisabilityFriendly: true, ContactName: "Marc Essai", ContactRole: "artisan boulanger", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e boulanger·ère (CAP)", ROME: []string{"D1102"}, Required: []string{"pétrissage", "hygiène alimentaire"}, Positions: 2, Weeks: 104, StartInMonths: 1, OpenToMinors: true, Level: "cap_bep"},
				}},
			{Name: "Garage du Canal (démo)", NAF: "45.20A", Headcount: "10-49", Street: "8 avenue Jean Jaurès", PostalCode: "21600", Town: "Longvic",
				ContactName: "Sylvie Démo", ContactRole: "cheffe d'atelier", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e mécanicien·ne automobile", ROME: []string{"I1604"}, Required: []string{"entretien courant"}, Positions: 2, Weeks: 104, StartInMonths: 2, Level: "cap_bep"},
				}},
			{Name: "Optique Darcy (démo)", NAF: "47.78A", Headcount: "1-9", Street: "4 place Darcy", PostalCode: "21000", Town: "Dijon",
				ContactName: "Julie Fictif", ContactRole: "opticienne", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e opticien·ne lunetier·ère", ROME: []string{"J1405"}, Required: []string{"relation client"}, Positions: 1, Weeks: 104, StartInMonths: 2, Level: "bac"},
				}},
			{Name: "Hôtel des Climats (démo)", NAF: "55.10Z", Headcount: "10-49", Street: "12 rue Chabot-Charny", PostalCode: "21000", Town: "Dijon",
				ContactName: "Nina Essai", ContactRole: "directrice", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e serveur·se en restauration", ROME: []string{"G1803"}, Required: []string{"service en salle"}, Positions: 2, Weeks: 104, StartInMonths: 1, OpenToMinors: true, Level: "cap_bep"},
					{Kind: "apprenticeship", Title: "Apprenti·e réceptionniste (tourisme)", ROME: []string{"G1703", "G1101"}, Required: []string{"anglais", "accueil"}, Positions: 1, Weeks: 104, StartInMonths: 2, Level: "bac"},
				}},
			{Name: "Atelier Céramique du Suzon (démo)", NAF: "23.41Z", Headcount: "1-9", Street: "30 rue Berbisey", PostalCode: "21000", Town: "Dijon",
				ContactName: "Camille Démo", ContactRole: "céramiste", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e céramiste (arts appliqués)", ROME: []string{"B1201"}, Required: []string{"modelage"}, Positions: 1, Weeks: 104, StartInMonths: 3, Level: "cap_bep"},
				}},
			{Name: "Épicerie Fine de Longvic (démo)", NAF: "47.29Z", Headcount: "1-9", Street: "2 rue de Dijon", PostalCode: "21600", Town: "Longvic",
				ContactName: "Éric Exemple", ContactRole: "gérant", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e vendeur·se en alimentation", ROME: []string{"D1106"}, Required: []string{"relation client"}, Positions: 2, Weeks: 104, StartInMonths: 1, OpenToMinors: true, Level: "cap_bep"},
				}},
		},
		Trainees: []Trainee{
			{First: "Lucas", Last: "Exemple", Birth: "2009-05-01", PostalCode: "21000", Kinds: []string{"apprenticeship"}, ROME: []string{"D1102"}, Skills: []string{"pétrissage"}, Story: Placed},
			{First: "Manon", Last: "Fictif", Birth: "2005-02-11", PostalCode: "21600", Referent: 1, Kinds: []string{"apprenticeship"}, ROME: []string{"I1604"}, Skills: []string{"entretien courant"}, Story: Placed, Company: 1},
			{First: "Adam", Last: "Démo", Birth: "2004-09-15", PostalCode: "21000", Kinds: []string{"apprenticeship"}, ROME: []string{"G1803"}, Skills: []string{"service en salle"}, Story: Interview, Company: 3},
			{First: "Zoé", Last: "Essai", Birth: "2006-12-24", PostalCode: "21000", Referent: 1, Kinds: []string{"apprenticeship"}, ROME: []string{"J1405"}, Skills: []string{"relation client"}, Story: Proposed, Company: 2},
			{First: "Théo", Last: "Modèle", Birth: "1999-03-03", PostalCode: "21600", Kinds: []string{"apprenticeship"}, ROME: []string{"D1106"}, Skills: []string{"relation client"}, Story: Completed, Company: 5},
			{First: "Léa", Last: "Exemple", Birth: "2007-07-14", PostalCode: "21000", Kinds: []string{"apprenticeship"}, ROME: []string{"B1201"}, Skills: []string{"modelage", "dessin"}, Story: Waiting},
		},
	},
	{
		Name: "Fabrique numérique de Gonesse", Kind: "programme", Town: "Gonesse",
		Advisers: []Adviser{{"Samia Exemple", "samia.exemple@fabrique-gonesse.example.org"}, {"Julien Fictif", "julien.fictif@fabrique-gonesse.example.org"}},
		Cohorts: []Cohort{
			{"Promo hiver", "Métiers du numérique (5 mois)", 12, 5, 12, 4},
			{"Promo automne", "Métiers du numérique (5 mois)", 2, 5, 12, 4},
		},
		Companies: []Company{
			{Name: "Boulangerie du Vieux Pays (démo)", NAF: "10.71C", Headcount: "1-9", Street: "12 rue de Paris", PostalCode: "95500", Town: "Gonesse",
				DisabilityFriendly: true, ContactName: "Marc Exemple", ContactRole: "gérant",
				ContactEmail: CompanyUserEmail, Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e boulanger·ère", ROME: []string{"D1102"}, Required: []string{"pétrissage", "hygiène alimentaire"}, Positions: 1, Weeks: 104, StartInMonths: 2, OpenToMinors: true, Level: "cap_bep"},
				}},
			{Name: "Roissy Web Studio (démo)", NAF: "62.01Z", Headcount: "10-49", Street: "1 avenue du 8 Mai 1945", PostalCode: "95200", Town: "Sarcelles",
				ContactName: "Aïcha Démo", ContactRole: "lead développeuse", Offers: []Offer{
					{Kind: "apprenticeship", Title: "Apprenti·e développeur·se web et mobile", ROME: []string{"M1805"}, Required: []string{"HTML et CSS", "JavaScript"}, Optional: []string{"Git"}, Positions: 2, Weeks: 104, StartInMonths: 2, Level: "bac"},
					{Kind: "internship", Title: "Stage intégrateur·rice web (2 mois)", ROME: []string{"M1805", "E1205"}, Required: []string{"HTML et CSS"}, Positions: 2, Weeks: 8, StartInMonths: 1},
				}},
			{Name: "Pays de France Fibre (démo)", NAF: "42.22Z", Headcount: "50-249", Street: "20 avenue Pierre Sémard", PostalCode: "95400", Town: "Villiers-le-Bel",
				ContactName: "Kevin Essai", ContactRole: "responsable d'agence", Offers: []Offer{
					{Kind: "professionalisation", Title: "Contrat de professionnalisation : technicien·ne réseaux télécoms", ROME: []string{"I1307"}, Required: []string{"travail en équipe"}, Positions: 2, Weeks: 52, StartInMonths: 1, Level: "cap_bep"},
				}},
			{Name: "Supérette Garges Centre (démo)", NAF: "47.11B", Headcount: "10-49", Street: "5 place de l'Hôtel de Ville", PostalCode: "95140", Town: "Garges-lès-Gonesse",
				ContactName: "Sonia Fictif", ContactRole: "directrice de magasin", Offers: []Offer{
					{Kind: "job", Title: "Employé·e libre-service (CDD 6 mois)", ROME: []string{"D1507"}, Required: []string{"relation client"}, Positions: 2, Weeks: 26, StartInMonths: 1},
				}},
		},
		Trainees: []Trainee{
			{First: "Mia", Last: "Exemple", Birth: "2004-01-19", PostalCode: "95500", Cohort: 1, Kinds: []string{"apprenticeship", "internship"}, ROME: []string{"M1805", "D1102"}, Skills: append([]string{"pétrissage"}, digital...), BadgeSkill: "HTML et CSS", Story: Waiting},
			{First: "Idriss", Last: "Fictif", Birth: "2003-05-05", PostalCode: "95140", Cohort: 1, Referent: 1, Kinds: []string{"apprenticeship"}, ROME: []string{"M1805"}, Skills: digital, Story: Shortlisted, Company: 1},
			{First: "Chloé", Last: "Démo", Birth: "2002-10-30", PostalCode: "95200", Cohort: 1, Kinds: []string{"internship"}, ROME: []string{"M1805"}, Skills: []string{"HTML et CSS"}, Story: Interview, Company: 1, Offer: 1},
			{First: "Sami", Last: "Essai", Birth: "2001-03-27", PostalCode: "95400", Cohort: 0, Kinds: []string{"professionalisation"}, ROME: []string{"I1307"}, Skills: []string{"travail en équipe"}, Story: Completed, Company: 2},
			{First: "Eva", Last: "Modèle", Birth: "2005-06-12", PostalCode: "95500", Cohort: 0, Referent: 1, Kinds: []string{"internship"}, ROME: []string{"M1805"}, Skills: []string{"HTML et CSS"}, Story: BackToSchool, Company: 1, Offer: 1},
			{First: "Kylian", Last: "Exemple", Birth: "2004-08-08", PostalCode: "95140", Cohort: 0, Kinds: []string{"job"}, ROME: []string{"D1507"}, Skills: []string{"relation client"}, Story: DroppedOut, Company: 3},
			{First: "Nina", Last: "Fictif", Birth: "2002-12-12", PostalCode: "95200", Cohort: 0, Kinds: []string{"job"}, ROME: []string{"D1507"}, Skills: []string{"relation client"}, Story: Completed, Company: 3},
		},
	},
}
