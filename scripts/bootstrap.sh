#!/usr/bin/env bash
# bootstrap.sh: everything a fresh clone needs before Go can build it.
#
#   1. `npm ci` installs the pinned Node.js tooling from package-lock.json
#      (cdktf-cli, the cdktf provider generator, jsii, jsii-pacmak).
#   2. bindings/bindings.js generates the Go bindings of the providers from
#      their trimmed schemas (bindings/<provider>.schema.json) into the Go
#      module .gen/providers, offline: no provider binary, no registry.
#      go.mod points at it with a `replace` directive; the generated code is
#      git-ignored and never committed.
#
# Each step records a stamp (a hash of its inputs) and is skipped when the
# stamp still matches, so running this again costs well under a second.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/bootstrap.sh [--force] [--help]

Installs the pinned npm packages and generates the Go bindings of the
providers (bindings/*.schema.json) into .gen/providers. Safe to run any
number of times.

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

# The Node.js major version the tooling needs (package.json "engines").
node_min=22
node_hint="Install Node.js $node_min or newer from https://nodejs.org/, or on Linux x64 run: export \"\$(scripts/node.sh)\""
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "bootstrap.sh: '$1' is not installed or not on PATH. $2" >&2
    exit 1
  fi
}
need node "$node_hint"
need npm "npm comes with Node.js. $node_hint"
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt "$node_min" ]; then
  echo "bootstrap.sh: Node.js $(node --version) is too old: the tooling needs Node.js $node_min or newer (Node.js 20 reached its end of life on 2026-04-30). $node_hint" >&2
  exit 1
fi
export CHECKPOINT_DISABLE=1
# npm on Node.js 22, which npm ci and the bindings' generator (jsii-pacmak)
# run, otherwise leaves a node-compile-cache directory in $TMPDIR.
export NODE_DISABLE_COMPILE_CACHE=1

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

# Step 2: the Go bindings. Their stamp: the schemas, the generator, the
# pinned Node.js tooling, the Go modules the bindings require (go.mod) and
# this script.
out=.gen/providers
stamp_file=.gen/providers.stamp
stamp=$({ cat bindings/*.schema.json bindings/bindings.js package-lock.json "${BASH_SOURCE[0]}"
  grep -E '^\s*(go |github.com/(aws|hashicorp/terraform-cdk-go)/)' go.mod; } | sha256sum | cut -d' ' -f1)
if [ "$force" = 1 ] || [ ! -f "$stamp_file" ] || [ ! -f "$out/go.mod" ] || [ "$(cat "$stamp_file")" != "$stamp" ]; then
  echo "bootstrap: generating the provider bindings from bindings/*.schema.json (about a minute)"
  # Bindings of earlier versions of this script, generated from prebuilt
  # npm packages.
  rm -rf .gen/azurerm .gen/kubernetes .gen/azurerm.stamp .gen/kubernetes.stamp "$stamp_file"
  node bindings/bindings.js generate "$out"
  # gofmt, so that `gofmt -l .` stays quiet in this checkout.
  gofmt -w "$out"
  echo "$stamp" > "$stamp_file"
fi
echo "bootstrap: ready (node_modules and .gen/ match package-lock.json and bindings/)"
