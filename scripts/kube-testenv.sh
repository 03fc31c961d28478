#!/usr/bin/env bash
# kube-testenv.sh: the binaries of make ktest's local control plane, in one
# directory laid out as envtest expects (KUBEBUILDER_ASSETS):
#
#   etcd, kube-apiserver, kubectl   the upstream envtest archive of VERSION,
#                                   fetched and checksummed by setup-envtest
#                                   (pinned below)
#   kube-controller-manager         built from the Go module proxy at VERSION:
#                                   no upstream envtest archive ships it
#
# Usage: scripts/kube-testenv.sh [VERSION]    (default 1.35.0)
#
# VERSION must be one that upstream publishes envtest archives for
# (`go run sigs.k8s.io/controller-runtime/tools/setup-envtest@<pin> list`):
# for 1.35 that is 1.35.0 only. Prints KUBEBUILDER_ASSETS=<dir> on standard
# output (progress goes to standard error), so that
#
#   export "$(scripts/kube-testenv.sh)"          # a shell
#   scripts/kube-testenv.sh >> "$GITHUB_ENV"     # a GitHub Actions step
#
# The directory is ${KUBE_TESTENV_DIR:-~/.cache/kube-testenv}/VERSION and is
# reused when complete. Building kube-controller-manager downloads a few
# hundred modules and takes several minutes the first time.
set -euo pipefail

SETUP_ENVTEST_VERSION=v0.25.1 # sigs.k8s.io/controller-runtime/tools/setup-envtest

usage() { sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}" in -h|--help) usage; exit 0 ;; esac
[ $# -le 1 ] || { usage >&2; exit 2; }
version=${1:-1.35.0}
[[ "$version" =~ ^1\.([0-9]+)\.([0-9]+)$ ]] || { echo "kube-testenv.sh: VERSION must look like 1.35.0, not $version" >&2; exit 2; }
minor=${BASH_REMATCH[1]}
command -v go >/dev/null || { echo "kube-testenv.sh: Go is not installed" >&2; exit 1; }

out=${KUBE_TESTENV_DIR:-$HOME/.cache/kube-testenv}/$version
mkdir -p "$out"

if [ ! -x "$out/etcd" ] || [ ! -x "$out/kube-apiserver" ] || [ ! -x "$out/kubectl" ]; then
  echo "kube-testenv.sh: etcd, kube-apiserver and kubectl $version with setup-envtest $SETUP_ENVTEST_VERSION" >&2
  store=$(go run "sigs.k8s.io/controller-runtime/tools/setup-envtest@$SETUP_ENVTEST_VERSION" \
    use "$version" --bin-dir "$out/.setup-envtest" -p path)
  for b in etcd kube-apiserver kubectl; do
    cp "$store/$b" "$out/$b"
  done
fi

if [ ! -x "$out/kube-controller-manager" ]; then
  echo "kube-testenv.sh: building kube-controller-manager $version from the Go module proxy" >&2
  work=$(mktemp -d)
  trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
  cd "$work"
  # k8s.io/kubernetes as a dependency: its staging modules (k8s.io/api, ...)
  # are pinned to their matching v0 releases, as its own go.mod pins them to
  # local directories.
  {
    printf 'module kubetestenv\n\ngo 1.26\n\nrequire k8s.io/kubernetes v%s\n\n' "$version"
    for m in api apiextensions-apiserver apimachinery apiserver cli-runtime client-go cloud-provider cluster-bootstrap \
             code-generator component-base component-helpers controller-manager cri-api cri-client csi-translation-lib \
             dynamic-resource-allocation endpointslice externaljwt kms kube-aggregator kube-controller-manager kube-proxy \
             kube-scheduler kubectl kubelet metrics mount-utils pod-security-admission sample-apiserver sample-cli-plugin \
             sample-controller; do
      printf 'replace k8s.io/%s => k8s.io/%s v0.%s\n' "$m" "$m" "${version#1.}"
    done
  } > go.mod
  printf '//go:build tools\n\npackage tools\n\nimport _ "k8s.io/kubernetes/cmd/kube-controller-manager"\n' > tools.go
  GOFLAGS=-mod=mod go mod tidy
  # The version it reports (the default is v0.0.0-master).
  ld="-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=1"
  ld="$ld -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "$ld" -o "$out/kube-controller-manager" k8s.io/kubernetes/cmd/kube-controller-manager
fi

"$out/kube-controller-manager" --version >&2
echo "KUBEBUILDER_ASSETS=$out"
