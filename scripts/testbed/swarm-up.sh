#!/bin/bash
# Brings up a 3-node Docker Swarm for berth's Swarm tests: the multi-host bed (multihost-up.sh:
# one dockerd per network namespace, a bridge in a switch namespace) under the Swarm bed's own
# prefix and addresses (swarm-env.sh), then `swarm init` on n1 (the manager, 1 s heartbeat) and
# `swarm join` of the others as workers. No IPVS on this kernel: services use dnsrr endpoints
# and host-mode published ports.
#   TB_NODES=3 TB_MANAGERS=1 TB_IMAGES="berth/node-base:1 berth-test/busybox:1" scripts/testbed/swarm-up.sh
# Prints multihost-up's "node <i> <socket> <address> <dockerd pid>" lines, then
# "swarm <manager socket> <ready nodes>". Undo with swarm-down.sh (also after a failure half-way).
set -euo pipefail
dir=$(dirname "$0")
. "$dir/swarm-env.sh"
. "$dir/tb-env.sh"
TB_MANAGERS=${TB_MANAGERS:-1}
"$dir/multihost-up.sh"
t=$(date +%s%N)
ep() { echo "{\"ListenAddr\":\"$(tb_ip "$1"):2377\",\"AdvertiseAddr\":\"$(tb_ip "$1"):2377\""; }
tb_api 1 -f -X POST http://d/v1.41/swarm/init \
  -d "$(ep 1),\"DefaultAddrPool\":[\"$TB_SWARM_POOL\"],\"SubnetSize\":24,\"Spec\":{\"Dispatcher\":{\"HeartbeatPeriod\":$TB_HEARTBEAT_NS}}}" >/dev/null
tokens=$(tb_api 1 -f http://d/v1.41/swarm)
token() { echo "$tokens" | grep -o "\"$1\":\"[^\"]*\"" | cut -d'"' -f4; }
for i in $(seq 2 "$TB_NODES"); do
  tok=$(token Worker); [ "$i" -le "$TB_MANAGERS" ] && tok=$(token Manager)
  tb_api "$i" -f -X POST http://d/v1.41/swarm/join -d "$(ep "$i"),\"RemoteAddrs\":[\"$(tb_ip 1):2377\"],\"JoinToken\":\"$tok\"}" >/dev/null
done
ready=0
for _ in $(seq 1 300); do
  ready=$(tb_api 1 http://d/v1.41/nodes | grep -o '"State":"ready"' | wc -l)
  [ "$ready" = "$TB_NODES" ] && break; sleep 0.1
done
[ "$ready" = "$TB_NODES" ] || { echo "swarm-up: only $ready of $TB_NODES nodes are ready" >&2; exit 1; }
echo "swarm: $(tb_ms "$t") ms"
echo "swarm $(tb_sock 1) $ready"
