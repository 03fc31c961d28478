# Commands of the perpetual node's infrastructure. `make help` lists them.
#
# Every target that needs Go to build the app depends on `setup`, which
# installs the pinned Node.js tooling and generates the Kubernetes provider
# bindings (scripts/bootstrap.sh; a no-op when nothing changed).

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Node 20 is past its end of life: jsii and jsii-pacmak print a banner on
# every start unless the major version is listed here.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# The cdktf CLI works offline without its update checks and telemetry.
export CHECKPOINT_DISABLE := 1
# The checksum database does not list the cdktf modules; go.sum pins them.
export GONOSUMDB := github.com/cdktf,github.com/hashicorp/terraform-cdk-go

CDKTF := node_modules/.bin/cdktf
TOOLS := .tools
GOLANGCI_LINT_VERSION := v2.15.0
ACTIONLINT_VERSION := v1.7.12
TRIVY_VERSION := v0.74.0
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint
ACTIONLINT := $(TOOLS)/actionlint-$(ACTIONLINT_VERSION)/actionlint
TRIVY := $(TOOLS)/trivy-$(TRIVY_VERSION)/trivy

# Stack for diff/deploy/destroy: make diff STACK=dev
STACK ?=

.PHONY: help setup synth hcl test golden bench fmt lint diff deploy destroy check-stack cost scan actionlint shellcheck check validate tftest ktest

help: ## List the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## Install pinned tooling and generate the Kubernetes bindings (idempotent)
	@scripts/bootstrap.sh

synth: setup ## Synthesize every stack into cdktf.out/
	go run . -config config -out cdktf.out

hcl: setup ## Synthesize every stack as HCL (cdk.tf) into cdktf.hcl/, for plain Terraform or OpenTofu
	$(CDKTF) synth --hcl --output cdktf.hcl

test: setup ## Run all tests
	go test -count=1 ./...

validate: synth ## terraform init + validate of every stack with the real providers (registry or TF_CLI_CONFIG_FILE mirror)
	go run ./cmd/tfcheck -out cdktf.out validate

tftest: synth ## terraform test: a mocked apply of every stack with the real providers (tftest/)
	go run ./cmd/tfcheck -out cdktf.out test

# Binaries of the local control plane of make ktest (etcd, kube-apiserver,
# kube-controller-manager) in the envtest layout; scripts/kube-testenv.sh
# gets them.
KUBEBUILDER_ASSETS ?= $(HOME)/.cache/kube-testenv/1.35.4

ktest: synth ## Live test: apply, check and destroy each in-cluster stack on a local Kubernetes control plane (KUBEBUILDER_ASSETS)
	@# Built, not `go run`: an interrupt or SIGTERM then reaches tfcheck, which stops the control plane.
	go build -o .tfcheck/bin/tfcheck ./cmd/tfcheck
	.tfcheck/bin/tfcheck -out cdktf.out -assets "$(KUBEBUILDER_ASSETS)" live

golden: setup ## Rewrite the golden snapshots (stacks/testdata/, the estimate in docs/cost.md); read the diff before committing
	UPDATE_SNAPSHOTS=1 go test -count=1 ./...

bench: setup ## Time synthesis of all stacks against an empty stack with the same bindings
	go test -run '^$$' -bench . -benchtime 3x ./stacks/

fmt: ## Format the Go code
	gofmt -w $$(git ls-files '*.go')

lint: setup $(GOLANGCI_LINT) ## go vet and golangci-lint
	go vet ./...
	$(GOLANGCI_LINT) run ./...

$(GOLANGCI_LINT):
	GOBIN=$(abspath $(dir $@)) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

check-stack:
	@if [ -z "$(STACK)" ]; then echo "Name the stack: make $(MAKECMDGOALS) STACK=dev (stacks: dev dev-k8s prod prod-k8s)" >&2; exit 2; fi

diff: setup check-stack ## Show the plan of one stack: make diff STACK=dev
	$(CDKTF) diff $(STACK)

deploy: setup check-stack ## Deploy one stack: make deploy STACK=dev
	$(CDKTF) deploy $(STACK)

destroy: setup check-stack ## Destroy one stack: make destroy STACK=dev
	$(CDKTF) destroy $(STACK)

cost: synth ## Estimate each stack's monthly cost from the synthesized JSON; fails over the budget's alert threshold
	go run ./cmd/cost -out cdktf.out

scan: hcl ## Scan the synthesized HCL with trivy (pinned, built once into .tools/); fails on unreviewed findings
	TRIVY_VERSION=$(TRIVY_VERSION) scripts/scan.sh cdktf.hcl

actionlint: $(ACTIONLINT) ## Lint the GitHub workflows (actionlint, with shellcheck on their run steps)
	$(ACTIONLINT)

$(ACTIONLINT):
	GOBIN=$(abspath $(dir $@)) go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

shellcheck: ## Lint the shell scripts
	@command -v shellcheck >/dev/null || { echo "shellcheck is not installed (apt-get install shellcheck)" >&2; exit 1; }
	shellcheck -x scripts/*.sh .ci/run

check: lint actionlint shellcheck scan ## Every static check: lint, actionlint, shellcheck and the security scan
