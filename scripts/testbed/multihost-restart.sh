#!/bin/bash
# Starts node N's dockerd again (same command line, same data) after it was killed, and waits
# for its API. Prints "node <i> <socket> <address> <dockerd pid>" like multihost-up.sh.
#   TB_BASE=... TB_PREFIX=... scripts/testbed/multihost-restart.sh 2
set -euo pipefail
. "$(dirname "$0")/tb-env.sh"
i=${1:?usage: multihost-restart.sh <node number>}
T0=$(date +%s%N)
p=$(cat "$TB_BASE/n$i/launcher.pid" 2>/dev/null || true)
if [ -n "$p" ] && [ -d "/proc/$p" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$p/status"; then
  echo "multihost-restart: n$i's dockerd ($p) is still running" >&2; exit 1
fi
# The killed dockerd left its pid file; dockerd refuses to start while the pid in it names a
# live process, and on a busy machine that pid may already belong to another one.
rm -f "$TB_BASE/n$i/docker.pid"
tb_start_daemon "$i"
tb_wait_ping "$i" 60 || { echo "multihost-restart: n$i did not come up; see $TB_BASE/n$i/dockerd.log" >&2; tail -n 20 "$TB_BASE/n$i/dockerd.log" >&2; exit 1; }
echo "node $i $(tb_sock "$i") $(tb_ip "$i") $(cat "$TB_BASE/n$i/launcher.pid")"
echo "restarted n$i: $(tb_ms "$T0") ms"
