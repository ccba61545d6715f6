package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// The console signs advisers in without passwords: a single-use link sent by
// email opens a session. Both hold a random token given to the person once;
// the database keeps only its SHA-256, so a copy of the tables opens nothing.

// Lifetimes of the console's secrets.
const (
	SigninLinkTTL = 15 * time.Minute
	SessionTTL    = 30 * 24 * time.Hour
)

// SigninLink is a link created for one adviser or one company user (the
// other id is zero); Token is the secret to put in the URL, known only at
// creation.
type SigninLink struct {
	AdviserID     uuid.UUID
	CompanyUserID uuid.UUID
	// Name is the person's name, for the email's greeting.
	Name      string
	Email     string
	Token     string
	ExpiresAt time.Time
}

// Session is an open console session, of an adviser or of a company user.
type Session struct {
	ID             uuid.UUID
	AdviserID      uuid.UUID // zero for a company user
	OrganisationID uuid.UUID // the adviser's organisation
	CompanyUserID  uuid.UUID // zero for an adviser
	CompanyID      uuid.UUID // the company user's company
	CompanyName    string
	// Name is the signed-in person's name.
	Name      string
	ExpiresAt time.Time
}

// ForCompany reports whether the session is a company user's.
func (s Session) ForCompany() bool { return s.CompanyUserID != uuid.Nil }

// Principal is who the console acts as for this session: the adviser, or the
// company role bound to the user's company — the principal a company's API
// key gives, so every rule of the API applies unchanged.
func (s Session) Principal() passerelle.Principal {
	if s.ForCompany() {
		return passerelle.Principal{Role: passerelle.RoleCompany, CompanyID: s.CompanyID, SessionID: s.ID}
	}
	return passerelle.Principal{Role: passerelle.RoleAdviser, OrganisationID: s.OrganisationID,
		AdviserID: s.AdviserID, SessionID: s.ID}
}

// newToken returns a random token and its hash.
func newToken() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails (Go 1.24+)
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token)
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSigninLinks creates a sign-in link for every adviser and every
// company user with this email (an email is unique per organisation and per
// company, so a person in two of them gets two links). An unknown email
// returns no link and no error: the caller answers the same either way.
func (s *Store) CreateSigninLinks(ctx context.Context, email string) ([]SigninLink, error) {
	return s.CreateSigninLinksTo(ctx, email, "")
}

// CreateSigninLinksTo is CreateSigninLinks for links that lead to next (a
// console path the caller has checked) once used.
func (s *Store) CreateSigninLinksTo(ctx context.Context, email, next string) ([]SigninLink, error) {
	var links []SigninLink
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, NULL::uuid, name, email FROM advisers WHERE lower(email) = lower($1)
			UNION ALL SELECT NULL::uuid, id, name, email FROM company_users WHERE lower(email) = lower($1)
			ORDER BY 1, 2`, email)
		if err != nil {
			return err
		}
		found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SigninLink, error) {
			var l SigninLink
			var adviser, user *uuid.UUID
			err := r.Scan(&adviser, &user, &l.Name, &l.Email)
			if adviser != nil {
				l.AdviserID = *adviser
			}
			if user != nil {
				l.CompanyUserID = *user
			}
			return l, err
		})
		if err != nil {
			return err
		}
		for i := range found {
			if err := insertSigninLink(ctx, tx, &found[i], next); err != nil {
				return err
			}
			links = append(links, found[i])
		}
		return nil
	})
	return links, wrap("create sign-in links", err)
}

// insertSigninLink gives l its token and stores the token's hash; next is
// where the link leads once used ("" for the home page).
func insertSigninLink(ctx context.Context, tx pgx.Tx, l *SigninLink, next string) error {
	var hash []byte
	l.Token, hash = newToken()
	return tx.QueryRow(ctx, `INSERT INTO signin_links (id, adviser_id, company_user_id, token_hash, next_path, expires_at)
		VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING expires_at`,
		uuid.New(), nilUUID(l.AdviserID), nilUUID(l.CompanyUserID), hash, next, SigninLinkTTL.Seconds()).Scan(&l.ExpiresAt)
}

// nilUUID is id, or NULL when zero.
func nilUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

// errLinkInvalid is the one answer for an unknown, used or expired link: the
// person can do the same thing about each (ask for a new one).
func errLinkInvalid() error {
	return passerelle.Errorf(passerelle.EUnauthorized, "This sign-in link is invalid, used or expired.")
}

// ConsumeSigninLink uses a link once and opens a session for its adviser or
// company user. It returns the session, the session's token for the cookie,
// and the path the link leads to ("" for the home page).
func (s *Store) ConsumeSigninLink(ctx context.Context, token string) (Session, string, string, error) {
	var sess Session
	var sessionToken, next string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var adviser, user *uuid.UUID
		err := tx.QueryRow(ctx, `UPDATE signin_links SET used_at = now()
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING adviser_id, company_user_id, next_path`,
			hashToken(token)).Scan(&adviser, &user, &next)
		if errors.Is(err, pgx.ErrNoRows) {
			return errLinkInvalid()
		}
		if err != nil {
			return err
		}
		var hash []byte
		sessionToken, hash = newToken()
		sess, err = scanSession(tx.QueryRow(ctx, `WITH s AS (
				INSERT INTO sessions (id, adviser_id, company_user_id, token_hash, expires_at)
				VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING *)
			SELECT `+sessionColumns+sessionFrom, uuid.New(), adviser, user, hash, SessionTTL.Seconds()))
		if err != nil {
			return err
		}
		if sess.ForCompany() {
			return audit(ctx, tx, sess.Principal(), "sign_in", "company_user", sess.CompanyUserID, nil,
				map[string]any{"company_id": sess.CompanyID})
		}
		return audit(ctx, tx, sess.Principal(), "sign_in", "adviser", sess.AdviserID, &sess.OrganisationID, nil)
	})
	return sess, sessionToken, next, wrap("consume sign-in link", err)
}

// sessionColumns read a session (s) with its owner, adviser (a) or company
// user (u) and company (c).
const sessionColumns = `s.id, s.adviser_id, a.organisation_id, s.company_user_id, u.company_id, c.name,
	coalesce(a.name, u.name), s.expires_at`

const sessionFrom = ` FROM s LEFT JOIN advisers a ON a.id = s.adviser_id
	LEFT JOIN company_users u ON u.id = s.company_user_id LEFT JOIN companies c ON c.id = u.company_id`

func scanSession(row pgx.Row) (Session, error) {
	var sess Session
	var adviser, org, user, company *uuid.UUID
	var companyName *string
	err := row.Scan(&sess.ID, &adviser, &org, &user, &company, &companyName, &sess.Name, &sess.ExpiresAt)
	for _, f := range []struct {
		dst *uuid.UUID
		src *uuid.UUID
	}{{&sess.AdviserID, adviser}, {&sess.OrganisationID, org}, {&sess.CompanyUserID, user}, {&sess.CompanyID, company}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if companyName != nil {
		sess.CompanyName = *companyName
	}
	return sess, err
}

// SessionByToken returns the open session of a cookie's token. A revoked,
// expired or unknown one is EUnauthorized.
func (s *Store) SessionByToken(ctx context.Context, token string) (Session, error) {
	sess, err := scanSession(s.pool.QueryRow(ctx, `WITH s AS (UPDATE sessions SET last_seen_at = now()
		WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > now() RETURNING *)
		SELECT `+sessionColumns+sessionFrom, hashToken(token)))
	if errors.Is(err, pgx.ErrNoRows) {
		return sess, passerelle.Errorf(passerelle.EUnauthorized, "Session expired or revoked.")
	}
	return sess, wrap("read session", err)
}

// RevokeSession closes one session (signing out).
func (s *Store) RevokeSession(ctx context.Context, actor passerelle.Principal) error {
	return wrap("revoke session", s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
			actor.SessionID); err != nil {
			return err
		}
		return auditSignout(ctx, tx, actor, "sign_out", nil)
	}))
}

// RevokeAllSessions closes every open session of actor's adviser ("se
// déconnecter partout"); the next request of each is signed out.
func (s *Store) RevokeAllSessions(ctx context.Context, actor passerelle.Principal) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Every session of the person whose session this is.
		tag, err := tx.Exec(ctx, `WITH me AS (SELECT adviser_id, company_user_id FROM sessions WHERE id = $1)
			UPDATE sessions s SET revoked_at = now() FROM me
			WHERE s.revoked_at IS NULL AND (s.adviser_id = me.adviser_id OR s.company_user_id = me.company_user_id)`, actor.SessionID)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		return auditSignout(ctx, tx, actor, "sign_out_everywhere", map[string]any{"sessions": n})
	})
	return int(n), wrap("revoke all sessions", err)
}

// auditSignout records a sign-out of actor's session owner.
func auditSignout(ctx context.Context, tx pgx.Tx, actor passerelle.Principal, action string, details map[string]any) error {
	if actor.Role == passerelle.RoleCompany {
		var user uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT company_user_id FROM sessions WHERE id = $1`, actor.SessionID).Scan(&user); err != nil {
			return err
		}
		if details == nil {
			details = map[string]any{}
		}
		details["company_id"] = actor.CompanyID
		return audit(ctx, tx, actor, action, "company_user", user, nil, details)
	}
	return audit(ctx, tx, actor, action, "adviser", actor.AdviserID, &actor.OrganisationID, details)
}
