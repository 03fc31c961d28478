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

Resolves REF, in this clone (fetched with full history and tags), to a
commit and prints its full SHA when the pipeline may deploy it:

  - a release tag (v*): tags matching v* are protected by a ruleset
    (scripts/setup.sh prints it), so only maintainers create them;
  - any other ref whose commit is on main: an ancestor of origin/main (or
    main itself), that is, reviewed and merged code.

Anything else (a feature branch, a commit of a pull request, a fork's
commit) is refused with exit status 1. Deploy the SHA it prints, not REF: a
branch can move between this check and the checkout.

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

if sha=$(git rev-parse --verify --quiet "refs/tags/$ref^{commit}"); then
  if [[ "$ref" == v* ]]; then
    echo "check-ref.sh: $ref is a release tag, commit $sha" >&2
    echo "$sha"
    exit 0
  fi
elif ! sha=$(git rev-parse --verify --quiet "refs/remotes/origin/$ref^{commit}"); then
  sha=$(git rev-parse --verify --quiet "$ref^{commit}") || die "'$ref' is not a branch, tag or commit of this repository"
fi
git merge-base --is-ancestor "$sha" origin/main ||
  die "'$ref' ($sha) is not on main; only merged commits (ancestors of origin/main) and release tags (v*) are deployed"
echo "check-ref.sh: $ref is commit $sha on main" >&2
echo "$sha"
