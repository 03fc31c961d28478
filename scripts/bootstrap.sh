#!/usr/bin/env bash
# bootstrap.sh: everything a fresh clone needs before Go can build it.
#
#   1. `npm ci` installs the pinned Node.js tooling from package-lock.json
#      (cdktf-cli, jsii-pacmak, the @cdktf/provider-kubernetes assembly).
#   2. `jsii-pacmak --target go` turns @cdktf/provider-kubernetes into the Go
#      module github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11,
#      which the Go module proxy does not serve. go.mod points at it with a
#      `replace`; the generated code is git-ignored and never committed.
#
# Each step records a stamp (a hash of its inputs) and is skipped when the
# stamp still matches, so running this again costs well under a second.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/bootstrap.sh [--force] [--help]

Installs the pinned npm packages and generates the Go bindings of the
Kubernetes provider into .gen/kubernetes. Safe to run any number of times.

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

# Step 2: the Go bindings of the Kubernetes provider.
gen_dir=.gen/kubernetes
gen_stamp_file=.gen/kubernetes.stamp
gen_stamp=$(hash_of package-lock.json "${BASH_SOURCE[0]}")
if [ "$force" = 1 ] || [ ! -f "$gen_stamp_file" ] || [ ! -f "$gen_dir/go.mod" ] || [ "$(cat "$gen_stamp_file")" != "$gen_stamp" ]; then
  echo "bootstrap: jsii-pacmak --target go @cdktf/provider-kubernetes (about 30 s)"
  tmp=$(mktemp -d .gen.tmp.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  node_modules/.bin/jsii-pacmak --target go --code-only --outdir "$tmp" \
    node_modules/@cdktf/provider-kubernetes
  src="$tmp/go/kubernetes"
  if [ ! -f "$src/go.mod" ] || ! grep -q '^module github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11$' "$src/go.mod"; then
    echo "bootstrap.sh: jsii-pacmak did not produce the module github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v11 in $src" >&2
    exit 1
  fi
  # The generated per-resource README files are documentation only; the
  # code is formatted so that `gofmt -l .` stays quiet in this checkout.
  find "$src" -name '*.md' -delete
  gofmt -w "$src"
  mkdir -p .gen
  rm -rf "$gen_dir"
  mv "$src" "$gen_dir"
  echo "$gen_stamp" > "$gen_stamp_file"
fi
echo "bootstrap: ready (node_modules and $gen_dir match package-lock.json)"
