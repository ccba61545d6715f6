package web

import (
	"net/http"

	"github.com/passerelle-dev/passerelle/store"
)

// traineeStatusLabels are the trainee statuses in people's words.
var traineeStatusLabels = map[string]string{
	store.TraineeActive:   "En parcours",
	store.TraineePlaced:   "En emploi ou en formation",
	store.TraineeExited:   "Sortis",
	store.TraineeArchived: "Archivés",
}

// todayPage is the data of templates/today.html.
type todayPage struct {
	Statuses []statusCount
	Waiting  []waiting
	Due      []store.DueFollowup
	Unread   int
}

type statusCount struct {
	Status string
	Count  int
}

type waiting struct {
	store.WaitingProposal
	DaysLeft int
}

// today is the adviser's home page: "Aujourd'hui".
func (h *Handler) today(w http.ResponseWriter, r *http.Request) {
	t, err := h.deps.Store.Today(r.Context(), principal(r), h.deps.ProposalExpiry)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.deps.Now()
	data := todayPage{Due: t.FollowupsDue, Unread: t.Unread}
	for _, s := range store.TraineeStatuses {
		data.Statuses = append(data.Statuses, statusCount{s, t.TraineesByStatus[s]})
	}
	for _, p := range t.Waiting {
		data.Waiting = append(data.Waiting, waiting{p, max(0, daysLeft(now, p.ExpiresAt))})
	}
	h.render(w, r, http.StatusOK, "today", page{Title: "Aujourd'hui", Nav: "today", Data: data})
}
