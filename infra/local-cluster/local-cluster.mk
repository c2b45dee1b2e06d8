# Local Kubernetes ladder (infra/local-cluster). Include from the top Makefile:
#   include infra/local-cluster/local-cluster.mk
# Rung: 1 = etcd + kube-apiserver, 2 = + controller-manager + scheduler + kwok
# nodes, 3 = real node (see infra/local-cluster/README.md). Override with
#   make e2e-local LOCAL_CLUSTER_RUNG=1
# Extra e2e steps (deploy, smoke) run with KUBECONFIG set, via E2E_EXTRA:
#   make e2e-local E2E_EXTRA='make deploy-local && make smoke'

LOCAL_CLUSTER_DIR  ?= $(dir $(lastword $(MAKEFILE_LIST)))
LOCAL_CLUSTER_RUNG ?= 3
LOCAL_CLUSTER      := $(LOCAL_CLUSTER_DIR)cluster.sh

.PHONY: cluster-build cluster-up cluster-down cluster-status cluster-env cluster-test e2e-local

cluster-build: ## Build the local-cluster binaries into the cache (Go module proxy only)
	$(LOCAL_CLUSTER) build --rung $(LOCAL_CLUSTER_RUNG)

cluster-up: ## Start the local cluster (eval "$$(infra/local-cluster/cluster.sh env)" to use it)
	$(LOCAL_CLUSTER) up --rung $(LOCAL_CLUSTER_RUNG)

cluster-down: ## Stop the local cluster and wipe its state
	$(LOCAL_CLUSTER) down

cluster-status: ## Show the local cluster's components and nodes
	$(LOCAL_CLUSTER) status

cluster-env: ## Print export KUBECONFIG=... for the running local cluster
	@$(LOCAL_CLUSTER) env

cluster-test: ## Run the cluster tests against the running local cluster
	$(LOCAL_CLUSTER) test

e2e-local: ## Up, cluster tests (+ $$E2E_EXTRA: deploy, smoke), down
	E2E_EXTRA='$(E2E_EXTRA)' $(LOCAL_CLUSTER) e2e --rung $(LOCAL_CLUSTER_RUNG)
