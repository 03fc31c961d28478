#!/usr/bin/env bash
# drift.sh: plan deployed stacks against their real infrastructure with the
# configuration unchanged, and report what changed outside Terraform.
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/drift.sh [options] ENVIRONMENT|STACK ...

For each stack (an ENVIRONMENT means <env> then <env>-k8s): terraform init;
a stack whose state holds no resource is not deployed and is skipped; else
terraform plan -detailed-exitcode, refreshing, without locking (a read-only
look that never blocks a deployment, and all an identity that may only read
the state can do). A plan with changes goes through cmd/plancheck -drift,
which leaves out the runner addresses that the firewalls and the API
server's authorized ranges keep from the last deploy. Run it on main's
configuration: a change merged but not yet deployed shows up as drift too.
The secrets are write-only attributes, which no plan reads or compares:
any non-empty TF_VAR_github_token, TF_VAR_github_username and
TF_VAR_ipfs_private_key will do.

When an environment's Key Vault does not admit this machine (it asks the
vault, as deploy.sh does), the Azure stack's plan refreshes every resource
but those whose refresh reads the vault's data plane (its secrets, keys
and certificates), and the report says how many were
left out; each production deploy refreshes them after its apply.

Options:
  --report FILE    append a Markdown report of each stack to FILE
  --stack NAME     check exactly this stack
  --skip-synth     use the stacks already in cdktf.out
  -h, --help       show this text

Exit status: 0 without drift, 2 when a stack drifted, 1 when a stack could
not be checked (whether or not another drifted).
USAGE
}

# The resource types whose refresh reads the Key Vault's data plane,
# behind its firewall.
FIREWALLED_TYPES="azurerm_key_vault_secret azurerm_key_vault_key azurerm_key_vault_certificate"
report=""
stacks=()
while [ $# -gt 0 ]; do
  case "$1" in
    --report) report=${2:?--report needs a file}; shift ;;
    --stack) stacks+=("${2:?--stack needs a stack name}"); shift ;;
    --skip-synth) export SKIP_SYNTH=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) if [ -f "$CONFIG_DIR/$1.json" ]; then stacks+=("$1" "$1-k8s"); else stacks+=("$1"); fi ;;
  esac
  shift
done
[ ${#stacks[@]} -gt 0 ] || { usage >&2; exit 2; }
# Without a tool, the login or a variable, no stack could be checked: say
# so before planning any (exit 1). Whether each Key Vault admits this
# machine decides what its Azure stack's plan refreshes (reach).
export REACH=look
preflight "${stacks[@]}"
synth
preflight_vars "${stacks[@]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
errors=0
drifted=0
note() {
  echo "== $1: $2" >&2
  # shellcheck disable=SC2016 # the backquotes are Markdown, not a command
  [ -z "$report" ] || printf -- '- `%s`: %s\n' "$1" "$2" >>"$report"
}
for stack in "${stacks[@]}"; do
  stack_dir dir "$stack"
  plan="$work/$stack.tfplan"
  if ! tf -chdir="$dir" init -input=false -no-color >&2; then
    note "$stack" "**could not be checked**: terraform init failed (see the run)"
    errors=1
    continue
  fi
  if ! deployed=$(tf -chdir="$dir" state list); then
    note "$stack" "**could not be checked**: cannot read its state (see the run)"
    errors=1
    continue
  fi
  if [ -z "$deployed" ]; then
    note "$stack" "not deployed (empty state), skipped"
    continue
  fi
  targets=()
  left_out=0
  if [ "${REACHABLE[$stack]:-true}" = false ]; then
    # Every resource of the state but those the firewall keeps this
    # machine from reading: -target refreshes only what it names (and
    # what that depends on).
    while read -r addr; do
      type=${addr%%.*}
      if [[ "$addr" == data.* ]]; then
        continue
      elif [[ " $FIREWALLED_TYPES " == *" $type "* ]]; then
        left_out=$((left_out + 1))
      else
        targets+=("-target=$addr")
      fi
    done <<<"$deployed"
  fi
  set +e
  tf -chdir="$dir" plan -input=false -no-color -lock=false -detailed-exitcode ${targets[@]+"${targets[@]}"} -out="$plan" >&2
  code=$?
  set -e
  if [ "$left_out" -gt 0 ]; then
    note "$stack" "$left_out resource(s) behind the Key Vault firewall, which does not admit this runner, not refreshed ($FIREWALLED_TYPES; each production deploy refreshes them after its apply)"
  fi
  case "$code" in
    0)
      note "$stack" "no drift"
      ;;
    2)
      # plancheck -drift compares before and after, which only the full
      # plan JSON has: it goes through a pipe, never to disk, and only the
      # changed attributes' paths come out.
      set +e
      tf_exec -chdir="$dir" show -json "$plan" | plancheck_exec -drift /dev/stdin >"$work/$stack.drift"
      check=$?
      set -e
      cat "$work/$stack.drift" >&2
      if [ "$check" = 0 ]; then
        note "$stack" "no drift (runner addresses aside)"
      elif [ "$check" = 1 ]; then
        note "$stack" "**DRIFTED**: $(grep -c '^drift ' "$work/$stack.drift") change(s)"
        [ -z "$report" ] || { printf '\n  ```\n'; grep '^drift ' "$work/$stack.drift" | sed 's/^drift /  /'; printf '  ```\n\n'; } >>"$report"
        drifted=1
      else
        note "$stack" "**could not be checked**: plancheck failed (see the run)"
        errors=1
      fi
      ;;
    *)
      note "$stack" "**could not be checked**: terraform plan failed (see the run)"
      errors=1
      ;;
  esac
done
if [ "$errors" = 1 ]; then
  exit 1
fi
if [ "$drifted" = 1 ]; then
  exit 2
fi
exit 0
