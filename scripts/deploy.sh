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

Before anything is planned, it checks what the run needs and names every
missing thing at once: terraform, go and make; kubelogin when the in-cluster
stack signs in with it; the Azure CLI, logged in, on ARM_SUBSCRIPTION_ID's
subscription when that is set (else it says which one it uses); after
synthesis, every variable the stacks of the run declare without a default
(TF_VAR_<name>). It notes a missing TF_VAR_deployer_ips when the
environment admits deploying machines by address only.

Options:
  --production     required to deploy a production environment
  --confirm WORD   the typed confirmation given non-interactively: the
                   environment's name (needed for production)
  --plan-dir DIR   apply the plans preview.sh saved in DIR instead of planning
                   again (the reviewed plans; no further prompt for them)
  --check-against DIR
                   plan again and apply only if each plan makes the changes
                   of the reviewed DIR/<stack>.json (cmd/plancheck: same
                   resources, actions and planned values, runner addresses
                   aside); otherwise stop before applying that stack
  --summary FILE   append each plan, as Markdown, to FILE
  --only STACK     deploy only this stack of the environment
  --yes            apply development plans without asking
  --skip-synth     use the stacks already in cdktf.out
  -h, --help       show this text

The pipeline deploys an environment in two steps, --only <env> then --only
<env>-k8s, and logs in to Azure again between them: the in-cluster stack
needs a fresh token for the AKS API (kubelogin), which a long apply of the
Azure stack can outlive.

A first deployment can outrun Azure: a role assignment made in the same
apply (the cluster identity's subnet and IP grants, the backup vault's disk
roles, your cluster-admin role) can take minutes to apply. When an apply
fails that way, deploy.sh waits (RETRY_WAITS seconds, default "60 120 240"),
plans again, checks that the new plan is only the rest of the plan it
applied (plancheck -remaining) and applies that; any other failure stops at
once.
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
load_env "$env"
if [ "$PRODUCTION" = true ]; then
  [ "$production_flag" = true ] || die "$ENVIRONMENT is a production environment: pass --production to deploy it"
fi
stacks=("$AZURE_STACK" "$K8S_STACK")
if [ -n "$only" ]; then
  check_stack "$only"
  stacks=("$only")
fi

# Everything the run needs, checked before anything is planned: a missing
# tool, login or variable found after the Azure stack was applied would
# leave the environment half deployed.
preflight "${stacks[@]}"
synth
preflight_vars "${stacks[@]}"

if [ "$PRODUCTION" = true ]; then
  confirm_typed "$ENVIRONMENT" "You are deploying PRODUCTION ($ENVIRONMENT)."
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
applied=()
# stop MESSAGE: fail, naming what this run already applied.
stop() {
  local msg=$1
  [ ${#applied[@]} -eq 0 ] || msg+=" ALREADY APPLIED in this run: ${applied[*]}."
  die "$msg"
}
# apply_with_retries STACK DIR PLAN: apply PLAN; when Azure has not yet
# propagated a role assignment (rbac_propagating), wait, plan again, check
# that the new plan is the rest of PLAN, and apply it; at most once per wait
# in RETRY_WAITS.
apply_with_retries() {
  local stack=$1 dir=$2 plan=$3 log="$work/$1.apply.log" attempt=0 wait
  local -a waits
  read -r -a waits <<<"${RETRY_WAITS:-60 120 240}"
  while :; do
    echo "== $stack: terraform apply" >&2
    set +e
    tf -chdir="$dir" apply -input=false -no-color -lock-timeout=5m "$plan" 2>&1 | tee "$log" >&2
    local code=${PIPESTATUS[0]}
    set -e
    [ "$code" != 0 ] || return 0
    rbac_propagating "$log" || stop "$stack: apply failed (above)."
    [ "$attempt" -lt "${#waits[@]}" ] || stop "$stack: apply failed ${#waits[@]} more times while Azure propagated role assignments (above); run the deploy again later."
    # What the first plan was to do, to check each new plan against.
    [ -f "$work/$stack.applied.json" ] || redacted_plan_json "$dir" "$plan" >"$work/$stack.applied.json"
    wait=${waits[$attempt]}
    attempt=$((attempt + 1))
    echo "== $stack: a role assignment is not in effect yet; waiting ${wait}s, then planning what is left (retry $attempt of ${#waits[@]})" >&2
    sleep "$wait"
    plan="$work/$stack.retry$attempt.tfplan"
    set +e
    tf -chdir="$dir" plan -input=false -no-color -lock-timeout=5m -detailed-exitcode -out="$plan" >&2
    code=$?
    set -e
    [ "$code" = 0 ] || [ "$code" = 2 ] || stop "$stack: plan failed (above) after a partial apply."
    [ "$code" = 2 ] || return 0
    redacted_plan_json "$dir" "$plan" >"$work/$stack.retry.json"
    plancheck -remaining "$work/$stack.applied.json" "$work/$stack.retry.json" >&2 ||
      stop "$stack: after the partial apply, the new plan is not the rest of the applied one (above); nothing more was applied. Review a new plan."
  done
}

for stack in "${stacks[@]}"; do
  dir=$(stack_dir "$stack")
  echo "== $stack: terraform init" >&2
  tf -chdir="$dir" init -input=false -no-color >&2
  if [ -n "$plan_dir" ]; then
    plan="$(cd "$plan_dir" && pwd)/$stack.tfplan"
    [ -f "$plan" ] || stop "no reviewed plan $plan for $stack."
    echo "== $stack: applying the reviewed plan $plan" >&2
  else
    plan="$work/$stack.tfplan"
    echo "== $stack: terraform plan" >&2
    set +e
    tf -chdir="$dir" plan -input=false -no-color -lock-timeout=5m -detailed-exitcode -out="$plan" >&2
    code=$?
    set -e
    [ "$code" = 0 ] || [ "$code" = 2 ] || stop "$stack: plan failed (above); nothing of $stack was applied."
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
      [ -f "$check_dir/$stack.json" ] || stop "$stack: no reviewed plan $check_dir/$stack.json to check against; nothing of $stack was applied."
      # Only the redacted JSON is written, in this run's temporary directory.
      redacted_plan_json "$dir" "$plan" >"$work/$stack.json"
      if ! plancheck "$check_dir/$stack.json" "$work/$stack.json" >&2; then
        msg="$stack: the plan differs from the reviewed one (above); nothing of $stack was applied. Review the new plan and run again."
        if [ "$stack" = "$K8S_STACK" ]; then
          msg+=" If $AZURE_STACK was applied before this (the previous step of the pipeline), $ENVIRONMENT now runs the new Azure configuration with the old in-cluster objects: see docs/troubleshooting.md, 'the plan differs from the reviewed one'."
        fi
        stop "$msg"
      fi
    fi
    if [ "$code" = 0 ]; then
      echo "== $stack: no changes" >&2
      continue
    fi
    if [ "$PRODUCTION" != true ] && [ "$yes" != true ]; then
      [ -t 0 ] || stop "$stack: not applying without a terminal; pass --yes to apply development plans."
      read -r -p "Apply this plan to $stack? (yes/no) " answer
      [ "$answer" = yes ] || stop "$stack: not applied."
    fi
  fi
  apply_with_retries "$stack" "$dir" "$plan"
  applied+=("$stack")
done
echo "deployed: ${stacks[*]}" >&2
