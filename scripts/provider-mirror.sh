#!/usr/bin/env bash
# provider-mirror.sh: the Terraform providers the stacks pin, built from
# their tagged sources and laid out as a filesystem mirror, for make
# validate, tftest and ktest on a machine that cannot reach the Terraform
# registry (with registry access none of this is needed).
#
# Usage: scripts/provider-mirror.sh [NAME[@VERSION][=GITDIR] ...]
#
# For every bindings/<name>.schema.json it takes the provider's version
# (provider_versions; NAME@VERSION builds another, for
# make provider-schema VERSION=...), checks out the tag v<version> of
# github.com/hashicorp/terraform-provider-<name> (a shallow clone, or the
# local clone or bare git directory given as NAME=GITDIR), builds it with
# `go build` and installs it in Terraform's unpacked mirror layout:
#
#   $PROVIDER_MIRROR/registry.terraform.io/hashicorp/<name>/<version>/<os>_<arch>/terraform-provider-<name>_v<version>
#
# PROVIDER_MIRROR defaults to ~/.cache/terraform-provider-mirror, where
# cmd/tfcheck and .ci/run look when TF_CLI_CONFIG_FILE is unset. It then
# writes $PROVIDER_MIRROR/terraformrc (a CLI configuration that installs
# hashicorp's providers from the mirror only) and prints
# TF_CLI_CONFIG_FILE=<that file> on standard output (progress goes to
# standard error), so that
#
#   export "$(scripts/provider-mirror.sh)"
#
# A provider already in the mirror is not built again. azurerm takes 15-25
# minutes and about 4 GiB of memory on two cores; kubernetes a few minutes.
set -euo pipefail

usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
cd "$(dirname "${BASH_SOURCE[0]}")/.."

declare -A gitdirs=() versions=()
for arg in "$@"; do
  if ! [[ "$arg" =~ ^([a-z0-9]+)(@([0-9]+\.[0-9]+\.[0-9]+))?(=(.+))?$ ]] || [ ! -f "bindings/${BASH_REMATCH[1]}.schema.json" ]; then
    echo "provider-mirror.sh: $arg is not NAME[@VERSION][=GITDIR] for a provider of bindings/" >&2
    exit 2
  fi
  [ -z "${BASH_REMATCH[3]}" ] || versions[${BASH_REMATCH[1]}]=${BASH_REMATCH[3]}
  [ -z "${BASH_REMATCH[5]}" ] || gitdirs[${BASH_REMATCH[1]}]=${BASH_REMATCH[5]}
done
command -v go >/dev/null || { echo "provider-mirror.sh: Go is not installed" >&2; exit 1; }
command -v git >/dev/null || { echo "provider-mirror.sh: git is not installed" >&2; exit 1; }

mirror=${PROVIDER_MIRROR:-$HOME/.cache/terraform-provider-mirror}
platform=$(go env GOOS)_$(go env GOARCH)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

for schema in bindings/*.schema.json; do
  name=$(basename "$schema" .schema.json)
  # "provider_versions": {"registry.terraform.io/hashicorp/<name>": "<version>"}
  version=${versions[$name]:-$(tr -d ' \n' < "$schema" | grep -o "\"provider_versions\":{\"registry.terraform.io/hashicorp/$name\":\"[0-9][^\"]*\"" | sed 's/.*:"//; s/"$//')}
  [ -n "$version" ] || { echo "provider-mirror.sh: $schema names no version of registry.terraform.io/hashicorp/$name" >&2; exit 1; }
  dest=$mirror/registry.terraform.io/hashicorp/$name/$version/$platform
  bin=$dest/terraform-provider-${name}_v$version
  if [ -x "$bin" ]; then
    echo "provider-mirror.sh: $name $version: already in $mirror" >&2
    continue
  fi
  src=$work/$name
  if [ -n "${gitdirs[$name]:-}" ]; then
    echo "provider-mirror.sh: $name $version: checking out v$version of ${gitdirs[$name]}" >&2
    gitdir=$(git -C "${gitdirs[$name]}" rev-parse --absolute-git-dir) || { echo "provider-mirror.sh: ${gitdirs[$name]} is no git directory" >&2; exit 1; }
    mkdir -p "$src"
    git --git-dir="$gitdir" archive --format=tar "v$version" | tar -x -C "$src"
  else
    echo "provider-mirror.sh: $name $version: cloning v$version of github.com/hashicorp/terraform-provider-$name" >&2
    git -c advice.detachedHead=false clone -q --depth 1 --branch "v$version" \
      "https://github.com/hashicorp/terraform-provider-$name.git" "$src"
  fi
  echo "provider-mirror.sh: $name $version: building" >&2
  mkdir -p "$dest"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o "$bin.tmp" .)
  mv "$bin.tmp" "$bin"
  echo "provider-mirror.sh: $name $version: $bin" >&2
done

cat > "$mirror/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
EOF
echo "TF_CLI_CONFIG_FILE=$mirror/terraformrc"
