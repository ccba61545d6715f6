package web

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// proposalStatusLabels name the proposal statuses in people's words, as a
// column of the pipeline.
var proposalStatusLabels = map[string]string{
	store.ProposalSuggested:         "Suggérées",
	store.ProposalShortlisted:       "Présélectionnées",
	store.ProposalProposed:          "Envoyées à l'entreprise",
	store.ProposalInterview:         "Entretien",
	store.ProposalAccepted:          "Acceptées",
	store.ProposalPlaced:            "En poste",
	store.ProposalDismissed:         "Écartées",
	store.ProposalDeclinedByCompany: "Refusées par l'entreprise",
	store.ProposalDeclinedByTrainee: "Refusées par le stagiaire",
	store.ProposalWithdrawn:         "Retirées",
	store.ProposalExpired:           "Expirées",
}

// proposalMoveLabels name a move by where it leads, as an action.
var proposalMoveLabels = map[string]string{
	store.ProposalShortlisted:       "Présélectionner",
	store.ProposalProposed:          "Envoyer à l'entreprise",
	store.ProposalInterview:         "Entretien prévu",
	store.ProposalAccepted:          "Acceptée par l'entreprise",
	store.ProposalPlaced:            "Confirmer le placement",
	store.ProposalDismissed:         "Écarter",
	store.ProposalDeclinedByCompany: "Refusée par l'entreprise",
	store.ProposalDeclinedByTrainee: "Le stagiaire refuse",
	store.ProposalWithdrawn:         "Retirer la proposition",
}

// pipelinePage is the data of templates/pipeline.html.
type pipelinePage struct {
	Status  string
	Columns []pipelineColumn
	Cards   []pipelineCard
	Pager   pager
}

type pipelineColumn struct {
	Status string
	Count  int
	Href   string
}

type pipelineCard struct {
	store.PipelineCard
	DaysLeft int
	// Moves are the statuses this principal may move the card to, from the
	// one transition table.
	Moves []string
}

// pipeline shows the organisation's proposals of one status (?statut=,
// "proposed" by default), with a tab per status and its count, and on each
// card only the moves the state machine allows this adviser.
func (h *Handler) pipeline(w http.ResponseWriter, r *http.Request) {
	status := r.URL.Query().Get("statut")
	if status == "" {
		status = store.ProposalProposed
	}
	if !slices.Contains(store.ProposalStatuses, status) {
		h.fail(w, r, passerelle.Errorf(passerelle.ENotFound, "no such status"))
		return
	}
	pg, err := readPager(r, "pipeline-"+status)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := principal(r)
	counts, err := h.deps.Store.PipelineCounts(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	cards, next, err := h.deps.Store.ListPipeline(r.Context(), p, status, h.deps.ProposalExpiry, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := pipelinePage{Status: status, Pager: pg.Next(r, next)}
	for _, s := range store.ProposalStatuses {
		data.Columns = append(data.Columns, pipelineColumn{s, counts[s], Prefix + "/proposals?statut=" + url.QueryEscape(s)})
	}
	now := h.deps.Now()
	for _, c := range cards {
		card := pipelineCard{PipelineCard: c, Moves: store.AllowedProposalTransitions(p.Role, c.Status)}
		if c.ExpiresAt != nil {
			card.DaysLeft = max(0, daysLeft(now, *c.ExpiresAt))
		}
		data.Cards = append(data.Cards, card)
	}
	h.render(w, r, http.StatusOK, "pipeline", page{Title: "Propositions", Nav: "proposals", Flash: flashOf(r), Data: data})
}

// pipelineMove applies the move a card's form posts, through the store's
// TransitionProposal (the API's), and goes back to the proposal's column.
func (h *Handler) pipelineMove(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.fail(w, r, passerelle.Errorf(passerelle.ENotFound, "Proposal not found."))
		return
	}
	f := form.Read(r)
	to, reason := f.String("to"), f.String("reason")
	version := f.Int("version")
	if err := f.Err(); err != nil {
		h.fail(w, r, passerelle.Errorf(passerelle.EConflict, "bad form"))
		return
	}
	if to == "" {
		// No step chosen (a browser without form validation): nothing moves.
		http.Redirect(w, r, Prefix+"/proposals?fait=choisir", http.StatusSeeOther)
		return
	}
	p, err := h.deps.Store.TransitionProposal(r.Context(), principal(r), id, &version, store.TransitionInput{To: to, Reason: reason})
	if passerelle.ErrorCode(err) == passerelle.EInvalid {
		// Only a tampered form posts an unknown status: the page offers
		// the allowed moves only.
		err = passerelle.Errorf(passerelle.EConflict, "unknown move")
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := url.Values{"statut": {p.Status}, "fait": {"deplace"}}
	http.Redirect(w, r, Prefix+"/proposals?"+q.Encode(), http.StatusSeeOther)
}

// flashes are the confirmations a redirect after a POST asks for (?fait=).
var flashes = map[string]string{
	"deplace":    "La proposition a changé d'étape.",
	"choisir":    "Choisissez la nouvelle étape avant de valider : rien n'a changé.",
	"propose":    "La proposition est créée : elle attend d'être envoyée à l'entreprise.",
	"enregistre": "Le suivi est enregistré.",
}

// flashOf is the confirmation the request's ?fait= names, "" if none.
func flashOf(r *http.Request) string { return flashes[r.URL.Query().Get("fait")] }
