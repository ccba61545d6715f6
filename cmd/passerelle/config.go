package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/passerelle-dev/passerelle/api"
	"github.com/passerelle-dev/passerelle/internal/datakey"
	"github.com/passerelle-dev/passerelle/store"
)

// Config is everything passerelle reads from its environment. It is built once in
// main and passed down; no package reads the environment by itself.
type Config struct {
	DatabaseURL       string
	MeiliURL          string
	MeiliMasterKey    string
	MeiliIndexPrefix  string
	SMTPURL           string
	MailFrom          string
	ListenAddr        string
	MetricsListenAddr string
	PublicBaseURL     string
	LogLevel          string
	LogFormat         string
	ShutdownTimeout   time.Duration
	Workers           int
	RateLimitPerMin   int
	RateLimitBurst    int
	MatchTopN         int
	MatchThreshold    int
	// ProposalExpiryDays and ProposalReminderDays: a proposal without the
	// company's answer expires after the first, reminded the second before.
	ProposalExpiryDays   int
	ProposalReminderDays int
	DigestHour           int
	// WebhookAllowLoopback lets webhooks reach loopback addresses.
	WebhookAllowLoopback bool
	// DataKey seals article 9 data (RQTH); DataKeysPrevious only open
	// what older keys sealed (docs/privacy.md, rotation).
	DataKey          string
	DataKeysPrevious string
	// Retention overrides periods of the retention table, by rule name.
	Retention store.RetentionPeriods
}

// envVar documents one variable: the README table, --help and the compose test
// are all made from this list, so they cannot disagree.
type envVar struct {
	Name    string
	Default string
	Doc     string
	set     func(c *Config, v string) error
}

var envVars = []envVar{
	{"DATABASE_URL", "postgres://passerelle@127.0.0.1:5432/passerelle?sslmode=disable", "PostgreSQL connection URL (source of truth and River's queue).",
		func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{"MEILI_URL", "http://127.0.0.1:7700", "Meilisearch base URL.",
		func(c *Config, v string) error { c.MeiliURL = v; return checkURL(v) }},
	{"MEILI_MASTER_KEY", "", "Meilisearch master (or admin) key.",
		func(c *Config, v string) error { c.MeiliMasterKey = v; return nil }},
	{"MEILI_INDEX_PREFIX", "", "Prefix for index names, to share one Meilisearch between deployments.",
		func(c *Config, v string) error { c.MeiliIndexPrefix = v; return nil }},
	{"SMTP_URL", "", "SMTP server, e.g. smtp://user:pass@host:587; empty turns the email channel off.",
		func(c *Config, v string) error {
			c.SMTPURL = v
			if v == "" {
				return nil
			}
			return checkURL(v)
		}},
	{"MAIL_FROM", "Passerelle <no-reply@passerelle.localhost>", "Sender of notification emails.",
		func(c *Config, v string) error { c.MailFrom = v; return nil }},
	{"DIGEST_HOUR", "8", "Hour of the day (0-23, Europe/Paris time) advisers' daily digests are sent.",
		func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 23 {
				return fmt.Errorf("want an hour from 0 to 23")
			}
			c.DigestHour = n
			return nil
		}},
	{"WEBHOOK_ALLOW_LOOPBACK", "false", "true lets webhook URLs point at loopback addresses (development and tests only).",
		func(c *Config, v string) (err error) { c.WebhookAllowLoopback, err = strconv.ParseBool(v); return err }},
	{"LISTEN_ADDR", "127.0.0.1:8080", "Address the HTTP server listens on (API, health, spec, docs).",
		func(c *Config, v string) error { c.ListenAddr = v; return nil }},
	{"METRICS_LISTEN_ADDR", "", "When set, /metrics is served on this address instead of LISTEN_ADDR.",
		func(c *Config, v string) error { c.MetricsListenAddr = v; return nil }},
	{"PUBLIC_BASE_URL", api.DefaultPublicBaseURL, "Base URL clients use; written in Link headers and the spec's servers.",
		func(c *Config, v string) error { c.PublicBaseURL = strings.TrimRight(v, "/"); return checkURL(v) }},
	{"LOG_LEVEL", "info", "debug, info, warn or error.",
		func(c *Config, v string) error {
			c.LogLevel = v
			switch v {
			case "debug", "info", "warn", "error":
				return nil
			}
			return fmt.Errorf("want debug, info, warn or error")
		}},
	{"LOG_FORMAT", "json", "json or text.",
		func(c *Config, v string) error {
			c.LogFormat = v
			if v != "json" && v != "text" {
				return fmt.Errorf("want json or text")
			}
			return nil
		}},
	{"SHUTDOWN_TIMEOUT", "15s", "How long shutdown waits for HTTP requests and running jobs.",
		func(c *Config, v string) (err error) { c.ShutdownTimeout, err = time.ParseDuration(v); return err }},
	{"WORKERS", "10", "Maximum River jobs worked at once by this process.",
		func(c *Config, v string) (err error) { c.Workers, err = positiveInt(v); return err }},
	{"RATE_LIMIT_PER_MINUTE", "1200", "Requests per minute allowed for one API key, shared by every API process.",
		func(c *Config, v string) (err error) { c.RateLimitPerMin, err = positiveInt(v); return err }},
	{"RATE_LIMIT_BURST", "100", "Requests one API key may send at once above the steady rate.",
		func(c *Config, v string) (err error) { c.RateLimitBurst, err = positiveInt(v); return err }},
	{"MATCH_TOP_N", "10", "Suggestions kept per trainee: the best eligible offers.",
		func(c *Config, v string) (err error) { c.MatchTopN, err = positiveInt(v); return err }},
	{"MATCH_THRESHOLD", "40", "Lowest score (0-100) worth suggesting to a referent.",
		func(c *Config, v string) (err error) { c.MatchThreshold, err = positiveInt(v); return err }},
	{"PASSERELLE_DATA_KEY", "", "Key that seals health data (RQTH) in the database, \"ID:BASE64\" of 32 random bytes; `make run` generates one into .data/data.key. Without it RQTH cannot be stored or read.",
		func(c *Config, v string) error {
			c.DataKey = v
			if v == "" {
				return nil
			}
			_, err := datakey.Parse(v, "")
			return err
		}},
	{"PASSERELLE_DATA_KEYS_PREVIOUS", "", "Older data keys, comma-separated \"ID:BASE64\": they open what they sealed until `passerelle keys rotate-data` has re-sealed it.",
		func(c *Config, v string) error {
			c.DataKeysPrevious = v
			if v == "" {
				return nil
			}
			if c.DataKey == "" {
				return errors.New("needs PASSERELLE_DATA_KEY")
			}
			_, err := datakey.Parse(c.DataKey, v)
			return err
		}},
	{"RETENTION_DAYS", "", "Overrides of the retention periods in days, e.g. \"trainee_inactive=730,refusal=90\"; rules and defaults in docs/privacy.md.",
		func(c *Config, v string) (err error) { c.Retention, err = parseRetention(v); return err }},
	{"PROPOSAL_EXPIRY_DAYS", "14", "Days a proposal waits for the company's answer before it expires.",
		func(c *Config, v string) (err error) { c.ProposalExpiryDays, err = positiveInt(v); return err }},
	{"PROPOSAL_REMINDER_DAYS", "3", "Days before a proposal's expiry that the company and the referent are reminded (less than PROPOSAL_EXPIRY_DAYS).",
		func(c *Config, v string) (err error) {
			c.ProposalReminderDays, err = positiveInt(v)
			if err == nil && c.ProposalReminderDays >= c.ProposalExpiryDays {
				err = fmt.Errorf("must be less than PROPOSAL_EXPIRY_DAYS (%d)", c.ProposalExpiryDays)
			}
			return err
		}},
}

// parseRetention reads RETENTION_DAYS: rule=days pairs, comma-separated.
func parseRetention(v string) (store.RetentionPeriods, error) {
	out := store.RetentionPeriods{}
	for _, pair := range strings.Split(v, ",") {
		if pair = strings.TrimSpace(pair); pair == "" {
			continue
		}
		name, days, ok := strings.Cut(pair, "=")
		known := slices.ContainsFunc(store.RetentionRules, func(r store.RetentionRule) bool { return r.Name == name })
		if !ok || !known {
			return nil, fmt.Errorf("%q: want RULE=DAYS with a rule of docs/privacy.md", pair)
		}
		n, err := positiveInt(days)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", pair, err)
		}
		out[name] = time.Duration(n) * 24 * time.Hour
	}
	return out, nil
}

// dataKeys is the key ring of the configuration, nil without a key.
func (c Config) dataKeys() (*datakey.Ring, error) {
	if c.DataKey == "" {
		return nil, nil
	}
	return datakey.Parse(c.DataKey, c.DataKeysPrevious)
}

// LoadConfig reads the variables through getenv, applying defaults.
func LoadConfig(getenv func(string) string) (Config, error) {
	var c Config
	for _, ev := range envVars {
		v := getenv(ev.Name)
		if v == "" {
			v = ev.Default
		}
		if err := ev.set(&c, v); err != nil {
			return c, fmt.Errorf("config: %s=%q: %w", ev.Name, v, err)
		}
	}
	return c, nil
}

// printEnvHelp writes the variable table used by --help.
func printEnvHelp(w io.Writer) {
	fmt.Fprintln(w, "\nEnvironment:")
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	for _, ev := range envVars {
		def := ev.Default
		if def == "" {
			def = "(empty)"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", ev.Name, ev.Doc, "default: "+def)
	}
	tw.Flush()
}

func checkURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("want an absolute URL")
	}
	return nil
}

func positiveInt(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive whole number")
	}
	return n, nil
}
