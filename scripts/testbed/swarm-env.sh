# Settings of the Swarm test bed (swarm-up.sh / swarm-down.sh), on top of tb-env.sh: its own
# directory, namespace prefix, link subnet, bridge and pools, so it can run while the multi-host
# bed (multihost-up.sh, prefix berth-mh-) runs. Source this file.
TB_BASE=${TB_BASE:-/tmp/berth-sw}
TB_PREFIX=${TB_PREFIX:-berth-sw-}
TB_LINK_PREFIX=${TB_LINK_PREFIX:-192.168.254}   # node i gets 192.168.254.i, inside the namespaces only
TB_BRIDGE=${TB_BRIDGE:-bswbr0}
TB_LOCAL_POOL=${TB_LOCAL_POOL:-172.27.0.0/16}   # docker0 / docker_gwbridge inside the node namespaces
TB_SWARM_POOL=${TB_SWARM_POOL:-10.231.0.0/16}   # overlay subnets (inside the node namespaces only)
TB_IMAGE_CACHE=${TB_IMAGE_CACHE:-/tmp/berth-sw-images}
# Host-mode published ports need each node's own docker0 and iptables (no ingress mesh here).
TB_MODE=bridge
# 1 s dispatcher heartbeat: a dead node is noticed in seconds, not after 15 s.
TB_HEARTBEAT_NS=${TB_HEARTBEAT_NS:-1000000000}
export TB_BASE TB_PREFIX TB_LINK_PREFIX TB_BRIDGE TB_LOCAL_POOL TB_SWARM_POOL TB_IMAGE_CACHE TB_MODE TB_HEARTBEAT_NS
