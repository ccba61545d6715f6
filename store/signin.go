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

// SigninLink is a link created for one adviser; Token is the secret to put
// in the URL, known only at creation.
type SigninLink struct {
	AdviserID   uuid.UUID
	AdviserName string
	Email       string
	Token       string
	ExpiresAt   time.Time
}

// Session is an open console session.
type Session struct {
	ID             uuid.UUID
	AdviserID      uuid.UUID
	AdviserName    string
	OrganisationID uuid.UUID
	ExpiresAt      time.Time
}

// Principal is the adviser principal the console acts as for this session.
func (s Session) Principal() passerelle.Principal {
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

// CreateSigninLinks creates a sign-in link for every adviser with this email
// (an email is unique per organisation, so a person in two organisations gets
// two links). An unknown email returns no link and no error: the caller
// answers the same either way.
func (s *Store) CreateSigninLinks(ctx context.Context, email string) ([]SigninLink, error) {
	var links []SigninLink
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, name, email FROM advisers WHERE lower(email) = lower($1) ORDER BY id`, email)
		if err != nil {
			return err
		}
		found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (SigninLink, error) {
			var l SigninLink
			return l, r.Scan(&l.AdviserID, &l.AdviserName, &l.Email)
		})
		if err != nil {
			return err
		}
		for _, l := range found {
			var hash []byte
			l.Token, hash = newToken()
			if err := tx.QueryRow(ctx, `INSERT INTO signin_links (id, adviser_id, token_hash, expires_at)
				VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING expires_at`,
				uuid.New(), l.AdviserID, hash, SigninLinkTTL.Seconds()).Scan(&l.ExpiresAt); err != nil {
				return err
			}
			links = append(links, l)
		}
		return nil
	})
	return links, wrap("create sign-in links", err)
}

// errLinkInvalid is the one answer for an unknown, used or expired link: the
// person can do the same thing about each (ask for a new one).
func errLinkInvalid() error {
	return passerelle.Errorf(passerelle.EUnauthorized, "This sign-in link is invalid, used or expired.")
}

// ConsumeSigninLink uses a link once and opens a session for its adviser. It
// returns the session and the session's token for the cookie.
func (s *Store) ConsumeSigninLink(ctx context.Context, token string) (Session, string, error) {
	var sess Session
	var sessionToken string
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE signin_links SET used_at = now()
			WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING adviser_id`,
			hashToken(token)).Scan(&sess.AdviserID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errLinkInvalid()
		}
		if err != nil {
			return err
		}
		var hash []byte
		sessionToken, hash = newToken()
		sess.ID = uuid.New()
		err = tx.QueryRow(ctx, `INSERT INTO sessions (id, adviser_id, token_hash, expires_at)
			SELECT $1, a.id, $3, now() + make_interval(secs => $4) FROM advisers a WHERE a.id = $2
			RETURNING expires_at, (SELECT name FROM advisers WHERE id = $2), (SELECT organisation_id FROM advisers WHERE id = $2)`,
			sess.ID, sess.AdviserID, hash, SessionTTL.Seconds()).Scan(&sess.ExpiresAt, &sess.AdviserName, &sess.OrganisationID)
		if err != nil {
			return err
		}
		return audit(ctx, tx, sess.Principal(), "sign_in", "adviser", sess.AdviserID, &sess.OrganisationID, nil)
	})
	return sess, sessionToken, wrap("consume sign-in link", err)
}

// SessionByToken returns the open session of a cookie's token. A revoked,
// expired or unknown one is EUnauthorized.
func (s *Store) SessionByToken(ctx context.Context, token string) (Session, error) {
	var sess Session
	err := s.pool.QueryRow(ctx, `UPDATE sessions s SET last_seen_at = now()
		FROM advisers a WHERE a.id = s.adviser_id AND s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
		RETURNING s.id, s.adviser_id, a.name, a.organisation_id, s.expires_at`, hashToken(token)).
		Scan(&sess.ID, &sess.AdviserID, &sess.AdviserName, &sess.OrganisationID, &sess.ExpiresAt)
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
		return audit(ctx, tx, actor, "sign_out", "adviser", actor.AdviserID, &actor.OrganisationID, nil)
	}))
}

// RevokeAllSessions closes every open session of actor's adviser ("se
// déconnecter partout"); the next request of each is signed out.
func (s *Store) RevokeAllSessions(ctx context.Context, actor passerelle.Principal) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sessions SET revoked_at = now() WHERE adviser_id = $1 AND revoked_at IS NULL`,
			actor.AdviserID)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		return audit(ctx, tx, actor, "sign_out_everywhere", "adviser", actor.AdviserID, &actor.OrganisationID,
			map[string]any{"sessions": n})
	})
	return int(n), wrap("revoke all sessions", err)
}
