#!/usr/bin/env bash
# The newcomer's one command: set up everything on a fresh machine and run berth's main job,
# deploying examples/hello to the local Docker engine.
#   ./scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-docker.sh              # installs/starts Debian's dockerd when missing and root
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/build-test-images.sh          # base images built locally: no registry is reachable
npm run --silent build
node packages/cli/bin/berth.mjs deploy --app examples/hello/cluster.ts --yes
echo
echo "hello is up: curl http://127.0.0.1:8080/   (and /cgi-bin/whoami to see which replica answered)"
