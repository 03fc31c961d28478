#!/usr/bin/env bash
# firewall.sh: let one address through an environment's Key Vault and
# storage account firewalls for the length of a pipeline job, and take it out
# again.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/firewall.sh open|close ENVIRONMENT IPV4

A GitHub-hosted runner has a new public address on every job, outside the
admin networks that the production firewalls admit. Terraform must read the
Key Vault's secrets and the storage account's containers to plan (refresh),
so a job opens both firewalls to its own address before terraform runs and
closes them when it ends (run close in an always() step). The same address
goes to Terraform as TF_VAR_deployer_ips, so the plan keeps it for the run
and the API server admits it too. Both commands are idempotent.

Options:
  -h, --help   show this text
USAGE
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  open|close) action=$1 ;;
  *) usage >&2; exit 2 ;;
esac
if [ -z "${2:-}" ] || [ -z "${3:-}" ]; then
  usage >&2
  exit 2
fi
ip=$3
[[ "$ip" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ ]] || die "'$ip' is not an IPv4 address"
need az "Install the Azure CLI: https://learn.microsoft.com/cli/azure/install-azure-cli"
load_env "$2"

if [ "$action" = open ]; then
  az keyvault network-rule add --name "$KEY_VAULT_NAME" --resource-group "$RESOURCE_GROUP" --ip-address "$ip/32" --output none
  az storage account network-rule add --account-name "$STORAGE_ACCOUNT_NAME" --resource-group "$RESOURCE_GROUP" --ip-address "$ip" --output none
  # Rules take a few seconds to apply.
  sleep "${FIREWALL_SETTLE_SECONDS:-20}"
else
  az keyvault network-rule remove --name "$KEY_VAULT_NAME" --resource-group "$RESOURCE_GROUP" --ip-address "$ip/32" --output none || true
  az storage account network-rule remove --account-name "$STORAGE_ACCOUNT_NAME" --resource-group "$RESOURCE_GROUP" --ip-address "$ip" --output none || true
fi
echo "firewall: $action for $ip on $KEY_VAULT_NAME and $STORAGE_ACCOUNT_NAME"
