# Commands of the perpetual node's infrastructure. `make help` lists them.
#
# Every target that needs Go to build the app depends on `setup`, which
# installs the pinned Node.js tooling and generates the providers' Go
# bindings from bindings/*.schema.json (scripts/bootstrap.sh; a no-op when
# nothing changed).

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# The cdktf CLI works offline without its update checks and telemetry.
export CHECKPOINT_DISABLE := 1
# The checksum database does not list the cdktf modules; go.sum pins them.
export GONOSUMDB := github.com/cdktf,github.com/hashicorp/terraform-cdk-go

CDKTF := node_modules/.bin/cdktf
TOOLS := .tools
GOLANGCI_LINT_VERSION := v2.15.0
ACTIONLINT_VERSION := v1.7.12
TRIVY_VERSION := v0.74.0
# golangci-lint refuses a module whose toolchain (go.mod) is newer than the
# Go that built it: it is built with that toolchain, which the go command
# fetches, and kept by both versions.
GO_TOOLCHAIN := $(shell sed -n 's/^toolchain //p' go.mod)
GOLANGCI_LINT := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)-$(GO_TOOLCHAIN)/golangci-lint
ACTIONLINT := $(TOOLS)/actionlint-$(ACTIONLINT_VERSION)/actionlint
TRIVY := $(TOOLS)/trivy-$(TRIVY_VERSION)/trivy

# Stack for diff/deploy/destroy: make diff STACK=<env> or STACK=<env>-k8s,
# for an environment file config/<env>.json; STACK_ENV is that <env>.
STACK ?=
STACK_ENV = $(patsubst %-k8s,%,$(STACK))
# Revision make changes compares with.
BASE ?= HEAD
# cmd/envinfo, which reads the environment files: go run from this
# checkout, or CMD_BIN/envinfo when CMD_BIN names a directory of the
# commands built from it, as the scripts do (scripts/lib.sh, gocmd).
ENVINFO = $(if $(CMD_BIN),$(CMD_BIN)/envinfo,go run ./cmd/envinfo)

.PHONY: help setup provider-schema synth hcl test trials changes docs golden bench fmt lint diff deploy destroy check-stack preflight refuse-production cost scan actionlint shellcheck check validate tftest ktest calendar

help: ## List the commands and the environments
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'
	@printf '\nEnvironments (config/<env>.json, each the stacks <env> and <env>-k8s):\n'
	@for kind in development production; do \
	  list=$$($(ENVINFO) -config config -list $$kind 2>/dev/null | tr '\n' ' ') || list='(cannot list them: scripts/environments.sh says why)'; \
	  list=$${list% }; printf '  %-12s %s\n' "$$kind" "$${list:-none}"; \
	done

setup: ## Install pinned tooling and generate the providers' Go bindings from bindings/ (idempotent)
	@scripts/bootstrap.sh

# A provider's kept schema (bindings/<provider>.schema.json): its version and
# the resource and data source types the stacks use. Reading a schema needs
# Terraform and the provider (registry, or TF_CLI_CONFIG_FILE's mirror).
PROVIDER ?=
VERSION ?=
ADD ?=
REMOVE ?=
provider-schema: ## Refresh a provider's schema and regenerate: make provider-schema PROVIDER=azurerm [VERSION=x.y.z] [ADD=type ...] [REMOVE=type ...]
	@[ -n "$(PROVIDER)" ] || { echo "Name the provider: make provider-schema PROVIDER=<$$(ls bindings/*.schema.json | xargs -n1 basename | sed 's/.schema.json//' | paste -sd'|')> [VERSION=x.y.z] [ADD=type ...] [REMOVE=type ...] (a data source is data.<type>)" >&2; exit 2; }
	node bindings/bindings.js refresh $(PROVIDER) $(if $(VERSION),--version $(VERSION)) $(foreach t,$(ADD),--add $(t)) $(foreach t,$(REMOVE),--remove $(t))
	@scripts/bootstrap.sh

synth: setup ## Synthesize every stack into cdktf.out/
	go run . -config config -out cdktf.out

hcl: setup ## Synthesize every stack as HCL (cdk.tf) into cdktf.hcl/, for plain Terraform or OpenTofu
	$(CDKTF) synth --hcl --output cdktf.hcl

# go test ./... through scripts/test.sh: go test's own lines, a line every
# 20 s for a package still running (TEST_PROGRESS), a $TMPDIR of the
# tests' own that must be left empty, test binaries kept outside the
# checkout (TEST_BIN), linked again only when their package changed, and
# go test's cached results while their inputs are unchanged
# (tools/testinputs); TEST_FRESH=1 runs every test again.
test: setup ## Run all tests
	scripts/test.sh

validate: synth ## terraform init + validate of every stack with the real providers (registry or TF_CLI_CONFIG_FILE mirror)
	go run ./cmd/tfcheck -out cdktf.out validate

tftest: synth ## terraform test: a mocked apply of every stack with the real providers (tftest/)
	go run ./cmd/tfcheck -out cdktf.out test

trials: setup ## Kill (24 times) and race (10 pairs) real synthesis; cdktf.out must never be lost or mixed (minutes)
	FAULT_TRIALS=1 go test -count=1 -run '^TestFaultTrials$$' -v .

changes: setup ## What the working tree's changes do to the stacks and their cost, against HEAD (or BASE=<revision>), offline
	scripts/changes.sh $(BASE)

docs: setup ## Rewrite the generated docs (README configuration reference, docs/guardrails.md rules, docs/cost.md estimate, docs/calendar.md tables)
	UPDATE_SNAPSHOTS=1 go test -count=1 -run 'TestREADMEReferenceIsGenerated|TestDocsShowEveryRule|TestDocsShowTheCurrentEstimate|TestDocsShowTheCalendar' ./config ./guardrails ./tools/cost ./tools/calendar

# Binaries of the local control plane of make ktest (etcd, kube-apiserver,
# kube-controller-manager) in the envtest layout. The default is where
# scripts/kube-testenv.sh puts its default version, 1.35.0 (README, The
# binaries); export "$(scripts/kube-testenv.sh 1.35.0)" gets them and sets
# KUBEBUILDER_ASSETS; any other build is named by KUBEBUILDER_ASSETS.
KUBEBUILDER_ASSETS ?= $(or $(KUBE_TESTENV_DIR),$(HOME)/.cache/kube-testenv)/1.35.0

ktest: synth ## Live test: apply, check and destroy each in-cluster stack on a local Kubernetes control plane (KUBEBUILDER_ASSETS)
	@# Built, not `go run`: an interrupt or SIGTERM then reaches tfcheck, which stops the control plane.
	go build -o .tfcheck/bin/tfcheck ./cmd/tfcheck
	.tfcheck/bin/tfcheck -out cdktf.out -assets "$(KUBEBUILDER_ASSETS)" live

golden: setup ## Rewrite the golden snapshots (stacks/testdata/) and the generated docs; read the diff before committing
	UPDATE_SNAPSHOTS=1 go test -count=1 ./...

# BENCH_BASE: another build of the app to time side by side (scripts/bench.sh --help).
BENCH_BASE ?=
bench: setup ## Time whole-process synthesis of every stack (5 runs); BENCH_BASE=<binary> times another build side by side
	scripts/bench.sh $(BENCH_BASE)

fmt: ## Format the Go code
	gofmt -w $$(git ls-files '*.go')

lint: setup $(GOLANGCI_LINT) ## go vet and golangci-lint
	go vet ./...
	$(GOLANGCI_LINT) run ./...

$(GOLANGCI_LINT):
	GOBIN=$(abspath $(dir $@)) GOTOOLCHAIN=$(GO_TOOLCHAIN) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

# STACK must be <env> or <env>-k8s of an environment file; otherwise the
# message lists the stacks there are (cmd/envinfo -list: config/ is the list).
check-stack:
	@env='$(STACK_ENV)'; \
	if [ -z "$(STACK)" ] || [ ! -f "config/$$env.json" ]; then \
	  stacks=$$($(ENVINFO) -config config -list all | sed 's/.*/& &-k8s/' | tr '\n' ' ') || stacks='<env> and <env>-k8s for each config/<env>.json '; \
	  if [ -z "$(STACK)" ]; then echo "Name the stack: make $(MAKECMDGOALS) STACK=<stack> (stacks: $${stacks% })" >&2; \
	  else echo "$(STACK) is no stack: config/$$env.json does not exist (stacks: $${stacks% })" >&2; fi; \
	  exit 2; \
	fi

# What the cdktf CLI's plan needs (terraform, kubelogin for an in-cluster
# stack, the Azure CLI logged in), checked by the scripts' own preflight
# before anything is built or synthesized: a missing tool or login is named
# in seconds, not found by the backend minutes later.
preflight: check-stack
	@CONFIG_DIR=config scripts/preflight.sh $(STACK)

diff: check-stack preflight setup ## Show the plan of one stack: make diff STACK=<env>
	$(CDKTF) diff $(STACK)

# The cdktf CLI's deploy and destroy skip every guard of scripts/deploy.sh
# and scripts/destroy.sh (typed confirmation, reviewed plans, destroy planned
# for every stack first): they refuse the stacks of a production environment.
# Production is what the environment file says ("production": true, read
# by cmd/envinfo), not a name.
refuse-production: check-stack
	@env='$(STACK_ENV)'; \
	vars=$$($(ENVINFO) -config config "$$env"); \
	if grep -qx "PRODUCTION='true'" <<<"$$vars"; then \
	  echo "$(STACK) is a stack of the production environment $$env: make $(MAKECMDGOALS) refuses it." >&2; \
	  echo "Use scripts/deploy.sh --production $$env or scripts/destroy.sh --production $$env (--help first), or the pipeline." >&2; \
	  exit 2; \
	fi

deploy: refuse-production preflight setup ## Deploy one development stack: make deploy STACK=<env> (production: scripts/deploy.sh)
	$(CDKTF) deploy $(STACK)

destroy: refuse-production preflight setup ## Destroy one development stack: make destroy STACK=<env> (production: scripts/destroy.sh)
	$(CDKTF) destroy $(STACK)

# Needs neither setup nor the bindings: a small Go command over
# tools/calendar. DATE=YYYY-MM-DD checks as of another day.
DATE ?=
calendar: ## Deadlines of the deployment nearest first; fails within 60 days of one (DATE=YYYY-MM-DD for another day)
	go run ./cmd/calendar $(if $(DATE),-date $(DATE))

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
