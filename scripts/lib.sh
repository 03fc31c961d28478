# shellcheck shell=bash
# lib.sh: helpers shared by the scripts in this directory. Source it; it sets
# ROOT (the repository) and changes into it. The scripts and their tests
# run thousands of commands, and each process costs: the helpers set
# variables (printf -v, nameref) and use parameter expansion where a
# command substitution or dirname, basename, sed or grep would start one.
# A command substitution of one command with a redirection is written
# $(exec COMMAND ... 2>...): without exec, bash starts a shell that starts
# the command.

# This file's directory: the part of its path before the last slash, or
# the current directory for a path without one.
LIB_DIR=.
[[ ${BASH_SOURCE[0]} != */* ]] || LIB_DIR=${BASH_SOURCE[0]%/*}
CDPATH='' cd "$LIB_DIR/.." || exit 1
# shellcheck disable=SC2034 # read by the scripts that source this file
ROOT=$PWD
# SCRIPT: the name of the running script, for its messages.
SCRIPT=${0##*/}

export CHECKPOINT_DISABLE=1
# Terraform never asks questions in these scripts; they ask themselves.
export TF_IN_AUTOMATION=1

# Where the synthesized stacks are, and the environment files.
OUTDIR="${CDKTF_OUTDIR:-cdktf.out}"
CONFIG_DIR="${CONFIG_DIR:-config}"

die() {
  echo "$SCRIPT: $*" >&2
  exit 1
}

# put: print standard input (a here-document) as cat would, without
# starting cat.
put() {
  local text
  IFS= read -r -d '' text || true
  printf '%s' "$text"
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

# tf ARGS...: run Terraform. Before a plan or an apply, which may reach the
# cluster through kubelogin, the federated token file is renewed
# (fresh_federated_token).
tf() {
  fresh_token_for "$@"
  "$TERRAFORM" "$@"
}

# tf_exec ARGS...: tf in a pipeline, where each command runs in a shell of
# its own: that shell becomes Terraform (exec) instead of starting it.
tf_exec() {
  fresh_token_for "$@"
  exec "$TERRAFORM" "$@"
}

# fresh_token_for ARGS...: fresh_federated_token when Terraform's ARGS plan
# or apply.
fresh_token_for() {
  case " $* " in
    *" plan "* | *" apply "*) fresh_federated_token ;;
  esac
}

# fresh_federated_token: in a GitHub Actions job that may ask for an OIDC
# token (ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN)
# and has a token file for kubelogin (AZURE_FEDERATED_TOKEN_FILE, set by
# .github/actions/azure-login), write a new GitHub OIDC token into the
# file. kubelogin's workloadidentity mode exchanges the file's token for
# an Entra ID token when a Terraform process first reaches the cluster,
# and GitHub's token lives about five minutes: a plan or apply after a
# long apply, or a retry after a wait, needs a new one. Elsewhere it does
# nothing.
fresh_federated_token() {
  [ -n "${AZURE_FEDERATED_TOKEN_FILE:-}" ] && [ -n "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] && [ -n "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ] || return 0
  local answer token
  answer=$(curl -fsS --retry 3 -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=api://AzureADTokenExchange") ||
    die "cannot get an OIDC token from GitHub for kubelogin (permissions: id-token: write?)"
  token=$(sed -n 's/.*"value" *: *"\([^"]*\)".*/\1/p' <<<"$answer")
  [ -n "$token" ] || die "GitHub's answer holds no OIDC token for kubelogin"
  # Written next to the file and moved over it: kubelogin never reads a
  # half-written token.
  (umask 077 && printf '%s' "$token" >"$AZURE_FEDERATED_TOKEN_FILE.new") && mv -f "$AZURE_FEDERATED_TOKEN_FILE.new" "$AZURE_FEDERATED_TOKEN_FILE"
}

need_go() {
  need go "Install Go 1.26 (https://go.dev/dl/)."
}

# gocmd NAME ARGS...: the command ./cmd/NAME, built from this checkout
# (go run), or CMD_BIN/NAME when CMD_BIN names a directory of them built
# from it (the tests build them once).
gocmd() {
  local -a cmd
  gocmd_argv cmd "$1"
  shift
  "${cmd[@]}" "$@"
}

# gocmd_argv VAR NAME: set the array VAR to gocmd's command for NAME.
gocmd_argv() {
  local -n _gocmd_argv=$1
  if [ -n "${CMD_BIN:-}" ]; then
    _gocmd_argv=("$CMD_BIN/$2")
  else
    need_go
    _gocmd_argv=(go run "./cmd/$2")
  fi
}

# gocmd_exec NAME ARGS...: gocmd in a pipeline or a command substitution,
# where each command runs in a shell of its own: that shell becomes the
# command (exec) instead of starting it.
gocmd_exec() {
  local -a cmd
  gocmd_argv cmd "$1"
  shift
  exec "${cmd[@]}" "$@"
}

# gocmd_into VAR NAME ARGS...: set VAR to the output of gocmd NAME ARGS...
# (its trailing newlines removed, as $(...) does), with gocmd's exit
# status, in one process.
gocmd_into() {
  local -n _gocmd_out=$1
  shift
  _gocmd_out=$(gocmd_exec "$@")
}

# environments all|production|development [-json]: the names of the
# environments, one a line (or a JSON array): every file
# $CONFIG_DIR/<env>.json, validated (cmd/envinfo -list). An environment is
# its file: nothing else lists them.
environments() {
  local kind=$1
  shift
  gocmd envinfo -config "$CONFIG_DIR" -list "$kind" "$@" || die "cannot list the environments of $CONFIG_DIR/ (above)"
}

# environments_into ARRAY all|production|development: set the array ARRAY
# to those environments (environments); the script fails when they cannot
# be listed.
environments_into() {
  local -n _envs_into=$1
  local _envs_list
  gocmd_into _envs_list envinfo -config "$CONFIG_DIR" -list "$2" || die "cannot list the environments of $CONFIG_DIR/ (above)"
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
    local vars
    gocmd_into vars envinfo -config "$CONFIG_DIR" "$1" || die "$file is not valid (see above)"
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

# stack_dir VAR STACK: set VAR to the stack's working directory, which
# must exist.
stack_dir() {
  local -n _stack_dir=$1
  _stack_dir="$OUTDIR/stacks/$2"
  [ -f "$_stack_dir/cdk.tf.json" ] || [ -f "$_stack_dir/cdk.tf" ] || die "stack '$2' was not synthesized ($_stack_dir)"
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

# plancheck ARGS...: cmd/plancheck (compare, -remaining, -redact, -drift,
# -guard).
plancheck() {
  gocmd plancheck "$@"
}

# plancheck_exec ARGS...: plancheck in a pipeline (gocmd_exec).
plancheck_exec() {
  gocmd_exec plancheck "$@"
}

# propagating LOG: whether a failed apply's output says Azure (or the
# cluster) does not yet honour a change made moments before: a role
# assignment (AKS's subnet and IP grants, the backup vault's disk roles,
# the deployer's cluster-admin role that the -k8s stack needs, its Key
# Vault Secrets Officer role that writing the secrets needs; Azure
# documents up to several minutes, more in large tenants), or the Key
# Vault firewall rule that admits this machine (seconds).
propagating() {
  grep -Eq 'AuthorizationFailed|LinkedAuthorizationFailed|PrincipalNotFound|does not exist in the directory|does not have authorization to perform|must be granted|UserErrorMissingRequiredPermissions|is forbidden: User|ForbiddenByRbac|ForbiddenByFirewall|Client address is not authorized' "$1"
}

# plan_line VAR FILE: set VAR to the first line of the plan's text FILE
# that says what it does ("Plan: ..." or "No changes."), or to nothing.
plan_line() {
  local -n _plan_line=$1
  local _line
  _plan_line=""
  while IFS= read -r _line || [ -n "$_line" ]; do
    if [[ $_line =~ ^(Plan:|No\ changes\.) ]]; then
      _plan_line=$_line
      return 0
    fi
  done <"$2"
}

# redacted_plan_json DIR PLAN: print the plan's JSON without its sensitive
# values, prior state or variables (plancheck -redact). terraform show -json
# holds secrets in clear; its output goes through a pipe only and is never
# written anywhere.
redacted_plan_json() {
  tf_exec -chdir="$1" show -json "$2" | plancheck_exec -redact /dev/stdin
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
    echo "$SCRIPT: $p" >&2
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
  if ! id=$(exec az account show --query id -o tsv 2>/dev/null) || [ -z "$id" ]; then
    problem "not logged in to Azure (az account show failed): run az login, then az account set --subscription <id>"
    return 0
  fi
  name=$(exec az account show --query name -o tsv 2>/dev/null) || name='?'
  if [ -z "${ARM_SUBSCRIPTION_ID:-}" ]; then
    echo "$SCRIPT: Azure subscription: $name ($id), the Azure CLI's active one (set ARM_SUBSCRIPTION_ID to insist on one)" >&2
  elif [ "$id" != "$ARM_SUBSCRIPTION_ID" ]; then
    problem "the Azure CLI's subscription is $name ($id), not ARM_SUBSCRIPTION_ID=$ARM_SUBSCRIPTION_ID: run az account set --subscription $ARM_SUBSCRIPTION_ID, or correct ARM_SUBSCRIPTION_ID"
  else
    echo "$SCRIPT: Azure subscription: $name ($id), as ARM_SUBSCRIPTION_ID says" >&2
  fi
}

# preflight STACK...: what a run of these stacks needs before synthesis:
# $TERRAFORM, make (unless SKIP_SYNTH=1), kubelogin for an in-cluster stack
# that signs in with it, the Azure login and subscription; then, with
# REACH set (deploy or look), whether this machine gets through the
# firewalls of each environment whose Azure stack the run plans (reach).
# Fails listing every problem. Go is not one of them: load_env needs it
# first (cmd/envinfo), and without it stops alone (need_go). Loads each
# stack's environment (load_env): the last one stays loaded.
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
  done
  check_azure_login
  if [ -n "${REACH:-}" ] && [ ${#PROBLEMS[@]} -eq 0 ]; then
    for env in $envs; do
      [ "${LOADED_ENV:-}" = "$env" ] || load_env "$env"
      [[ " $* " != *" $AZURE_STACK "* ]] || reach
    done
  fi
  report_problems
}

# REACHABLE[ENV]: whether this machine gets through ENV's Key Vault
# firewall (reach): true, or false when only the apply lets it through.
# shellcheck disable=SC2034 # read by the scripts that source this file
declare -gA REACHABLE=()

# reach: for the loaded environment, whose Azure stack the run plans: does
# this machine get through its Key Vault firewall, which Terraform passes
# to read the vault's secrets when it refreshes? Sets REACHABLE[ENV]. The
# Key Vault answers a machine it does not admit with "Client address:
# <its address>": Azure itself says which address to let through, no
# other service. With REACH=deploy it also settles TF_VAR_deployer_ips,
# the addresses the apply lets through the firewalls and the API server's
# authorized ranges (the environment's configuration admits
# network.adminCidrs, and these): the reported address when the firewall
# refuses this machine (the Azure stack is then planned without refresh,
# and the apply lets it in), and a problem when the address cannot be
# known and is not given.
reach() {
  REACHABLE[$ENVIRONMENT]=true
  if [ "$FIREWALLS_DENY" != true ]; then
    if [ "${REACH:-}" = deploy ] && [ "$DEPLOYER_IPS_NEEDED" = true ] && [ -z "${TF_VAR_deployer_ips:-}" ]; then
      echo "$SCRIPT: note: TF_VAR_deployer_ips is not set, and $ENVIRONMENT's API server admits only network.adminCidrs; unless this machine is in them, set TF_VAR_deployer_ips='[\"<its public IPv4>\"]'" >&2
    fi
    return 0
  fi
  local out addr rule extra=()
  local how="set TF_VAR_deployer_ips='[\"<this machine's public IPv4>\"]', or TF_VAR_deployer_ips='[]' if network.adminCidrs holds it"
  if ! out=$(exec az keyvault show --name "$KEY_VAULT_NAME" --resource-group "$RESOURCE_GROUP" --query id --output tsv 2>&1); then
    if [[ $out =~ ResourceNotFound|ResourceGroupNotFound|not\ found|could\ not\ be\ found ]]; then
      # The first deployment: the apply creates the vault, with
      # deployer_ips admitted.
      if [ "${REACH:-}" = deploy ] && [ -z "${TF_VAR_deployer_ips:-}" ]; then
        problem "$ENVIRONMENT's Key Vault $KEY_VAULT_NAME does not exist yet, so Azure cannot say which address of this machine its firewalls and API server must admit: $how"
      fi
      return 0
    fi
    problem "cannot ask Azure whether the Key Vault $KEY_VAULT_NAME of $ENVIRONMENT admits this machine: ${out%%$'\n'*}"
    return 0
  fi
  if ! out=$(exec az keyvault secret list --vault-name "$KEY_VAULT_NAME" --maxresults 1 --query '[].id' --output tsv 2>&1); then
    addr=""
    [[ ! $out =~ Client\ address:\ ([0-9]{1,3}(\.[0-9]{1,3}){3}) ]] || addr=${BASH_REMATCH[1]}
    if [ -n "$addr" ]; then
      # shellcheck disable=SC2034 # read by the scripts that source this file
      REACHABLE[$ENVIRONMENT]=false
      [ "${REACH:-}" = deploy ] || return 0
      if [ -z "${TF_VAR_deployer_ips:-}" ]; then
        export TF_VAR_deployer_ips="[\"$addr\"]"
        echo "$SCRIPT: $ENVIRONMENT's Key Vault does not admit this machine, $addr as Azure reports it: the apply of $AZURE_STACK lets it through (TF_VAR_deployer_ips=$TF_VAR_deployer_ips), and $AZURE_STACK is planned against its state, without refresh" >&2
      elif [[ "$TF_VAR_deployer_ips" != *"\"$addr\""* ]]; then
        problem "TF_VAR_deployer_ips=$TF_VAR_deployer_ips does not hold this machine's address $addr, as $ENVIRONMENT's Key Vault reports it: the apply would let another machine through; unset TF_VAR_deployer_ips (the address Azure reports is then used) or correct it"
      fi
      return 0
    fi
    # Past the firewall, a refusal is about the identity's data rights.
    if [[ ! ${out,,} =~ forbidden|not\ authorized|does\ not\ have ]]; then
      problem "cannot ask the Key Vault $KEY_VAULT_NAME of $ENVIRONMENT whether it admits this machine: ${out%%$'\n'*}"
      return 0
    fi
  fi
  [ "${REACH:-}" = deploy ] && [ -z "${TF_VAR_deployer_ips:-}" ] || return 0
  # The firewall admits this machine: by network.adminCidrs, or by an
  # address an earlier deploy let through, which this one would take out
  # (before the in-cluster stack reaches the API server) unless named.
  if ! out=$(exec az keyvault network-rule list --name "$KEY_VAULT_NAME" --resource-group "$RESOURCE_GROUP" --query 'ipRules[].value' --output tsv 2>&1); then
    problem "cannot read the Key Vault firewall of $KEY_VAULT_NAME: ${out%%$'\n'*}"
    return 0
  fi
  while read -r rule; do
    rule=${rule%/32}
    [ -z "$rule" ] || [[ " $FIREWALL_ADMIN_RULES " == *" $rule "* ]] || extra+=("$rule")
  done <<<"$out"
  if [ ${#extra[@]} -gt 0 ]; then
    problem "$ENVIRONMENT's Key Vault admits this machine, and also addresses outside network.adminCidrs that earlier deploys let through (${extra[*]}): Azure cannot say whether this machine is one of them, which this deploy would shut out before it is done: $how"
  fi
}

# preflight_vars STACK...: after synthesis, before the first plan: every
# variable the stacks declare without a default (cmd/envinfo
# -required-vars) must be set as TF_VAR_<name>; one line per missing
# variable, naming the stacks that need it. One cmd/envinfo reads every
# stack's cdk.tf.json (a process costs); when it fails, a call per stack
# says which one cannot be read.
preflight_vars() {
  local stack dir names name line i=0 all
  local -A needed_by=() vars_of=()
  local order=() readable=() dirs=() lists=()
  for stack in "$@"; do
    if [ -f "$OUTDIR/stacks/$stack/cdk.tf.json" ]; then
      readable+=("$stack")
      dirs+=("$OUTDIR/stacks/$stack")
    fi
  done
  if [ ${#dirs[@]} -gt 0 ] && gocmd_into all envinfo -required-vars "${dirs[@]}" 2>/dev/null; then
    # Each stack's list, the lists separated by an empty line.
    while IFS= read -r line; do
      if [ -z "$line" ]; then
        i=$((i + 1))
      else
        lists[i]+="$line "
      fi
    done <<<"$all"
    for i in "${!readable[@]}"; do
      [ -n "${vars_of[${readable[i]}]+x}" ] || vars_of[${readable[i]}]=${lists[i]-}
    done
  fi
  for stack in "$@"; do
    stack_dir dir "$stack"
    if [ ! -f "$dir/cdk.tf.json" ]; then
      echo "$SCRIPT: note: $stack is HCL only; its variables are not checked before planning" >&2
      continue
    fi
    if [ -n "${vars_of[$stack]+x}" ]; then
      names=${vars_of[$stack]}
    else
      gocmd_into names envinfo -required-vars "$dir" || die "cannot read the variables of $stack from $dir/cdk.tf.json (above)"
    fi
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
