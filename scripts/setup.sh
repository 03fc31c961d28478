#!/usr/bin/env bash
# setup.sh: prepare an Azure subscription and a GitHub repository for this
# project. Safe to run again: it creates only what is missing.
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/setup.sh [options] [ENVIRONMENT ...]

  1. Checks the tools and their versions: go, node, npm, terraform (1.11 or
     newer), az; kubelogin and gh are reported if missing.
  2. Checks that `az login` is done and shows the subscription.
  3. Registers the Azure resource providers the stacks use (the pipeline's
     identities may not: their roles stop at the environments' resource
     groups).
  4. Creates, if missing, the Terraform state storage named in the backend
     settings of config/<env>.json (default: every environment with an
     azurerm backend): resource group, storage account (no shared keys, TLS
     1.2, no public access) and each environment's own container, and gives
     you Storage Blob Data Contributor on the account (waiting, within
     RBAC_WAIT_SECONDS, default 300, for Azure to apply it). It turns on,
     also on an account that exists, blob versioning, blob soft delete and
     container soft delete (30 days), so that a deleted or overwritten
     state, or a deleted container, can be recovered.
  5. Prints, between "8<" lines, a bash script to paste as an Azure and
     GitHub admin: the identities (OIDC, no secret), each trusted by one
     GitHub environment only, with roles only on its environment's resource
     groups and state container; the GitHub variables, environments and
     secrets. Pull requests get no identity.

The environments are the files config/<env>.json (default: every one;
scripts/environments.sh lists them). GitHub environments, the names the
workflows use: a development environment <env> deploys in <env>, with the
identity <repo>-<env>. A production environment <env> plans for review in
<env>-plan, with the identity <repo>-<env>-plan, which may only read
(Reader, Azure Kubernetes Service Cluster User Role, Storage Blob Data
Reader on its state), and applies in <env>, with the identity <repo>-<env>,
which writes, after a required reviewer approved (prevent_self_review). The
node's secrets are in the environments that apply only. Every environment
admits the branch main only, by a deployment branch policy of its own (not
"protected branches"), which admins cannot bypass (can_admins_bypass
false). An environment with local state gets no identity.

Options:
  --repo OWNER/REPO   GitHub repository for the federated credentials
                      (default: from the origin remote)
  --reviewer LOGIN    a required reviewer of the production environments
                      (repeat it; with prevent_self_review, name at least two
                      so that nobody waits on themselves)
  --dry-run           print the Azure commands that would change something
                      instead of running them
  -h, --help          show this text
USAGE
}

repo=""
dry_run=false
envs=()
reviewers=()
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo=${2:?--repo needs OWNER/REPO}; shift ;;
    --reviewer) reviewers+=("${2:?--reviewer needs a GitHub login}"); shift ;;
    --dry-run) dry_run=true ;;
    -h|--help) usage; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) envs+=("$1") ;;
  esac
  shift
done

# 1. Tools.
need_go
need node "Install Node.js 22 or newer: export \"\$(scripts/node.sh)\" on Linux x64, else https://nodejs.org/"
need npm "npm comes with Node.js."
need_terraform
need az "Install the Azure CLI: https://learn.microsoft.com/cli/azure/install-azure-cli"
# The version that the first line naming one says (the last one on it).
tf_json=$(tf version -json 2>/dev/null) || tf_json=""
tf_version=""
while IFS= read -r line; do
  if [[ $line =~ ^.*\"terraform_version\":\ *\"([0-9.]*)\" ]]; then
    tf_version=${BASH_REMATCH[1]}
    break
  fi
done <<<"$tf_json"
[ -n "$tf_version" ] || tf_version=$(tf version | sed -n '1s/[^0-9]*\([0-9][0-9.]*\).*/\1/p')
major=${tf_version%%.*}
minor=${tf_version#*.}; minor=${minor%%.*}
if [ "${major:-0}" -lt 1 ] || { [ "$major" -eq 1 ] && [ "${minor:-0}" -lt 11 ]; }; then
  die "Terraform $tf_version is too old; this project needs 1.11 or newer."
fi
az_version=$(exec az version --query '"azure-cli"' -o tsv 2>/dev/null) || az_version='?'
echo "tools: go $(go env GOVERSION), node $(node --version), terraform $tf_version, az $az_version"
command -v kubelogin >/dev/null 2>&1 || echo "note: kubelogin is missing; the <env>-k8s stacks need it (az aks install-cli installs it)."
command -v gh >/dev/null 2>&1 || echo "note: gh (GitHub CLI) is missing; the commands printed below use it."

# 2. Azure login.
if ! subscription=$(exec az account show --query id -o tsv 2>/dev/null) || [ -z "$subscription" ]; then
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

# wait_rbac WHAT COMMAND...: run COMMAND until it succeeds, for at most
# RBAC_WAIT_SECONDS (default 300): a new role assignment takes minutes to
# apply. Fails, naming WHAT, when the time is up.
wait_rbac() {
  local what=$1 waited=0 limit=${RBAC_WAIT_SECONDS:-300} step=${RBAC_WAIT_INTERVAL:-10}
  shift
  until "$@"; do
    [ "$waited" -lt "$limit" ] || die "$what: still refused after ${limit}s; Azure has not applied the role assignment yet. Run setup.sh again in a few minutes."
    echo "  waiting for Azure to apply the role assignment ($what)..."
    sleep "$step"
    waited=$((waited + step))
  done
}

# 3. Resource providers. The provider in the pipeline does not register
#    them (ARM_RESOURCE_PROVIDER_REGISTRATIONS=none): it may not, at subscription level.
providers=(Microsoft.ContainerService Microsoft.Compute Microsoft.Network Microsoft.Storage Microsoft.KeyVault
  Microsoft.ManagedIdentity Microsoft.DataProtection Microsoft.OperationalInsights Microsoft.OperationsManagement
  Microsoft.Insights Microsoft.Consumption Microsoft.PolicyInsights)
for ns in "${providers[@]}"; do
  if [ "$(exec az provider show --namespace "$ns" --query registrationState -o tsv 2>/dev/null)" != Registered ]; then
    run az provider register --namespace "$ns" --output none
  fi
done
echo "providers: ${#providers[@]} resource providers registered (or registering)"

# 4. State storage, per environment.
if [ ${#envs[@]} -eq 0 ]; then
  environments_into envs all
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
  fi
  # Versioning and blob soft delete recover a state that was overwritten or
  # deleted; container soft delete recovers a deleted container (Storage
  # Blob Data Contributor, the pipeline identities' role on their own
  # container, includes deleting it). On an account that exists too.
  protection=$(exec az storage account blob-service-properties show --account-name "$STATE_STORAGE_ACCOUNT" --resource-group "$STATE_RESOURCE_GROUP" \
    --query '[isVersioningEnabled, deleteRetentionPolicy.enabled, containerDeleteRetentionPolicy.enabled]' --output tsv 2>/dev/null) || true
  # Tabs and newlines as spaces, a run of spaces as one (tr -s '\t\n' '  ').
  protection=${protection//[$'\t\n']/ }
  while [[ $protection == *"  "* ]]; do protection=${protection//  / }; done
  if [ "${protection% }" = "true true true" ]; then
    echo "  versioning, blob and container soft delete are on"
  else
    run az storage account blob-service-properties update --account-name "$STATE_STORAGE_ACCOUNT" \
      --resource-group "$STATE_RESOURCE_GROUP" --enable-versioning true \
      --enable-delete-retention true --delete-retention-days 30 \
      --enable-container-delete-retention true --container-delete-retention-days 30 --output none
  fi
  account_id=$(exec az storage account show --name "$STATE_STORAGE_ACCOUNT" --resource-group "$STATE_RESOURCE_GROUP" --query id -o tsv 2>/dev/null) || account_id="<state-account-id>"
  me=$(exec az ad signed-in-user show --query id -o tsv 2>/dev/null) || true
  if [ -n "$me" ] && [ -z "$(exec az role assignment list --assignee "$me" --scope "$account_id" --role 'Storage Blob Data Contributor' --query '[].id' -o tsv 2>/dev/null)" ]; then
    run az role assignment create --assignee-object-id "$me" --assignee-principal-type User \
      --role 'Storage Blob Data Contributor' --scope "$account_id" --output none
  fi
  if az storage container show --name "$STATE_CONTAINER" --account-name "$STATE_STORAGE_ACCOUNT" --auth-mode login --output none 2>/dev/null; then
    echo "  container exists"
  elif [ "$dry_run" = true ]; then
    run az storage container create --name "$STATE_CONTAINER" --account-name "$STATE_STORAGE_ACCOUNT" --auth-mode login --output none
  else
    # The data role granted above may not apply yet: wait for it.
    wait_rbac "creating the container $STATE_CONTAINER with your Entra ID login" \
      az storage container create --name "$STATE_CONTAINER" --account-name "$STATE_STORAGE_ACCOUNT" --auth-mode login --output none
  fi
done

# 5. Identities and GitHub, printed for an admin to paste.
if [ -z "$repo" ]; then
  repo=$(git config --get remote.origin.url 2>/dev/null | sed -E 's#(git@github.com:|https://github.com/)##; s#\.git$##' || true)
fi
repo=${repo:-OWNER/REPO}

# The built-in roles the stacks assign (role_definition_name of every
# azurerm_role_assignment in constructs/; setup_test.go,
# TestSetupLetsTheIdentitiesGrantExactlyTheStacksRoles, checks this list
# against the synthesized stacks), by role definition ID. The deploying
# identity may grant these, and only these.
assignable_roles=(
  "4d97b98b-1d4f-4787-a291-c67834d212e7 Network Contributor"
  "b24988ac-6180-42a0-ab88-20f7382dd24c Contributor"
  "3e5e47e6-65f7-47ef-90b5-e5dd4d455f24 Disk Backup Reader"
  "7efff54f-a5b4-42b5-a1c5-5411624893ce Disk Snapshot Contributor"
  "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b Azure Kubernetes Service RBAC Cluster Admin"
  "4633458b-17de-408a-b874-0445c86b69e6 Key Vault Secrets User"
  "b86a8fe4-44ce-4948-aee5-eccb2c155cd7 Key Vault Secrets Officer"
)
role_ids=""
role_names=""
for r in "${assignable_roles[@]}"; do
  role_ids+="${role_ids:+, }${r%% *}"
  role_names+="${r#* }; "
done
# Role Based Access Control Administrator, conditioned: it may add and
# remove role assignments of the roles above only (Azure ABAC, "constrain
# roles"), so it cannot make itself or anyone Owner.
grant_condition="((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {$role_ids})) AND ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR (@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {$role_ids}))"

# state_condition VAR BLOB...: set VAR to the condition of Storage Blob
# Data Contributor on the state container to read, write and delete only
# these blobs (listing the container's blob names stays allowed: terraform
# init lists them).
state_condition() {
  local -n _condition=$1
  local _paths="" _b
  shift
  for _b in "$@"; do
    _paths+="${_paths:+ OR }@Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringEquals '$_b'"
  done
  _condition="((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND NOT SubOperationMatches{'Blob.List'}) AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'}) AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'}) AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})) OR ($_paths))"
}

# Every GitHub environment admits the branch main, by a policy of its own:
# "protected branches" would admit any branch someone protects, and rely on
# branch protection. Admins cannot bypass the environments' rules.
branch_policy='"can_admins_bypass": false, "deployment_branch_policy": {"protected_branches": false, "custom_branch_policies": true}'
# In the printed script, reviewer_N holds the user ID of the N-th reviewer.
reviewer_lines=""
reviewer_json=""
for i in "${!reviewers[@]}"; do
  reviewer_lines+="reviewer_$i=\$(gh api users/${reviewers[$i]} --jq .id)"$'\n'
  reviewer_json+="${reviewer_json:+, }{\"type\": \"User\", \"id\": \$reviewer_$i}"
done

put <<MSG

== Identities and GitHub: paste the script between the 8< lines into bash, ==
== as an admin of Entra ID (app registrations), of the environments'      ==
== resource groups (role assignments) and of the GitHub repository.       ==
== Deploy each environment by hand once first: the roles are granted on   ==
== its resource groups, which the first deployment creates. Every GitHub  ==
== environment admits the branch main only (a policy admins cannot        ==
== bypass). A second run reports what exists, brings an earlier setup in  ==
== line, and carries on.                                                  ==
-------- 8< --------
subscription=$subscription
tenant=$tenant
repo=$repo

# rbac_wait COMMAND...: retry for up to 5 minutes while Entra ID replicates
# a new service principal and Azure applies new role assignments.
rbac_wait() {
  local i
  for i in \$(seq 1 30); do
    "\$@" && return 0
    echo "  waiting for Entra ID / Azure RBAC to catch up (\$i/30)..." >&2
    sleep 10
  done
  echo "gave up after 5 minutes: \$*" >&2
  return 1
}
# identity NAME: find or create the app registration NAME and its service
# principal; sets app (the client ID) and sp (the principal's object ID).
identity() {
  app=\$(az ad app list --filter "displayName eq '\$1'" --query '[0].appId' -o tsv)
  [ -n "\$app" ] || app=\$(az ad app create --display-name "\$1" --query appId -o tsv)
  sp=\$(az ad sp list --filter "appId eq '\$app'" --query '[0].id' -o tsv)
  [ -n "\$sp" ] || sp=\$(az ad sp create --id "\$app" --query id -o tsv)
}
# trust GITHUB_ENVIRONMENT: let jobs in that environment of \$repo, and
# nothing else (no branch, no pull request), sign in as \$app.
trust() {
  az ad app federated-credential create --id "\$app" --output none --parameters "{\"name\": \"github-env-\$1\", \"issuer\": \"https://token.actions.githubusercontent.com\", \"subject\": \"repo:\$repo:environment:\$1\", \"audiences\": [\"api://AzureADTokenExchange\"]}"
}
# main_only GITHUB_ENVIRONMENT: its deployment branch policy admits the
# branch main and nothing else.
main_only() {
  local policies
  policies=\$(gh api "repos/\$repo/environments/\$1/deployment-branch-policies" --jq '.branch_policies[] | "\\(.type // "branch"):\\(.name)"')
  grep -qx 'branch:main' <<<"\$policies" || gh api -X POST "repos/\$repo/environments/\$1/deployment-branch-policies" -f name=main -f type=branch --silent
  policies=\$(grep -vx 'branch:main' <<<"\$policies" || true)
  [ -z "\$policies" ] || echo "!! the GitHub environment \$1 admits more than main: \$policies; delete those policies (Settings > Environments)" >&2
}
# untrust GITHUB_ENVIRONMENT: \$app no longer trusts it (an earlier setup
# let one identity plan and apply); nothing to do when it does not.
untrust() {
  az ad app federated-credential delete --id "\$app" --federated-credential-id "github-env-\$1" --output none 2>/dev/null || true
}
# grant ROLE SCOPE [CONDITION]: assign ROLE to \$sp on SCOPE.
grant() {
  if [ -n "\${3:-}" ]; then
    rbac_wait az role assignment create --assignee-object-id "\$sp" --assignee-principal-type ServicePrincipal --role "\$1" --scope "\$2" --condition "\$3" --condition-version 2.0 --output none
  else
    rbac_wait az role assignment create --assignee-object-id "\$sp" --assignee-principal-type ServicePrincipal --role "\$1" --scope "\$2" --output none
  fi
}
# The only roles the identities may grant: $role_names
grant_condition="$grant_condition"
MSG

# The GitHub environments of each environment (the workflows use the same
# names): a development environment <env> deploys in the GitHub environment
# <env>; a production environment <env> plans for review in <env>-plan and
# applies, after approval, in <env>. Every environment file is listed.
secret_envs=""
echo
echo "# ---- Environments ($CONFIG_DIR/<env>.json) and their GitHub environments ----"
for env in "${envs[@]}"; do
  load_env "$env"
  if [ "$BACKEND_TYPE" != azurerm ]; then
    echo "#   $ENVIRONMENT: keeps local state; the pipeline cannot deploy it (no identity, no GitHub environment)"
  elif [ "$PRODUCTION" = true ]; then
    echo "#   $ENVIRONMENT: production; GitHub environments $ENVIRONMENT-plan (plan for review, drift check: ${repo##*/}-$ENVIRONMENT-plan, reads only) and $ENVIRONMENT (approved apply: ${repo##*/}-$ENVIRONMENT)"
  else
    echo "#   $ENVIRONMENT: development; GitHub environment $ENVIRONMENT (${repo##*/}-$ENVIRONMENT)"
  fi
done

# github_environment NAME [REVIEWED]: print the commands that create or
# update the GitHub environment NAME, admitting main only, and with
# REVIEWED, the required reviewers (nobody approves their own run).
# shellcheck disable=SC2016 # $repo belongs to the printed script
github_environment() {
  if [ -z "${2:-}" ]; then
    printf 'gh api -X PUT "repos/$repo/environments/%s" --input - <<JSON\n{%s}\nJSON\n' "$1" "$branch_policy"
  elif [ ${#reviewers[@]} -eq 0 ]; then
    echo "# !! $1 is production and needs required reviewers: run setup.sh again with --reviewer LOGIN (two or more)."
    return
  else
    printf '%sgh api -X PUT "repos/$repo/environments/%s" --input - <<JSON\n{"prevent_self_review": true, "reviewers": [%s], %s}\nJSON\n' \
      "$reviewer_lines" "$1" "$reviewer_json" "$branch_policy"
  fi
  echo "main_only $1"
}

for env in "${envs[@]}"; do
  load_env "$env"
  [ "$BACKEND_TYPE" = azurerm ] || { echo; echo "# ---- $env keeps local state: the pipeline cannot deploy it; no identity. ----"; continue; }
  secret_envs+="${secret_envs:+ }$ENVIRONMENT"
  container_scope="/subscriptions/$subscription/resourceGroups/$STATE_RESOURCE_GROUP/providers/Microsoft.Storage/storageAccounts/$STATE_STORAGE_ACCOUNT/blobServices/default/containers/$STATE_CONTAINER"
  blobs=""
  state_condition blobs "$STATE_KEY_PREFIX/$AZURE_STACK.tfstate" "$STATE_KEY_PREFIX/$K8S_STACK.tfstate"
  var="client_id_${ENVIRONMENT//-/_}"
  put <<MSG

# ---- $ENVIRONMENT: identity ${repo##*/}-$ENVIRONMENT, which writes, trusted by the GitHub environment $ENVIRONMENT only ----
for rg in $ENV_RESOURCE_GROUPS; do
  az group show --name "\$rg" --output none || echo "!! \$rg does not exist: deploy $ENVIRONMENT by hand first (docs/deployment.md), then paste this part again" >&2
done
identity "${repo##*/}-$ENVIRONMENT"
trust $ENVIRONMENT
MSG
  if [ "$PRODUCTION" = true ]; then
    put <<MSG
# The unapproved plan job no longer signs in as the identity that writes:
untrust $ENVIRONMENT-plan
MSG
  fi
  put <<MSG
# Creates and updates the resources, and the policy assignments, in the
# environment's resource groups only:
for rg in $ENV_RESOURCE_GROUPS; do
  grant Contributor "/subscriptions/\$subscription/resourceGroups/\$rg"
  grant "Role Based Access Control Administrator" "/subscriptions/\$subscription/resourceGroups/\$rg" "\$grant_condition"
done
grant "Resource Policy Contributor" "/subscriptions/\$subscription/resourceGroups/$RESOURCE_GROUP"
# Reads and writes its own two state blobs, in its environment's own
# container, no other:
grant "Storage Blob Data Contributor" "$container_scope" "$blobs"
$var=\$app
MSG
  reviewed=""
  [ "$PRODUCTION" != true ] || reviewed=reviewed
  github_environment "$ENVIRONMENT" "$reviewed"
  echo "gh variable set AZURE_CLIENT_ID --repo \"\$repo\" --env $ENVIRONMENT --body \"\$$var\""
  [ "$PRODUCTION" = true ] || continue
  put <<MSG

# ---- $ENVIRONMENT-plan: identity ${repo##*/}-$ENVIRONMENT-plan, which only reads, trusted by the GitHub environment $ENVIRONMENT-plan only ----
# The plan for review and the drift check run without approval, on every
# push and every day: this identity can change nothing. It reads the
# resources (Reader), the cluster's user kubeconfig, which the refresh of
# the cluster and the in-cluster stack's provider read (Azure Kubernetes
# Service Cluster User Role; with Entra ID and no local accounts it holds
# no credential), and its environment's two state blobs, without a lease
# (the scripts plan with -lock=false).
identity "${repo##*/}-$ENVIRONMENT-plan"
trust $ENVIRONMENT-plan
for rg in $ENV_RESOURCE_GROUPS; do
  grant Reader "/subscriptions/\$subscription/resourceGroups/\$rg"
done
grant "Azure Kubernetes Service Cluster User Role" "/subscriptions/\$subscription/resourceGroups/$RESOURCE_GROUP"
grant "Storage Blob Data Reader" "$container_scope" "$blobs"
${var}_plan=\$app
MSG
  github_environment "$ENVIRONMENT-plan"
  echo "gh variable set AZURE_CLIENT_ID --repo \"\$repo\" --env $ENVIRONMENT-plan --body \"\$${var}_plan\""
  echo "# The plan never reads the secrets (write-only attributes): $ENVIRONMENT-plan has none."
  echo "for s in GH_PACKAGES_USERNAME GH_PACKAGES_TOKEN IPFS_PRIVATE_KEY; do gh secret delete \"\$s\" --repo \"\$repo\" --env $ENVIRONMENT-plan 2>/dev/null || true; done"
done

put <<MSG

# ---- GitHub: the repository ----
# Non-secret IDs are variables (vars.*); the client IDs are per environment
# (above), so a job outside an environment has none.
gh variable set AZURE_TENANT_ID --repo "\$repo" --body "\$tenant"
gh variable set AZURE_SUBSCRIPTION_ID --repo "\$repo" --body "\$subscription"
# The drift workflow opens and updates one issue with this label.
gh label create drift --repo "\$repo" --color D93F0B --description "Real infrastructure differs from main (drift workflow)" --force
# Release tags name what a rollback deploys (check-ref.sh deploys them only
# when they are on main): only admins may create, move or delete v* tags.
gh api -X POST "repos/\$repo/rulesets" --input - <<<'{"name": "release tags", "target": "tag", "enforcement": "active", "conditions": {"ref_name": {"include": ["refs/tags/v*"], "exclude": []}}, "rules": [{"type": "creation"}, {"type": "update"}, {"type": "deletion"}, {"type": "non_fast_forward"}], "bypass_actors": [{"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}]}'
# The node's secrets, in each GitHub environment that applies (Terraform
# writes them to Key Vault):
for e in $secret_envs; do
  gh secret set GH_PACKAGES_USERNAME --repo "\$repo" --env "\$e"
  gh secret set GH_PACKAGES_TOKEN --repo "\$repo" --env "\$e"      # a token with read:packages
  gh secret set IPFS_PRIVATE_KEY --repo "\$repo" --env "\$e"
done
# Moving from the earlier setup (one deploying identity for every
# environment, a read-only identity for pull requests): once the pipeline
# runs with the identities above, delete the old ones and their secrets:
#   az ad app delete --id "\$(az ad app list --filter "displayName eq 'perpetual-infra-deploy'" --query '[0].appId' -o tsv)"
#   az ad app delete --id "\$(az ad app list --filter "displayName eq 'perpetual-infra-plan'" --query '[0].appId' -o tsv)"
#   for s in AZURE_CLIENT_ID AZURE_PLAN_CLIENT_ID AZURE_TENANT_ID AZURE_SUBSCRIPTION_ID; do gh secret delete "\$s" --repo "\$repo"; done
# Moving from the GitHub environments production-plan and production (the
# earlier names, for the one production environment) to <env>-plan and
# <env> (above): once the pipeline has run with the new ones, delete the
# old environments and the production identity's federated credentials for
# them (<env>: that production environment):
#   gh api -X DELETE "repos/\$repo/environments/production-plan"; gh api -X DELETE "repos/\$repo/environments/production"
#   app=\$(az ad app list --filter "displayName eq '\${repo##*/}-<env>'" --query '[0].appId' -o tsv)
#   az ad app federated-credential delete --id "\$app" --federated-credential-id github-env-production-plan
#   az ad app federated-credential delete --id "\$app" --federated-credential-id github-env-production
-------- >8 --------
MSG
