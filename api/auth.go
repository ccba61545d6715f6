package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/passerelle-dev/passerelle"
)

type principalKey struct{}

// principal returns the caller of an authenticated operation. Operations that
// declare security always have one: the middleware refused the request
// otherwise.
func principal(ctx context.Context) passerelle.Principal {
	p, _ := ctx.Value(principalKey{}).(passerelle.Principal)
	return p
}

// roles is an operation's security requirement: the bearer scheme with the
// roles allowed to call it.
func roles(allowed ...string) []map[string][]string {
	return []map[string][]string{{securityScheme: allowed}}
}

// allRoles may call an operation whose tenancy is decided row by row.
var allRoles = passerelle.Roles

// authenticate enforces what each operation declares: an operation with no
// security is public; otherwise a valid key (401), a role among those declared
// (403), then the per-key rate limit (429).
func (s *Server) authenticate(ctx huma.Context, next func(huma.Context)) {
	op := ctx.Operation()
	if op == nil || len(op.Security) == 0 {
		next(ctx)
		return
	}
	token, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
	if !ok || s.deps.Store == nil {
		s.writeErr(ctx, passerelle.Errorf(passerelle.EUnauthorized, "A valid API key is required: send it as `Authorization: Bearer <key>`."))
		return
	}
	// One query authenticates and charges the key's shared rate limit, whatever
	// the answer: a refused role spends its request too.
	p, decision, err := s.deps.Store.AuthenticateLimited(ctx.Context(), strings.TrimSpace(token), s.rateLimit)
	if err != nil {
		s.writeErr(ctx, err)
		return
	}
	if !slices.Contains(op.Security[0][securityScheme], p.Role) {
		s.writeErr(ctx, passerelle.Errorf(passerelle.EForbidden, "The %s role may not call %s.", p.Role, op.OperationID))
		return
	}
	if err := applyRateLimit(ctx, s.rateLimit, decision); err != nil {
		s.writeErr(ctx, err)
		return
	}
	next(huma.WithValue(ctx, principalKey{}, p))
}

// writeErr answers a middleware's refusal as a problem.
func (s *Server) writeErr(ctx huma.Context, err error) {
	status := codeStatus[passerelle.ErrorCode(err)]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	_ = huma.WriteErr(s.api, ctx, status, "", err)
}
