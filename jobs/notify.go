package jobs

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/passerelle-dev/passerelle/jobs/jobargs"
	"github.com/passerelle-dev/passerelle/notify"
	"github.com/passerelle-dev/passerelle/store"
)

// Notifications: a fan-out job per event writes who hears of it (store.FanOut)
// and the jobs that tell them; SendEmail and DeliverWebhook jobs tell them.
// Every step records its effect before its job completes and checks it
// first, so a retried or rescued job finds its work done.

// Workers of the notification queues in one process: sending mostly waits
// on the network. A queue fetches at most once per NotifyFetchCooldown
// (River's default, 100 ms, caps a queue at MaxWorkers jobs per 100 ms: a
// burst of 10,000 notifications would take over a minute).
const (
	NotifyQueueWorkers  = 50
	WebhookQueueWorkers = 20
	NotifyFetchCooldown = 10 * time.Millisecond
)

// Notifier is what the notification workers share.
type Notifier struct {
	Store     *store.Store
	Templates *notify.Templates
	// Mailer is nil when the email channel is off.
	Mailer *notify.Mailer
	// Webhooks posts webhooks; NewNotifier's refuses loopback addresses.
	Webhooks *notify.Sender
	// MessageIDDomain ends every Message-ID (the sender's domain).
	MessageIDDomain string
	Metrics         *DeliveryMetrics
	// BaseURL is PUBLIC_BASE_URL: messages link to the console page of their
	// subject under it.
	BaseURL string
}

// NewNotifier builds the notification workers' dependencies; mailer may be nil.
func NewNotifier(st *store.Store, mailer *notify.Mailer, mailFrom string, metrics *DeliveryMetrics) *Notifier {
	domain := "passerelle.localhost"
	if a, err := mail.ParseAddress(mailFrom); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			domain = d
		}
	}
	return &Notifier{Store: st, Templates: notify.MustTemplates(notify.DefaultLocale), Mailer: mailer,
		Webhooks: notify.NewSender(notify.Guard{}), MessageIDDomain: domain, Metrics: metrics}
}

// completeIn completes job inside the caller's transaction.
func completeIn[T river.JobArgs](ctx context.Context, job *river.Job[T]) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	}
}

// notifyEvent is the templates' view of an event.
func notifyEvent(e store.Event) notify.Event {
	return notify.Event{ID: e.ID.String(), Type: e.Type, OccurredAt: e.OccurredAt, Payload: e.Payload}
}

// FanOutWorker fans one event out.
type FanOutWorker struct {
	river.WorkerDefaults[jobargs.FanOutEvent]
	*Notifier
}

// Work writes the event's notifications, deliveries and sending jobs in one
// transaction. Run again (a retry after the commit), it writes nothing.
func (w *FanOutWorker) Work(ctx context.Context, job *river.Job[jobargs.FanOutEvent]) error {
	_, err := w.Store.FanOut(ctx, job.Args.EventID, store.FanOutOptions{
		Email: w.Mailer != nil,
		Render: func(e store.Event) (string, string) {
			title, summary, err := w.Templates.Summary(notifyEvent(e))
			if err != nil {
				return e.Type, ""
			}
			return title, summary
		},
	}, nil)
	if err != nil {
		return fmt.Errorf("jobs: fan out: %w", err)
	}
	return nil
}

// SendEmailWorker sends one instant email delivery.
type SendEmailWorker struct {
	river.WorkerDefaults[jobargs.SendEmail]
	*Notifier
}

// recordTimeout bounds the write that records an accepted message, which
// runs even when the job's context was cancelled meanwhile: once the SMTP
// server has the message, forgetting it would send it again.
const recordTimeout = 10 * time.Second

// Work renders and sends the message, then records it sent. A job run again
// after that (its completion lost) finds the delivery sent and does nothing.
func (w *SendEmailWorker) Work(ctx context.Context, job *river.Job[jobargs.SendEmail]) error {
	id := job.Args.DeliveryID
	if w.Mailer == nil {
		// Written while SMTP was configured; it waits for SMTP to come back.
		return river.JobSnooze(time.Hour)
	}
	m, found, err := w.Store.EmailToSend(ctx, id)
	if err != nil {
		return err
	}
	if !found || m.Status != store.DeliveryPending {
		return nil
	}
	msg, err := w.Templates.Event(notify.Data{RecipientName: m.ToName, BaseURL: w.BaseURL, Event: notifyEvent(m.Event),
		Company: m.ForCompany})
	if err != nil {
		return river.JobCancel(err)
	}
	err = w.Mailer.Send(ctx, notify.Email{To: m.To, ToName: m.ToName, Message: msg, MessageID: w.messageID(id.String())})
	if err != nil {
		final := notify.IsPermanent(err) || job.Attempt >= job.MaxAttempts
		w.Metrics.observe(store.ChannelEmail, "failed")
		if rerr := w.Store.RecordDeliveryFailure(context.WithoutCancel(ctx), id, err.Error(), final); rerr != nil {
			return rerr
		}
		if notify.IsPermanent(err) {
			return river.JobCancel(err)
		}
		return err
	}
	w.Metrics.observe(store.ChannelEmail, "sent")
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	return w.Store.MarkDeliverySent(rctx, id)
}

func (n *Notifier) messageID(local string) string { return local + "@" + n.MessageIDDomain }

// DeliveryMetrics counts delivery attempts by channel and outcome.
type DeliveryMetrics struct {
	attempts *prometheus.CounterVec
}

// NewDeliveryMetrics returns the counters; register them (they are a
// prometheus.Collector) where /metrics is served.
func NewDeliveryMetrics() *DeliveryMetrics {
	return &DeliveryMetrics{attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "passerelle_notification_deliveries_total",
		Help: "Notification delivery attempts by channel (email, webhook, digest) and outcome (sent, failed, disabled).",
	}, []string{"channel", "outcome"})}
}

// Describe implements prometheus.Collector.
func (m *DeliveryMetrics) Describe(ch chan<- *prometheus.Desc) { m.attempts.Describe(ch) }

// Collect implements prometheus.Collector.
func (m *DeliveryMetrics) Collect(ch chan<- prometheus.Metric) { m.attempts.Collect(ch) }

func (m *DeliveryMetrics) observe(channel, outcome string) {
	if m != nil {
		m.attempts.WithLabelValues(channel, outcome).Inc()
	}
}
