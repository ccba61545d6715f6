package api

import (
	"context"
	"log/slog"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/passerelle-dev/passerelle"
	"github.com/passerelle-dev/passerelle/search"
	"github.com/passerelle-dev/passerelle/store"
)

// Deps is what the server needs. Store and Search may be nil when the server is
// built only to print the OpenAPI document.
type Deps struct {
	Store  *store.Store
	Search *search.Client
	// SearchShards reports each search shard's health and lag for /readyz;
	// nil leaves them out.
	SearchShards func(ctx context.Context) ([]search.ShardStatus, error)
	Logger       *slog.Logger
	// PublicBaseURL is written in the spec's servers, and starts the absolute
	// URLs of Location and Link headers (docs/integrators.md).
	PublicBaseURL string
	// Operational limits the server to health, metrics, spec and docs: the
	// HTTP face of a worker-only process.
	Operational bool
	// Metrics is where the server registers its collectors and what /metrics
	// serves; nil serves no /metrics (it is then served elsewhere).
	Metrics *prometheus.Registry
	// DocsHandler serves /docs; nil leaves /docs out.
	DocsHandler http.Handler
	// RateLimitPerMinute and RateLimitBurst bound each API key's requests.
	RateLimitPerMinute int
	RateLimitBurst     int
	// WebhookAllowLoopback lets webhook URLs point at loopback addresses
	// (development and tests).
	WebhookAllowLoopback bool
}

// DefaultPublicBaseURL is PUBLIC_BASE_URL's default: a local `make run`.
const DefaultPublicBaseURL = "http://localhost:8080"

// Server is Passerelle's HTTP handler.
type Server struct {
	deps    Deps
	logger  *slog.Logger
	mux     *http.ServeMux
	api     huma.API
	metrics *httpMetrics
	// rateLimit is each key's budget, shared by every process (ratelimit.go).
	rateLimit store.RateLimit
	handler   http.Handler
	spec      specCache
	// afterIdempotentCommit, when set (by tests), runs between the commit of
	// an idempotent request and its reply.
	afterIdempotentCommit func()
}

// New builds the server and registers every operation.
func New(deps Deps) *Server {
	configureHuma()
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	s := &Server{deps: deps, logger: deps.Logger, mux: http.NewServeMux()}
	var reg prometheus.Registerer
	if deps.Metrics != nil {
		reg = deps.Metrics
	}
	s.metrics = newHTTPMetrics(reg)
	s.rateLimit = newRateLimit(deps.RateLimitPerMinute, deps.RateLimitBurst)
	s.api = humago.New(s.mux, s.humaConfig())
	s.api.UseMiddleware(s.authenticate, s.checkInput, s.idempotency)

	s.registerSpec()
	s.registerHealth()
	if !deps.Operational {
		s.registerResources()
	}
	if deps.Metrics != nil {
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(deps.Metrics, promhttp.HandlerOpts{}))
	}
	if deps.DocsHandler != nil {
		s.mux.Handle("GET /docs", deps.DocsHandler)
		s.mux.Handle("GET /docs/", deps.DocsHandler)
	}
	s.mux.HandleFunc("/", s.notFound)
	s.handler = s.observe(s.mux)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// OpenAPI returns the document describing every operation.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

func (s *Server) humaConfig() huma.Config {
	// The spec's version is the release's: one constant (version.go).
	cfg := huma.DefaultConfig("Passerelle API", passerelle.Version)
	cfg.Info.Description = "Placement API for second-chance and digital-inclusion programmes: partner companies, " +
		"their apprenticeship, internship and immersion offers, trainees, matching and placements."
	cfg.Info.License = &huma.License{Name: "AGPL-3.0-or-later", Identifier: "AGPL-3.0-or-later"}
	if s.deps.PublicBaseURL != "" {
		cfg.Servers = []*huma.Server{{URL: s.deps.PublicBaseURL}}
	} else {
		// The committed spec: each deployment has its own base URL.
		cfg.Servers = []*huma.Server{{URL: "{base_url}", Description: "A Passerelle deployment.",
			Variables: map[string]*huma.ServerVariable{"base_url": {Default: DefaultPublicBaseURL,
				Description: "The deployment's PUBLIC_BASE_URL."}}}}
	}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		securityScheme: {
			Type:         "http",
			Scheme:       "bearer",
			BearerFormat: "Passerelle API key",
			Description:  "An API key, sent as `Authorization: Bearer <key>`. Each operation lists the roles allowed to call it.",
		},
	}
	// The docs UI is ours (embedded, offline); huma's would load from a CDN.
	cfg.DocsPath = ""
	// No $schema fields or describedby links: our Link header is for pagination.
	cfg.CreateHooks = nil
	cfg.SchemasPath = ""
	// The spec is served by registerSpec, cleaned and in 3.1 and 3.0.
	cfg.OpenAPIPath = ""
	registerProblemResponses(cfg.OpenAPI)
	cfg.OnAddOperation = append(cfg.OnAddOperation, declareResponses)
	// Ids are UUIDs: say so in the spec (and let huma check the format).
	cfg.Components.Schemas.RegisterTypeAlias(reflect.TypeFor[uuid.UUID](), reflect.TypeFor[uuidSchema]())
	return cfg
}

// url is the absolute URL of path, for Location and Link headers: the
// configured public base URL, never the request's Host (which a client or a
// proxy sets).
func (s *Server) url(path string) string { return s.deps.PublicBaseURL + path }

// uuidSchema stands for uuid.UUID in the spec.
type uuidSchema string

// Schema implements huma.SchemaProvider.
func (uuidSchema) Schema(huma.Registry) *huma.Schema {
	return &huma.Schema{Type: huma.TypeString, Format: "uuid", Examples: []any{"0b7e3c1a-5f2d-4e8b-9a6c-1d2e3f4a5b6c"}}
}

// registerResources registers the /v1 operations.
func (s *Server) registerResources() {
	s.registerOrganisations()
	s.registerAdvisers()
	s.registerCohorts()
	s.registerAudit()
	s.registerKeys()
	s.registerCompanies()
	s.registerOffers()
	s.registerSearch()
	s.registerReference()
	s.registerTrainees()
	s.registerPrivacy()
	s.registerMatching()
	s.registerProposals()
	s.registerPlacements()
	s.registerFollowups()
	s.registerStats()
	s.registerNotifications()
	s.registerWebhooks()
}
