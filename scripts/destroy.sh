#!/usr/bin/env bash
# destroy.sh: destroy an environment's stacks, the in-cluster stack first.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/destroy.sh [options] ENVIRONMENT

Destroys <env>-k8s, then <env>. You must type the environment's name back
(or pass it with --confirm). Secrets must be set as for a deploy
(TF_VAR_github_token, TF_VAR_github_username, TF_VAR_ipfs_private_key).

Production keeps its data: the IPFS disk, the storage account and the Key
Vault carry lifecycle.prevent_destroy, so Terraform refuses any plan that
deletes them and a destroy of production stops at the plan. To retire
production on purpose, first take those resources out of Terraform's hands
(terraform state rm, then delete them in Azure after a last backup), or
remove the protection in code in a reviewed change.

Options:
  --confirm WORD   the environment's name, typed back non-interactively
  --only STACK     destroy only this stack of the environment
  --skip-synth     use the stacks already in cdktf.out
  -h, --help       show this text
USAGE
}

only=""
env=""
while [ $# -gt 0 ]; do
  case "$1" in
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
need_terraform
load_env "$env"

stacks=("$K8S_STACK" "$AZURE_STACK")
if [ -n "$only" ]; then
  check_stack "$only"
  stacks=("$only")
fi

if [ "$PRODUCTION" = true ]; then
  cat >&2 <<MSG
$ENVIRONMENT is a PRODUCTION environment. Its IPFS disk, storage account and
Key Vault carry lifecycle.prevent_destroy: Terraform will refuse to plan
their deletion and this destroy will stop there, with the other resources
untouched. See --help for how to retire production on purpose.
MSG
fi
confirm_typed "$ENVIRONMENT" "This destroys ${stacks[*]}."

synth
for stack in "${stacks[@]}"; do
  dir=$(stack_dir "$stack")
  echo "== $stack: terraform init" >&2
  tf -chdir="$dir" init -input=false -no-color >&2
  echo "== $stack: terraform destroy" >&2
  tf -chdir="$dir" destroy -input=false -no-color -lock-timeout=5m -auto-approve >&2
done
echo "destroyed: ${stacks[*]}" >&2
