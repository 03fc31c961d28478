#!/usr/bin/env bash
# firewall.sh: let one address through an environment's Key Vault and
# storage account firewalls for the length of a pipeline job, take it out
# again, and sweep out addresses that jobs killed before their close step
# left behind.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/firewall.sh open|close ENVIRONMENT IPV4
       scripts/firewall.sh sweep [ENVIRONMENT ...]

A GitHub-hosted runner has a new public address on every job, outside the
admin networks that the production firewalls admit. Terraform must read the
Key Vault's secrets and the storage account's containers to plan (refresh),
so a job opens both firewalls to its own address before terraform runs and
closes them when it ends (run close in an always() step, after logging in
to Azure again). The same address goes to Terraform as TF_VAR_deployer_ips,
so the plan keeps it for the run and the API server admits it too.

  open    adds the address to both firewalls, checks it is there, and waits
          FIREWALL_SETTLE_SECONDS (default 20) for the rules to apply
  close   removes the address from both firewalls and checks it is gone;
          exits 1, loudly, if it is still there or Azure cannot be asked
  sweep   removes every address that is not one of the configuration's
          network.adminCidrs from both firewalls (the scheduled sweeper),
          of each named environment, or of every production environment
          (config/<env>.json with "production": true) when none is named;
          run it only while no pipeline job is using the firewalls

open and close are idempotent, and do nothing for an environment whose Key
Vault and storage firewalls both allow by default (networkDefaultAction
Allow): the pipeline runs them for every environment.

Options:
  -h, --help   show this text
USAGE
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  open|close|sweep) action=$1 ;;
  *) usage >&2; exit 2 ;;
esac
if [ "$action" != sweep ] && { [ -z "${2:-}" ] || [ -z "${3:-}" ] || [ -n "${4:-}" ]; }; then
  usage >&2
  exit 2
fi
ip=${3:-}
if [ "$action" != sweep ]; then
  [[ "$ip" =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ ]] || die "'$ip' is not an IPv4 address"
fi
need az "Install the Azure CLI: https://learn.microsoft.com/cli/azure/install-azure-cli"
if [ "$action" = sweep ]; then
  shift
  sweep_envs=("$@")
  if [ ${#sweep_envs[@]} -eq 0 ]; then
    environments_into sweep_envs production
    [ ${#sweep_envs[@]} -gt 0 ] || { echo "firewall: no production environment in $CONFIG_DIR/: nothing to sweep"; exit 0; }
  fi
  for env in "${sweep_envs[@]}"; do
    load_env "$env"
  done
else
  load_env "$2"
  if [ "$FIREWALLS_DENY" != true ]; then
    echo "firewall: the Key Vault and storage firewalls of $ENVIRONMENT allow by default; nothing to $action"
    exit 0
  fi
fi

# The firewalls' address rules, one a line, without /32 (the Key Vault
# reports a single address as a.b.c.d/32, the storage account as a.b.c.d).
kv_rules() {
  az keyvault network-rule list --name "$KEY_VAULT_NAME" --resource-group "$RESOURCE_GROUP" \
    --query 'ipRules[].value' --output tsv | sed 's#/32$##'
}
storage_rules() {
  az storage account network-rule list --account-name "$STORAGE_ACCOUNT_NAME" --resource-group "$RESOURCE_GROUP" \
    --query 'ipRules[].ipAddressOrRange' --output tsv | sed 's#/32$##'
}

# remove FIREWALL ADDRESS: take ADDRESS out of the Key Vault (kv) or the
# storage account (storage) firewall.
remove() {
  if [ "$1" = kv ]; then
    az keyvault network-rule remove --name "$KEY_VAULT_NAME" --resource-group "$RESOURCE_GROUP" --ip-address "$2/32" --output none
  else
    az storage account network-rule remove --account-name "$STORAGE_ACCOUNT_NAME" --resource-group "$RESOURCE_GROUP" --ip-address "$2" --output none
  fi
}

# rules FIREWALL: list its rules, or fail: an answer that cannot be read
# must never pass for an empty firewall. Call it as current=$(rules kv)
# (a failure then stops the script, or is caught with if !), never on the
# left of a pipe, where the failure would go unseen.
rules() {
  if [ "$1" = kv ]; then
    kv_rules || die "cannot read the Key Vault firewall of $KEY_VAULT_NAME (above); is the Azure login still valid?"
  else
    storage_rules || die "cannot read the storage firewall of $STORAGE_ACCOUNT_NAME (above); is the Azure login still valid?"
  fi
}

# has LIST ADDRESS: whether the newline-separated LIST holds ADDRESS.
has() {
  grep -qxF "$2" <<<"$1"
}

case "$action" in
  open)
    az keyvault network-rule add --name "$KEY_VAULT_NAME" --resource-group "$RESOURCE_GROUP" --ip-address "$ip/32" --output none
    az storage account network-rule add --account-name "$STORAGE_ACCOUNT_NAME" --resource-group "$RESOURCE_GROUP" --ip-address "$ip" --output none
    for fw in kv storage; do
      current=$(rules "$fw")
      has "$current" "$ip" || die "$ip is not in the $fw firewall of $ENVIRONMENT after adding it"
    done
    # Rules take a few seconds to apply.
    sleep "${FIREWALL_SETTLE_SECONDS:-20}"
    ;;
  close)
    # Each firewall is tried even if the other fails (and, when it cannot
    # be read, the removal is tried anyway); then both are read back, which
    # decides. Every failure is reported and makes the step fail.
    failed=()
    for fw in kv storage; do
      if ! current=$(rules "$fw") || has "$current" "$ip"; then
        remove "$fw" "$ip" || failed+=("$fw: remove failed")
      fi
    done
    for fw in kv storage; do
      if ! current=$(rules "$fw"); then
        failed+=("$fw: cannot read it back")
      elif has "$current" "$ip"; then
        failed+=("$fw: $ip is still allowed")
      fi
    done
    if [ ${#failed[@]} -gt 0 ]; then
      die "COULD NOT CLOSE the firewalls of $ENVIRONMENT to $ip (${failed[*]}). Remove it by hand: az keyvault network-rule remove --name $KEY_VAULT_NAME --resource-group $RESOURCE_GROUP --ip-address $ip/32; az storage account network-rule remove --account-name $STORAGE_ACCOUNT_NAME --resource-group $RESOURCE_GROUP --ip-address $ip (the scheduled sweeper also removes it)"
    fi
    ;;
  sweep)
    # sweep_one ENV: keep exactly ENV's admin entries (cmd/envinfo). Run it
    # in a subshell: a failure (die) ends that environment only.
    # shellcheck disable=SC2317 # called through each_env
    sweep_one() {
      load_env "$1"
      local -a keep removed=()
      local fw current rule
      read -r -a keep <<<"$FIREWALL_ADMIN_RULES"
      kept() { [[ " ${keep[*]} " == *" $1 "* ]]; }
      for fw in kv storage; do
        current=$(rules "$fw")
        while read -r rule; do
          if [ -z "$rule" ] || kept "$rule"; then
            continue
          fi
          remove "$fw" "$rule" || die "cannot remove $rule from the $fw firewall of $ENVIRONMENT (above)"
          removed+=("$fw:$rule")
        done <<<"$current"
      done
      for fw in kv storage; do
        current=$(rules "$fw")
        while read -r rule; do
          [ -z "$rule" ] || kept "$rule" || die "$rule is still in the $fw firewall of $ENVIRONMENT after the sweep"
        done <<<"$current"
      done
      if [ ${#removed[@]} -gt 0 ]; then
        echo "firewall: swept leftover runner addresses from $ENVIRONMENT: ${removed[*]}"
      else
        echo "firewall: nothing to sweep in $ENVIRONMENT"
      fi
    }
    each_env sweep_one "${sweep_envs[@]}"
    [ ${#FAILED[@]} -eq 0 ] || die "the sweep failed for: ${FAILED[*]} (above)"
    exit 0
    ;;
esac
echo "firewall: $action for $ip on $KEY_VAULT_NAME and $STORAGE_ACCOUNT_NAME"
