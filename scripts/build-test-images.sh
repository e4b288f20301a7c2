#!/bin/bash
# Build, locally and without any registry, the images berth's tests, examples and proxy need:
#   berth-test/busybox:1  FROM scratch + static busybox; CMD serves "hello from <hostname>" on :8080
#   berth/node-base:1     host node + its ldd libraries + busybox (base of the berth proxy image)
# Idempotent and fast: an image is rebuilt only when its tag is missing or its recipe (Dockerfile,
# the binaries copied in) changed; the recipe hash is stored as the image label berth.recipe.
#   ./scripts/build-test-images.sh                 # main engine (DOCKER_HOST=unix://... honoured)
set -euo pipefail
cd "$(dirname "$0")"
SOCK=/var/run/docker.sock
if [[ "${DOCKER_HOST:-}" == unix://* ]]; then SOCK=${DOCKER_HOST#unix://}; fi
if [[ -n "${DOCKER_HOST:-}" && "${DOCKER_HOST}" != unix://* ]]; then
  echo "build-test-images: only unix-socket engines are supported (DOCKER_HOST=$DOCKER_HOST)" >&2; exit 1
fi
API=http://d/v1.41
api() { curl -sS --unix-socket "$SOCK" "$@"; }
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

BUSYBOX=$(readlink -f /bin/busybox 2>/dev/null || true)
if [[ ! -x "$BUSYBOX" ]] || ldd "$BUSYBOX" >/dev/null 2>&1; then
  # ldd succeeding means a dynamically linked busybox, which would not run FROM scratch.
  echo "build-test-images: need a statically linked /bin/busybox: apt-get install -y busybox-static" >&2; exit 1
fi
NODE=$(readlink -f "$(command -v node)")

# label_of TAG -> the berth.recipe label of that image, or empty when the image is missing.
label_of() {
  api "$API/images/$1/json" 2>/dev/null | grep -o '"berth.recipe":"[0-9a-f]*"' | head -1 | cut -d'"' -f4 || true
}

# build DIR TAG RECIPE: POST /build with the dir as tar context. Build errors come back with
# HTTP 200 as an "error" line in the JSON stream, so the stream is checked, not the status.
build() {
  local dir=$1 tag=$2 recipe=$3 out; out=$(mktemp)
  # labels={"berth.recipe":"<hex>","berth.test-image":"1"}, URL-encoded by hand (no jq needed).
  local labels="%7B%22berth.recipe%22%3A%22$recipe%22%2C%22berth.test-image%22%3A%221%22%7D"
  tar -C "$dir" -cf - . | api -X POST -H 'Content-Type: application/x-tar' --data-binary @- \
    "$API/build?t=${tag/\//%2F}&labels=$labels&rm=1&forcerm=1" >"$out"
  if grep -q '"error"' "$out" || ! grep -q 'Successfully tagged' "$out"; then
    echo "build-test-images: building $tag failed:" >&2; tail -n 5 "$out" >&2; rm -f "$out"; exit 1
  fi
  rm -f "$out"
}

W=$(mktemp -d /tmp/berth-images.XXXX); trap 'rm -rf "$W"' EXIT

# --- berth-test/busybox:1
tag=berth-test/busybox:1
recipe=$(cat images/busybox/Dockerfile "$BUSYBOX" | sha256sum | cut -c1-16)
if [[ "$(label_of $tag)" == "$recipe" ]]; then echo "$tag: up to date"; else
  s=$(date +%s%N)
  mkdir -p "$W/bb"; cp images/busybox/Dockerfile "$W/bb/"; cp "$BUSYBOX" "$W/bb/busybox"
  build "$W/bb" $tag "$recipe"; echo "$tag: built in $(ms $s) ms"
fi

# --- berth/node-base:1
tag=berth/node-base:1
libs=$(ldd "$NODE" | grep -oE '/[^ ]+' | sort -u)
# The recipe covers the binaries by path, size and mtime: hashing the 100 MB node binary on every
# run would cost ~0.8 s, and an upgrade of node or a library changes its size or mtime.
recipe=$( { cat images/node-base/Dockerfile; for f in "$NODE" "$BUSYBOX" $libs; do stat -L -c '%n %s %Y' "$f"; done; } | sha256sum | cut -c1-16)
if [[ "$(label_of $tag)" == "$recipe" ]]; then echo "$tag: up to date"; else
  s=$(date +%s%N)
  r="$W/nb/rootfs"; mkdir -p "$r/usr/bin" "$r/bin" "$r/tmp"
  cp images/node-base/Dockerfile "$W/nb/"
  cp -L "$NODE" "$r/usr/bin/node"
  for l in $libs; do mkdir -p "$r$(dirname "$l")"; cp -L "$l" "$r$l"; done
  cp "$BUSYBOX" "$r/bin/busybox"; chmod 1777 "$r/tmp"
  build "$W/nb" $tag "$recipe"; echo "$tag: built in $(ms $s) ms"
fi
