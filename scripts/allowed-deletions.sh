#!/usr/bin/env bash
# allowed-deletions.sh: turn a run's allowed deletions (the input of the
# Infrastructure workflow) into the file plancheck -guard reads, and say
# them in Markdown for the job summary.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/allowed-deletions.sh ENTRIES FILE

ENTRIES: "ADDRESS REASON" entries separated by ";" (a workflow input is one
line), for instance
  azurerm_managed_disk.data moved to a new disk, restored from the backup
Writes FILE, one entry a line, for plancheck -guard (deploy.sh --allow),
and prints the entries as Markdown for the job summary ("none" when
ENTRIES is empty). An entry without a reason is refused (exit status 1):
every deletion or replacement of data or of the cluster that a production
apply makes is named and explained.

Options:
  -h, --help   show this text
USAGE
}

case "${1:-}" in
  -h|--help) usage; exit 0 ;;
esac
[ $# -eq 2 ] || { usage >&2; exit 2; }
entries=$1
file=$2
: >"$file"
echo "### Allowed deletions and replacements of data and of the cluster"
echo
n=0
IFS=';' read -r -a list <<<"$entries"
for entry in ${list[@]+"${list[@]}"}; do
  read -r addr reason <<<"$entry" || true
  [ -n "${addr:-}" ] || continue
  if [ -z "${reason:-}" ]; then
    echo "allowed-deletions.sh: '$addr' has no reason: write the address, a space and why it may be deleted or replaced" >&2
    exit 1
  fi
  printf '%s %s\n' "$addr" "$reason" >>"$file"
  # shellcheck disable=SC2016 # the backquotes are Markdown
  printf -- '- `%s`: %s\n' "$addr" "$reason"
  n=$((n + 1))
done
if [ "$n" = 0 ]; then
  echo "None: this run applies no plan that deletes or replaces data or the cluster (plancheck -guard)."
fi
echo
