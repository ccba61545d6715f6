package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// signinSend creates a link for the email posted and mails it. Known or not,
// the email gets the same page and about the same time: the lookup and
// insert run either way, and the email is sent after the answer, so neither
// the page nor its timing says whether someone is an adviser here.
func (h *Handler) signinSend(w http.ResponseWriter, r *http.Request) {
	f := form.Read(r)
	email, next := f.String("email"), safeNext(f.String("next"))
	if _, err := mail.ParseAddress(email); err != nil || !strings.Contains(email, "@") {
		h.render(w, r, http.StatusUnprocessableEntity, "signin", page{Title: "Connexion", Data: signinPage{Email: email, Next: next,
			Errors: map[string]string{"email": "Indiquez votre adresse e-mail professionnelle, par exemple prenom.nom@exemple.fr."}}})
		return
	}
	links, err := h.deps.Store.CreateSigninLinksTo(r.Context(), email, next)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, l := range links {
		// The request's context ends with the answer: the mail keeps its values, not its cancellation.
		go h.mailLink(context.WithoutCancel(r.Context()), l)
	}
	http.Redirect(w, r, Prefix+"/signin?sent=1", http.StatusSeeOther)
}

// LinkURL is the address of a sign-in link's page.
func LinkURL(publicBaseURL, token string) string {
	return strings.TrimRight(publicBaseURL, "/") + Prefix + "/signin/link?token=" + token
}

// mailLink sends one link, after the answer (see signinSend). A failure is
// logged: the person asks again, as they would for a lost email.
func (h *Handler) mailLink(ctx context.Context, l store.SigninLink) {
	if h.deps.Mailer == nil {
		h.deps.Logger.Warn("console: sign-in link not sent: the email channel is off (SMTP_URL unset)")
		return
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := h.deps.Mailer.Send(ctx, signinEmail(h.deps.PublicBaseURL, l)); err != nil {
		h.deps.Logger.Error("console: sign-in link not sent", "adviser_id", l.AdviserID, "error", err)
	}
}

var signinHTML = template.Must(template.New("signin").Parse(`<p>Bonjour {{.Name}},</p>
<p>Pour vous connecter à la console Passerelle, suivez ce lien (valable {{.Minutes}} minutes, une seule fois) :</p>
<p><a href="{{.URL}}">Se connecter à Passerelle</a></p>
<p>Si vous n'avez rien demandé, ignorez ce message : personne ne peut se connecter sans ce lien.</p>`))

// signinEmail is the message carrying a link, in French.
func signinEmail(base string, l store.SigninLink) notify.Email {
	url := LinkURL(base, l.Token)
	minutes := int(store.SigninLinkTTL.Minutes())
	var html strings.Builder
	_ = signinHTML.Execute(&html, map[string]any{"Name": l.Name, "URL": url, "Minutes": minutes})
	return notify.Email{To: l.Email, ToName: l.Name, Message: notify.Message{
		Subject: "Votre lien de connexion à Passerelle",
		Text: fmt.Sprintf("Bonjour %s,\n\nPour vous connecter à la console Passerelle, ouvrez ce lien "+
			"(valable %d minutes, une seule fois) :\n\n%s\n\nSi vous n'avez rien demandé, ignorez ce message : "+
			"personne ne peut se connecter sans ce lien.\n", l.Name, minutes, url),
		HTML: html.String(),
	}}
}
