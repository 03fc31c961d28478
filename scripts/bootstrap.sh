#!/usr/bin/env bash
# bootstrap.sh: everything a fresh clone needs before Go can build it.
#
#   1. `npm ci` installs the pinned Node.js tooling from package-lock.json
#      (cdktf-cli, jsii-pacmak, the @cdktf/provider-kubernetes assembly).
#   2. `jsii-pacmak --target go` turns @cdktf/provider-kubernetes and
#      @cdktf/provider-azurerm into the Go modules
#      github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11 and
#      github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13, which the Go
#      module proxy does not serve. go.mod points at them with `replace`
#      directives; the generated code is git-ignored and never committed.
#
# Each step records a stamp (a hash of its inputs) and is skipped when the
# stamp still matches, so running this again costs well under a second.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/bootstrap.sh [--force] [--help]

Installs the pinned npm packages and generates the Go bindings of the
Kubernetes and azurerm providers into .gen/kubernetes and .gen/azurerm.
Safe to run any number of times.

  --force   regenerate even when the stamps say nothing changed
  --help    show this text
USAGE
}

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bootstrap.sh: unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "bootstrap.sh: '$1' is not installed or not on PATH. $2" >&2
    exit 1
  fi
}
need node "Install Node.js 20 or newer (https://nodejs.org/) and run this again."
need npm "npm comes with Node.js; install Node.js 20 or newer and run this again."

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "bootstrap.sh: Node.js $(node --version) is too old; jsii-pacmak and cdktf-cli need Node.js 20 or newer." >&2
  exit 1
fi

# Node 20 is past its end of life; jsii prints a large banner on every start.
# jsii-pacmak 1.140 only stays quiet when the variable lists the major version.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export CHECKPOINT_DISABLE=1

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

# Step 1: node_modules from the lock file.
npm_stamp_file=node_modules/.bootstrap-stamp
npm_stamp=$(hash_of package.json package-lock.json)
if [ "$force" = 1 ] || [ ! -f "$npm_stamp_file" ] || [ "$(cat "$npm_stamp_file")" != "$npm_stamp" ]; then
  echo "bootstrap: npm ci (pinned tooling from package-lock.json)"
  # --ignore-scripts: nothing we use needs an install script; node-pty, which
  # cdktf-cli uses for interactive deploys, ships prebuilt binaries.
  npm ci --ignore-scripts --no-audit --no-fund --no-update-notifier --loglevel=error
  echo "$npm_stamp" > "$npm_stamp_file"
fi

# Step 2: the Go bindings of the providers. One jsii-pacmak run per
# provider, each stamped separately, so that a change of one package
# regenerates only that one.
# A package's stamp: its and jsii-pacmak's integrity in package-lock.json,
# and this script.
pkg_stamp() {
  node -e 'const l = require("./package-lock.json").packages;
    for (const p of process.argv.slice(1)) console.log(p, l["node_modules/" + p].integrity);' "$1" jsii-pacmak |
    cat - "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1
}
generate() {
  local name=$1 pkg=$2 module=$3 seconds=$4
  local dir=.gen/$name stamp_file=.gen/$name.stamp stamp
  stamp=$(pkg_stamp "$pkg")
  if [ "$force" = 0 ] && [ -f "$stamp_file" ] && [ -f "$dir/go.mod" ] && [ "$(cat "$stamp_file")" = "$stamp" ]; then
    return 0
  fi
  echo "bootstrap: jsii-pacmak --target go $pkg (about $seconds s)"
  local tmp
  tmp=$(mktemp -d .gen.tmp.XXXXXX)
  # shellcheck disable=SC2064 # expand now: the trap removes this run's directory
  trap "rm -rf '$tmp'" EXIT
  node_modules/.bin/jsii-pacmak --target go --code-only --outdir "$tmp" "node_modules/$pkg"
  local src="$tmp/go/$name"
  if [ ! -f "$src/go.mod" ] || ! grep -q "^module $module\$" "$src/go.mod"; then
    echo "bootstrap.sh: jsii-pacmak did not produce the module $module in $src" >&2
    exit 1
  fi
  # The generated per-resource README files are documentation only; the
  # code is formatted so that `gofmt -l .` stays quiet in this checkout.
  find "$src" -name '*.md' -delete
  gofmt -w "$src"
  mkdir -p .gen
  rm -rf "$dir" "$stamp_file"
  mv "$src" "$dir"
  rm -rf "$tmp"
  trap - EXIT
  echo "$stamp" > "$stamp_file"
}
generate kubernetes @cdktf/provider-kubernetes github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11 30
generate azurerm @cdktf/provider-azurerm github.com/cdktf/cdktf-provider-azurerm-go/azurerm/v13 70
echo "bootstrap: ready (node_modules and .gen/ match package-lock.json)"
