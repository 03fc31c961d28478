#!/usr/bin/env bash
# setup.sh: prepare an Azure subscription and a GitHub repository for this
# project. Safe to run again: it creates only what is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<'USAGE'
Usage: scripts/setup.sh [options] [ENVIRONMENT ...]

  1. Checks the tools and their versions: go, node, npm, terraform (1.11 or
     newer), az; kubelogin and gh are reported if missing.
  2. Checks that `az login` is done and shows the subscription.
  3. Creates, if missing, the Terraform state storage named in the backend
     settings of config/<env>.json (default: every environment with an
     azurerm backend): resource group, storage account (no shared keys, TLS
     1.2, no public access, blob versioning and soft delete) and container,
     and gives you Storage Blob Data Contributor on the account.
  4. Prints the GitHub environments, secrets and OIDC federated credentials
     to create for .github/workflows/infra.yml.

Options:
  --repo OWNER/REPO   GitHub repository for the federated credentials
                      (default: from the origin remote)
  --dry-run           print the Azure commands that would change something
                      instead of running them
  -h, --help          show this text
USAGE
}

repo=""
dry_run=false
envs=()
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo=${2:?--repo needs OWNER/REPO}; shift ;;
    --dry-run) dry_run=true ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) envs+=("$1") ;;
  esac
  shift
done

# 1. Tools.
need go "Install Go 1.26: https://go.dev/dl/"
need node "Install Node.js 20 or newer: https://nodejs.org/"
need npm "npm comes with Node.js."
need_terraform
need az "Install the Azure CLI: https://learn.microsoft.com/cli/azure/install-azure-cli"
tf_version=$(tf version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([0-9.]*\)".*/\1/p' | head -1)
[ -n "$tf_version" ] || tf_version=$(tf version | sed -n '1s/[^0-9]*\([0-9][0-9.]*\).*/\1/p')
major=${tf_version%%.*}
minor=${tf_version#*.}; minor=${minor%%.*}
if [ "${major:-0}" -lt 1 ] || { [ "$major" -eq 1 ] && [ "${minor:-0}" -lt 11 ]; }; then
  die "Terraform $tf_version is too old; this project needs 1.11 or newer."
fi
echo "tools: go $(go env GOVERSION), node $(node --version), terraform $tf_version, az $(az version --query '"azure-cli"' -o tsv 2>/dev/null || echo '?')"
command -v kubelogin >/dev/null 2>&1 || echo "note: kubelogin is missing; the <env>-k8s stacks need it (az aks install-cli installs it)."
command -v gh >/dev/null 2>&1 || echo "note: gh (GitHub CLI) is missing; the commands printed below use it."

# 2. Azure login.
if ! subscription=$(az account show --query id -o tsv 2>/dev/null) || [ -z "$subscription" ]; then
  die "not logged in to Azure: run az login (and az account set --subscription <id>)"
fi
tenant=$(az account show --query tenantId -o tsv)
echo "azure: subscription $(az account show --query name -o tsv) ($subscription), tenant $tenant, as $(az account show --query user.name -o tsv)"

run() {
  if [ "$dry_run" = true ]; then
    echo "would run: $*"
  else
    "$@"
  fi
}

# 3. State storage, per environment.
if [ ${#envs[@]} -eq 0 ]; then
  for f in config/*.json; do
    name=$(basename "$f" .json)
    [ "$name" = schema ] || envs+=("$name")
  done
fi
for env in "${envs[@]}"; do
  load_env "$env"
  if [ "$BACKEND_TYPE" != azurerm ]; then
    echo "state: $env keeps local state (terraform.<stack>.tfstate); nothing to create"
    continue
  fi
  echo "state: $env -> $STATE_STORAGE_ACCOUNT/$STATE_CONTAINER in $STATE_RESOURCE_GROUP"
  if az group show --name "$STATE_RESOURCE_GROUP" --output none 2>/dev/null; then
    echo "  resource group exists"
  else
    run az group create --name "$STATE_RESOURCE_GROUP" --location "$LOCATION" --tags managed-by=setup.sh purpose=terraform-state --output none
  fi
  if az storage account show --name "$STATE_STORAGE_ACCOUNT" --resource-group "$STATE_RESOURCE_GROUP" --output none 2>/dev/null; then
    echo "  storage account exists"
  else
    run az storage account create --name "$STATE_STORAGE_ACCOUNT" --resource-group "$STATE_RESOURCE_GROUP" \
      --location "$LOCATION" --sku Standard_ZRS --kind StorageV2 --min-tls-version TLS1_2 \
      --allow-blob-public-access false --allow-shared-key-access false --https-only true --output none
    run az storage account blob-service-properties update --account-name "$STATE_STORAGE_ACCOUNT" \
      --resource-group "$STATE_RESOURCE_GROUP" --enable-versioning true \
      --enable-delete-retention true --delete-retention-days 30 --output none
  fi
  account_id=$(az storage account show --name "$STATE_STORAGE_ACCOUNT" --resource-group "$STATE_RESOURCE_GROUP" --query id -o tsv 2>/dev/null || echo "<state-account-id>")
  me=$(az ad signed-in-user show --query id -o tsv 2>/dev/null || true)
  if [ -n "$me" ] && [ -z "$(az role assignment list --assignee "$me" --scope "$account_id" --role 'Storage Blob Data Contributor' --query '[].id' -o tsv 2>/dev/null)" ]; then
    run az role assignment create --assignee-object-id "$me" --assignee-principal-type User \
      --role 'Storage Blob Data Contributor' --scope "$account_id" --output none
  fi
  if az storage container show --name "$STATE_CONTAINER" --account-name "$STATE_STORAGE_ACCOUNT" --auth-mode login --output none 2>/dev/null; then
    echo "  container exists"
  else
    run az storage container create --name "$STATE_CONTAINER" --account-name "$STATE_STORAGE_ACCOUNT" --auth-mode login --output none
  fi
done

# 4. GitHub.
if [ -z "$repo" ]; then
  repo=$(git config --get remote.origin.url 2>/dev/null | sed -E 's#(git@github.com:|https://github.com/)##; s#\.git$##' || true)
fi
repo=${repo:-OWNER/REPO}
cat <<MSG

== GitHub: run these once (an Azure admin creates the identities). ==

# 1. The deploying identity: trusted (OIDC, no secret) for the jobs that run
#    in this repository's dev, production-plan and production environments.
deploy=\$(az ad app create --display-name perpetual-infra-deploy --query appId -o tsv)
az ad sp create --id "\$deploy"
for env in dev production-plan production; do
  az ad app federated-credential create --id "\$deploy" --parameters "{\"name\": \"env-\$env\", \"issuer\": \"https://token.actions.githubusercontent.com\", \"subject\": \"repo:$repo:environment:\$env\", \"audiences\": [\"api://AzureADTokenExchange\"]}"
done
# It creates resources and role assignments, and reads and writes state:
az role assignment create --assignee "\$deploy" --role Contributor --scope /subscriptions/$subscription
az role assignment create --assignee "\$deploy" --role "Role Based Access Control Administrator" --scope /subscriptions/$subscription
az role assignment create --assignee "\$deploy" --role "Storage Blob Data Contributor" --scope <the state storage account id above>

# 2. The planning identity of pull requests: read-only.
plan=\$(az ad app create --display-name perpetual-infra-plan --query appId -o tsv)
az ad sp create --id "\$plan"
az ad app federated-credential create --id "\$plan" --parameters "{\"name\": \"pull-requests\", \"issuer\": \"https://token.actions.githubusercontent.com\", \"subject\": \"repo:$repo:pull_request\", \"audiences\": [\"api://AzureADTokenExchange\"]}"
az role assignment create --assignee "\$plan" --role Reader --scope /subscriptions/$subscription
az role assignment create --assignee "\$plan" --role "Azure Kubernetes Service Cluster User Role" --scope /subscriptions/$subscription
az role assignment create --assignee "\$plan" --role "Storage Blob Data Reader" --scope <the state storage account id above>

# 3. Repository secrets (Settings > Secrets and variables > Actions):
gh secret set AZURE_CLIENT_ID --repo $repo --body "\$deploy"
gh secret set AZURE_PLAN_CLIENT_ID --repo $repo --body "\$plan"
gh secret set AZURE_TENANT_ID --repo $repo --body $tenant
gh secret set AZURE_SUBSCRIPTION_ID --repo $repo --body $subscription

# 4. Environments: dev; production-plan and production for main only;
#    production with required reviewers (replace the user id).
gh api -X PUT repos/$repo/environments/dev
gh api -X PUT repos/$repo/environments/production-plan --input - <<<'{"deployment_branch_policy": {"protected_branches": true, "custom_branch_policies": false}}'
gh api -X PUT repos/$repo/environments/production --input - <<<'{"reviewers": [{"type": "User", "id": 0}], "deployment_branch_policy": {"protected_branches": true, "custom_branch_policies": false}}'

# 5. The node's secrets in each environment (Terraform writes them to Key Vault):
for env in dev production-plan production; do
  gh secret set GH_PACKAGES_USERNAME --repo $repo --env \$env
  gh secret set GH_PACKAGES_TOKEN --repo $repo --env \$env      # a token with read:packages
  gh secret set IPFS_PRIVATE_KEY --repo $repo --env \$env
done
MSG
