#!/usr/bin/env bash
# preflight.sh: the checks deploy.sh makes before it plans, for a stack that
# another tool plans: make diff, make deploy and make destroy (the cdktf
# CLI), which otherwise end in a raw backend or provider error.
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/preflight.sh STACK

Checks what planning STACK (<env> or <env>-k8s of an environment file
$CONFIG_DIR/<env>.json) needs, and names every missing thing at once:
terraform; kubelogin when the in-cluster stack signs in with it; the Azure
CLI, logged in, on ARM_SUBSCRIPTION_ID's subscription when that is set
(else it says which one it uses). Exit status 0 when nothing is missing, 1
otherwise. It is lib.sh's preflight, which deploy.sh, destroy.sh,
preview.sh and drift.sh run themselves; the Makefile runs it before the
cdktf CLI.

Options:
  -h, --help   show this text
USAGE
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  ""|-*) usage >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { usage >&2; exit 2; }
load_env "${1%-k8s}"
check_stack "$1"
# The caller synthesizes (the cdktf CLI does): make is not this check's.
SKIP_SYNTH=1 preflight "$1"
