package bench

// sector is a trade the programmes place trainees in: the jobs (a title and
// its ROME code), the skills an offer asks for, the words of company names
// and their NAF codes. The generator draws offers from these, so titles,
// skills and ROME codes agree with each other as in real offers.
type sector struct {
	name      string
	jobs      []job
	skills    []string
	companies []string // company name stems: "Boulangerie", "Garage"…
	naf       []string
	// remote is the share of offers open to partial or full remote work.
	remote float64
}

type job struct {
	title string // the trade, written for a title: "développeur web"
	rome  string
}

var sectors = []sector{
	{name: "numérique", remote: 0.35,
		jobs: []job{{"développeur web", "M1805"}, {"développeuse full stack", "M1805"}, {"technicien support informatique", "I1401"},
			{"administrateur systèmes et réseaux", "M1801"}, {"technicien d'exploitation informatique", "M1810"},
			{"intégrateur web", "E1101"}, {"technicien helpdesk", "H1101"}, {"testeur logiciel", "M1805"}},
		skills: []string{"HTML", "CSS", "JavaScript", "PHP", "Python", "SQL", "Git", "Linux", "Windows Server", "React",
			"accessibilité numérique", "support utilisateur", "maintenance de postes", "réseaux TCP/IP", "WordPress"},
		companies: []string{"Agence web", "Studio numérique", "Informatique services", "Solutions digitales", "Datacenter"},
		naf:       []string{"62.01Z", "62.02A", "62.03Z", "63.11Z"}},
	{name: "fibre et réseaux", remote: 0,
		jobs: []job{{"technicien fibre optique", "I1307"}, {"raccordeur fibre", "I1307"}, {"monteur réseaux télécoms", "F1605"},
			{"technicien réseaux télécoms", "M1804"}, {"installateur courants faibles", "I1307"}},
		skills: []string{"soudure fibre optique", "raccordement FTTH", "travail en hauteur", "habilitation électrique",
			"lecture de plans", "mesures réflectométriques", "tirage de câbles"},
		companies: []string{"Réseaux", "Fibre", "Télécom services", "Connect"},
		naf:       []string{"42.22Z", "43.21A", "61.10Z"}},
	{name: "commerce", remote: 0.02,
		jobs: []job{{"vendeur en magasin", "D1214"}, {"vendeuse prêt-à-porter", "D1214"}, {"employé de libre-service", "D1507"},
			{"hôte de caisse", "D1505"}, {"conseiller de vente", "D1403"}, {"vendeur en alimentation", "D1106"},
			{"téléconseiller", "D1408"}, {"vendeur articles de sport", "D1211"}},
		skills: []string{"accueil client", "encaissement", "mise en rayon", "conseil client", "gestion des stocks",
			"merchandising", "vente additionnelle", "inventaire"},
		companies: []string{"Boutique", "Supérette", "Magasin", "Comptoir", "Market"},
		naf:       []string{"47.11B", "47.71Z", "47.64Z", "47.19B"}},
	{name: "restauration", remote: 0,
		jobs: []job{{"commis de cuisine", "G1602"}, {"cuisinier", "G1602"}, {"serveur en restauration", "G1803"},
			{"employé polyvalent de restauration", "G1603"}, {"plongeur", "G1605"}, {"barman", "G1801"}, {"pizzaiolo", "G1604"}},
		skills: []string{"hygiène HACCP", "mise en place", "service en salle", "préparation froide", "cuisson",
			"plonge", "accueil client", "travail en équipe"},
		companies: []string{"Restaurant", "Brasserie", "Bistrot", "Crêperie", "Traiteur"},
		naf:       []string{"56.10A", "56.10C", "56.21Z", "56.30Z"}},
	{name: "métiers de bouche", remote: 0,
		jobs: []job{{"boulanger", "D1102"}, {"pâtissier", "D1104"}, {"boucher", "D1101"}, {"charcutier traiteur", "D1103"},
			{"poissonnier", "D1105"}},
		skills:    []string{"pétrissage", "façonnage", "cuisson", "hygiène HACCP", "découpe", "vente au comptoir", "viennoiserie"},
		companies: []string{"Boulangerie", "Pâtisserie", "Boucherie", "Maison", "Fournil"},
		naf:       []string{"10.71C", "10.71D", "47.22Z"}},
	{name: "hôtellerie et tourisme", remote: 0,
		jobs: []job{{"réceptionniste", "G1703"}, {"femme de chambre", "G1501"}, {"valet de chambre", "G1501"},
			{"agent d'accueil touristique", "G1101"}, {"animateur de loisirs", "G1203"}, {"employé polyvalent d'hôtellerie", "G1502"}},
		skills:    []string{"accueil client", "anglais", "réservations", "entretien des chambres", "animation", "caisse"},
		companies: []string{"Hôtel", "Camping", "Office de tourisme", "Résidence", "Auberge"},
		naf:       []string{"55.10Z", "55.30Z", "79.90Z"}},
	{name: "automobile", remote: 0,
		jobs: []job{{"mécanicien automobile", "I1604"}, {"carrossier", "I1606"}, {"mécanicien cycles", "I1607"},
			{"préparateur de véhicules", "I1604"}},
		skills:    []string{"diagnostic", "vidange", "freinage", "pneumatiques", "carrosserie", "peinture", "électricité automobile"},
		companies: []string{"Garage", "Carrosserie", "Auto services", "Cycles"},
		naf:       []string{"45.20A", "45.20B", "45.40Z"}},
	{name: "optique", remote: 0,
		jobs:      []job{{"opticien", "J1405"}, {"vendeur en optique", "J1405"}, {"monteur en optique", "J1405"}},
		skills:    []string{"montage de verres", "accueil client", "prise de mesures", "vente", "tiers payant"},
		companies: []string{"Optique", "Opticien", "Lunetterie"},
		naf:       []string{"47.78A"}},
	{name: "arts et artisanat", remote: 0.05,
		jobs: []job{{"tapissier d'ameublement", "B1806"}, {"céramiste", "B1201"}, {"bijoutier", "B1603"},
			{"réalisateur de contenus multimédias", "E1205"}, {"photographe", "E1201"}},
		skills:    []string{"travail du bois", "couture", "créativité", "retouche photo", "montage vidéo", "tournage"},
		companies: []string{"Atelier", "Studio", "Fabrique", "Créations"},
		naf:       []string{"90.03A", "74.20Z", "31.09A"}},
	{name: "soin et aide à la personne", remote: 0,
		jobs: []job{{"aide-soignant", "J1501"}, {"auxiliaire de vie", "K1302"}, {"agent de services hospitaliers", "J1301"},
			{"aide à domicile", "K1304"}, {"auxiliaire de puériculture", "J1304"}},
		skills:    []string{"soins d'hygiène", "écoute", "aide aux repas", "entretien du logement", "bientraitance", "transmissions"},
		companies: []string{"EHPAD", "Clinique", "Aide à domicile", "Crèche"},
		naf:       []string{"87.10A", "88.10A", "86.10Z", "88.91A"}},
	{name: "logistique", remote: 0,
		jobs: []job{{"préparateur de commandes", "N1103"}, {"magasinier", "N1103"}, {"cariste", "N1101"},
			{"manutentionnaire", "N1105"}, {"livreur", "N4105"}},
		skills:    []string{"CACES 1", "CACES 3", "préparation de commandes", "scanner", "gestion des stocks", "permis B"},
		companies: []string{"Logistique", "Transports", "Entrepôt", "Express"},
		naf:       []string{"52.10B", "49.41A", "53.20Z"}},
	{name: "bâtiment", remote: 0,
		jobs: []job{{"électricien du bâtiment", "F1602"}, {"peintre en bâtiment", "F1606"}, {"maçon", "F1703"},
			{"plombier chauffagiste", "F1603"}, {"menuisier poseur", "F1607"}},
		skills:    []string{"lecture de plans", "habilitation électrique", "enduits", "coffrage", "soudure", "travail en hauteur"},
		companies: []string{"Bâtiment", "Rénovation", "Électricité", "Construction"},
		naf:       []string{"43.21A", "43.34Z", "43.99C", "41.20A"}},
	{name: "administration", remote: 0.15,
		jobs: []job{{"assistant administratif", "M1602"}, {"secrétaire", "M1607"}, {"agent d'accueil", "M1601"},
			{"aide-comptable", "M1203"}, {"assistant ressources humaines", "M1501"}},
		skills:    []string{"bureautique", "Excel", "accueil téléphonique", "classement", "saisie de données", "facturation"},
		companies: []string{"Cabinet", "Conseil", "Services", "Gestion"},
		naf:       []string{"69.20Z", "70.22Z", "82.11Z"}},
}

// searchTexts are what advisers type: trades, sector words, synonyms the
// index knows, words that are misspelt (typo tolerance), and nothing at all
// (filters only).
var searchTexts = []string{
	"développeur", "developpeur web", "dévelopeur", "informatique", "support informatique",
	"cuisine", "cuisinier", "cuisnier", "commis", "serveur", "restauration",
	"vente", "vendeuse", "vendeur magasin", "caisse", "mise en rayon",
	"boulanger", "boulangerie", "patissier", "boulanjer",
	"fibre optique", "fibre", "réseaux", "télécom",
	"mécanique", "mecanicien auto", "garage",
	"opticien", "optique", "alternance", "apprentissage", "stage",
	"aide soignant", "auxiliaire de vie", "préparateur de commandes", "cariste",
	"électricien", "peintre", "assistant administratif", "réceptionniste", "hôtel", "",
}
