package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Mailer sends email over SMTP. It keeps a few connections open and reuses
// them (a notification burst would otherwise open one per message); a
// connection that fails is dropped and the next message dials afresh.
type Mailer struct {
	host string
	opts []gomail.Option
	from string
	idle chan *gomail.Client
}

// Email is one message to send.
type Email struct {
	To, ToName string
	Message
	// MessageID is the Message-ID without angle brackets. The same delivery
	// always gets the same one, so that a message sent twice (a worker that
	// died between the server's acceptance and recording it) is one message to
	// the recipient's mail client.
	MessageID string
}

// MaxIdleConnections bounds the SMTP connections kept open (one per email
// worker at most).
const MaxIdleConnections = 64

// NewMailer reads an SMTP URL: smtp://[user:pass@]host[:port] (STARTTLS when
// the server offers it; port 25 by default) or smtps://… (TLS from the
// start; port 465). from is the sender, "Name <address>".
func NewMailer(smtpURL, from string) (*Mailer, error) {
	u, err := url.Parse(smtpURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("notify: SMTP_URL: want smtp://host:port or smtps://host:port")
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("notify: MAIL_FROM %q: %w", from, err)
	}
	opts := []gomail.Option{gomail.WithTimeout(20 * time.Second)}
	port := 25
	switch u.Scheme {
	case "smtp":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, fmt.Errorf("notify: SMTP_URL: scheme %q: want smtp or smtps", u.Scheme)
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("notify: SMTP_URL: port %q", p)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil {
		pass, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	return &Mailer{host: u.Hostname(), opts: opts, from: from, idle: make(chan *gomail.Client, MaxIdleConnections)}, nil
}

// Send sends e. A nil error means the SMTP server accepted the message.
func (m *Mailer) Send(ctx context.Context, e Email) error {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.from); err != nil {
		return fmt.Errorf("notify: from: %w", err)
	}
	if err := msg.AddToFormat(e.ToName, e.To); err != nil {
		return permanent{fmt.Errorf("notify: recipient address: %w", err)}
	}
	msg.Subject(e.Subject)
	msg.SetMessageIDWithValue(e.MessageID)
	msg.SetDate()
	msg.SetBodyString(gomail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	}

	// An idle connection the server closed meanwhile fails at once: the
	// message then goes on a new connection.
	for {
		c, reused, err := m.conn(ctx)
		if err != nil {
			return fmt.Errorf("notify: smtp connect: %w", err)
		}
		if err := c.Send(msg); err != nil {
			_ = c.Close()
			if reused && ctx.Err() == nil {
				continue
			}
			return fmt.Errorf("notify: smtp send: %w", err)
		}
		select {
		case m.idle <- c:
		default:
			_ = c.Close()
		}
		return nil
	}
}

// conn takes an idle connection (go-mail resets the session after each
// message) or dials one.
func (m *Mailer) conn(ctx context.Context) (c *gomail.Client, reused bool, err error) {
	select {
	case c := <-m.idle:
		return c, true, nil
	default:
	}
	c, err = gomail.NewClient(m.host, m.opts...)
	if err != nil {
		return nil, false, err
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, false, err
	}
	return c, false, nil
}

// Close closes the idle connections.
func (m *Mailer) Close() {
	for {
		select {
		case c := <-m.idle:
			_ = c.Close()
		default:
			return
		}
	}
}

// permanent marks an error retrying cannot cure (a malformed address).
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// IsPermanent reports whether err will fail the same way on every retry.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}
