#!/usr/bin/env bash
# Build the Kubernetes test API (kube-apiserver + kube-controller-manager 1.20.2) from Debian's own
# `kubernetes` source package with golang-1.19, and fetch Debian's etcd-server. No prebuilt
# Kubernetes binaries can be had on these machines (only apt and npm are reachable).
# Binaries are cached outside the repo in $BERTH_K8S_CACHE (default /var/cache/berth/k8s/1.20.2);
# a binary that is missing is rebuilt; all present = nothing to do. Cold: ~15 min on 2 cores.
set -euo pipefail
VERSION=1.20.2
CACHE=${BERTH_K8S_CACHE:-/var/cache/berth/k8s/$VERSION}
BIN=$CACHE/bin
COMPONENTS=(kube-apiserver kube-controller-manager ${BERTH_K8S_EXTRA:-})
export DEBIAN_FRONTEND=noninteractive

missing=()
for c in "${COMPONENTS[@]}" etcd; do [[ -x $BIN/$c ]] || missing+=("$c"); done
if [[ ${#missing[@]} -eq 0 ]]; then echo "k8s-build: cached in $BIN (${COMPONENTS[*]} etcd)"; exit 0; fi
echo "k8s-build: building ${missing[*]} into $BIN"
mkdir -p "$BIN" "$CACHE/dl"
t0=$(date +%s)

apt_updated=
need_pkg() { # install Debian packages that are missing
  local want=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || want+=("$p"); done
  [[ ${#want[@]} -eq 0 ]] && return 0
  [[ -n $apt_updated ]] || { apt-get update -qq >/dev/null; apt_updated=1; }
  apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
}
need_pkg golang-1.19-go dpkg-dev openssl curl ca-certificates
GO=/usr/lib/go-1.19/bin/go

# etcd: Debian's etcd-server, unpacked (not installed: no system service is started).
if [[ ! -x $BIN/etcd ]]; then
  [[ -n $apt_updated ]] || { apt-get update -qq >/dev/null; apt_updated=1; }
  (cd "$CACHE/dl" && rm -f etcd-server_*.deb && apt-get download etcd-server >/dev/null)
  rm -rf "$CACHE/etcd" && dpkg-deb -x "$CACHE"/dl/etcd-server_*.deb "$CACHE/etcd"
  install -m 0755 "$CACHE/etcd/usr/bin/etcd" "$BIN/etcd"
fi

GOPATH=$CACHE/gopath
SRC=$GOPATH/src/k8s.io/kubernetes
if [[ ! -f $SRC/.berth-unpacked ]]; then
  if ! ls "$CACHE"/dl/kubernetes_*.dsc >/dev/null 2>&1; then
    # a deb-src line for the source package only, removed again afterwards
    list=/etc/apt/sources.list.d/berth-k8s-src.list
    echo "deb-src http://deb.debian.org/debian bookworm main" > $list
    trap 'rm -f /etc/apt/sources.list.d/berth-k8s-src.list' EXIT
    apt-get update -qq >/dev/null
    (cd "$CACHE/dl" && apt-get source --download-only kubernetes >/dev/null)
    rm -f $list; apt-get update -qq >/dev/null || true
  fi
  rm -rf "$SRC" && mkdir -p "$(dirname "$SRC")"
  (cd "$CACHE/dl" && dpkg-source --no-check -x kubernetes_*.dsc "$SRC" >/dev/null)
  touch "$SRC/.berth-unpacked"
fi

export GOPATH GO111MODULE=off GOFLAGS= CGO_ENABLED=0 GOCACHE=$CACHE/gocache
cd "$SRC"

# pkg/generated/openapi is generated at build time upstream (make); do it with the vendored
# openapi-gen over every package tagged +k8s:openapi-gen=true, plus the apimachinery packages
# whose models the API refers to (without them: "cannot find model definition for resource.Quantity").
OPENAPI=pkg/generated/openapi/zz_generated.openapi.go
if [[ ! -s $OPENAPI ]]; then
  "$GO" build -o "$CACHE/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
  dirs=$( { grep -rl --include='*.go' '^// +k8s:openapi-gen=true' pkg; \
            grep -Rl --include='*.go' '^// +k8s:openapi-gen=true' vendor/k8s.io; } \
          | grep -v -e _test.go -e /testdata/ -e /gengo/ -e /kube-openapi/ -e /code-generator/ \
          | xargs -n1 dirname | sort -u | sed 's|^|k8s.io/kubernetes/|')
  extra=k8s.io/apimachinery/pkg/api/resource,k8s.io/apimachinery/pkg/apis/meta/v1,k8s.io/apimachinery/pkg/runtime,k8s.io/apimachinery/pkg/version,k8s.io/apimachinery/pkg/util/intstr
  mkdir -p pkg/generated/openapi
  "$CACHE/openapi-gen" --logtostderr -i "$(echo "$dirs" | paste -sd, -),$extra" \
    -p k8s.io/kubernetes/pkg/generated/openapi -O zz_generated.openapi \
    -h hack/boilerplate/boilerplate.generatego.txt -r /dev/null
  [[ -s $OPENAPI ]] || { echo "k8s-build: openapi-gen wrote no $OPENAPI" >&2; exit 1; }
fi

# version ldflags: clients check the server's version (unset it reports v0.0.0-master)
V=k8s.io/kubernetes/vendor/k8s.io
ld="-s -w"
for p in $V/component-base/version $V/client-go/pkg/version; do
  ld+=" -X $p.gitVersion=v$VERSION -X $p.gitMajor=1 -X $p.gitMinor=20 -X $p.gitTreeState=clean"
  ld+=" -X $p.gitCommit=debian-$VERSION -X $p.buildDate=1970-01-01T00:00:00Z"
done
for c in "${COMPONENTS[@]}"; do
  [[ -x $BIN/$c ]] && continue
  echo "k8s-build: go build $c"
  "$GO" build -ldflags "$ld" -o "$BIN/$c.tmp" "./cmd/$c" && mv "$BIN/$c.tmp" "$BIN/$c"
done
"$BIN/kube-apiserver" --version
echo "k8s-build: done in $(( $(date +%s) - t0 )) s -> $BIN"
