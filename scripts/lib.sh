# shellcheck shell=bash
# lib.sh: helpers shared by the scripts in this directory. Source it; it sets
# ROOT (the repository) and changes into it.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

# Node 20 is past its end of life: silence jsii's banner (see Makefile).
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="${JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION:-20}"
export CHECKPOINT_DISABLE=1
# Terraform never asks questions in these scripts; they ask themselves.
export TF_IN_AUTOMATION=1

# Where the synthesized stacks are, and the environment files.
OUTDIR="${CDKTF_OUTDIR:-cdktf.out}"
CONFIG_DIR="${CONFIG_DIR:-config}"

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# need TOOL HINT: fail with a clear message when TOOL is not on PATH.
need() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed or not on PATH. $2"
}

need_terraform() {
  need terraform "Install Terraform 1.11 or newer (https://developer.hashicorp.com/terraform/install), or OpenTofu and set TERRAFORM=tofu."
}

# TERRAFORM may name another binary, such as OpenTofu's tofu.
TERRAFORM="${TERRAFORM:-terraform}"

tf() {
  "$TERRAFORM" "$@"
}

# load_env ENV: set ENVIRONMENT, AZURE_STACK, K8S_STACK, RESOURCE_GROUP, ... from
# $CONFIG_DIR/ENV.json, validated (cmd/envinfo).
load_env() {
  [ -f "$CONFIG_DIR/$1.json" ] || die "no environment '$1' ($CONFIG_DIR/$1.json does not exist)"
  local vars
  vars=$(go run ./cmd/envinfo -config "$CONFIG_DIR" "$1") || die "$CONFIG_DIR/$1.json is not valid (see above)"
  eval "$vars"
}

# check_stack STACK: fail unless STACK is one of the loaded environment's
# two stacks (after load_env).
check_stack() {
  [ "$1" = "$AZURE_STACK" ] || [ "$1" = "$K8S_STACK" ] || die "$1 is not a stack of $ENVIRONMENT ($AZURE_STACK, $K8S_STACK)"
}

# synth: synthesize every stack into $OUTDIR, unless SKIP_SYNTH=1 (the
# caller already did).
synth() {
  if [ "${SKIP_SYNTH:-0}" = 1 ]; then
    [ -d "$OUTDIR/stacks" ] || die "SKIP_SYNTH=1 but $OUTDIR/stacks does not exist"
    return
  fi
  need go "Install Go 1.26 (https://go.dev/dl/)."
  need make "Install GNU make."
  make --no-print-directory synth >&2
}

# stack_dir STACK: the stack's working directory, which must exist.
stack_dir() {
  local dir="$OUTDIR/stacks/$1"
  [ -f "$dir/cdk.tf.json" ] || [ -f "$dir/cdk.tf" ] || die "stack '$1' was not synthesized ($dir)"
  echo "$dir"
}

# confirm_typed WORD PROMPT: the user must type WORD back, unless CONFIRM
# already holds it (the non-interactive way, e.g. --confirm prod).
confirm_typed() {
  local word=$1 prompt=$2 answer
  if [ "${CONFIRM:-}" = "$word" ]; then
    return 0
  fi
  if [ -n "${CONFIRM:-}" ]; then
    die "--confirm '$CONFIRM' does not match '$word'"
  fi
  if [ ! -t 0 ]; then
    die "$prompt: type '$word' to confirm, or pass --confirm $word when not running interactively"
  fi
  read -r -p "$prompt Type '$word' to continue: " answer
  [ "$answer" = "$word" ] || die "not confirmed ('$answer' is not '$word'); nothing was changed"
}

# plancheck ARGS...: cmd/plancheck (compare, -redact, -drift).
plancheck() {
  go run ./cmd/plancheck "$@"
}

# rbac_propagating LOG: whether a failed apply's output says Azure (or the
# cluster) does not yet honour a role assignment made moments before:
# AKS's subnet and IP grants, the backup vault's disk roles, the deployer's
# cluster-admin role that the -k8s stack needs. Azure documents up to
# several minutes (more in large tenants) before a new assignment applies.
rbac_propagating() {
  grep -Eq 'AuthorizationFailed|LinkedAuthorizationFailed|PrincipalNotFound|does not exist in the directory|does not have authorization to perform|must be granted|UserErrorMissingRequiredPermissions|is forbidden: User' "$1"
}

# redacted_plan_json DIR PLAN: print the plan's JSON without its sensitive
# values, prior state or variables (plancheck -redact). terraform show -json
# holds secrets in clear; its output goes through a pipe only and is never
# written anywhere.
redacted_plan_json() {
  tf -chdir="$1" show -json "$2" | plancheck -redact /dev/stdin
}

