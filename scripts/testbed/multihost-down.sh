#!/bin/bash
# Tears down what multihost-up.sh created, also after a half-way failure or a kill -9 of a node's
# dockerd. Touches only the pids it recorded, processes in its own cgroup parents
# (/sys/fs/cgroup/*/${TB_PREFIX}nI), its own namespaces and $TB_BASE.
#   TB_FAST=1: SIGKILL the daemons instead of removing containers and stopping them gracefully.
. "$(dirname "$0")/tb-env.sh"
T0=$(date +%s%N)
nodes=$(ls -d "$TB_BASE"/n[0-9]* 2>/dev/null | sed 's/.*\/n//' | sort -n)
TB_FAST=${TB_FAST:-0}
# 1. graceful: force-remove containers so dockerd's shutdown does not wait out stop timeouts
if [ "$TB_FAST" != 1 ]; then
  pids=""
  for i in $nodes; do
    [ -S "$(tb_sock "$i")" ] || continue
    p=$(cat "$TB_BASE/n$i/launcher.pid" 2>/dev/null); [ -n "$p" ] && tb_alive "$p" || continue
    ( for c in $(tb_api "$i" -m 5 "http://d/v1.41/containers/json?all=1" 2>/dev/null | grep -o '"Id":"[0-9a-f]*"' | cut -d'"' -f4); do
        tb_api "$i" -m 10 -X DELETE "http://d/v1.41/containers/$c?force=1&v=1" >/dev/null 2>&1; done ) &
    pids="$pids $!"
  done
  for p in $pids; do wait "$p"; done
fi
# 2. stop each dockerd we started (pid file); SIGKILL after 15 s
sig=TERM; [ "$TB_FAST" = 1 ] && sig=KILL
for i in $nodes; do
  p=$(cat "$TB_BASE/n$i/launcher.pid" 2>/dev/null); [ -n "$p" ] && tb_alive "$p" && kill -"$sig" "$p" 2>/dev/null
done
for i in $nodes; do
  p=$(cat "$TB_BASE/n$i/launcher.pid" 2>/dev/null); [ -n "$p" ] || continue
  for _ in $(seq 1 300); do tb_alive "$p" || break; sleep 0.05; done
  tb_alive "$p" && { echo "n$i dockerd $p did not stop: SIGKILL"; kill -KILL "$p"; }
done
# 3. leftovers of a killed daemon: shims of OUR containerd sockets, processes in OUR cgroups
for p in $(pgrep -f "containerd-shim-runc-v2 .*-address $TB_BASE/" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
for i in $nodes; do
  for f in /sys/fs/cgroup/pids/${TB_PREFIX}n$i/*/cgroup.procs /sys/fs/cgroup/${TB_PREFIX}n$i/*/cgroup.procs; do
    [ -f "$f" ] && for p in $(cat "$f"); do kill -KILL "$p" 2>/dev/null; done
  done
done
sleep 0.2
for i in $nodes; do
  for c in /sys/fs/cgroup/*/${TB_PREFIX}n$i /sys/fs/cgroup/${TB_PREFIX}n$i; do [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null; done
done
# 4. mounts under $TB_BASE (overlay layers, netns files): the daemons share the host mount ns
grep -o " $TB_BASE/[^ ]*" /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
# 5. namespaces
for ns in "${TB_PREFIX}sw" $(for i in $nodes; do tb_ns "$i"; done); do
  ip netns list | awk '{print $1}' | grep -qx "$ns" && ip netns del "$ns"; done
rm -rf "$TB_BASE"
echo "teardown: $(tb_ms "$T0") ms"
