package webtest

import (
	"context"
	"iter"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-dev/passerelle/demo"
	"github.com/passerelle-dev/passerelle/jobs"
	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/search"
)

// CompanyUser is the demo's company user (the Gonesse programme's bakery).
const CompanyUser = demo.CompanyUserEmail

// SignInCompany signs a company user in through the whole journey (the form,
// the emailed link, its button) and ends on the company space's home.
func (e *Env) SignInCompany(email string) {
	e.T.Helper()
	link := e.RequestLink(email, len(e.SMTP.Messages())+1)
	e.Visit(link)
	e.ClickAndWait("main form button")
	e.WaitFor("#waiting-title")
}

// DeliverEvents does for the events named what the notification jobs do
// (River is insert-only here): fan each out, then send its pending emails
// to the test's SMTP server, with links under the console's address.
func (e *Env) DeliverEvents(ids ...uuid.UUID) {
	e.T.Helper()
	ctx := e.T.Context()
	mailer, err := notify.NewMailer(e.SMTP.URL, "Passerelle <passerelle@localhost>")
	if err != nil {
		e.T.Fatalf("webtest: mailer: %v", err)
	}
	defer mailer.Close()
	n := jobs.NewNotifier(e.Store, mailer, "Passerelle <passerelle@localhost>", jobs.NewDeliveryMetrics())
	n.BaseURL = e.URL
	fan := &jobs.FanOutWorker{Notifier: n}
	send := &jobs.SendEmailWorker{Notifier: n}
	for _, id := range ids {
		if err := fan.Work(ctx, &river.Job[jobargs.FanOutEvent]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 1},
			Args: jobargs.FanOutEvent{EventID: id}}); err != nil {
			e.T.Fatalf("webtest: fan out %s: %v", id, err)
		}
		rows, err := e.Store.Pool().Query(ctx, `SELECT id FROM deliveries WHERE event_id = $1 AND channel = 'email' AND status = 'pending'`, id)
		if err != nil {
			e.T.Fatal(err)
		}
		var deliveries []uuid.UUID
		for rows.Next() {
			var d uuid.UUID
			if err := rows.Scan(&d); err != nil {
				e.T.Fatal(err)
			}
			deliveries = append(deliveries, d)
		}
		rows.Close()
		for _, d := range deliveries {
			if err := send.Work(ctx, &river.Job[jobargs.SendEmail]{JobRow: &rivertype.JobRow{Attempt: 1, MaxAttempts: 1},
				Args: jobargs.SendEmail{DeliveryID: d}}); err != nil {
				e.T.Fatalf("webtest: send %s: %v", d, err)
			}
		}
	}
}

// Reindex puts the database's searchable offers into the test's
// Meilisearch again (WithSearch), as the index jobs would: River is
// insert-only here.
func (e *Env) Reindex() {
	e.T.Helper()
	if e.Search == nil {
		e.T.Fatal("webtest: Reindex needs WithSearch")
	}
	ctx := context.Background()
	docs := func(yield func(search.OfferDoc, error) bool) {
		for o, err := range e.Store.SearchableOffers(ctx) {
			if err != nil {
				yield(search.OfferDoc{}, err)
				return
			}
			if !yield(jobs.OfferDoc(o), nil) {
				return
			}
		}
	}
	if _, err := e.Search.ReindexOffers(ctx, iter.Seq2[search.OfferDoc, error](docs)); err != nil {
		e.T.Fatalf("webtest: reindex: %v", err)
	}
}

// LinkIn returns the first link to the console found in a message's text.
func LinkIn(text, base string) string {
	i := strings.Index(text, base+"/console/")
	if i < 0 {
		return ""
	}
	end := i
	for end < len(text) && text[end] != ' ' && text[end] != '\n' && text[end] != '\r' {
		end++
	}
	if _, err := url.Parse(text[i:end]); err != nil {
		return ""
	}
	return text[i:end]
}
