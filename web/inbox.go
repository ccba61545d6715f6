package web

import (
	"net/http"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/store"
)

// inboxPage is the data of templates/inbox.html.
type inboxPage struct {
	Items      []inboxItem
	UnreadOnly bool
	Pager      pager
}

// inboxItem is a notification with the page where its subject is acted on,
// the same page its email links to.
type inboxItem struct {
	store.Notification
	Link string
}

// inbox lists the adviser's notifications (?non-lues=1: the unread ones), in
// the store's order: a change feed, a notification marked read moves to the
// end.
func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) {
	pg, err := readPager(r, "notifications")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	unread := r.URL.Query().Get("non-lues") != ""
	items, next, err := h.deps.Store.ListNotifications(r.Context(), principal(r), store.NotificationFilter{Unread: unread}, pg.Page)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	data := inboxPage{UnreadOnly: unread, Pager: pg.Next(r, next)}
	for _, n := range items {
		data.Items = append(data.Items, inboxItem{n, passerelle.ConsolePath(n.EventType, n.Payload)})
	}
	h.render(w, r, http.StatusOK, "inbox", page{Title: "Notifications", Nav: "inbox", Data: data})
}

// inboxRead marks one notification read and returns to the inbox.
func (h *Handler) inboxRead(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	if _, err := h.deps.Store.MarkNotificationRead(r.Context(), principal(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	back := Prefix + "/inbox"
	if r.URL.RawQuery != "" {
		back += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, back, http.StatusSeeOther) //nolint:gosec // G710: back is our own path; the query cannot change host or path
}
