#!/usr/bin/env bash
# drift.sh: plan deployed stacks against their real infrastructure with the
# configuration unchanged, and report what changed outside Terraform.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/drift.sh [options] ENVIRONMENT|STACK ...

For each stack (an ENVIRONMENT means <env> then <env>-k8s): terraform init;
a stack whose state holds no resource is not deployed and is skipped; else
terraform plan -detailed-exitcode, refreshing, without locking (a read-only
look that never blocks a deployment). A plan with changes goes through
cmd/plancheck -drift, which leaves out the runner addresses that the API
server's authorized ranges keep from the last deploy. Run it on main's
configuration: a change merged but not yet deployed shows up as drift too.
Secrets must be set as for a deploy (TF_VAR_*), or the Key Vault secrets
show as changed.

Options:
  --report FILE    append a Markdown report of each stack to FILE
  --stack NAME     check exactly this stack
  --skip-synth     use the stacks already in cdktf.out
  -h, --help       show this text

Exit status: 0 without drift, 2 when a stack drifted, 1 when a stack could
not be checked (whether or not another drifted).
USAGE
}

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
# so before planning any (exit 1).
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
  dir=$(stack_dir "$stack")
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
  set +e
  tf -chdir="$dir" plan -input=false -no-color -lock=false -detailed-exitcode -out="$plan" >&2
  code=$?
  set -e
  case "$code" in
    0)
      note "$stack" "no drift"
      ;;
    2)
      # plancheck -drift compares before and after, which only the full
      # plan JSON has: it goes through a pipe, never to disk, and only the
      # changed attributes' paths come out.
      set +e
      tf -chdir="$dir" show -json "$plan" | plancheck -drift /dev/stdin >"$work/$stack.drift"
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
