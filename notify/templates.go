package notify

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	"text/template"
	"time"
	_ "time/tzdata" // Europe/Paris on systems without zone data (containers)

	"github.com/passerelle-dev/passerelle"
)

// Templates are embedded per locale: templates/<locale>/<event type>.txt
// defines "subject", "summary" (one line, for the inbox and digests) and
// "text"; templates/<locale>/layout.html turns a message into HTML;
// default.txt serves event types without a template of their own and
// digest.txt the daily digest. Another language is another directory.
//
//go:embed templates
var templateFS embed.FS

// DefaultLocale is the locale of every message until recipients choose one.
const DefaultLocale = "fr"

// Event is what a message is about: an event's type, time and payload (ids,
// titles and statuses, never personal data).
type Event struct {
	ID         string
	Type       string
	OccurredAt time.Time
	Payload    map[string]any
}

// Data is what a template sees.
type Data struct {
	RecipientName string // "" when unknown (a company contact)
	BaseURL       string // PUBLIC_BASE_URL, for links
	// Company says the recipient is a company's: the message is the
	// company's template (company.<event type>.txt) when there is one, and
	// links to the company's space.
	Company bool
	Event   Event
	// Items are a digest's events.
	Items []DigestItem
	Day   time.Time // a digest's day
}

// DigestItem is one line of a digest.
type DigestItem struct {
	Event   Event
	Summary string
}

// Message is a rendered email.
type Message struct {
	Subject string
	Text    string
	HTML    string
}

// Templates render messages of one locale.
type Templates struct {
	locale string
	text   *template.Template
	html   *htmltemplate.Template
}

// Paris is the time zone messages show times in.
var Paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic("notify: " + err.Error())
	}
	return loc
}

// NewTemplates parses the templates of locale.
func NewTemplates(locale string) (*Templates, error) {
	dir := "templates/" + locale
	names, err := fs.Glob(templateFS, dir+"/*.txt")
	if err != nil || len(names) == 0 {
		return nil, fmt.Errorf("notify: no templates for locale %q", locale)
	}
	t := &Templates{locale: locale, text: template.New(locale).Funcs(funcs(locale))}
	for _, name := range names {
		body, err := fs.ReadFile(templateFS, name)
		if err != nil {
			return nil, fmt.Errorf("notify: read %s: %w", name, err)
		}
		kind := strings.TrimSuffix(name[len(dir)+1:], ".txt")
		// Each file's blocks are renamed "<kind>/<block>" so files do not clash.
		src := strings.NewReplacer(`{{define "`, `{{define "`+kind+`/`, `{{template "`, `{{template "`+kind+`/`).Replace(string(body))
		if _, err := t.text.New(kind).Parse(src); err != nil {
			return nil, fmt.Errorf("notify: parse %s: %w", name, err)
		}
	}
	t.html, err = htmltemplate.New("layout.html").Funcs(funcs(locale)).ParseFS(templateFS, dir+"/layout.html")
	if err != nil {
		return nil, fmt.Errorf("notify: parse %s/layout.html: %w", dir, err)
	}
	return t, nil
}

// MustTemplates is NewTemplates for the embedded locales, which are tested.
func MustTemplates(locale string) *Templates {
	t, err := NewTemplates(locale)
	if err != nil {
		panic(err)
	}
	return t
}

func (t *Templates) kindFor(eventType string) string {
	if t.text.Lookup(eventType+"/subject") != nil {
		return eventType
	}
	return "default"
}

func (t *Templates) exec(name string, d Data) (string, error) {
	var b bytes.Buffer
	if err := t.text.ExecuteTemplate(&b, name, d); err != nil {
		return "", fmt.Errorf("notify: render %s: %w", name, err)
	}
	return strings.TrimSpace(b.String()), nil
}

// Summary is the one line that stands for an event in the inbox and digests.
func (t *Templates) Summary(e Event) (title, summary string, err error) {
	kind := t.kindFor(e.Type)
	d := Data{Event: e}
	if title, err = t.exec(kind+"/subject", d); err != nil {
		return "", "", err
	}
	summary, err = t.exec(kind+"/summary", d)
	return title, summary, err
}

// Event renders the email telling of one event: for a company's recipient,
// the company's template of the event type when there is one.
func (t *Templates) Event(d Data) (Message, error) {
	if d.Company && t.text.Lookup(CompanyPrefix+d.Event.Type+"/subject") != nil {
		return t.render(CompanyPrefix+d.Event.Type, d)
	}
	return t.render(t.kindFor(d.Event.Type), d)
}

// CompanyPrefix starts the name of a template written for a company's
// recipients (company.proposal.status_changed.txt).
const CompanyPrefix = "company."

// Digest renders a daily digest of d.Items.
func (t *Templates) Digest(d Data) (Message, error) {
	for i, it := range d.Items {
		_, s, err := t.Summary(it.Event)
		if err != nil {
			return Message{}, err
		}
		d.Items[i].Summary = s
	}
	return t.render("digest", d)
}

func (t *Templates) render(kind string, d Data) (Message, error) {
	var m Message
	var err error
	if m.Subject, err = t.exec(kind+"/subject", d); err != nil {
		return m, err
	}
	if m.Text, err = t.exec(kind+"/text", d); err != nil {
		return m, err
	}
	m.Text += "\n"
	var b bytes.Buffer
	err = t.html.Execute(&b, struct {
		Lang, Subject string
		Paragraphs    [][]string
	}{t.locale, m.Subject, paragraphs(m.Text)})
	if err != nil {
		return m, fmt.Errorf("notify: render %s html: %w", kind, err)
	}
	m.HTML = b.String()
	return m, nil
}

// paragraphs splits a text into paragraphs of lines, for the HTML layout.
func paragraphs(text string) [][]string {
	var out [][]string
	for _, p := range strings.Split(strings.TrimSpace(text), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Split(p, "\n"))
		}
	}
	return out
}

// funcs are the templates' helpers.
func funcs(locale string) template.FuncMap {
	return template.FuncMap{
		// field returns the first of the payload's keys holding a value.
		"field": func(payload map[string]any, keys ...string) string {
			for _, k := range keys {
				if v, ok := payload[k]; ok && v != nil && fmt.Sprint(v) != "" {
					return fmt.Sprint(v)
				}
			}
			return ""
		},
		"date":   func(v any) string { return frenchDate(v, false) },
		"when":   func(v any) string { return frenchDate(v, true) },
		"status": func(s string) string { return label(statusLabels, s) },
		"kind":   func(s string) string { return label(kindLabels, s) },
		"event":  func(s string) string { return label(eventLabels, s) },
		// link is the absolute address of the console page where the event's
		// subject can be acted on; prefs that of the notification preferences.
		"link": func(base string, e Event) string {
			return strings.TrimRight(base, "/") + passerelle.ConsolePath(e.Type, e.Payload)
		},
		"prefs": func(base string) string { return strings.TrimRight(base, "/") + passerelle.ConsolePreferencesPath },
		// companyLink is the page of the company's space where the event's
		// subject is answered (a proposal's answer page).
		"companyLink": func(base string, e Event) string {
			return strings.TrimRight(base, "/") + passerelle.CompanyConsolePath(e.Type, e.Payload)
		},
	}
}

func label(m map[string]string, s string) string {
	if l, ok := m[s]; ok {
		return l
	}
	return s
}

var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frenchDate writes a time (or an RFC 3339 string, or a date) in French,
// Paris time: "3 mars 2027", with the hour "3 mars 2027 à 14 h 05".
func frenchDate(v any, withTime bool) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		var err error
		if t, err = time.Parse(time.RFC3339Nano, x); err != nil {
			if t, err = time.Parse(time.DateOnly, x); err != nil {
				return x
			}
			withTime = false
		}
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	t = t.In(Paris)
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	s := fmt.Sprintf("%s %s %d", day, frenchMonths[t.Month()-1], t.Year())
	if withTime {
		s += fmt.Sprintf(" à %d h %02d", t.Hour(), t.Minute())
	}
	return s
}

var statusLabels = map[string]string{
	"suggested": "suggérée", "shortlisted": "présélectionnée", "proposed": "proposée à l'entreprise",
	"interview": "entretien", "accepted": "acceptée", "placed": "en poste", "dismissed": "écartée",
	"declined_by_company": "refusée par l'entreprise", "declined_by_trainee": "refusée par le ou la jeune",
	"withdrawn": "retirée", "expired": "expirée sans réponse",
	"published": "publiée", "paused": "suspendue", "filled": "pourvue", "closed": "clôturée",
	"completed": "menée à son terme", "interrupted": "interrompue",
}

var kindLabels = map[string]string{
	"apprenticeship": "apprentissage", "professionalisation": "contrat de professionnalisation", "internship": "stage",
	"immersion": "immersion (PMSMP)", "job": "emploi", "discovery": "visite d'entreprise",
}

var eventLabels = map[string]string{
	"offer.published": "Offre publiée", "offer.expiring": "Offre bientôt expirée",
	"proposal.created": "Nouvelle piste de placement", "proposal.status_changed": "Proposition mise à jour",
	"placement.started": "Début de placement", "placement.ended": "Fin de placement",
	"followup.due": "Suivi à faire", "trainee.erased": "Données effacées",
}

// EventLabel is an event type in people's words ("Suivi à faire"); the
// console's inbox and preferences show the same names as the emails.
func EventLabel(typ string) string { return label(eventLabels, typ) }
