package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// partnerRequestsPage is the data of templates/partner_requests.html.
type partnerRequestsPage struct {
	Pending []store.PartnerRequest
	Decided []store.PartnerRequest
	// PublicURL is the programme's public page, to share with companies.
	PublicURL string
}

// partnerRequests lists the requests to become the organisation's partner:
// those waiting for an answer, then those answered.
func (h *Handler) partnerRequests(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	items, _, err := h.deps.Store.ListPartnerRequests(r.Context(), p, "", store.Page{Limit: store.MaxLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := partnerRequestsPage{PublicURL: strings.TrimRight(h.deps.PublicBaseURL, "/") + Prefix + "/programmes/" + p.OrganisationID.String()}
	for _, it := range items {
		if it.Status == store.RequestPending {
			d.Pending = append(d.Pending, it)
		} else {
			d.Decided = append(d.Decided, it)
		}
	}
	flash := map[string]string{
		"acceptee": "Demande acceptée : l'entreprise est enregistrée comme partenaire et son contact a reçu son lien de connexion par e-mail.",
		"transmise": "Demande acceptée : cette entreprise était déjà inscrite. Elle doit accepter votre programme depuis son espace : " +
			"son contact ne reçoit pas d'accès par cette demande.",
		"refusee": "Demande refusée.",
	}[r.URL.Query().Get("ok")]
	h.render(w, r, http.StatusOK, "partner_requests", page{Title: "Demandes de partenariat", Nav: "companies", Flash: flash, Data: d})
}

// partnerRequestDecide accepts or refuses a request through the store, and
// mails the invitation an acceptance created.
func (h *Handler) partnerRequestDecide(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	accept, known := map[string]bool{"accept": true, "refuse": false}[r.PathValue("decision")]
	if err != nil || !known {
		h.notFound(w, r)
		return
	}
	dec, err := h.deps.Store.DecidePartnerRequest(r.Context(), principal(r), id, accept)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ok := "refusee"
	switch {
	case dec.Invitation != nil:
		ok = "acceptee"
		go h.mailInvitation(context.WithoutCancel(r.Context()), *dec.Invitation, dec.Request.CompanyName)
	case accept:
		ok = "transmise"
	}
	http.Redirect(w, r, Prefix+"/partner-requests?ok="+ok, http.StatusSeeOther)
}

// companyInvite invites a person to sign in for a partner company (the
// store says who may: the steward's advisers), and mails their link.
func (h *Handler) companyInvite(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	f := form.Read(r)
	in := store.CompanyUserInput{Name: f.String("name"), Email: f.String("email")}
	c, err := h.deps.Store.GetCompany(r.Context(), principal(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	err = f.Err()
	var link store.SigninLink
	if err == nil {
		_, link, err = h.deps.Store.InviteCompanyUser(r.Context(), principal(r), id, in)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		h.showCompany(w, r, http.StatusUnprocessableEntity, c, in, errs)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	go h.mailInvitation(context.WithoutCancel(r.Context()), link, c.Name)
	http.Redirect(w, r, Prefix+"/companies/"+id.String()+"?ok=invite#acces", http.StatusSeeOther) //nolint:gosec // G710: our own path and a parsed id
}

var invitationHTML = template.Must(template.New("invitation").Parse(`<p>Bonjour {{.Name}},</p>
<p>Vous êtes invité·e à l'espace entreprise de Passerelle pour {{.Company}} : vous y publiez vos offres et répondez aux candidatures que vous proposent les programmes partenaires, depuis un ordinateur ou un téléphone.</p>
<p><a href="{{.URL}}">Ouvrir l'espace entreprise</a> (lien valable {{.Minutes}} minutes, une seule fois)</p>
<p>Ensuite, connectez-vous quand vous voulez sur {{.Signin}} avec cette adresse e-mail : nous vous envoyons un nouveau lien à chaque fois, sans mot de passe.</p>`))

// invitationEmail is the French message inviting a company user, with
// their first sign-in link.
func invitationEmail(base string, l store.SigninLink, company string) notify.Email {
	url := LinkURL(base, l.Token)
	signin := strings.TrimRight(base, "/") + Prefix + "/signin"
	minutes := int(store.SigninLinkTTL.Minutes())
	var html strings.Builder
	_ = invitationHTML.Execute(&html, map[string]any{"Name": l.Name, "Company": company, "URL": url, "Minutes": minutes, "Signin": signin})
	return notify.Email{To: l.Email, ToName: l.Name, Message: notify.Message{
		Subject: "Votre accès à l'espace entreprise de Passerelle",
		Text: fmt.Sprintf("Bonjour %s,\n\nVous êtes invité·e à l'espace entreprise de Passerelle pour %s : vous y publiez "+
			"vos offres et répondez aux candidatures que vous proposent les programmes partenaires, depuis un ordinateur "+
			"ou un téléphone.\n\nOuvrir l'espace entreprise (lien valable %d minutes, une seule fois) :\n\n%s\n\n"+
			"Ensuite, connectez-vous quand vous voulez sur %s avec cette adresse e-mail : nous vous envoyons un nouveau "+
			"lien à chaque fois, sans mot de passe.\n", l.Name, company, minutes, url, signin),
		HTML: html.String(),
	}}
}

// mailInvitation sends an invitation after the answer, as mailLink does.
func (h *Handler) mailInvitation(ctx context.Context, l store.SigninLink, company string) {
	if h.deps.Mailer == nil {
		h.deps.Logger.Warn("console: invitation not sent: the email channel is off (SMTP_URL unset)")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := h.deps.Mailer.Send(ctx, invitationEmail(h.deps.PublicBaseURL, l, company)); err != nil {
		h.deps.Logger.Error("console: invitation not sent", "company_user_id", l.CompanyUserID, "error", err)
	}
}
