#!/usr/bin/env bash
# scan.sh: scan every synthesized stack with trivy's embedded checks, offline.
#
# trivy scans the HCL that `cdktf synth --hcl` writes, not cdk.tf.json: its
# Terraform scanner does not read nested blocks in .tf.json files (a Key
# Vault's network_acls, an AKS cluster's network policy and authorized IP
# ranges) and reports them missing.
#
# For each stack <env> or <env>-k8s:
#   - every finding must be listed, with its reason, in the environment's
#     reviewed exceptions: scan/<env>.trivyignore.yaml when it exists, else
#     the default of its kind, scan/production.trivyignore.yaml or
#     scan/development.trivyignore.yaml, so a new environment needs no file
#     of its own unless it relaxes more;
#   - a production environment ("production": true in config/<env>.json) must
#     also have no HIGH or CRITICAL finding at all, ignore file or not.
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/scan.sh [--help] [HCL_DIR]

Scans HCL_DIR/stacks/* (default cdktf.hcl, written by `make hcl`) with trivy
(pinned by TRIVY_VERSION, default v0.74.0; built from the Go module proxy
into .tools/trivy-<version>/ on first use, which takes several minutes).
Exits 1 on any finding that the environment's reviewed ignore file does not
list, and on any HIGH or CRITICAL finding in a production environment.
USAGE
}

hcl_dir=cdktf.hcl
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  -*) echo "scan.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  "") ;;
  *) hcl_dir=$1 ;;
esac

version=${TRIVY_VERSION:-v0.74.0}
trivy=".tools/trivy-$version/trivy"
if [ ! -x "$trivy" ]; then
  if ! command -v go >/dev/null 2>&1; then
    echo "scan.sh: trivy $version is not built and Go is not installed to build it." >&2
    exit 1
  fi
  echo "scan: building trivy $version from the Go module proxy (several minutes, once per version)"
  GOEXPERIMENT=jsonv2 GOBIN="$ROOT/.tools/trivy-$version" go install "github.com/aquasecurity/trivy/cmd/trivy@$version"
fi

if [ ! -d "$hcl_dir/stacks" ]; then
  echo "scan.sh: no $hcl_dir/stacks; run make hcl first (or make scan, which does)." >&2
  exit 1
fi

trivy_config() {
  "$trivy" config --quiet --skip-check-update --skip-version-check --disable-telemetry \
    --cache-dir .tools/trivy-cache --misconfig-scanners terraform --exit-code 1 "$@"
}

# The production environments ("production": true), as cmd/envinfo reads
# them.
environments_into production_envs production

status=0
for dir in "$hcl_dir"/stacks/*/; do
  stack=$(basename "$dir")
  env=${stack%-k8s}
  production=false
  if [[ " ${production_envs[*]-} " == *" $env "* ]]; then
    production=true
  fi
  ignore="scan/$env.trivyignore.yaml"
  if [ ! -f "$ignore" ]; then
    ignore=scan/development.trivyignore.yaml
    [ "$production" = false ] || ignore=scan/production.trivyignore.yaml
  fi
  if [ "$production" = true ]; then
    echo "scan: $stack (production): HIGH and CRITICAL, no exceptions"
    if ! trivy_config --severity HIGH,CRITICAL "$dir"; then
      echo "scan: $stack: HIGH or CRITICAL findings in production" >&2
      status=1
    fi
  fi
  echo "scan: $stack: every finding, less the reviewed exceptions in $ignore"
  if ! trivy_config --ignorefile "$ignore" "$dir"; then
    echo "scan: $stack: findings not in $ignore: fix them, or add a reviewed exception with its reason" >&2
    status=1
  fi
done
if [ "$status" = 0 ]; then
  echo "scan: clean"
fi
exit "$status"
