#!/usr/bin/env bash
# deploy.sh: deploy an environment's stacks in order, the Azure stack first,
# then the in-cluster stack, applying exactly the plan that was shown.
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/deploy.sh [options] ENVIRONMENT

Deploys <env> (Azure), then <env>-k8s (objects in the cluster). Each stack is
planned, its plan is shown, and exactly that plan file is applied. Secrets
come from TF_VAR_github_token, TF_VAR_github_username and
TF_VAR_ipfs_private_key.

Before anything is planned, it checks what the run needs and names every
missing thing at once: terraform, go and make; kubelogin when the in-cluster
stack signs in with it; the Azure CLI, logged in, on ARM_SUBSCRIPTION_ID's
subscription when that is set (else it says which one it uses); whether
this machine gets through the environment's Key Vault firewall (below);
after synthesis, every variable the stacks of the run declare without a
default (TF_VAR_<name>).

Firewalls: when the environment's Key Vault denies by default, deploy.sh
asks it whether it admits this machine. If not, the vault's answer names
this machine's address; that address becomes TF_VAR_deployer_ips, which
the apply lets through the Key Vault and storage firewalls and the API
server's authorized ranges (until the next deploy), and the Azure stack is
planned against its state, without refresh (the vault's secrets cannot be
read before the apply admits this machine); after the apply, a refreshed
plan shows what that plan could not see. If the vault admits this machine
(network.adminCidrs), plans refresh as usual. A TF_VAR_deployer_ips that
does not hold the address Azure reports is refused, and so is a deploy
that cannot know the address (a first deployment, before the vault
exists: set TF_VAR_deployer_ips, or '[]' when network.adminCidrs holds
this machine).

Production: every plan of a production environment, retries included,
goes through plancheck -guard before it is applied: a plan that deletes or
replaces a resource holding data (the disk, the storage account, the Key
Vault, the public IP, the backup vault or instance, a DNS zone) or the
cluster is not applied, whatever the order of the replacement, unless
--allow names that address with a reason.

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
  --allow FILE     the deletions and replacements of data or of the cluster
                   this run may make: a line "ADDRESS REASON" each
                   (plancheck -guard); shown in the summary
  --summary FILE   append each plan, and what the guard said, as Markdown,
                   to FILE
  --only STACK     deploy only this stack of the environment
  --yes            apply development plans without asking
  --skip-synth     use the stacks already in cdktf.out
  -h, --help       show this text

The pipeline deploys an environment in two steps, --only <env> then --only
<env>-k8s. In GitHub Actions, kubelogin's token file is renewed before every
terraform plan and apply (GitHub's OIDC token lives about five minutes).

A first deployment can outrun Azure: a role assignment made in the same
apply (the cluster identity's subnet and IP grants, the backup vault's disk
roles, your cluster-admin role), or the firewall rule that admits this
machine, can take a while to apply. When an apply fails that way,
deploy.sh waits (RETRY_WAITS seconds, default "60 120 240"), plans again,
checks that the new plan is only the rest of the plan it applied
(plancheck -remaining) and applies that; any other failure stops at once.
USAGE
}

production_flag=false
plan_dir=""
allow=""
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
    --allow) allow=${2:?--allow needs a file}; shift ;;
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
if [ -n "$allow" ]; then
  [ -f "$allow" ] || die "--allow $allow: no such file"
  allow=$(cd "$(dirname "$allow")" && pwd)/$(basename "$allow")
fi
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
# leave the environment half deployed. Saved plans hold their addresses.
[ -n "$plan_dir" ] || export REACH=deploy
preflight "${stacks[@]}"
synth
preflight_vars "${stacks[@]}"

if [ "$PRODUCTION" = true ]; then
  confirm_typed "$ENVIRONMENT" "You are deploying PRODUCTION ($ENVIRONMENT)."
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
applied=()
fence='```'
# stop MESSAGE: fail, naming what this run already applied.
stop() {
  local msg=$1
  [ ${#applied[@]} -eq 0 ] || msg+=" ALREADY APPLIED in this run: ${applied[*]}."
  die "$msg"
}
# refresh_flag VAR STACK: set VAR to how STACK is planned: without refresh
# when it is the Azure stack and the Key Vault lets this machine in only
# once the apply has (reach).
refresh_flag() {
  local -n _refresh_flag=$1
  if [ "$2" = "$AZURE_STACK" ] && [ "${REACHABLE[$ENVIRONMENT]:-true}" = false ]; then
    _refresh_flag=-refresh=false
  else
    _refresh_flag=-refresh=true
  fi
}

# guard STACK DIR PLAN: in production, apply nothing that deletes or
# replaces data or the cluster unless --allow lets it (plancheck -guard,
# on the plan's full JSON through a pipe); what the guard says goes to the
# summary too.
guard() {
  [ "$PRODUCTION" = true ] || return 0
  local stack=$1 dir=$2 plan=$3 said code
  set +e
  said=$(tf_exec -chdir="$dir" show -json "$plan" | plancheck_exec -guard /dev/stdin ${allow:+"$allow"})
  code=$?
  set -e
  printf '%s\n' "$said" >&2
  [ -z "$summary" ] || printf '#### %s: deletions and replacements of data and of the cluster\n\n%s\n%s\n%s\n\n' "$stack" "$fence" "$said" "$fence" >>"$summary"
  [ "$code" = 0 ] || stop "$stack: the plan deletes or replaces data or the cluster, or cannot be checked (above); nothing of $stack was applied. If that is meant, give the addresses with reasons (--allow; in the pipeline, the run's allowed deletions)."
}

# adopt_created DIR LOG: import into state what a failed apply created in
# Azure although it reported an error. Azure can finish a create that the
# provider gave up on (a backup instance whose vault's roles were not in
# effect yet, a timeout), and the retry's create of the same resource then
# fails with "A resource with the ID "..." already exists - to be managed
# via Terraform this resource needs to be imported into the State".
# Terraform names, after each such error, the resource it was creating
# ("with ADDRESS,"): the plan being applied creates ADDRESS, so the resource
# at that ID is the one it was creating, and is imported there. Returns 1
# when LOG has no such error.
adopt_created() {
  local dir=$1 log=$2 id addr found=1
  while IFS=$'\t' read -r id addr; do
    echo "== importing $addr, which an apply created in Azure though it failed: $id" >&2
    tf -chdir="$dir" import -input=false -no-color -lock-timeout=5m "$addr" "$id" >&2 ||
      stop "cannot import $addr ($id) into state (above); import it by hand, then deploy again."
    found=0
  done < <(awk '
    /already exists - to be managed via Terraform/ { if (match($0, /ID "[^"]+"/)) id = substr($0, RSTART + 4, RLENGTH - 5); next }
    id != "" && $1 == "with" { addr = $2; sub(/,$/, "", addr); print id "\t" addr; id = "" }' "$log")
  return $found
}

# apply_with_retries STACK DIR PLAN: apply PLAN; when Azure has not yet
# propagated a role assignment or a firewall rule (propagating), or a
# failed create left its resource in Azure (adopt_created imports it), wait,
# plan again, check that the new plan is the rest of PLAN (and, in
# production, passes the guard), and apply it; at most once per wait in
# RETRY_WAITS.
apply_with_retries() {
  local stack=$1 dir=$2 plan=$3 log="$work/$1.apply.log" attempt=0 wait flag
  local -a waits
  read -r -a waits <<<"${RETRY_WAITS:-60 120 240}"
  while :; do
    echo "== $stack: terraform apply" >&2
    set +e
    tf_exec -chdir="$dir" apply -input=false -no-color -lock-timeout=5m "$plan" 2>&1 | tee "$log" >&2
    local code=${PIPESTATUS[0]}
    set -e
    [ "$code" != 0 ] || return 0
    adopt_created "$dir" "$log" || propagating "$log" || stop "$stack: apply failed (above)."
    [ "$attempt" -lt "${#waits[@]}" ] || stop "$stack: apply failed ${#waits[@]} more times while Azure propagated role assignments or firewall rules (above); run the deploy again later."
    # What the first plan was to do, to check each new plan against.
    [ -f "$work/$stack.applied.json" ] || redacted_plan_json "$dir" "$plan" >"$work/$stack.applied.json"
    wait=${waits[$attempt]}
    attempt=$((attempt + 1))
    echo "== $stack: a role assignment or firewall rule is not in effect yet; waiting ${wait}s, then planning what is left (retry $attempt of ${#waits[@]})" >&2
    sleep "$wait"
    plan="$work/$stack.retry$attempt.tfplan"
    set +e
    refresh_flag flag "$stack"
    tf -chdir="$dir" plan -input=false -no-color -lock-timeout=5m "$flag" -detailed-exitcode -out="$plan" >&2
    code=$?
    set -e
    [ "$code" = 0 ] || [ "$code" = 2 ] || stop "$stack: plan failed (above) after a partial apply."
    [ "$code" = 2 ] || return 0
    redacted_plan_json "$dir" "$plan" >"$work/$stack.retry.json"
    plancheck -remaining "$work/$stack.applied.json" "$work/$stack.retry.json" >&2 ||
      stop "$stack: after the partial apply, the new plan is not the rest of the applied one (above); nothing more was applied. Review a new plan."
    guard "$stack" "$dir" "$plan"
  done
}

# check_after STACK DIR: after the apply of a plan made without refresh, a
# refreshed plan (the apply let this machine through) shows what that plan
# could not see: a change made outside Terraform to something behind the
# firewall. It is reported (drift, plancheck -drift), not applied.
check_after() {
  local stack=$1 dir=$2 code said
  echo "== $stack: was planned without refresh; a refreshed plan now shows what that plan could not see" >&2
  set +e
  tf -chdir="$dir" plan -input=false -no-color -lock-timeout=5m -detailed-exitcode -out="$work/$stack.after.tfplan" >&2
  code=$?
  set -e
  case "$code" in
    0) said="no changes: the infrastructure is what the configuration says" ;;
    2) said=$(tf_exec -chdir="$dir" show -json "$work/$stack.after.tfplan" | plancheck_exec -drift /dev/stdin) || said="CHANGED OUTSIDE TERRAFORM (not applied; review it, revert it or take it into the configuration):"$'\n'"$said" ;;
    *) said="could not be planned (above)" ;;
  esac
  printf '== %s after the apply: %s\n' "$stack" "$said" >&2
  [ -z "$summary" ] || printf '#### %s after the apply, refreshed\n\n%s\n%s\n%s\n\n' "$stack" "$fence" "$said" "$fence" >>"$summary"
}

for stack in "${stacks[@]}"; do
  stack_dir dir "$stack"
  echo "== $stack: terraform init" >&2
  tf -chdir="$dir" init -input=false -no-color >&2
  refresh=""
  refresh_flag refresh "$stack"
  if [ -n "$plan_dir" ]; then
    plan="$(cd "$plan_dir" && pwd)/$stack.tfplan"
    [ -f "$plan" ] || stop "no reviewed plan $plan for $stack."
    echo "== $stack: applying the reviewed plan $plan" >&2
    guard "$stack" "$dir" "$plan"
  else
    plan="$work/$stack.tfplan"
    if [ "$refresh" = -refresh=true ]; then
      echo "== $stack: terraform plan" >&2
    else
      echo "== $stack: terraform plan, without refresh (against the state: the Key Vault admits this machine only once the apply has)" >&2
    fi
    set +e
    tf -chdir="$dir" plan -input=false -no-color -lock-timeout=5m "$refresh" -detailed-exitcode -out="$plan" >&2
    code=$?
    set -e
    [ "$code" = 0 ] || [ "$code" = 2 ] || stop "$stack: plan failed (above); nothing of $stack was applied."
    tf -chdir="$dir" show -no-color "$plan" >"$work/$stack.txt"
    if [ -n "$summary" ]; then
      plan_line said "$work/$stack.txt"
      {
        printf '### %s\n\n<details><summary>%s</summary>\n\n%s\n' "$stack" "${said:-plan}" "$fence"
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
    guard "$stack" "$dir" "$plan"
    if [ "$PRODUCTION" != true ] && [ "$yes" != true ]; then
      [ -t 0 ] || stop "$stack: not applying without a terminal; pass --yes to apply development plans."
      read -r -p "Apply this plan to $stack? (yes/no) " answer
      [ "$answer" = yes ] || stop "$stack: not applied."
    fi
  fi
  apply_with_retries "$stack" "$dir" "$plan"
  applied+=("$stack")
  [ "$refresh" = -refresh=true ] || check_after "$stack" "$dir"
done
echo "deployed: ${stacks[*]}" >&2
