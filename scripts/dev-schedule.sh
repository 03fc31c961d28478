#!/usr/bin/env bash
# dev-schedule.sh: stop or start a non-production cluster (off-hours savings).
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/dev-schedule.sh start|stop|auto [ENVIRONMENT ...]

Stops (deallocates) or starts the AKS cluster of each named environment, or
of every development environment (every config/<env>.json without
"production": true) when none is named, with az aks; waits until the
operation has finished, and checks that the cluster is then in the wanted
state (Running or Stopped); it fails otherwise. "auto" takes the action
from the cron expression in $SCHEDULE (set by the scheduled workflow): an
hour before 12 starts the cluster, any later hour stops it, so the schedule
lives only in the workflow's cron lines. Refuses production environments.
Does nothing when the cluster is already in the wanted state, or does not
exist (yet); fails when Azure cannot be asked (login, permissions,
network). With several environments, each is tried and the run fails if
any failed. While stopped, the node costs nothing; the load balancer, IPs
and disks still bill.

Options:
  -h, --help   show this text
USAGE
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  start|stop|auto) action=$1 ;;
  *) usage >&2; exit 2 ;;
esac
shift
need az "Install the Azure CLI: https://learn.microsoft.com/cli/azure/install-azure-cli"

if [ "$action" = auto ]; then
  [ -n "${SCHEDULE:-}" ] || die "auto needs SCHEDULE, the cron expression that triggered the run"
  read -r _minute hour _rest <<<"$SCHEDULE"
  [[ "$hour" =~ ^[0-9]+$ ]] || die "cannot read the hour of '$SCHEDULE'"
  if [ "$hour" -lt 12 ]; then action=start; else action=stop; fi
fi
want=Running
[ "$action" = start ] || want=Stopped

envs=("$@")
if [ ${#envs[@]} -eq 0 ]; then
  environments_into envs development
  [ ${#envs[@]} -gt 0 ] || { echo "no development environment in $CONFIG_DIR/: nothing to $action"; exit 0; }
fi
for env in "${envs[@]}"; do
  load_env "$env"
  [ "$PRODUCTION" != true ] || die "$ENVIRONMENT is production; it is never stopped on a schedule"
done

# power_state VAR: set VAR to the cluster's power state; return 3 when the
# cluster (or its resource group) does not exist; any other failure of az
# fails (return 1), with az's own message: "cannot ask" is not "not there".
power_state() {
  local -n _state=$1
  local _err _out _said=""
  _err=$(mktemp)
  if _out=$(exec az aks show --resource-group "$RESOURCE_GROUP" --name "$CLUSTER_NAME" --query powerState.code -o tsv 2>"$_err"); then
    rm -f "$_err"
    _state=$_out
    return 0
  fi
  IFS= read -r -d '' _said <"$_err" || true
  rm -f "$_err"
  if [[ $_said =~ ResourceNotFound|ResourceGroupNotFound ]]; then
    return 3
  fi
  printf '%s' "$_said" >&2
  echo "$SCRIPT: cannot ask Azure for the state of $CLUSTER_NAME (above)" >&2
  return 1
}

# schedule ENV: bring ENV's cluster to $want. Run it in a subshell: a
# failure (die) ends that environment only.
schedule() {
  load_env "$1"
  local state code
  set +e
  power_state state
  code=$?
  set -e
  if [ "$code" = 3 ]; then
    echo "$CLUSTER_NAME does not exist (yet); nothing to $action"
    return 0
  fi
  [ "$code" = 0 ] || die "nothing was changed"
  if [ "$state" = "$want" ]; then
    echo "$CLUSTER_NAME is already $state"
    return 0
  fi
  echo "$action $CLUSTER_NAME (now $state); waiting for the operation to finish"
  # Without --no-wait, az returns when the operation has finished, and
  # fails when it failed.
  az aks "$action" --resource-group "$RESOURCE_GROUP" --name "$CLUSTER_NAME" --output none ||
    die "az aks $action $CLUSTER_NAME failed (above)"
  power_state state || die "cannot read the state of $CLUSTER_NAME after az aks $action"
  [ "$state" = "$want" ] || die "$CLUSTER_NAME is $state after az aks $action, not $want"
  echo "$CLUSTER_NAME is $state"
}

each_env schedule "${envs[@]}"
[ ${#FAILED[@]} -eq 0 ] || die "could not $action the cluster of: ${FAILED[*]} (above)"
