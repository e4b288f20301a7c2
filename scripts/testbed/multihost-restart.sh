#!/bin/bash
# Starts node N's dockerd again (same command line, same data) after it was killed, and waits
# for its API. Prints "node <i> <socket> <address> <dockerd pid>" like multihost-up.sh.
#   TB_BASE=... TB_PREFIX=... scripts/testbed/multihost-restart.sh 2
set -euo pipefail
. "$(dirname "$0")/tb-env.sh"
i=${1:?usage: multihost-restart.sh <node number>}
T0=$(date +%s%N)
p=$(cat "$TB_BASE/n$i/launcher.pid" 2>/dev/null || true)
if [ -n "$p" ] && tb_alive "$p"; then
  echo "multihost-restart: n$i's dockerd ($p) is still running" >&2; exit 1
fi
# The killed dockerd left its pid file; dockerd refuses to start while the pid in it names a
# live process, and on a busy machine that pid may already belong to another one.
rm -f "$TB_BASE/n$i/docker.pid"
# The containerd that the killed dockerd started dies after it, not with it. A dockerd started
# while it is still dying finds its pid alive, adopts it and then waits in vain for its socket
# ("timeout waiting for containerd to start"). So end it ourselves (only if its command line is
# this node's) and wait until it is gone before the new dockerd looks.
cpid_file="$TB_BASE/n$i/exec/containerd/containerd.pid"
cp=$(cat "$cpid_file" 2>/dev/null || true)
if [ -n "$cp" ] && tr '\0' ' ' <"/proc/$cp/cmdline" 2>/dev/null | grep -q "$TB_BASE/n$i/exec/containerd/"; then
  kill -9 "$cp" 2>/dev/null || true
  for _ in $(seq 1 200); do
    tb_alive "$cp" || break
    sleep 0.05
  done
fi
rm -f "$cpid_file"
tb_start_daemon "$i"
tb_wait_ping "$i" 45 || { echo "multihost-restart: n$i did not come up; see $TB_BASE/n$i/dockerd.log" >&2; tail -n 20 "$TB_BASE/n$i/dockerd.log" >&2; exit 1; }
echo "node $i $(tb_sock "$i") $(tb_ip "$i") $(cat "$TB_BASE/n$i/launcher.pid")"
echo "restarted n$i: $(tb_ms "$T0") ms"
