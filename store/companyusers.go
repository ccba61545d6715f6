package store

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/passerelle-dev/passerelle"
)

// Company users are the people of a partner company who sign in to the
// console (by emailed link, like advisers); their session acts with the
// company role for their company only, as the company's API key does.
// Inviting one gives the power of a company key, so it follows the same rule:
// passerelle.MayActForCompany's IssueCompanyKeys (admins, the company itself,
// advisers of its steward organisation).

// CompanyUser is a person who signs in for a company. Name and email are
// personal data: never in the audit log, an index or a webhook.
type CompanyUser struct {
	ID        uuid.UUID
	CompanyID uuid.UUID
	Name      string
	Email     string
	CreatedAt time.Time
}

// CompanyUserInput names the person invited.
type CompanyUserInput struct {
	Name  string
	Email string
}

// checkCompanyUser applies the rules of a person's name and email.
func checkCompanyUser(in CompanyUserInput) (CompanyUserInput, error) {
	in.Name, in.Email = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email)
	var fields []passerelle.FieldError
	if in.Name == "" {
		fields = append(fields, passerelle.FieldError{Location: "name", Message: "a name is required"})
	}
	if err := checkEmail(in.Email); err != "" {
		fields = append(fields, passerelle.FieldError{Location: "email", Message: err, Value: in.Email})
	}
	if len(fields) > 0 {
		return in, passerelle.Invalid("The person cannot be invited as described.", fields...)
	}
	return in, nil
}

// checkEmail returns what is wrong with a bare email address, "" when
// nothing is.
func checkEmail(email string) string {
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") || len(email) > 254 {
		return "must be an email address such as name@example.fr"
	}
	return ""
}

// InviteCompanyUser lets a person sign in for company companyID: it records
// them (or finds them, invited before, by email) and creates a sign-in link
// for them, which the caller sends by email. Admins, the company itself and
// advisers of its steward organisation may; another active partner is
// forbidden, anyone else does not see the company (not found).
func (s *Store) InviteCompanyUser(ctx context.Context, actor passerelle.Principal, companyID uuid.UUID, in CompanyUserInput) (CompanyUser, SigninLink, error) {
	in, err := checkCompanyUser(in)
	if err != nil {
		return CompanyUser{}, SigninLink{}, err
	}
	var u CompanyUser
	var link SigninLink
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := mayActForCompany(ctx, tx, actor, companyID, passerelle.IssueCompanyKeys,
			"Only the company itself, the organisation that registered it and admins invite people to act for a company."); err != nil {
			return err
		}
		var created bool
		err := tx.QueryRow(ctx, `INSERT INTO company_users AS u (id, company_id, name, email, invited_by_org_id)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (company_id, lower(email)) DO UPDATE SET updated_at = now()
			RETURNING id, company_id, name, email, created_at, xmax = 0`,
			uuid.New(), companyID, in.Name, in.Email, actorOrganisation(actor)).
			Scan(&u.ID, &u.CompanyID, &u.Name, &u.Email, &u.CreatedAt, &created)
		if err != nil {
			return err
		}
		link = SigninLink{CompanyUserID: u.ID, Name: u.Name, Email: u.Email}
		if err := insertSigninLink(ctx, tx, &link, ""); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "invite", "company_user", u.ID, actorOrganisation(actor),
			map[string]any{"company_id": companyID, "new": created})
	})
	return u, link, wrap("invite company user", err)
}

// ListCompanyUsers lists the people who sign in for a company actor may see.
func (s *Store) ListCompanyUsers(ctx context.Context, actor passerelle.Principal, companyID uuid.UUID) ([]CompanyUser, error) {
	if err := mayActForCompany(ctx, s.pool, actor, companyID, passerelle.SeeCompany, ""); err != nil {
		return nil, wrap("list company users", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, company_id, name, email, created_at FROM company_users
		WHERE company_id = $1 ORDER BY lower(name), id`, companyID)
	if err != nil {
		return nil, wrap("list company users", err)
	}
	users, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (CompanyUser, error) {
		var u CompanyUser
		return u, r.Scan(&u.ID, &u.CompanyID, &u.Name, &u.Email, &u.CreatedAt)
	})
	return users, wrap("list company users", err)
}

// companyUserEmails are the addresses of a company's users, lower-cased: the
// recipients of what the company hears by email.
func companyUserEmails(ctx context.Context, db querier, companyID uuid.UUID) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT DISTINCT lower(email) FROM company_users WHERE company_id = $1 ORDER BY 1`, companyID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
