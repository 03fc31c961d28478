#!/usr/bin/env bash
# destroy.sh: destroy an environment's stacks, the in-cluster stack first.
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/destroy.sh [options] ENVIRONMENT

Destroys <env>-k8s, then <env>. First it plans the destruction of every
stack; if any plan fails, it stops before destroying anything. Then it
applies exactly those plans, the in-cluster stack first. You must type the
environment's name back (or pass it with --confirm). Secrets must be set as
for a deploy (TF_VAR_github_token, TF_VAR_github_username,
TF_VAR_ipfs_private_key): like deploy.sh, it checks the tools, the Azure
login and subscription and those variables before planning anything.

Production keeps its data: the IPFS disk, the storage account and the Key
Vault carry lifecycle.prevent_destroy, so Terraform refuses to plan their
deletion, and a destroy of production stops at the plans with nothing
destroyed, in-cluster objects included. To retire production on purpose,
first take those resources out of Terraform's hands (terraform state rm,
then delete them in Azure after a last backup), or remove the protection in
code in a reviewed change.

Options:
  --production     required to destroy a production environment
  --confirm WORD   the environment's name, typed back non-interactively
  --only STACK     destroy only this stack of the environment
  --skip-synth     use the stacks already in cdktf.out
  -h, --help       show this text
USAGE
}

only=""
env=""
production_flag=false
while [ $# -gt 0 ]; do
  case "$1" in
    --production) production_flag=true ;;
    --confirm) export CONFIRM=${2:?--confirm needs the environment name}; shift ;;
    --only) only=${2:?--only needs a stack}; shift ;;
    --skip-synth) export SKIP_SYNTH=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$env" ] || die "one environment at a time ($env, $1)"; env=$1 ;;
  esac
  shift
done
[ -n "$env" ] || { usage >&2; exit 2; }
load_env "$env"

stacks=("$K8S_STACK" "$AZURE_STACK")
if [ -n "$only" ]; then
  check_stack "$only"
  stacks=("$only")
fi

if [ "$PRODUCTION" = true ]; then
  [ "$production_flag" = true ] || die "$ENVIRONMENT is a production environment: pass --production to destroy it (see --help first)"
fi
# Tools, login, subscription and variables, before anything is planned
# (as deploy.sh).
preflight "${stacks[@]}"
synth
preflight_vars "${stacks[@]}"
if [ "$PRODUCTION" = true ]; then
  cat >&2 <<MSG
$ENVIRONMENT is a PRODUCTION environment. Its IPFS disk, storage account and
Key Vault carry lifecycle.prevent_destroy: Terraform will refuse to plan
their deletion and this destroy will stop there, before destroying anything.
See --help for how to retire production on purpose.
MSG
fi
confirm_typed "$ENVIRONMENT" "This destroys ${stacks[*]}."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Plan the destruction of every stack. Nothing is touched until all of
#    them planned: a production destroy fails here on prevent_destroy, with
#    the in-cluster stack still whole.
failed=()
for stack in "${stacks[@]}"; do
  stack_dir dir "$stack"
  echo "== $stack: terraform init" >&2
  tf -chdir="$dir" init -input=false -no-color >&2
  echo "== $stack: terraform plan -destroy" >&2
  if ! tf -chdir="$dir" plan -destroy -input=false -no-color -lock-timeout=5m -out="$work/$stack.tfplan" >&2; then
    failed+=("$stack")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  die "the destroy plan of ${failed[*]} failed (above; prevent_destroy?): nothing was destroyed"
fi

# 2. Apply exactly those plans, in order (the in-cluster stack first).
for stack in "${stacks[@]}"; do
  stack_dir dir "$stack"
  echo "== $stack: terraform apply (destroy)" >&2
  tf -chdir="$dir" apply -input=false -no-color -lock-timeout=5m "$work/$stack.tfplan" >&2 ||
    die "$stack: destroy failed (above); the stacks before it in '${stacks[*]}' are destroyed"
done
echo "destroyed: ${stacks[*]}" >&2
