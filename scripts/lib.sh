# shellcheck shell=bash
# lib.sh: helpers shared by the scripts in this directory. Source it; it sets
# ROOT (the repository) and changes into it.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

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

# TERRAFORM may name another binary, such as OpenTofu's tofu.
TERRAFORM="${TERRAFORM:-terraform}"
TERRAFORM_HINT="Install Terraform 1.11 or newer (https://developer.hashicorp.com/terraform/install), or OpenTofu and set TERRAFORM=tofu."

need_terraform() {
  need "$TERRAFORM" "$TERRAFORM_HINT"
}

tf() {
  "$TERRAFORM" "$@"
}

need_go() {
  need go "Install Go 1.26 (https://go.dev/dl/)."
}

# environments all|production|development [-json]: the names of the
# environments, one a line (or a JSON array): every file
# $CONFIG_DIR/<env>.json, validated (cmd/envinfo -list). An environment is
# its file: nothing else lists them.
environments() {
  need_go
  local kind=$1
  shift
  go run ./cmd/envinfo -config "$CONFIG_DIR" -list "$kind" "$@" || die "cannot list the environments of $CONFIG_DIR/ (above)"
}

# environments_into ARRAY all|production|development: set the array ARRAY
# to those environments (environments); the script fails when they cannot
# be listed.
environments_into() {
  local -n _envs_into=$1
  local _envs_list
  _envs_list=$(environments "$2") || exit 1
  read -r -d '' -a _envs_into <<<"$_envs_list" || true
}

# each_env FUNC ENV...: run FUNC ENV for every ENV, each in a subshell with
# errexit on, so that one environment's failure does not stop the others;
# FAILED then holds the environments whose FUNC failed.
each_env() {
  local fn=$1 env code
  shift
  FAILED=()
  for env in "$@"; do
    # Not (...) || ...: errexit would be off inside the subshell.
    set +e
    (set -e; "$fn" "$env")
    code=$?
    set -e
    [ "$code" = 0 ] || FAILED+=("$env")
  done
}

# load_env ENV: set ENVIRONMENT, AZURE_STACK, K8S_STACK, RESOURCE_GROUP, ... from
# $CONFIG_DIR/ENV.json, validated (cmd/envinfo). Each file is read once a
# run (a go run each time otherwise): ENV_VARS keeps what cmd/envinfo said
# by file, also for the subshells of each_env.
declare -gA ENV_VARS=()
load_env() {
  local file="$CONFIG_DIR/$1.json"
  if [ ! -f "$file" ]; then
    local known
    known=$(environments all 2>/dev/null | tr '\n' ' ') || known=""
    die "no environment '$1' ($file does not exist)${known:+; the environments are: ${known% }}"
  fi
  if [ -z "${ENV_VARS[$file]+x}" ]; then
    need_go
    local vars
    vars=$(go run ./cmd/envinfo -config "$CONFIG_DIR" "$1") || die "$file is not valid (see above)"
    ENV_VARS[$file]=$vars
  fi
  eval "${ENV_VARS[$file]}"
  LOADED_ENV=$1
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
  need_go
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


# Checks before anything is planned or changed. Each one adds a line per
# missing thing to PROBLEMS; report_problems fails with all of them at once,
# so that one run tells everything to fix.
PROBLEMS=()

problem() {
  PROBLEMS+=("$*")
}

report_problems() {
  [ ${#PROBLEMS[@]} -gt 0 ] || return 0
  local p
  for p in "${PROBLEMS[@]}"; do
    echo "$(basename "$0"): $p" >&2
  done
  die "${#PROBLEMS[@]} problem(s) above; nothing was planned or changed"
}

# check_tool TOOL HINT: a problem when TOOL is not on PATH.
check_tool() {
  command -v "$1" >/dev/null 2>&1 || problem "'$1' is not installed or not on PATH. $2"
}

# check_azure_login: the Azure CLI is installed and logged in, and its
# subscription is ARM_SUBSCRIPTION_ID when that is set (Terraform's azurerm
# provider, its backend and kubelogin's azurecli mode all sign in through
# the CLI; a subscription other than the intended one would deploy there).
# Says which subscription the run uses.
check_azure_login() {
  if ! command -v az >/dev/null 2>&1; then
    problem "'az' is not installed or not on PATH: Terraform signs in to Azure through it. Install the Azure CLI: https://learn.microsoft.com/cli/azure/install-azure-cli"
    return 0
  fi
  local id name
  if ! id=$(az account show --query id -o tsv 2>/dev/null) || [ -z "$id" ]; then
    problem "not logged in to Azure (az account show failed): run az login, then az account set --subscription <id>"
    return 0
  fi
  name=$(az account show --query name -o tsv 2>/dev/null || echo '?')
  if [ -z "${ARM_SUBSCRIPTION_ID:-}" ]; then
    echo "$(basename "$0"): Azure subscription: $name ($id), the Azure CLI's active one (set ARM_SUBSCRIPTION_ID to insist on one)" >&2
  elif [ "$id" != "$ARM_SUBSCRIPTION_ID" ]; then
    problem "the Azure CLI's subscription is $name ($id), not ARM_SUBSCRIPTION_ID=$ARM_SUBSCRIPTION_ID: run az account set --subscription $ARM_SUBSCRIPTION_ID, or correct ARM_SUBSCRIPTION_ID"
  else
    echo "$(basename "$0"): Azure subscription: $name ($id), as ARM_SUBSCRIPTION_ID says" >&2
  fi
}

# preflight STACK...: what a run of these stacks needs before synthesis:
# $TERRAFORM, make (unless SKIP_SYNTH=1), kubelogin for an in-cluster stack
# that signs in with it, the Azure login and subscription; and a note when
# an environment admits deploying machines by address only and
# TF_VAR_deployer_ips is empty. Fails listing every problem. Go is not one
# of them: load_env needs it first (cmd/envinfo), and without it stops
# alone (need_go). Loads each stack's environment (load_env): the last one
# stays loaded.
preflight() {
  local stack env envs=" "
  check_tool "$TERRAFORM" "$TERRAFORM_HINT"
  [ "${SKIP_SYNTH:-0}" = 1 ] || check_tool make "Install GNU make."
  for stack in "$@"; do
    env=${stack%-k8s}
    [[ "$envs" == *" $env "* ]] || envs+="$env "
  done
  for env in $envs; do
    [ "${LOADED_ENV:-}" = "$env" ] || load_env "$env"
    if [ "$PROVIDER_AUTH" = kubelogin ] && [[ " $* " == *" $K8S_STACK "* ]]; then
      check_tool kubelogin "The $K8S_STACK stack authenticates to AKS with kubelogin: https://azure.github.io/kubelogin/install.html (or az aks install-cli)."
    fi
    if [ "$DEPLOYER_IPS_NEEDED" = true ] && [ -z "${TF_VAR_deployer_ips:-}" ]; then
      echo "$(basename "$0"): note: TF_VAR_deployer_ips is not set, and $ENVIRONMENT admits only network.adminCidrs to its Key Vault, storage or API server; unless this machine is in them, set TF_VAR_deployer_ips='[\"<your public IPv4>\"]'" >&2
    fi
  done
  check_azure_login
  report_problems
}

# preflight_vars STACK...: after synthesis, before the first plan: every
# variable the stacks declare without a default (cmd/envinfo
# -required-vars) must be set as TF_VAR_<name>; one line per missing
# variable, naming the stacks that need it.
preflight_vars() {
  local stack dir names name
  local -A needed_by=()
  local order=()
  for stack in "$@"; do
    dir=$(stack_dir "$stack")
    if [ ! -f "$dir/cdk.tf.json" ]; then
      echo "$(basename "$0"): note: $stack is HCL only; its variables are not checked before planning" >&2
      continue
    fi
    names=$(go run ./cmd/envinfo -required-vars "$dir") || die "cannot read the variables of $stack from $dir/cdk.tf.json (above)"
    for name in $names; do
      local var="TF_VAR_$name"
      [ -z "${!var:-}" ] || continue
      [ -n "${needed_by[$name]+x}" ] || order+=("$name")
      needed_by[$name]+="${needed_by[$name]:+, }$stack"
    done
  done
  for name in ${order[@]+"${order[@]}"}; do
    problem "TF_VAR_$name is not set; ${needed_by[$name]} cannot be planned without it (docs/deployment.md, Secrets)"
  done
  report_problems
}
