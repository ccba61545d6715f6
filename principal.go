package passerelle

import (
	"context"

	"github.com/google/uuid"
)

// Roles an API key may hold.
const (
	RoleAdmin      = "admin"      // everything
	RoleAdviser    = "adviser"    // own organisation
	RoleCompany    = "company"    // own company
	RoleIntegrator = "integrator" // own organisation, machine access, webhooks
)

// Roles lists every role, in the order documentation shows them.
var Roles = []string{RoleAdmin, RoleAdviser, RoleCompany, RoleIntegrator}

// Principal is who is calling: the API key (or console session) and what it
// is bound to. Storage
// functions take one and apply tenancy from it; nothing else decides tenancy.
type Principal struct {
	KeyID          uuid.UUID
	Role           string
	OrganisationID uuid.UUID // adviser and integrator keys
	CompanyID      uuid.UUID // company keys
	AdviserID      uuid.UUID // adviser keys issued for a known adviser, else zero
	// SessionID is the console session the request came in, zero for API
	// keys: the audit log names it as the actor, as it names KeyID for the API.
	SessionID uuid.UUID
}

// System is the principal of work nobody asked for directly: periodic jobs,
// the command line.
var System = Principal{Role: RoleAdmin}

// IsAdmin reports whether p may see and do everything.
func (p Principal) IsAdmin() bool { return p.Role == RoleAdmin }

type ctxKey int

const requestIDKey ctxKey = iota

// WithRequestID returns ctx carrying the request id, so that logs and the audit
// log deeper down can name the request.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}
