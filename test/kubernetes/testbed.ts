/**
 * A real Kubernetes API for a test file: etcd + kube-apiserver + kube-controller-manager 1.20.2
 * (scripts/testbed/k8s-up.sh, binaries from k8s-build.sh), on free loopback ports, started in
 * beforeAll and stopped by pid in afterAll. Without the binaries the suite is skipped with the
 * reason in its title — never mocked.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { afterAll, beforeAll } from 'vitest';
import { freePort, ROOT } from '../e2e/harness.ts';

const BIN = join(process.env['BERTH_K8S_CACHE'] ?? '/var/cache/berth/k8s/1.20.2', 'bin');

/** undefined when the test API can be started; otherwise why the suite is skipped. */
export const k8sUnavailable: string | undefined = ['etcd', 'kube-apiserver', 'kube-controller-manager'].every((c) => existsSync(join(BIN, c)))
  ? undefined
  : `no Kubernetes test binaries in ${BIN} (run scripts/testbed/k8s-build.sh)`;
export const k8sSkipNote = k8sUnavailable === undefined ? '' : ` (skipped: ${k8sUnavailable})`;

export interface TestApi {
  readonly dir: string;
  readonly server: string;
  /** Client certificate of system:masters; TLS verified against the test CA. */
  readonly kubeconfig: string;
  /** The same admin, as a bearer token. */
  readonly tokenKubeconfig: string;
  /** A user without any RBAC role: every request is 403. */
  readonly nobodyKubeconfig: string;
  readonly token: string;
}

/** Starts the test API before the file's tests and stops it after them. */
export function useTestApi(): { readonly api: () => TestApi } {
  let api: TestApi | undefined;
  beforeAll(async () => {
    if (k8sUnavailable) return;
    const dir = mkdtempSync(join(tmpdir(), 'berth-k8s-'));
    const [apiPort, etcd, peer] = [await freePort(), await freePort(), await freePort()];
    const r = spawnSync('bash', [join(ROOT, 'scripts/testbed/k8s-up.sh'), dir], {
      encoding: 'utf8',
      timeout: 90_000,
      env: { ...process.env, K8S_API_PORT: String(apiPort), K8S_ETCD_PORT: String(etcd), K8S_ETCD_PEER_PORT: String(peer) },
    });
    if (r.status !== 0) {
      spawnSync('bash', [join(ROOT, 'scripts/testbed/k8s-down.sh'), dir]);
      throw new Error(`k8s-up.sh failed (${r.status}): ${r.stderr}${r.stdout}`);
    }
    api = {
      dir,
      server: `https://127.0.0.1:${apiPort}`,
      kubeconfig: join(dir, 'kubeconfig'),
      tokenKubeconfig: join(dir, 'kubeconfig-token'),
      nobodyKubeconfig: join(dir, 'kubeconfig-nobody'),
      token: readFileSync(join(dir, 'admin.token'), 'utf8'),
    };
  }, 120_000);
  afterAll(() => {
    if (api) spawnSync('bash', [join(ROOT, 'scripts/testbed/k8s-down.sh'), api.dir], { timeout: 30_000 });
  });
  return {
    api: () => {
      if (!api) throw new Error('the test API is not running');
      return api;
    },
  };
}

/** A client of the test API as the admin, with its own field manager: an outside view of what berth did. */
export function outside(api: TestApi): KubernetesObjectApi {
  const kc = new KubeConfig();
  kc.loadFromFile(api.kubeconfig);
  return KubernetesObjectApi.makeApiClient(kc);
}
