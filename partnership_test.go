package passerelle

import (
	"testing"

	"github.com/google/uuid"
)

func TestMayActForCompany(t *testing.T) {
	t.Parallel()
	company, other := uuid.New(), uuid.New()
	org := uuid.New()
	adviser := Principal{Role: RoleAdviser, OrganisationID: org}
	integrator := Principal{Role: RoleIntegrator, OrganisationID: org}
	steward := CompanyLink{Status: PartnershipActive, Steward: true}
	partner := CompanyLink{Status: PartnershipActive}
	all := []CompanyAct{SeeCompany, WriteOffers, EditCompany, IssueCompanyKeys, DecidePartnerships}
	for _, c := range []struct {
		name    string
		p       Principal
		company uuid.UUID
		link    CompanyLink
		allowed []CompanyAct
	}{
		{"admin", Principal{Role: RoleAdmin}, company, CompanyLink{}, all},
		{"the company itself", Principal{Role: RoleCompany, CompanyID: company}, company, CompanyLink{}, all},
		{"another company", Principal{Role: RoleCompany, CompanyID: other}, company, CompanyLink{}, nil},
		{"steward adviser", adviser, company, steward, []CompanyAct{SeeCompany, WriteOffers, EditCompany, IssueCompanyKeys}},
		{"steward integrator", integrator, company, steward, []CompanyAct{SeeCompany, WriteOffers, EditCompany}},
		{"active partner", adviser, company, partner, []CompanyAct{SeeCompany, WriteOffers}},
		{"pending steward", adviser, company, CompanyLink{Status: PartnershipPending, Steward: true}, nil},
		{"pending partner", adviser, company, CompanyLink{Status: PartnershipPending}, nil},
		{"refused partner", integrator, company, CompanyLink{Status: PartnershipRefused}, nil},
		{"no partnership", adviser, company, CompanyLink{}, nil},
		{"unknown role", Principal{Role: "visitor"}, company, steward, nil},
	} {
		for _, act := range all {
			want := false
			for _, a := range c.allowed {
				want = want || a == act
			}
			if got := MayActForCompany(c.p, c.company, c.link, act); got != want {
				t.Errorf("%s, act %d: got %v, want %v", c.name, act, got, want)
			}
		}
	}
}

func TestValidPartnershipTransition(t *testing.T) {
	t.Parallel()
	for _, from := range PartnershipStatuses {
		for _, to := range PartnershipStatuses {
			want := to != PartnershipPending // a decision is never "pending"
			if got := ValidPartnershipTransition(from, to); got != want {
				t.Errorf("%s → %s: got %v, want %v", from, to, got, want)
			}
		}
	}
}
