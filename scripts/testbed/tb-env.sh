# Shared settings for the multi-host test bed (scripts/testbed/multihost-{up,down}.sh).
# Adapted from docs' docker-testbed §4–5. Everything lives under $TB_BASE and in network
# namespaces named ${TB_PREFIX}sw (the switch) and ${TB_PREFIX}n1..N (the nodes).
TB_BASE=${TB_BASE:-/tmp/berth-mh}
TB_PREFIX=${TB_PREFIX:-berth-mh-}
TB_NODES=${TB_NODES:-3}
# Link subnet on a bridge that lives INSIDE the switch namespace: never visible in or routed from
# the host namespace; the node namespaces have no default route, so nothing leaves them.
TB_LINK_PREFIX=${TB_LINK_PREFIX:-192.168.251}   # node i gets $TB_LINK_PREFIX.i/24
TB_LOCAL_POOL=${TB_LOCAL_POOL:-172.29.0.0/16}   # docker0 + user bridges (inside the node namespaces only)
# bridge: own docker0 + iptables inside each netns (published ports work); nobridge: --bridge=none.
TB_MODE=${TB_MODE:-bridge}
TB_BRIDGE=${TB_BRIDGE:-bmhbr0}
MAIN_SOCK=${MAIN_SOCK:-/var/run/docker.sock}    # where the test images are (scripts/build-test-images.sh)
TB_IMAGE_CACHE=${TB_IMAGE_CACHE:-/tmp/berth-mh-images}

tb_sock()  { echo "$TB_BASE/n$1/docker.sock"; }
tb_api()   { local n=$1; shift; curl -sS --unix-socket "$TB_BASE/n$n/docker.sock" -H 'Content-Type: application/json' "$@"; }
tb_ns()    { echo "${TB_PREFIX}n$1"; }
tb_ip()    { echo "$TB_LINK_PREFIX.$1"; }
tb_ms()    { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
tb_alive() { [ -d "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }   # a zombie is not alive
tb_wait_ping() { # $1=node, $2=timeout seconds (wall clock: a busy machine must not stretch it)
  local end=$(( $(date +%s) + ${2:-30} ))
  while [ "$(date +%s)" -lt "$end" ]; do
    curl -sf --max-time 2 --unix-socket "$(tb_sock "$1")" http://d/_ping >/dev/null 2>&1 && return 0; sleep 0.05; done; return 1; }

tb_dockerd_args() { # $1=node
  local i=$1 d=$TB_BASE/n$1
  local a="--data-root $d/data --exec-root $d/exec --pidfile $d/docker.pid -H unix://$d/docker.sock"
  a="$a --cgroup-parent=/${TB_PREFIX}n$i --default-address-pool base=$TB_LOCAL_POOL,size=24"
  if [ "$TB_MODE" = nobridge ]; then a="$a --iptables=false --bridge=none"; fi
  echo "$a"
}

tb_start_daemon() { # $1=node: dockerd inside netns ${TB_PREFIX}n$1 with its own hostname (UTS ns)
  local i=$1 d=$TB_BASE/n$1; mkdir -p "$d"
  # nsenter --net, not `ip netns exec`: the latter remounts /sys and hides the cgroup mounts.
  nsenter --net=/run/netns/"$(tb_ns "$i")" unshare --uts \
    sh -c "hostname $(tb_ns "$i"); exec dockerd $(tb_dockerd_args "$i")" >>"$d/dockerd.log" 2>&1 &
  echo $! > "$d/launcher.pid"   # == dockerd's pid (exec chain)
}
