#!/usr/bin/env bash
# environments.sh: list the environments. An environment is a file,
# config/<env>.json; cmd/envinfo -list turns the files into a list. This is
# that list as a command (lib.sh's environments()), for people and for the
# workflows' matrices (.github/actions/environments); the other scripts call
# environments() and the Makefile runs cmd/envinfo -list itself.
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

usage() {
  cat <<'USAGE'
Usage: scripts/environments.sh [--production|--development] [--json]

Prints the environments, one name a line in name order: every file
$CONFIG_DIR/<env>.json (CONFIG_DIR defaults to config), each validated as
make synth validates it, so that the list never names an environment that
synthesis rejects. "production": true in a file makes that environment a
production environment (reviewed plans, approval, stricter rules); every
other is a development environment.

Options:
  --production    production environments only
  --development   development environments only
  --json          a JSON array on one line, for a workflow matrix
                  (fromJSON); [] when there is none
  -h, --help      show this text
USAGE
}

kind=all
json=false
while [ $# -gt 0 ]; do
  case "$1" in
    --production) kind=production ;;
    --development) kind=development ;;
    --json) json=true ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done
if [ "$json" = true ]; then
  environments "$kind" -json
else
  environments "$kind"
fi
