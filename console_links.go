package passerelle

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// consoleID reads the UUID under key in an event's payload, "" if none.
func consoleID(payload map[string]any, key string) string {
	switch v := payload[key].(type) {
	case string:
		if u, err := uuid.Parse(v); err == nil {
			return u.String()
		}
	case uuid.UUID:
		return v.String()
	case fmt.Stringer:
		if u, err := uuid.Parse(v.String()); err == nil {
			return u.String()
		}
	}
	return ""
}

// CompanyConsolePath is the page of a company's space where a company user
// answers the subject of an event of type typ: a proposal's answer page, an
// offer's page, a placement's page, else the space's home. It never carries
// a trainee's id: a company knows candidates by pseudonym.
func CompanyConsolePath(typ string, payload map[string]any) string {
	switch {
	case strings.HasPrefix(typ, "proposal."):
		if p := consoleID(payload, "proposal_id"); p != "" {
			return "/console/company/proposals/" + p
		}
	case strings.HasPrefix(typ, "placement."):
		if p := consoleID(payload, "placement_id"); p != "" {
			return "/console/company/placements/" + p
		}
	case strings.HasPrefix(typ, "offer."):
		if o := consoleID(payload, "offer_id"); o != "" {
			return "/console/company/offers/" + o
		}
	}
	return "/console/company"
}

// ConsolePath is the console page where the subject of an event of type
// typ (with its payload) can be acted on: emails (notify/) and the inbox
// (web/) link to it, so both send a person to the same place. The console's
// URL shapes are web/routes.go's; the path is relative to the site
// (PUBLIC_BASE_URL makes it absolute in emails).
func ConsolePath(typ string, payload map[string]any) string {
	id := func(key string) string { return consoleID(payload, key) }
	switch typ {
	case "followup.due":
		return "/console/followups"
	case "proposal.created", "proposal.status_changed":
		if p := id("proposal_id"); p != "" {
			return "/console/proposals/" + p
		}
	case "placement.started", "placement.ended":
		if t := id("trainee_id"); t != "" {
			return "/console/trainees/" + t
		}
	case "offer.published", "offer.expiring":
		if c := id("company_id"); c != "" {
			return "/console/companies/" + c
		}
	}
	if t := id("trainee_id"); t != "" {
		return "/console/trainees/" + t
	}
	return "/console/inbox"
}

// ConsolePreferencesPath is the page where an adviser chooses how each event
// type reaches them.
const ConsolePreferencesPath = "/console/preferences"
