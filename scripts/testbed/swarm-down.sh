#!/bin/bash
# Tears down what swarm-up.sh created (also after a half-way failure or a kill -9 of a node's
# dockerd): each node leaves the swarm (so its dockerd stops without restarting tasks), then
# multihost-down.sh stops every dockerd by its pid and removes the namespaces and $TB_BASE.
#   TB_FAST=1: skip leaving; SIGKILL the daemons.
dir=$(dirname "$0")
. "$dir/swarm-env.sh"
. "$dir/tb-env.sh"
if [ "${TB_FAST:-0}" != 1 ]; then
  pids=""
  for d in "$TB_BASE"/n[0-9]*; do
    i=${d##*/n}; [ -S "$(tb_sock "$i")" ] || continue
    tb_api "$i" -m 10 -X POST "http://d/v1.41/swarm/leave?force=1" >/dev/null 2>&1 & pids="$pids $!"
  done
  for p in $pids; do wait "$p"; done
fi
exec "$dir/multihost-down.sh"
