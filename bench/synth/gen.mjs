// Writes the same app twice, for berth and for cdk8s-plus: N Deployments (2 replicas, 3 env
// vars, cpu/memory requests and limits, an HTTP readiness probe), each exposed by a Service.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** berth: work/berth-N/cluster.ts */
export function berthApp(n) {
  return `import { App, Cluster, Deployment, Service } from '@berth/core';

const app = new App();
const cluster = new Cluster(app, 'bench');
for (let i = 0; i < ${n}; i++) {
  const web = new Deployment(cluster, \`web\${i}\`, {
    image: 'nginx:1.27',
    replicas: 2,
    ports: [8080],
    env: { MODE: 'production', INDEX: String(i), LOG_LEVEL: 'info' },
    resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    health: { http: { path: '/healthz', port: 8080 }, interval: '10s' },
  });
  new Service(cluster, \`svc\${i}\`, { target: web, ports: [{ port: 80, targetPort: 8080 }] });
}
export default app;
`;
}

/** cdk8s-plus-33: work/cdk8s-N/main.ts, compiled to main.js; cdk8s.yaml runs it under node. */
export function cdk8sApp(n) {
  return `import { App, Chart, Size, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-33';

const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'bench');
for (let i = 0; i < ${n}; i++) {
  const web = new kplus.Deployment(chart, \`web\${i}\`, {
    replicas: 2,
    containers: [{
      image: 'nginx:1.27',
      portNumber: 8080,
      envVariables: {
        MODE: kplus.EnvValue.fromValue('production'),
        INDEX: kplus.EnvValue.fromValue(String(i)),
        LOG_LEVEL: kplus.EnvValue.fromValue('info'),
      },
      resources: {
        cpu: { request: kplus.Cpu.millis(100), limit: kplus.Cpu.millis(500) },
        memory: { request: Size.mebibytes(64), limit: Size.mebibytes(256) },
      },
      readiness: kplus.Probe.fromHttpGet('/healthz', { port: 8080, periodSeconds: Duration.seconds(10) }),
    }],
  });
  web.exposeViaService({ name: \`svc\${i}\`, ports: [{ port: 80, targetPort: 8080 }] });
}
app.synth();
`;
}

export function writeApps(workDir, n) {
  const b = join(workDir, `berth-${n}`);
  const k = join(workDir, `cdk8s-${n}`);
  mkdirSync(b, { recursive: true });
  mkdirSync(k, { recursive: true });
  writeFileSync(join(b, 'cluster.ts'), berthApp(n));
  writeFileSync(join(k, 'main.ts'), cdk8sApp(n));
  writeFileSync(join(k, 'cdk8s.yaml'), 'language: typescript\napp: node main.js\n');
  // The repo root is "type": "module"; the compiled app is CommonJS, as cdk8s's template emits.
  writeFileSync(join(k, 'package.json'), '{ "private": true, "type": "commonjs" }\n');
  return { berthDir: b, cdk8sDir: k };
}
