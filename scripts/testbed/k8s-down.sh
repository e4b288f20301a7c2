#!/usr/bin/env bash
# Stop what k8s-up.sh started in <dir>, by the pids written there (controller-manager, then the
# apiserver, then etcd), and remove the dir. Only those processes are signalled.
set -uo pipefail
R=${1:?usage: k8s-down.sh <dir written by k8s-up.sh>}
for c in controller-manager apiserver etcd; do
  f=$R/$c.pid; [[ -f $f ]] || continue
  pid=$(cat "$f"); kill "$pid" 2>/dev/null || continue
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
done
[[ ${KEEP:-} ]] || rm -rf "$R"
