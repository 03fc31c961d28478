#!/usr/bin/env bash
# check-ref.sh: decide whether a ref may be deployed by the pipeline, before
# any credential is used. A dispatched run (a rollback) names any branch,
# tag or commit, and GitHub's environment rules look only at the branch the
# workflow runs on, not at the ref it checks out: this is the rule for that
# ref.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/check-ref.sh REF

Resolves REF (a branch, a tag or a commit), in this clone (fetched with
full history and tags), to a commit and prints its full SHA when the
pipeline may deploy it: when that commit is on main, an ancestor of
origin/main (or main itself), that is, reviewed and merged code. A tag is
no exception: a release tag (v*) on a commit that never reached main is
refused like any branch.

Anything else (a feature branch, a commit of a pull request, a fork's
commit, a tag on one of them) is refused with exit status 1. Deploy the SHA
it prints, not REF: a branch or a tag can move between this check and the
checkout.

Options:
  -h, --help   show this text
USAGE
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac
[ $# -eq 1 ] || { usage >&2; exit 2; }
ref=$1
die() {
  echo "check-ref.sh: $*" >&2
  exit 1
}
# A ref is a name, never an option or a revision expression.
if ! [[ "$ref" =~ ^[A-Za-z0-9][A-Za-z0-9._/-]*$ ]] || [[ "$ref" == *..* ]]; then
  die "'$ref' is not a branch, tag or commit name"
fi
git rev-parse --verify --quiet origin/main >/dev/null || die "origin/main is not in this clone: check out with fetch-depth: 0"

what="commit"
if sha=$(git rev-parse --verify --quiet "refs/tags/$ref^{commit}"); then
  what="tag, commit"
elif ! sha=$(git rev-parse --verify --quiet "refs/remotes/origin/$ref^{commit}"); then
  sha=$(git rev-parse --verify --quiet "$ref^{commit}") || die "'$ref' is not a branch, tag or commit of this repository"
fi
git merge-base --is-ancestor "$sha" origin/main ||
  die "'$ref' ($what $sha) is not on main; only commits of main (ancestors of origin/main) are deployed, a release tag's too"
echo "check-ref.sh: $ref is $what $sha on main" >&2
echo "$sha"
