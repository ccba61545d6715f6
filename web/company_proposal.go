package web

import (
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// answerLabels name the company's answers to a proposal, as buttons.
var answerLabels = map[string]string{
	store.ProposalInterview:         "Intéressé·e : proposer un entretien",
	store.ProposalAccepted:          "Retenir la candidature",
	store.ProposalDeclinedByCompany: "Ne pas retenir",
}

// declineReasons are the reasons a company gives in one tap; the first is
// chosen unless another is.
var declineReasons = []string{
	"Le profil ne correspond pas au poste",
	"Le poste est déjà pourvu",
	"Les dates ne conviennent pas",
	"Le trajet serait trop long",
	"Autre raison",
}

// answerFlashes confirm an answer, by the status it led to.
var answerFlashes = map[string]string{
	store.ProposalInterview:         "Réponse envoyée : le référent organise l'entretien avec vous.",
	store.ProposalAccepted:          "Réponse envoyée : la candidature est retenue. Le référent vous recontacte pour la suite.",
	store.ProposalDeclinedByCompany: "Réponse envoyée : la candidature n'est pas retenue. Merci d'avoir répondu.",
}

func init() {
	funcs["answerLabel"] = func(s string) string { return answerLabels[s] }
}

// companyProposalPage is the data of templates/company_proposal.html.
type companyProposalPage struct {
	C       candidate
	Answers []string // the moves the company may make now (the store's table)
	Decline bool     // declining is among them
	Reasons []string
}

// companyProposal is the answer page of a proposal: the candidate as the API
// shows them to the company (pseudonym, skills with evidence, availability,
// distance band; identity only after the trainee's consent), the days left,
// and the answers the state machine allows, one tap each (two to decline,
// with a reason). Emails link here.
func (h *Handler) companyProposal(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	p := principal(r)
	pr, err := h.deps.Store.GetProposal(r.Context(), p, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := companyProposalPage{C: h.candidateOf(pr), Reasons: declineReasons}
	for _, to := range store.AllowedProposalTransitions(p.Role, pr.Status) {
		if to == store.ProposalDeclinedByCompany {
			d.Decline = true
		} else {
			d.Answers = append(d.Answers, to)
		}
	}
	title := "Candidature " + pr.Candidate.Pseudonym
	if pr.Candidate.Identity != nil {
		title = "Candidature de " + pr.Candidate.Identity.FirstName + " " + pr.Candidate.Identity.LastName
	}
	h.render(w, r, http.StatusOK, "company_proposal", page{Title: title, Nav: "company",
		Flash: answerFlashes[r.URL.Query().Get("ok")], Data: d})
}

// companyProposalAnswer moves the proposal as the company answered, through
// the store's TransitionProposal (who may move it where is its table), with
// the version the page was read at.
func (h *Handler) companyProposalAnswer(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	f := form.Read(r)
	in := store.TransitionInput{To: f.String("to")}
	version := f.Int("version")
	if in.To == store.ProposalDeclinedByCompany {
		in.Reason = f.String("reason")
		if !slices.Contains(declineReasons, in.Reason) {
			in.Reason = declineReasons[len(declineReasons)-1]
		}
		if more := f.String("reason_detail"); more != "" {
			in.Reason += " : " + more
		}
	}
	if f.Err() != nil {
		h.fail(w, r, passerelle.Errorf(passerelle.EConflict, "unreadable answer"))
		return
	}
	if _, err := h.deps.Store.TransitionProposal(r.Context(), principal(r), id, &version, in); err != nil {
		if errs, ok := form.ErrorsOf(err); ok {
			h.fail(w, r, passerelle.Errorf(passerelle.EConflict, "%v", errs))
			return
		}
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/company/proposals/"+id.String()+"?ok="+in.To, http.StatusSeeOther) //nolint:gosec // G710: our own path, a parsed id and a known status
}
