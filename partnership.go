package passerelle

import "github.com/google/uuid"

// Who may act for a company is decided by the company (docs/tenancy.md).
//
// Companies are global; an organisation works with one through a
// partnership. An organisation asking to work with a company that is already
// registered gets a pending partnership, which the company (or an admin)
// accepts or refuses. Until it is active the organisation sees only what
// anyone may see of the company (its published offers, its name, SIRET and
// town through them), mints no key and edits nothing. The steward is the
// organisation that registered the company: besides admins and the company
// itself, only it edits the company's identity and contacts and issues its
// API keys. Any active partner may write offers on the company's behalf.

// Partnership statuses.
const (
	PartnershipPending = "pending" // asked by the organisation, not yet answered by the company
	PartnershipActive  = "active"  // accepted by the company (or made by its registration)
	PartnershipRefused = "refused" // refused, or ended, by the company
)

// PartnershipStatuses lists every partnership status.
var PartnershipStatuses = []string{PartnershipPending, PartnershipActive, PartnershipRefused}

// CompanyLink is what an organisation has with one company: its partnership's
// status ("" when there is none) and whether it is the company's steward.
type CompanyLink struct {
	Status  string
	Steward bool
}

// Active reports whether the link lets the organisation work with the company.
func (l CompanyLink) Active() bool { return l.Status == PartnershipActive }

// CompanyAct is something done for, or about, one company.
type CompanyAct int

// What a principal may do for a company, from the least to the most trusting.
const (
	// SeeCompany: read its private data — contacts, draft and paused offers.
	SeeCompany CompanyAct = iota
	// WriteOffers: create and change its offers on its behalf.
	WriteOffers
	// EditCompany: change its identity and contacts.
	EditCompany
	// IssueCompanyKeys: create and revoke API keys that act as the company.
	IssueCompanyKeys
	// DecidePartnerships: accept or refuse an organisation's request to work
	// with the company.
	DecidePartnerships
)

// MayActForCompany reports whether p may do act for the company companyID,
// given link, the partnership of p's organisation with that company (zero for
// admins, companies, or when there is none). It is the one statement of the
// rule: storage applies it, and mirrors it in its SQL scopes.
func MayActForCompany(p Principal, companyID uuid.UUID, link CompanyLink, act CompanyAct) bool {
	switch p.Role {
	case RoleAdmin:
		return true
	case RoleCompany:
		return p.CompanyID == companyID
	case RoleAdviser, RoleIntegrator:
		if !link.Active() {
			return false
		}
		switch act {
		case SeeCompany, WriteOffers:
			return true
		case EditCompany:
			return link.Steward
		case IssueCompanyKeys:
			// Keys are managed by advisers (people); an integrator is a machine.
			return link.Steward && p.Role == RoleAdviser
		}
	}
	return false
}

// ValidPartnershipTransition reports whether a partnership in status from may
// be set to status to by the company's decision. Deciding the same thing twice
// is allowed (idempotent); a company may end an active partnership by refusing
// it, and accept one it refused before.
func ValidPartnershipTransition(from, to string) bool {
	switch to {
	case PartnershipActive, PartnershipRefused:
		return from == PartnershipPending || from == PartnershipActive || from == PartnershipRefused
	}
	return false
}
