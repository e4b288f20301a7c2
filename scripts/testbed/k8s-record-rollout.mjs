// Records Deployment status objects from the real kube-controller-manager (k8s-up.sh), for the
// rollout-await unit tests (test/kubernetes/fixtures/rollout-status.json). Without a kubelet no
// pod becomes ready, so a rollout of replicas > 0 can only stall; replicas: 0 completes.
//   node scripts/testbed/k8s-record-rollout.mjs <kubeconfig> > test/kubernetes/fixtures/rollout-status.json
import * as k from '@kubernetes/client-node';
const kc = new k.KubeConfig();
kc.loadFromFile(process.argv[2]);
const api = k.KubernetesObjectApi.makeApiClient(kc);
const ns = `record-${Date.now()}`;
const apply = (o) => api.patch(o, undefined, undefined, 'berth', true, k.PatchStrategy.ServerSideApply);
const dep = (name, replicas, image = 'nginx:1') => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns },
  spec: { replicas, progressDeadlineSeconds: 3, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } } },
});
const read = async (name) => { const d = await api.read({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns } }); return { generation: d.metadata.generation, spec: { replicas: d.spec.replicas, progressDeadlineSeconds: d.spec.progressDeadlineSeconds }, status: d.status ?? {} }; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
const out = {};
await apply(dep('zero', 0));
out.justApplied = await read('zero');
await sleep(2000);
out.completeZero = await read('zero');
await apply(dep('stall', 2));
await sleep(1000);
out.progressing = await read('stall');
await sleep(6000);
out.deadlineExceeded = await read('stall');
await apply(dep('zero', 0, 'nginx:2'));
out.updatedNotObserved = await read('zero');
await api.delete({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
process.stdout.write(`${JSON.stringify({ recordedFrom: 'kube-controller-manager v1.20.2 (scripts/testbed/k8s-up.sh), by scripts/testbed/k8s-record-rollout.mjs', ...out }, null, 2)}\n`);
