#!/usr/bin/env bash
# deploy.sh: deploy an environment's stacks in order, the Azure stack first,
# then the in-cluster stack, applying exactly the plan that was shown.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/deploy.sh [options] ENVIRONMENT

Deploys <env> (Azure), then <env>-k8s (objects in the cluster). Each stack is
planned, its plan is shown, and exactly that plan file is applied. Secrets
come from TF_VAR_github_token, TF_VAR_github_username and
TF_VAR_ipfs_private_key; TF_VAR_deployer_ips='["<your public IPv4>"]' lets
this machine through the production firewalls.

Options:
  --production     required to deploy a production environment
  --confirm WORD   the typed confirmation given non-interactively: the
                   environment's name (needed for production)
  --plan-dir DIR   apply the plans preview.sh saved in DIR instead of planning
                   again (the reviewed plans; no further prompt for them)
  --only STACK     deploy only this stack of the environment
  --yes            apply development plans without asking
  --skip-synth     use the stacks already in cdktf.out
  -h, --help       show this text
USAGE
}

production_flag=false
plan_dir=""
check_dir=""
summary=""
only=""
yes=false
env=""
while [ $# -gt 0 ]; do
  case "$1" in
    --production) production_flag=true ;;
    --confirm) export CONFIRM=${2:?--confirm needs the environment name}; shift ;;
    --plan-dir) plan_dir=${2:?--plan-dir needs a directory}; shift ;;
    --check-against) check_dir=${2:?--check-against needs a directory}; shift ;;
    --summary) summary=${2:?--summary needs a file}; shift ;;
    --only) only=${2:?--only needs a stack}; shift ;;
    --yes) yes=true ;;
    --skip-synth) export SKIP_SYNTH=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$env" ] || die "one environment at a time ($env, $1)"; env=$1 ;;
  esac
  shift
done
[ -n "$env" ] || { usage >&2; exit 2; }
[ -z "$plan_dir" ] || [ -z "$check_dir" ] || die "--plan-dir and --check-against exclude each other"
need_terraform
load_env "$env"

if [ "$PRODUCTION" = true ]; then
  [ "$production_flag" = true ] || die "$ENVIRONMENT is a production environment: pass --production to deploy it"
  confirm_typed "$ENVIRONMENT" "You are deploying PRODUCTION ($ENVIRONMENT)."
fi

stacks=("$AZURE_STACK" "$K8S_STACK")
if [ -n "$only" ]; then
  check_stack "$only"
  stacks=("$only")
fi
if [ "$PROVIDER_AUTH" = kubelogin ] && [[ " ${stacks[*]} " == *" $K8S_STACK "* ]]; then
  need kubelogin "The $K8S_STACK stack authenticates to AKS with kubelogin: https://azure.github.io/kubelogin/install.html (or az aks install-cli)."
fi

synth
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for stack in "${stacks[@]}"; do
  dir=$(stack_dir "$stack")
  echo "== $stack: terraform init" >&2
  tf -chdir="$dir" init -input=false -no-color >&2
  if [ -n "$plan_dir" ]; then
    plan="$(cd "$plan_dir" && pwd)/$stack.tfplan"
    [ -f "$plan" ] || die "no reviewed plan $plan for $stack"
    echo "== $stack: applying the reviewed plan $plan" >&2
  else
    plan="$work/$stack.tfplan"
    echo "== $stack: terraform plan" >&2
    set +e
    tf -chdir="$dir" plan -input=false -no-color -lock-timeout=5m -detailed-exitcode -out="$plan" >&2
    code=$?
    set -e
    [ "$code" = 0 ] || [ "$code" = 2 ] || die "$stack: plan failed"
    tf -chdir="$dir" show -no-color "$plan" >"$work/$stack.txt"
    if [ -n "$summary" ]; then
      fence='```'
      {
        printf '### %s\n\n<details><summary>%s</summary>\n\n%s\n' "$stack" \
          "$(grep -E '^(Plan:|No changes\.)' "$work/$stack.txt" | head -1 || echo plan)" "$fence"
        cat "$work/$stack.txt"
        printf '%s\n\n</details>\n\n' "$fence"
      } >>"$summary"
    fi
    if [ -n "$check_dir" ]; then
      [ -f "$check_dir/$stack.json" ] || die "$stack: no reviewed plan $check_dir/$stack.json to check against"
      tf -chdir="$dir" show -json "$plan" >"$work/$stack.json"
      go run ./cmd/plancheck "$check_dir/$stack.json" "$work/$stack.json" >&2 ||
        die "$stack: the plan differs from the reviewed one (above); nothing of $stack was applied. Review the new plan and run again."
    fi
    if [ "$code" = 0 ]; then
      echo "== $stack: no changes" >&2
      continue
    fi
    if [ "$PRODUCTION" != true ] && [ "$yes" != true ]; then
      [ -t 0 ] || die "$stack: not applying without a terminal; pass --yes to apply development plans"
      read -r -p "Apply this plan to $stack? (yes/no) " answer
      [ "$answer" = yes ] || die "$stack: not applied"
    fi
  fi
  echo "== $stack: terraform apply" >&2
  tf -chdir="$dir" apply -input=false -no-color -lock-timeout=5m "$plan" >&2
done
echo "deployed: ${stacks[*]}" >&2
