#!/bin/bash
# Brings up N Docker "hosts" for berth's multi-host tests: one dockerd per network namespace,
# linked by a bridge inside a separate switch namespace, each node at 192.168.251.<i>.
#   TB_NODES=3 TB_IMAGES="berth/node-base:1 berth-test/busybox:1" scripts/testbed/multihost-up.sh
#   TB_IMAGES_N1=...  extra images for node 1 only (e.g. a base image only the builder needs)
# Images come from the main engine ($MAIN_SOCK, built by scripts/build-test-images.sh): no registry.
# Needs root, iproute2, util-linux (nsenter, unshare), dockerd, curl (no jq). Undo with multihost-down.sh
# (also after a failure half-way). Prints one "node <i> <socket> <address> <dockerd pid>" line per node.
set -euo pipefail
. "$(dirname "$0")/tb-env.sh"
TB_IMAGES=${TB_IMAGES-berth/node-base:1 berth-test/busybox:1}
T0=$(date +%s%N)
if ip netns list | grep -q "^${TB_PREFIX}sw\b"; then echo "multihost-up: already up (netns ${TB_PREFIX}sw); run multihost-down.sh first" >&2; exit 1; fi
mkdir -p "$TB_BASE"

# --- 1. network: switch namespace with a bridge, one veth per node namespace
t=$(date +%s%N)
ip netns add "${TB_PREFIX}sw"
ip -n "${TB_PREFIX}sw" link set lo up
ip -n "${TB_PREFIX}sw" link add "$TB_BRIDGE" type bridge
ip -n "${TB_PREFIX}sw" link set "$TB_BRIDGE" up
for i in $(seq 1 "$TB_NODES"); do
  ns=$(tb_ns "$i")
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add eth0 type veth peer name "p$i" netns "${TB_PREFIX}sw"   # never in the host ns
  ip -n "${TB_PREFIX}sw" link set "p$i" master "$TB_BRIDGE"
  ip -n "${TB_PREFIX}sw" link set "p$i" up
  ip -n "$ns" addr add "$(tb_ip "$i")/24" dev eth0
  ip -n "$ns" link set eth0 up
done
echo "network: $(tb_ms "$t") ms"

# --- 2. daemons
t=$(date +%s%N)
for i in $(seq 1 "$TB_NODES"); do tb_start_daemon "$i"; done
for i in $(seq 1 "$TB_NODES"); do
  tb_wait_ping "$i" 60 || { echo "multihost-up: n$i did not come up; see $TB_BASE/n$i/dockerd.log" >&2; tail -n 20 "$TB_BASE/n$i/dockerd.log" >&2; exit 1; }
done
echo "daemons ready: $(tb_ms "$t") ms"

# --- 3. images: exported once from the main engine (cached by image id), loaded into the nodes
load_into() { # $1=node, rest: images
  local i=$1 img f; shift
  for img in "$@"; do
    f="$TB_IMAGE_CACHE/$(echo "$img" | tr ':/' '__').tar"
    curl -sSf --unix-socket "$(tb_sock "$i")" -X POST -H 'Content-Type: application/x-tar' \
      --data-binary @"$f" "http://d/v1.41/images/load?quiet=1" >/dev/null
  done
}
all_images="$TB_IMAGES ${TB_IMAGES_N1:-}"
if [ -n "${all_images// /}" ]; then
  t=$(date +%s%N); mkdir -p "$TB_IMAGE_CACHE"
  for img in $all_images; do
    f="$TB_IMAGE_CACHE/$(echo "$img" | tr ':/' '__').tar"
    id=$(curl -sSf --unix-socket "$MAIN_SOCK" "http://d/v1.41/images/$img/json" | grep -o '"Id":"sha256:[0-9a-f]*"' | head -1 | cut -d'"' -f4) || true
    [ -n "$id" ] || { echo "multihost-up: image $img is not on $MAIN_SOCK (run scripts/build-test-images.sh)" >&2; exit 1; }
    if ! { [ -f "$f" ] && [ "$(cat "$f.id" 2>/dev/null)" = "$id" ]; }; then
      curl -sSf --unix-socket "$MAIN_SOCK" "http://d/v1.41/images/get?names=$img" -o "$f.$$" && mv "$f.$$" "$f" && echo "$id" > "$f.id"
    fi
  done
  pids=""
  for i in $(seq 1 "$TB_NODES"); do
    imgs=$TB_IMAGES; [ "$i" = 1 ] && imgs="$imgs ${TB_IMAGES_N1:-}"
    # shellcheck disable=SC2086
    load_into "$i" $imgs & pids="$pids $!"
  done
  # NOT a bare `wait`: that would also wait for the dockerd background jobs.
  for p in $pids; do wait "$p" || { echo "multihost-up: loading images failed" >&2; exit 1; }; done
  echo "images loaded: $(tb_ms "$t") ms"
fi

for i in $(seq 1 "$TB_NODES"); do echo "node $i $(tb_sock "$i") $(tb_ip "$i") $(cat "$TB_BASE/n$i/launcher.pid")"; done
echo "TOTAL up: $(tb_ms "$T0") ms"
