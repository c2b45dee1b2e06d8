# Northstar. `make help` lists the targets.
SHELL := /usr/bin/env bash
.DEFAULT_GOAL := help
export NODE_OPTIONS_JEST := --experimental-vm-modules

.PHONY: help install build run lint typecheck test test-unit test-integration test-postgres smoke

help: ## List the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  \033[1m%-18s\033[0m %s\n", $$1, $$2}'

install: ## Install dependencies (npm ci) when missing or stale
	@source infra/dev/lib.sh && ensure_deps

build: install ## Compile every workspace (tsc -b)
	@source infra/dev/lib.sh && build

run: ## Start gateway, roadmap and identity on embedded PostgreSQL; Ctrl-C stops them
	@infra/dev/run.sh

lint: build ## ESLint (type-aware, zero warnings) and the strict type check, tests included
	npx tsc -p tsconfig.json
	npx eslint . --max-warnings 0

test: build ## Every test tier that needs no cluster
	$(MAKE) --no-print-directory test-unit
	$(MAKE) --no-print-directory test-helm
	$(MAKE) --no-print-directory test-integration
	$(MAKE) --no-print-directory test-postgres

test-unit: ## Unit and component tests beside the code
	NODE_OPTIONS=$(NODE_OPTIONS_JEST) npx jest --selectProjects unit

test-integration: ## The three services started for real, driven over HTTP (PGlite)
	NODE_OPTIONS=$(NODE_OPTIONS_JEST) npx jest --selectProjects integration --runInBand

test-postgres: ## The integration suite again, on a real PostgreSQL server (installed when absent)
	url="$$(infra/dev/postgres.sh start)" && \
	  TEST_DATABASE_URL="$$url" NODE_OPTIONS=$(NODE_OPTIONS_JEST) npx jest --selectProjects integration --runInBand; \
	  status=$$?; infra/dev/postgres.sh stop; exit $$status

smoke: build ## Smoke-test a running Northstar at BASE_URL (default http://localhost:3001)
	BASE_URL="$${BASE_URL:-http://localhost:3001}" node infra/smoke/dist/smoke.js

-include infra/local-cluster/local-cluster.mk
-include infra/images/images.mk
-include infra/helm/helm.mk
-include services/operator/operator.mk
-include infra/deploy/deploy.mk
