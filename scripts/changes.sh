#!/usr/bin/env bash
# changes.sh: what the working tree's changes (code and configuration) do to
# the synthesized stacks, against a git revision, offline and without
# credentials: resource by resource (cmd/stackdiff, with stateful resources
# at risk called out) and the monthly cost (cmd/cost -base).
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/changes.sh [REVISION]

Synthesizes REVISION (default HEAD, as committed) and the working tree (as
it is, uncommitted changes and new environment files included) into
temporary directories, then prints the structural difference of every
stack and the change of each stack's monthly estimate. Nothing in
cdktf.out changes. make changes runs it; make changes BASE=origin/main
compares with another revision.
USAGE
}
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  -*) die "unknown option $1 (see --help)" ;;
esac
base=${1:-HEAD}
need git "Install git."
need_go
git rev-parse --verify --quiet "$base^{commit}" >/dev/null || die "$base is not a commit of this repository"

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
mkdir "$work/base"
git archive "$base" | tar -x -C "$work/base"
# The generated bindings and the Node.js tooling are the working tree's.
ln -s "$ROOT/.gen" "$work/base/.gen"
ln -s "$ROOT/node_modules" "$work/base/node_modules"
if ! git diff --quiet "$base" -- package-lock.json; then
  echo "changes: package-lock.json differs from $base; $base is synthesized with the working tree's provider bindings" >&2
fi

echo "== synthesizing $base" >&2
(cd "$work/base" && go run . -config config -out "$work/base.out") >&2 ||
  die "$base does not synthesize (above)"
echo "== synthesizing the working tree" >&2
go run . -config "$CONFIG_DIR" -out "$work/head.out" >&2 || die "the working tree does not synthesize (above)"

echo "# Stacks: $base -> working tree"
go run ./cmd/stackdiff -base "$work/base.out" -head "$work/head.out"
echo
echo "# Monthly estimate: $base -> working tree"
go run ./cmd/cost -base "$work/base.out" -out "$work/head.out"
