#!/usr/bin/env bash
# bench.sh: how long a whole synthesis of every stack takes, as a user sees
# it: one process, from start to the last stack written (Go start, jsii's
# Node.js process, loading the bindings, building and writing the stacks).
#
# Usage: scripts/bench.sh [-n RUNS] [BASE]
#
#   -n RUNS  timed runs of each program after one untimed warm-up (default 5)
#   BASE     another build of the app (a binary, e.g. of an earlier commit:
#            git worktree add /tmp/base <rev> && make -C /tmp/base setup &&
#            go -C /tmp/base build -o /tmp/base/app .), timed in turn with
#            this checkout's, run by run, on the same configuration
#
# Prints each run's seconds, the median of each program and, with BASE, the
# median ratio BASE/this. Both programs write into temporary directories
# that are removed afterwards.
set -euo pipefail
# shellcheck source=scripts/lib.sh
if [[ ${BASH_SOURCE[0]} == */* ]]; then source "${BASH_SOURCE[0]%/*}/lib.sh"; else source ./lib.sh; fi

runs=5
case "${1:-}" in
  -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  -n) runs=${2:?-n needs a number}; shift 2 ;;
esac
base=${1:-}
[ $# -le 1 ] || die "too many arguments (see --help)"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die "-n takes a whole number, not $runs"
if [ -n "$base" ]; then
  [ -x "$base" ] || die "$base is not an executable build of the app"
  base=$(cd "$(dirname "$base")" && pwd)/$(basename "$base")
fi
need_go

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/app" .

# seconds PROGRAM: run one synthesis of config/ into a new directory and
# print its wall-clock seconds.
seconds() {
  local out start end
  out=$(mktemp -d "$work/out.XXXXXX")
  start=$(date +%s.%N)
  TMPDIR=$work "$1" -config "$CONFIG_DIR" -out "$out/cdktf.out" >/dev/null 2>&1 || die "$1 failed to synthesize config/"
  end=$(date +%s.%N)
  rm -rf "$out"
  awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f\n", b - a}' 
}

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

programs=("$work/app")
[ -z "$base" ] || programs+=("$base")
for p in "${programs[@]}"; do seconds "$p" >/dev/null; done # warm-up: page cache, jsii's package cache
: >"$work/this"
: >"$work/base"
for i in $(seq "$runs"); do
  t=$(seconds "$work/app")
  echo "$t" >>"$work/this"
  if [ -n "$base" ]; then
    b=$(seconds "$base")
    echo "$b" >>"$work/base"
    printf 'run %d: this %.2f s, base %.2f s\n' "$i" "$t" "$b"
  else
    printf 'run %d: %.2f s\n' "$i" "$t"
  fi
done
this_median=$(median <"$work/this")
printf 'this checkout: median %.2f s over %d runs\n' "$this_median" "$runs"
if [ -n "$base" ]; then
  base_median=$(median <"$work/base")
  printf 'base %s: median %.2f s; base/this %.2f\n' "$base" "$base_median" "$(awk -v a="$base_median" -v b="$this_median" 'BEGIN {print a / b}')"
fi
