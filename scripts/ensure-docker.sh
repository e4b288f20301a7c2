#!/bin/bash
# Make sure a Docker engine answers, installing and starting Debian's dockerd if we are root.
# Idempotent: when an engine already answers it only prints one line. Used by .ci/run and by
# developers before `npx vitest run test/docker`.
#   DOCKER_HOST=unix:///path/docker.sock ./scripts/ensure-docker.sh
set -euo pipefail

LOG=/var/log/berth-dockerd.log
SOCK=/var/run/docker.sock
if [[ "${DOCKER_HOST:-}" == unix://* ]]; then SOCK=${DOCKER_HOST#unix://}; fi

ping_engine() {
  if [[ "${DOCKER_HOST:-}" == tcp://* ]]; then
    # tcp engines: let the docker CLI handle TLS (DOCKER_TLS_VERIFY/DOCKER_CERT_PATH) when present.
    if command -v docker >/dev/null; then docker version --format '{{.Server.Version}}' >/dev/null 2>&1; return; fi
    curl -sf --max-time 3 "http://${DOCKER_HOST#tcp://}/_ping" >/dev/null 2>&1; return
  fi
  [[ -S "$SOCK" ]] && curl -sf --max-time 3 --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1
}

if ping_engine; then echo "docker: engine answers (${DOCKER_HOST:-unix://$SOCK})"; exit 0; fi

if [[ -n "${DOCKER_HOST:-}" && "${DOCKER_HOST}" != "unix:///var/run/docker.sock" ]]; then
  echo "docker: DOCKER_HOST=$DOCKER_HOST does not answer /_ping; start that engine or unset DOCKER_HOST" >&2
  exit 1
fi

if [[ $(id -u) -ne 0 ]]; then
  cat >&2 <<MSG
docker: no engine answers on $SOCK and this script is not root, so it cannot start one.
Do one of:
  sudo $0                                   # installs Debian's docker.io if needed and starts dockerd
  sudo apt-get install -y --no-install-recommends docker.io busybox-static && sudo dockerd &
  export DOCKER_HOST=unix:///path/to/docker.sock   # to use another engine
and make sure your user can read the socket (e.g. sudo usermod -aG docker \$USER, then log in again).
MSG
  exit 1
fi

if ! command -v dockerd >/dev/null || ! [[ -x /bin/busybox ]]; then
  # --no-install-recommends: 10 packages instead of 27 (apparmor, criu, needrestart... are useless here
  # and needrestart may prompt). busybox-static is what the test images are made of (no registry).
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends docker.io busybox-static >/dev/null
fi

# A dockerd that is still starting (its pid file names a live process): wait for it instead of
# starting a second one, which would only fail on the pid-file lock.
pid=$(cat /var/run/docker.pid 2>/dev/null || true)
if [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; then
  # No systemd on CI VMs: start the daemon ourselves, detached from this shell (setsid + nohup) so
  # it outlives the script and the CI step, with its own log.
  setsid nohup dockerd >>"$LOG" 2>&1 </dev/null &
  pid=$!
fi
for _ in $(seq 600); do
  if ping_engine; then echo "docker: started dockerd (pid $pid, log $LOG)"; exit 0; fi
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  sleep 0.1
done
echo "docker: dockerd did not answer /_ping within 60 s; last lines of $LOG:" >&2
tail -n 30 "$LOG" >&2
exit 1
