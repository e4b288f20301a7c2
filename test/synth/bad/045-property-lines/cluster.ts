import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const db = new Volume(c, 'db');
new Deployment(c, 'web', {
  // comments, strings with braces and templates do not confuse the scan: "{ ports: [ }"
  image: `busybox:${'1'}`,
  env: { GREETING: 'hello, { world }' },
  ports: [
    8080,
    { containerPort: 0 },
  ],
  mounts: [{ volume: db, path: 'data' }],
  health: { http: { path: 'healthz', port: 8080 } },
});
export default app;
