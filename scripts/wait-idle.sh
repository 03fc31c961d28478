#!/usr/bin/env bash
# wait-idle.sh: wait until no run of the named GitHub workflows is active,
# so that a scheduled job (stopping the dev cluster, sweeping firewalls,
# planning for drift) does not cut into a deployment. It does not share a
# concurrency group with the deployments on purpose: a queued job in a
# group cancels the job already pending there, which would be a deploy.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/wait-idle.sh [--timeout SECONDS] [--interval SECONDS] WORKFLOW ...

Asks GitHub (gh run list, in the repository of GH_REPO or the current
directory) for runs of each WORKFLOW (a file name such as infra.yml) that
are queued, pending or in progress, other than this run (GITHUB_RUN_ID),
and waits until there are none. A run waiting for a reviewer's approval is
not active: it touches nothing until approved.

Exit status: 0 when idle, 1 when still busy after the timeout (default 3600
seconds) or when GitHub cannot be asked, 2 on bad usage.

Options:
  --timeout SECONDS    give up after this long (default 3600)
  --interval SECONDS   between two looks (default 60)
  -h, --help           show this text
USAGE
}

timeout=3600
interval=60
workflows=()
while [ $# -gt 0 ]; do
  case "$1" in
    --timeout) timeout=${2:?--timeout needs seconds}; shift ;;
    --interval) interval=${2:?--interval needs seconds}; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "wait-idle.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) workflows+=("$1") ;;
  esac
  shift
done
[ ${#workflows[@]} -gt 0 ] || { usage >&2; exit 2; }
command -v gh >/dev/null 2>&1 || { echo "wait-idle.sh: 'gh' (GitHub CLI) is not installed or not on PATH" >&2; exit 1; }

# active: print the active runs (workflow and id), one a line.
active() {
  local wf ids
  for wf in "${workflows[@]}"; do
    ids=$(gh run list --workflow "$wf" --limit 50 --json databaseId,status \
      --jq '.[] | select(.status == "queued" or .status == "pending" or .status == "requested" or .status == "in_progress") | .databaseId') ||
      { echo "wait-idle.sh: cannot list the runs of $wf (above)" >&2; return 1; }
    while read -r id; do
      [ -n "$id" ] && [ "$id" != "${GITHUB_RUN_ID:-}" ] && echo "$wf run $id"
    done <<<"$ids"
  done
  return 0
}

waited=0
while :; do
  busy=$(active) || exit 1
  if [ -z "$busy" ]; then
    echo "idle: no active run of ${workflows[*]}"
    exit 0
  fi
  if [ "$waited" -ge "$timeout" ]; then
    echo "wait-idle.sh: still busy after ${timeout}s: $(tr '\n' ' ' <<<"$busy")" >&2
    exit 1
  fi
  echo "waiting for: $(tr '\n' ' ' <<<"$busy")"
  sleep "$interval"
  waited=$((waited + interval))
done
