#!/usr/bin/env bash
# Start a Kubernetes test API on loopback: etcd + kube-apiserver + kube-controller-manager, the
# binaries k8s-build.sh cached. Everything lives in one work dir (argument 1, default a new tmp
# dir); stop it with k8s-down.sh <dir>, which ends exactly the pids written there.
#   ports: K8S_API_PORT (default 16443), K8S_ETCD_PORT (23790), K8S_ETCD_PEER_PORT (23800)
# Written to the dir: ca.crt, kubeconfig (client certificate of system:masters, TLS verified
# against ca.crt), kubeconfig-token (bearer token, admin), kubeconfig-nobody (a token user
# without any RBAC role: every request is 403), admin.token, *.log, *.pid.
set -euo pipefail
VERSION=1.20.2
BIN=${BERTH_K8S_CACHE:-/var/cache/berth/k8s/$VERSION}/bin
R=${1:-$(mktemp -d /tmp/berth-k8s.XXXXXX)}
API=${K8S_API_PORT:-16443}; ETCD=${K8S_ETCD_PORT:-23790}; PEER=${K8S_ETCD_PEER_PORT:-23800}
for c in etcd kube-apiserver kube-controller-manager; do
  [[ -x $BIN/$c ]] || { echo "k8s-up: $BIN/$c is missing; run scripts/testbed/k8s-build.sh" >&2; exit 1; }
done
mkdir -p "$R/etcd-data" && cd "$R"

# A CA of our own: a serving certificate for 127.0.0.1 and a client certificate for an admin.
ssl() { openssl "$@" 2>/dev/null; }
ssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=berth-test-ca
ssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=kube-apiserver
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n' > server.ext
ssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext
ssl req -newkey rsa:2048 -nodes -keyout admin.key -out admin.csr -subj '/CN=berth-admin/O=system:masters'
printf 'extendedKeyUsage=clientAuth\n' > client.ext
ssl x509 -req -in admin.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out admin.crt -days 2 -extfile client.ext
ssl genrsa -out sa.key 2048; ssl rsa -in sa.key -pubout -out sa.pub
token=$(openssl rand -hex 16); nobody=$(openssl rand -hex 16)
printf '%s,admin,admin-uid,system:masters\n%s,nobody,nobody-uid\n' "$token" "$nobody" > tokens.csv
echo -n "$token" > admin.token
b64() { base64 -w0 < "$1"; }
kubeconfig() { # name, user entry
  cat > "$1" <<K
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: "https://127.0.0.1:$API", certificate-authority-data: "$(b64 ca.crt)"}
users:
- name: u
  user: $2
contexts:
- name: test
  context: {cluster: test, user: u}
current-context: test
K
}
kubeconfig kubeconfig "{client-certificate-data: \"$(b64 admin.crt)\", client-key-data: \"$(b64 admin.key)\"}"
kubeconfig kubeconfig-token "{token: \"$token\"}"
kubeconfig kubeconfig-nobody "{token: \"$nobody\"}"

t0=$(date +%s%N)
"$BIN/etcd" --data-dir etcd-data --listen-client-urls "http://127.0.0.1:$ETCD" --advertise-client-urls "http://127.0.0.1:$ETCD" \
  --listen-peer-urls "http://127.0.0.1:$PEER" --initial-advertise-peer-urls "http://127.0.0.1:$PEER" \
  --initial-cluster "default=http://127.0.0.1:$PEER" --unsafe-no-fsync > etcd.log 2>&1 &
echo $! > etcd.pid
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$ETCD/health" >/dev/null && break; sleep 0.1; done
"$BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD" --bind-address=127.0.0.1 --advertise-address=127.0.0.1 \
  --secure-port="$API" --insecure-port=0 --tls-cert-file=server.crt --tls-private-key-file=server.key --client-ca-file=ca.crt \
  --token-auth-file=tokens.csv --authorization-mode=RBAC --allow-privileged=true --service-cluster-ip-range=10.96.0.0/24 \
  --service-node-port-range=30000-32767 --service-account-issuer=https://kubernetes.default.svc \
  --service-account-key-file=sa.pub --service-account-signing-key-file=sa.key > apiserver.log 2>&1 &
echo $! > apiserver.pid
ready=
for _ in $(seq 1 300); do
  if [[ "$(curl -s -m 2 --cacert ca.crt "https://127.0.0.1:$API/readyz" -H "Authorization: Bearer $token")" = ok ]]; then ready=1; break; fi
  kill -0 "$(cat apiserver.pid)" 2>/dev/null || break
  sleep 0.2
done
if [[ -z $ready ]]; then echo "k8s-up: the apiserver did not become ready; see $R/apiserver.log" >&2; tail -5 apiserver.log >&2; exit 1; fi
# The controller-manager: ReplicaSets and Pods for Deployments, Deployment status, the Job,
# namespace (deletion), service-account and token controllers.
"$BIN/kube-controller-manager" --kubeconfig=kubeconfig --leader-elect=false --port=0 --secure-port=0 \
  --service-account-private-key-file=sa.key --root-ca-file=ca.crt --use-service-account-credentials=false \
  --controllers='*' > controller-manager.log 2>&1 &
echo $! > controller-manager.pid
echo "k8s-up: ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms: https://127.0.0.1:$API  KUBECONFIG=$R/kubeconfig"
echo "$R"
