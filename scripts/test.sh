#!/usr/bin/env bash
# test.sh: make test. go test over every package, printing what go test
# prints, plus a line for each package that is still running every
# TEST_PROGRESS seconds, in a $TMPDIR of its own that must stay empty.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/test.sh [go test flags and packages]

Runs go test -json with the arguments and prints what go test prints: an ok line for each package that passes, and for one
that fails, the output of its failing tests and its FAIL lines. While a
package runs, a line says so every TEST_PROGRESS seconds (default 20):

  ... 	github.com/my-mimisbrunnr/perpetual-infra/scripts	20s so far

Without arguments, as make test runs it, every package's tests run
(./...), from test binaries kept in TEST_BIN (default: a directory for
this checkout in ~/.cache/perpetual-infra/testbin/) that go test links
again only when their package or a dependency changed: the link of every
test binary on every run is most of what an unchanged package costs.
go test -o DIR/ names them after the package's last path element and
refuses two of one name, so packages that share one run in a later round
of their own.

go test reuses a package's last result ("(cached)") while its test binary
and everything its tests read are unchanged: the packages whose tests
start programs declare what those read (tools/testinputs). TEST_FRESH=1
runs every test again (-count=1).

The tests run with a $TMPDIR of their own, empty at the start (the same
path on every run from this checkout, for go test's cache). Anything a
test, or a program a test ran, leaves there is named, and fails the run;
the directory is removed afterwards. Run one make test at a time in a
checkout: a second one would empty the first one's $TMPDIR and replace its
test binaries.

Exit status: go test's; 1 when go test passed but something was left in
$TMPDIR.
USAGE
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
esac
every=${TEST_PROGRESS:-20}
[[ "$every" =~ ^[1-9][0-9]*$ ]] || { echo "test.sh: TEST_PROGRESS must be a number of seconds, not '$every'" >&2; exit 2; }
command -v go >/dev/null 2>&1 || { echo "test.sh: 'go' is not installed or not on PATH. Install Go 1.26 (https://go.dev/dl/)." >&2; exit 1; }

# The tests' $TMPDIR has the same name on every run from this checkout:
# go test reuses a package's result only while the variables its tests
# read ($TMPDIR among them) are unchanged. What an interrupted run left
# there goes first.
checkout=${PWD#/}
checkout=${checkout//\//-} # this checkout's path as a file name
tmp="${TMPDIR:-/tmp}/perpetual-infra-test-$UID-$checkout"
rm -rf "$tmp"
mkdir -m 700 "$tmp"
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# field NAME: REPLY is the value of the string field NAME of the event in
# $ev (one line of JSON), still encoded, or "" when it has none. Package
# paths and actions hold no quote. A test's name and an output may: their
# value ends where the next field starts (",", which no encoded string
# holds) or at the end of the line ("}).
field() {
  REPLY=""
  case "$ev" in *"\"$1\":\""*) ;; *) return 0 ;; esac
  REPLY=${ev#*\""$1"\":\"}
  case "$1" in
    Test | Output) REPLY=${REPLY%%\",\"*}; REPLY=${REPLY%\"\}} ;;
    *) REPLY=${REPLY%%\"*} ;;
  esac
}

# unjson: REPLY, a JSON string's content, decoded (\", \\, \/, \n, \t,
# \uXXXX ...). A placeholder keeps an escaped backslash from joining the
# next character; printf %b decodes the rest.
unjson() {
  local s=$REPLY
  s=${s//\\\\/$'\x01'}
  s=${s//\\\"/\"}
  s=${s//\\\//\/}
  s=${s//$'\x01'/\\\\}
  printf -v REPLY '%b' "$s"
}

# failed: the output of the test $test of $pkg that failed, as go test
# shows it: its result line (--- FAIL), which comes last, first, then
# what it printed, then its failed subtests, each the same way.
failed() {
  local out=${tests[$key]-} result
  result=${out%$'\n'}
  result=${result##*$'\n'}
  [[ "$result" != *"--- FAIL: "* ]] || out="$result"$'\n'${out%"$result"$'\n'}
  out+=${subtests[$key]-}
  if [[ "$test" == */* ]]; then
    subtests[$pkg ${test%/*}]+=$out
  else
    text[$pkg]+=$out
  fi
}

# render: go test -json on stdin, go test's own text on stdout. A
# package's text is printed when it ends, in one piece: only the ok line
# when it passed; its failing tests' output and its own lines when it
# failed. Build errors are printed as they come.
render() {
  local ev rest="" rc action pkg test out key now=-1 t
  local -A started=() next=() tests=() subtests=() text=() own=()
  while :; do
    if IFS= read -r -t 1 ev; then
      ev=$rest$ev
      rest=""
    else
      rc=$?
      if [ "$rc" -gt 128 ]; then
        # No whole line within a second: keep what came, say what runs.
        rest+=$ev
        ev=""
      else
        ev=$rest$ev
        rest=""
        [ -n "$ev" ] || break
      fi
    fi
    if [ "$SECONDS" != "$now" ]; then
      now=$SECONDS
      for pkg in "${!started[@]}"; do
        t=${next[$pkg]}
        if [ "$now" -ge "$t" ]; then
          printf '... \t%s\t%ds so far\n' "$pkg" "$((now - ${started[$pkg]}))"
          next[$pkg]=$((t + every))
        fi
      done
    fi
    [ -n "$ev" ] || continue
    if [[ "$ev" != "{"* ]]; then
      printf '%s\n' "$ev"
      continue
    fi
    field Action; action=$REPLY
    field Package; pkg=$REPLY
    field Test; test=$REPLY
    field Output; unjson; out=$REPLY
    key="$pkg $test"
    case "$action" in
      build-output) printf '%s' "$out" ;;
      start)
        started[$pkg]=$SECONDS
        next[$pkg]=$((SECONDS + every)) ;;
      output)
        if [ -n "$test" ]; then
          [[ "$out" == "=== "* ]] || tests[$key]+=$out
        else
          own[$pkg]+=$out
        fi ;;
      pass | skip | fail)
        if [ -n "$test" ]; then
          [ "$action" != fail ] || failed
          unset 'tests[$key]' 'subtests[$key]'
          continue
        fi
        if [ "$action" = fail ]; then
          printf '%s%s' "${text[$pkg]-}" "${own[$pkg]-}"
        else
          # What go test prints of a package that passed: its ok line
          # (or "no test files").
          while IFS= read -r out; do
            case "$out" in "ok  "* | "?   "*) printf '%s\n' "$out" ;; esac
          done <<<"${own[$pkg]-}"
        fi
        unset 'started[$pkg]' 'next[$pkg]' 'text[$pkg]' 'own[$pkg]' ;;
    esac
  done
}

# gotest: go test -json with the arguments; without any, every package
# from the kept test binaries (see usage), in rounds of distinct binary
# names, with the first failed round's exit status.
gotest() {
  if [ $# -gt 0 ]; then
    go test -json "$@"
    return
  fi
  local pkg name i rc code=0 bin=$TEST_BIN list fresh=""
  [ "${TEST_FRESH:-}" != 1 ] || fresh=-count=1
  local -a pkgs rounds=()
  local -A names=()
  list=$(go list ./...) || return
  mapfile -t pkgs <<<"$list"
  for pkg in "${pkgs[@]}"; do
    name=${pkg##*/}
    i=${names[$name]:-0}
    rounds[i]+=" $pkg"
    names[$name]=$((i + 1))
  done
  for i in "${!rounds[@]}"; do
    # shellcheck disable=SC2086 # import paths, one word each
    go test -json $fresh -ldflags=-w -o "$bin/$i/" ${rounds[i]} || { rc=$?; [ "$code" != 0 ] || code=$rc; }
  done
  return "$code"
}

# Without arguments: the kept test binaries' directory, absolute, for the
# tests that keep binaries of their own there too (scripts_test.go). By
# default it is outside the checkout, one for each checkout: go test -o
# touches every kept binary on each run, and go test does not reuse a
# result whose test ran a file of the module that changed so recently.
if [ $# -eq 0 ]; then
  mkdir -p "${TEST_BIN:=${XDG_CACHE_HOME:-$HOME/.cache}/perpetual-infra/testbin/$checkout}"
  TEST_BIN=$(cd "$TEST_BIN" && pwd)
  export TEST_BIN
fi

set +e
TMPDIR=$tmp gotest "$@" | render
status=("${PIPESTATUS[@]}")
set -e
code=${status[0]}
[ "${status[1]}" = 0 ] || { echo "test.sh: reading go test's output failed (exit ${status[1]})" >&2; [ "$code" != 0 ] || code=1; }

shopt -s nullglob dotglob
left=("$tmp"/*)
shopt -u nullglob dotglob
if [ "${#left[@]}" -gt 0 ]; then
  echo "FAIL: the tests left these in their \$TMPDIR; a test, or a program it ran, does not clean up:"
  printf '  %s\n' "${left[@]##*/}"
  [ "$code" != 0 ] || code=1
fi
exit "$code"
