import { App, Cluster, Deployment } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
new Deployment(c, 'web', {
  image: 'busybox:1',
  resources: { limits: { cpu: 1e16, memory: '99999P' } },
  health: { tcp: { port: 80 }, interval: '999999999999h' },
});
export default app;
