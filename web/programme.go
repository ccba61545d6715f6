package web

import (
	"net"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"github.com/passerelle-dev/passerelle/store"
	"github.com/passerelle-dev/passerelle/web/form"
)

// PartnerRequestLimit bounds the partner requests one client address posts:
// five at once, then one a minute (shared by every process, in PostgreSQL).
var PartnerRequestLimit = store.RateLimit{PerMinute: 1, Burst: 5}

// programmePage is the data of templates/programme.html.
type programmePage struct {
	P      store.Programme
	In     store.PartnerRequestInput
	Sent   bool
	Errors form.Errors
}

// programmeShow is a programme's public page: what it does, where, what a
// partnership means, and the form to ask to become a partner. Anyone may
// read it; no session is needed.
func (h *Handler) programmeShow(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	p, err := h.deps.Store.PublicProgramme(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, http.StatusOK, "programme", page{Title: p.Name, Data: programmePage{P: p,
		Sent: r.URL.Query().Get("envoye") == "1", Errors: form.Errors{}}})
}

// programmeRequest records a company's request to become a partner. The
// answer is the same whether the SIRET is registered or not (the page says
// "sent"); requests are rate-limited by client address.
func (h *Handler) programmeRequest(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.notFound(w, r)
		return
	}
	p, err := h.deps.Store.PublicProgramme(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	dec, err := h.deps.Store.ChargeAddress(r.Context(), "partner_request", clientAddress(r), PartnerRequestLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !dec.Allowed {
		minutes := int(dec.RetryAfter.Minutes()) + 1
		w.Header().Set("Retry-After", strconv.Itoa(int(dec.RetryAfter.Seconds())+1))
		h.renderError(w, r, http.StatusTooManyRequests, "Trop de demandes",
			"Plusieurs demandes sont déjà parties de votre connexion. Réessayez dans "+plural(minutes, "minute", "minutes")+".")
		return
	}
	f := form.Read(r)
	in := store.PartnerRequestInput{SIRET: f.String("siret"), CompanyName: f.String("company_name"),
		Address:     store.Address{Street: f.String("address.street"), PostalCode: f.String("address.postal_code")},
		ContactName: f.String("contact_name"), ContactEmail: f.String("contact_email"),
		ContactPhone: f.String("contact_phone"), Message: f.String("message")}
	err = f.Err()
	if err == nil {
		err = h.deps.Store.CreatePartnerRequest(r.Context(), id, in)
	}
	if errs, ok := form.ErrorsOf(err); ok {
		h.render(w, r, http.StatusUnprocessableEntity, "programme", page{Title: p.Name,
			Data: programmePage{P: p, In: in, Errors: errs}})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, Prefix+"/programmes/"+id.String()+"?envoye=1#demande", http.StatusSeeOther) //nolint:gosec // G710: our own path and a parsed id
}

// clientAddress is what a client's rate limit is keyed by: its IP address
// as the connection shows it (Passerelle trusts no forwarding header), an
// IPv6 one by its /64, the block one subscriber usually holds.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}
