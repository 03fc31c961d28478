#!/usr/bin/env bash
# preview.sh: plan stacks against their state and save the plans, so that
# exactly what was reviewed can be applied (deploy.sh --plan-dir).
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/preview.sh [options] ENVIRONMENT|STACK ...

Synthesizes, then runs terraform init and terraform plan for each stack and
saves the plan (<stack>.tfplan), its text (<stack>.txt, sensitive values
hidden by Terraform) and its redacted JSON (<stack>.json: the resource
changes with every sensitive value replaced, for cmd/plancheck; the full
JSON of terraform show -json goes through a pipe and is never written).
The .tfplan file holds the prior state, sensitive values included: keep it
on the machine that made it (the files are readable by you only, and
plans/ is git-ignored); the .txt and .json files may be shared for review.
An ENVIRONMENT (any config/<env>.json) means both of its stacks, Azure
first: <env> then <env>-k8s. Secrets come from TF_VAR_github_token,
TF_VAR_github_username and TF_VAR_ipfs_private_key; like deploy.sh, it
checks the tools, the Azure login and subscription and every variable the
stacks need before planning anything.

Options:
  --plan-dir DIR   where plans go: DIR/<stack>.tfplan and DIR/<stack>.txt (default: plans)
  --summary FILE   append a Markdown summary of each plan to FILE
                   (in GitHub Actions: "$GITHUB_STEP_SUMMARY")
  --no-refresh     plan against the last applied state without reading the
                   real resources (drift is not detected): what the
                   pipeline's review does, whose identity may only read and
                   whose runner no firewall admits. Without it, an Azure
                   stack whose Key Vault does not admit this machine is
                   planned so anyway, and said so
  --no-lock        do not lock the state (a look that must not block a
                   deployment, or an identity that may only read the state)
  --stack NAME     plan exactly this stack (a name that is also an
                   environment's otherwise means both of its stacks)
  --skip-synth     use the stacks already in cdktf.out
  -h, --help       show this text

Exit status: 0 when every stack was planned, 1 otherwise. The plans of the
stacks that could be planned are kept either way.
USAGE
}

plan_dir=plans
summary=""
refresh=true
lock=true
targets=()
exact=()
while [ $# -gt 0 ]; do
  case "$1" in
    --plan-dir) plan_dir=${2:?--plan-dir needs a directory}; shift ;;
    --summary) summary=${2:?--summary needs a file}; shift ;;
    --no-refresh) refresh=false ;;
    --no-lock) lock=false ;;
    --stack) exact+=("${2:?--stack needs a stack name}"); shift ;;
    --skip-synth) export SKIP_SYNTH=1 ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ $((${#targets[@]} + ${#exact[@]})) -gt 0 ] || { usage >&2; exit 2; }

# Expand environments into their stacks, in deployment order.
stacks=()
for t in ${targets[@]+"${targets[@]}"}; do
  if [ -f "$CONFIG_DIR/$t.json" ]; then
    stacks+=("$t" "$t-k8s")
  else
    stacks+=("$t")
  fi
done
stacks+=(${exact[@]+"${exact[@]}"})

# With refresh, the Key Vault's secrets are read: ask the vault whether it
# admits this machine (reach).
[ "$refresh" = false ] || export REACH=look
preflight "${stacks[@]}"
synth
preflight_vars "${stacks[@]}"
# The plans and their text are for the one who planned.
umask 077
mkdir -p "$plan_dir"
plan_abs=$(cd "$plan_dir" && pwd)
status=0
for stack in "${stacks[@]}"; do
  stack_dir dir "$stack"
  plan="$plan_abs/$stack.tfplan"
  echo "== $stack: terraform init" >&2
  if ! tf -chdir="$dir" init -input=false -no-color >&2; then
    echo "== $stack: init failed" >&2
    status=1
    [ -z "$summary" ] || printf '### %s\n\nterraform init failed; see the log.\n\n' "$stack" >>"$summary"
    continue
  fi
  stack_refresh=$refresh
  if [ "$refresh" = true ] && [ "${REACHABLE[${stack%-k8s}]:-true}" = false ] && [ "$stack" = "${stack%-k8s}" ]; then
    stack_refresh=false
    echo "== $stack: the Key Vault of ${stack%-k8s} does not admit this machine: planned against the state, without refresh" >&2
  fi
  echo "== $stack: terraform plan" >&2
  set +e
  tf -chdir="$dir" plan -input=false -no-color -lock="$lock" -lock-timeout=5m -refresh="$stack_refresh" -detailed-exitcode -out="$plan" >&2
  code=$?
  set -e
  if [ "$code" = 1 ]; then
    echo "== $stack: plan failed" >&2
    status=1
    [ -z "$summary" ] || printf '### %s\n\nterraform plan failed; see the log.\n\n' "$stack" >>"$summary"
    continue
  fi
  tf -chdir="$dir" show -no-color "$plan" >"$plan_abs/$stack.txt"
  redacted_plan_json "$dir" "$plan" >"$plan_abs/$stack.json"
  plan_line line "$plan_abs/$stack.txt"
  echo "== $stack: ${line:-planned}" >&2
  if [ -n "$summary" ]; then
    {
      printf '### %s\n\n%s%s\n\n' "$stack" "${line:-planned}" "$([ "$stack_refresh" = false ] && echo ' (compared with the last applied state, without refresh)')"
      printf '<details><summary>plan</summary>\n\n```\n'
      cat "$plan_abs/$stack.txt"
      printf '```\n\n</details>\n\n'
    } >>"$summary"
  fi
done
exit "$status"
