# Operator integration tests against a real API server (infra/local-cluster rung 2:
# etcd, kube-apiserver, controller-manager, scheduler, kwok nodes). Include from the
# top Makefile:  -include services/operator/operator.mk

OPERATOR_DIR := $(dir $(lastword $(MAKEFILE_LIST)))

.PHONY: test-operator

test-operator: ## Operator tests on a private rung-2 cluster: up, *.int-spec.ts, down (~1.5 min warm)
	$(OPERATOR_DIR)test/run-integration.sh
