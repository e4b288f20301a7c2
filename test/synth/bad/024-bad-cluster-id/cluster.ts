import { App, Cluster, Deployment } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'Prod_1');
new Deployment(c, 'web', { image: 'busybox:1' });
export default app;
