# The Helm chart (charts/northstar). Included from the top Makefile:
#   -include infra/helm/helm.mk
# helm is built from the Go module proxy into $NORTHSTAR_CACHE (infra/helm/install-helm.sh);
# nothing is downloaded from get.helm.sh and no binary enters the repository.

HELM_DIR   := $(dir $(lastword $(MAKEFILE_LIST)))
HELM_CHART ?= charts/northstar
HELM_TESTS := cdk8s/test/helm-

.PHONY: helm helm4 test-helm test-helm4 test-helm-server helm-template-kind

helm: ## Build the pinned helm (infra/helm/versions.env) into the cache, once
	@$(HELM_DIR)install-helm.sh >/dev/null

helm4: ## Build the pinned Helm 4 into the cache, once
	@HELM_VERSION=$$(sed -n 's/^HELM4_VERSION=//p' $(HELM_DIR)versions.env) $(HELM_DIR)install-helm.sh >/dev/null

# The chart's jest suites live in cdk8s/test and so also run in test-unit; helm must exist first.
test-unit: helm

test-helm: helm ## Helm chart: lint --strict, template matrix + offline schema validation, cdk8s parity, bad values
	@helm="$$($(HELM_DIR)install-helm.sh 2>/dev/null)" && \
	  for values in "" values-kind.yaml; do \
	    "$$helm" lint --strict $(HELM_CHART) $${values:+--values $(HELM_CHART)/$$values} || exit 1; \
	  done && \
	  HELM="$$helm" NODE_OPTIONS=$(NODE_OPTIONS_JEST) npx jest $(HELM_TESTS) --selectProjects unit

test-helm4: helm4 ## The same chart checks with Helm 4 (not part of make test)
	@helm="$$(HELM_VERSION=$$(sed -n 's/^HELM4_VERSION=//p' $(HELM_DIR)versions.env) $(HELM_DIR)install-helm.sh 2>/dev/null)" && \
	  "$$helm" version --short && \
	  for values in "" values-kind.yaml; do \
	    "$$helm" lint --strict $(HELM_CHART) $${values:+--values $(HELM_CHART)/$$values} || exit 1; \
	  done && \
	  HELM="$$helm" NODE_OPTIONS=$(NODE_OPTIONS_JEST) npx jest $(HELM_TESTS) --selectProjects unit

test-helm-server: helm ## Against a running API server (local-cluster by default): server dry run of every values set under PSA restricted, then install/upgrade/uninstall/reinstall checks
	$(HELM_DIR)server-test.sh

helm-template-kind: helm ## Print the chart rendered with values-kind.yaml
	@"$$($(HELM_DIR)install-helm.sh 2>/dev/null)" template northstar $(HELM_CHART) -n northstar -f $(HELM_CHART)/values-kind.yaml
