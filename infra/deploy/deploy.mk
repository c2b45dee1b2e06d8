# Deploying Northstar (included from the top Makefile: -include infra/deploy/deploy.mk).
#   make deploy-kind [DEPLOY=cdk8s]   kind cluster (if absent), images, kind load, install, rollout
#   make port-forward && make smoke   the gateway on localhost:3001, then the smoke test
#   make logs | undeploy [PURGE=1] | kind-down
#   make deploy-local [DEPLOY=cdk8s]  the same deploy step on infra/local-cluster
# Every target checks its tools first (infra/deploy/lib.sh) and names what is missing;
# infra/deploy/install-tools.sh builds the pinned kind, kubectl and helm into the cache.
# The scripts read KUBE_CONTEXT/KUBECONFIG, NAMESPACE, TAG, TIMEOUT, KIND_CLUSTER.

DEPLOY_DIR := $(dir $(lastword $(MAKEFILE_LIST)))

.PHONY: deploy-kind deploy-local port-forward port-forward-stop undeploy kind-down logs \
  deploy-tools lint-workflows test-deploy-prereqs test-deploy-local

deploy-kind: ## kind cluster (if absent), make images, kind load, helm install with values-kind.yaml (DEPLOY=cdk8s: the synthesized kind profile), rollout wait
	@$(DEPLOY_DIR)kind.sh up

deploy-local: ## The same deploy step on infra/local-cluster: dry run (rung 1), kwok objects (rung 2), real pods via ctr import (rung 3)
	@$(DEPLOY_DIR)local.sh

port-forward: ## service/gateway to localhost:3001 in the background (pid in .run/); safe to run twice
	@$(DEPLOY_DIR)port-forward.sh start

port-forward-stop: ## Stop the background port-forward
	@$(DEPLOY_DIR)port-forward.sh stop

undeploy: ## helm uninstall, or delete the cdk8s objects (PURGE=1: the namespace, Secrets and volume too)
	@$(DEPLOY_DIR)port-forward.sh stop
	@$(DEPLOY_DIR)deploy.sh undeploy

kind-down: ## Delete the kind cluster
	@$(DEPLOY_DIR)kind.sh down

logs: ## Recent logs of every Northstar pod (TAIL=100)
	@$(DEPLOY_DIR)deploy.sh logs

deploy-tools: ## Build the pinned kind, kubectl and helm into the cache (Go module proxy); prints the bin dir
	@$(DEPLOY_DIR)install-tools.sh

lint-workflows: ## actionlint (pinned, from the Go module proxy) on .github/workflows
	@infra/actionlint/run.sh

test-deploy-prereqs: ## deploy-kind/port-forward/... with kind, kubectl, helm hidden: readable messages, non-zero exits
	@$(DEPLOY_DIR)test/prereqs.sh

test-deploy-local: ## deploy.sh with helm and cdk8s on the running local cluster: dry run, install, re-run, undeploy
	@$(DEPLOY_DIR)test/local-cluster.sh
