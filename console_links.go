package passerelle

import (
	"fmt"

	"github.com/google/uuid"
)

// ConsolePath is the console page where the subject of an event of type
// typ (with its payload) can be acted on: emails (notify/) and the inbox
// (web/) link to it, so both send a person to the same place. The console's
// URL shapes are web/routes.go's; the path is relative to the site
// (PUBLIC_BASE_URL makes it absolute in emails).
func ConsolePath(typ string, payload map[string]any) string {
	id := func(key string) string {
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
