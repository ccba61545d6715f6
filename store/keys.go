package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// KeyPrefix starts every API key, so that leaked keys are easy to search for.
const KeyPrefix = "psl_"

// APIKey is an API key as stored: never its secret.
type APIKey struct {
	ID             uuid.UUID
	Prefix         string
	Name           string
	Role           string
	OrganisationID *uuid.UUID
	CompanyID      *uuid.UUID
	AdviserID      *uuid.UUID
	CreatedBy      *uuid.UUID
	CreatedAt      time.Time
	UpdatedAt      time.Time
	LastUsedAt     *time.Time
	RevokedAt      *time.Time
}

// KeyInput describes a key to create.
type KeyInput struct {
	Name           string
	Role           string
	OrganisationID *uuid.UUID
	CompanyID      *uuid.UUID
	AdviserID      *uuid.UUID
}

// newSecret returns a key's public prefix and the whole key: psl_<prefix>_<secret>.
func newSecret() (prefix, key string) {
	var p [8]byte
	var s [24]byte
	_, _ = rand.Read(p[:])
	_, _ = rand.Read(s[:])
	prefix = hex.EncodeToString(p[:])
	return prefix, KeyPrefix + prefix + "_" + base64.RawURLEncoding.EncodeToString(s[:])
}

// hashKey is what is stored. Keys carry 192 random bits, so a fast hash is
// enough: there is nothing to brute-force.
func hashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// CreateKey creates a key and returns it with the secret, shown this once.
// Admins create any key; an adviser creates company keys for the companies
// its organisation is the steward of; a company creates keys for itself
// (another device, another contact); nobody else creates keys.
func (s *Store) CreateKey(ctx context.Context, actor passerelle.Principal, in KeyInput) (APIKey, string, error) {
	if err := checkKeyInput(in); err != nil {
		return APIKey{}, "", err
	}
	prefix, secret := newSecret()
	k := APIKey{ID: uuid.New(), Prefix: prefix, Name: in.Name, Role: in.Role,
		OrganisationID: in.OrganisationID, CompanyID: in.CompanyID, AdviserID: in.AdviserID}
	if actor.KeyID != uuid.Nil {
		k.CreatedBy = &actor.KeyID
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := authoriseKeyWrite(ctx, tx, actor, in.Role, in.CompanyID); err != nil {
			return err
		}
		if err := checkKeyTenant(ctx, tx, in); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO api_keys (id, prefix, secret_hash, name, role, organisation_id, company_id, adviser_id, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING created_at, updated_at`,
			k.ID, k.Prefix, hashKey(secret), k.Name, k.Role, k.OrganisationID, k.CompanyID, k.AdviserID, k.CreatedBy,
		).Scan(&k.CreatedAt, &k.UpdatedAt)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "create", "api_key", k.ID, k.OrganisationID, map[string]any{"role": k.Role, "name": k.Name, "prefix": k.Prefix})
	})
	if err != nil {
		return APIKey{}, "", fmt.Errorf("store: create key: %w", err)
	}
	return k, secret, nil
}

func checkKeyInput(in KeyInput) error {
	var fields []passerelle.FieldError
	if strings.TrimSpace(in.Name) == "" {
		fields = append(fields, passerelle.FieldError{Location: "name", Message: "a name is required"})
	}
	need := func(ok bool, loc, msg string) {
		if !ok {
			fields = append(fields, passerelle.FieldError{Location: loc, Message: msg})
		}
	}
	switch in.Role {
	case passerelle.RoleAdmin:
		need(in.OrganisationID == nil && in.CompanyID == nil && in.AdviserID == nil, "role", "an admin key is bound to no organisation, company or adviser")
	case passerelle.RoleAdviser, passerelle.RoleIntegrator:
		need(in.OrganisationID != nil, "organisation_id", "an "+in.Role+" key is bound to an organisation")
		need(in.CompanyID == nil, "company_id", "an "+in.Role+" key is not bound to a company")
		need(in.Role == passerelle.RoleAdviser || in.AdviserID == nil, "adviser_id", "only adviser keys name an adviser")
	case passerelle.RoleCompany:
		need(in.CompanyID != nil, "company_id", "a company key is bound to a company")
		need(in.OrganisationID == nil && in.AdviserID == nil, "organisation_id", "a company key is bound to its company only")
	default:
		need(false, "role", "role must be one of "+strings.Join(passerelle.Roles, ", "))
	}
	if len(fields) > 0 {
		return passerelle.Invalid("The key cannot be created as described.", fields...)
	}
	return nil
}

// authoriseKeyWrite says whether actor may create or revoke a key of role for
// companyID: passerelle.MayActForCompany's IssueCompanyKeys. An adviser's reach
// is the companies its organisation is the steward of; an active partner that
// is not the steward is forbidden, any other company answers not found. A
// company manages the keys of its own company.
func authoriseKeyWrite(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, role string, companyID *uuid.UUID) error {
	switch actor.Role {
	case passerelle.RoleAdmin:
		return nil
	case passerelle.RoleAdviser, passerelle.RoleCompany:
		if role != passerelle.RoleCompany || companyID == nil {
			return passerelle.Errorf(passerelle.EForbidden, "Advisers and companies may only issue company keys.")
		}
		return mayActForCompany(ctx, tx, actor, *companyID, passerelle.IssueCompanyKeys,
			"Only the company itself, the organisation that registered it and admins may issue its keys.")
	default:
		return passerelle.Errorf(passerelle.EForbidden, "This role may not manage API keys.")
	}
}

// checkKeyTenant checks that what a key is bound to exists (and that an
// adviser belongs to the key's organisation).
func checkKeyTenant(ctx context.Context, tx pgx.Tx, in KeyInput) error {
	check := func(query string, id *uuid.UUID, args ...any) error {
		if id == nil {
			return nil
		}
		var ok bool
		if err := tx.QueryRow(ctx, query, append([]any{*id}, args...)...).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return passerelle.Invalid("The key is bound to something that does not exist.",
				passerelle.FieldError{Location: "body", Message: "unknown id", Value: id.String()})
		}
		return nil
	}
	if err := check(`SELECT EXISTS (SELECT 1 FROM organisations WHERE id = $1)`, in.OrganisationID); err != nil {
		return err
	}
	if err := check(`SELECT EXISTS (SELECT 1 FROM companies WHERE id = $1)`, in.CompanyID); err != nil {
		return err
	}
	if in.AdviserID != nil {
		return check(`SELECT EXISTS (SELECT 1 FROM advisers WHERE id = $1 AND organisation_id = $2)`, in.AdviserID, in.OrganisationID)
	}
	return nil
}

const keyColumns = `id, prefix, name, role, organisation_id, company_id, adviser_id, created_by, created_at, updated_at, last_used_at, revoked_at`

func scanKey(row pgx.Row) (APIKey, error) {
	var k APIKey
	err := row.Scan(&k.ID, &k.Prefix, &k.Name, &k.Role, &k.OrganisationID, &k.CompanyID, &k.AdviserID,
		&k.CreatedBy, &k.CreatedAt, &k.UpdatedAt, &k.LastUsedAt, &k.RevokedAt)
	return k, err
}

// ListKeys lists the keys actor may manage: all for an admin, those of the
// companies its organisation is the steward of for an adviser, its own
// company's for a company.
func (s *Store) ListKeys(ctx context.Context, actor passerelle.Principal, page Page) ([]APIKey, *Cursor, error) {
	base := `SELECT ` + keyColumns + ` FROM api_keys WHERE true`
	args := pgx.NamedArgs{}
	switch actor.Role {
	case passerelle.RoleAdmin:
	case passerelle.RoleAdviser:
		base += ` AND company_id IN (SELECT company_id FROM partnerships WHERE organisation_id = @org AND status = 'active' AND steward)`
		args["org"] = actor.OrganisationID
	case passerelle.RoleCompany:
		base += ` AND company_id = @company`
		args["company"] = actor.CompanyID
	default:
		return nil, nil, passerelle.Errorf(passerelle.EForbidden, "This role may not manage API keys.")
	}
	keys, next, err := listPage(ctx, s.pool, base, args, page, scanKey, func(k APIKey) Cursor { return Cursor{UpdatedAt: k.UpdatedAt, ID: k.ID} })
	return keys, next, wrap("list keys", err)
}

// RevokeKey revokes a key; the very next request with it answers 401.
func (s *Store) RevokeKey(ctx context.Context, actor passerelle.Principal, id uuid.UUID) (APIKey, error) {
	var k APIKey
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		cur, err := scanKey(tx.QueryRow(ctx, `SELECT `+keyColumns+` FROM api_keys WHERE id = $1 FOR UPDATE`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("API key")
		}
		if err != nil {
			return err
		}
		if err := authoriseKeyWrite(ctx, tx, actor, cur.Role, cur.CompanyID); err != nil {
			if passerelle.ErrorCode(err) != passerelle.EInternal && actor.Role != passerelle.RoleAdmin {
				return notFound("API key") // an adviser never learns of keys outside its reach
			}
			return err
		}
		k, err = scanKey(tx.QueryRow(ctx, `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()), updated_at = now()
			WHERE id = $1 RETURNING `+keyColumns, id))
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "revoke", "api_key", id, k.OrganisationID, map[string]any{"prefix": k.Prefix})
	})
	return k, wrap("revoke key", err)
}

// lastUsedGranularity bounds how often last_used_at is written: once a minute
// per key is enough to tell a live key from a dead one, and spares a write
// per request.
const lastUsedGranularity = time.Minute

// Authenticate returns the principal of a bearer key. A missing, malformed,
// unknown or revoked key is EUnauthorized, with one message for all. It
// charges no rate limit: AuthenticateLimited does, for API requests.
func (s *Store) Authenticate(ctx context.Context, key string) (passerelle.Principal, error) {
	p, _, err := s.AuthenticateLimited(ctx, key, RateLimit{})
	return p, err
}

// authenticate reads the key by its prefix and, in the same statement, writes
// last_used_at when it is older than lastUsedGranularity and charges the
// key's rate limit (when $3 > 0): one round trip per request. Only a valid,
// unrevoked secret ($2 is its hash) writes anything, so someone who knows a
// key's prefix cannot spend its budget. The last two columns are the state
// after this request (NULL when refused) and before it, for Retry-After.
const authenticate = `
WITH k AS (
	SELECT id, secret_hash, role, organisation_id, company_id, adviser_id, revoked_at IS NOT NULL AS revoked,
		secret_hash = $2 AND revoked_at IS NULL AS valid,
		last_used_at IS NULL OR last_used_at < now() - $5::interval AS stale
	FROM api_keys WHERE prefix = $1
), used AS (
	UPDATE api_keys SET last_used_at = now() FROM k WHERE api_keys.id = k.id AND k.valid AND k.stale
), charged AS (
	INSERT INTO rate_limits AS r (key_id, tat)
	SELECT id, now() + $3::interval FROM k WHERE k.valid AND $3::interval > '0'
	ON CONFLICT (key_id) DO UPDATE SET tat = greatest(r.tat, now()) + $3::interval
		WHERE greatest(r.tat, now()) + $3::interval <= now() + $4::interval
	RETURNING tat
)
SELECT id, secret_hash, role, organisation_id, company_id, adviser_id, revoked,
	(SELECT tat FROM charged), (SELECT tat FROM rate_limits WHERE key_id = k.id), now()
FROM k`

// AuthenticateLimited is Authenticate that also charges the key's shared
// rate limit, in the same query. The decision is returned for a valid key
// only; the caller refuses the request when it is not Allowed.
func (s *Store) AuthenticateLimited(ctx context.Context, key string, limit RateLimit) (passerelle.Principal, RateDecision, error) {
	unauthorized := passerelle.Errorf(passerelle.EUnauthorized, "A valid API key is required: send it as `Authorization: Bearer <key>`.")
	rest, ok := strings.CutPrefix(key, KeyPrefix)
	if !ok {
		return passerelle.Principal{}, RateDecision{}, unauthorized
	}
	prefix, _, ok := strings.Cut(rest, "_")
	if !ok || len(prefix) != 16 {
		return passerelle.Principal{}, RateDecision{}, unauthorized
	}
	var (
		p                passerelle.Principal
		hash             []byte
		org              *uuid.UUID
		company          *uuid.UUID
		adviser          *uuid.UUID
		revoked          bool
		after, before    *time.Time
		now              time.Time
		interval, window = limit.interval()
		presented        = hashKey(key)
	)
	err := s.pool.QueryRow(ctx, authenticate, prefix, presented, interval, window, lastUsedGranularity).
		Scan(&p.KeyID, &hash, &p.Role, &org, &company, &adviser, &revoked, &after, &before, &now)
	if errors.Is(err, pgx.ErrNoRows) {
		return passerelle.Principal{}, RateDecision{}, unauthorized
	}
	if err != nil {
		return passerelle.Principal{}, RateDecision{}, fmt.Errorf("store: authenticate: %w", err)
	}
	if revoked || subtle.ConstantTimeCompare(hash, presented) != 1 {
		return passerelle.Principal{}, RateDecision{}, unauthorized
	}
	if org != nil {
		p.OrganisationID = *org
	}
	if company != nil {
		p.CompanyID = *company
	}
	if adviser != nil {
		p.AdviserID = *adviser
	}
	return p, limit.decide(now, after, before), nil
}
