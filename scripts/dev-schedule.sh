#!/usr/bin/env bash
# dev-schedule.sh: stop or start a non-production cluster (off-hours savings).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/dev-schedule.sh [--wait] start|stop|auto ENVIRONMENT

Stops (deallocates) or starts the environment's AKS cluster with az aks.
"auto" takes the action from the cron expression in $SCHEDULE (set by the
scheduled workflow): an hour before 12 starts the cluster, any later hour
stops it, so the schedule lives only in the workflow's cron lines.
Refuses production environments. Does nothing when the cluster is already
in the wanted state. While stopped, the node costs nothing; the load
balancer, IPs and disks still bill.

Options:
  --wait       wait until the cluster has started or stopped (a deploy
               starts a stopped dev cluster this way first)
  -h, --help   show this text
USAGE
}

wait_flag=--no-wait
if [ "${1:-}" = --wait ]; then
  wait_flag=""
  shift
fi
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  start|stop|auto) action=$1 ;;
  *) usage >&2; exit 2 ;;
esac
[ -n "${2:-}" ] || { usage >&2; exit 2; }
need az "Install the Azure CLI: https://learn.microsoft.com/cli/azure/install-azure-cli"
load_env "$2"
[ "$PRODUCTION" != true ] || die "$ENVIRONMENT is production; it is never stopped on a schedule"

if [ "$action" = auto ]; then
  [ -n "${SCHEDULE:-}" ] || die "auto needs SCHEDULE, the cron expression that triggered the run"
  read -r _minute hour _rest <<<"$SCHEDULE"
  [[ "$hour" =~ ^[0-9]+$ ]] || die "cannot read the hour of '$SCHEDULE'"
  if [ "$hour" -lt 12 ]; then action=start; else action=stop; fi
fi

if ! state=$(az aks show --resource-group "$RESOURCE_GROUP" --name "$CLUSTER_NAME" --query powerState.code -o tsv 2>/dev/null); then
  echo "$CLUSTER_NAME does not exist (yet); nothing to $action"
  exit 0
fi
want=Running
[ "$action" = start ] || want=Stopped
if [ "$state" = "$want" ]; then
  echo "$CLUSTER_NAME is already $state"
  exit 0
fi
echo "$action $CLUSTER_NAME (now $state)"
az aks "$action" --resource-group "$RESOURCE_GROUP" --name "$CLUSTER_NAME" ${wait_flag:+"$wait_flag"}
