import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const a = new Deployment(c, 'a', { image: 'busybox:1' });
const b = new Deployment(c, 'b', { image: 'busybox:1', dependsOn: [a] });
const d = new Deployment(c, 'd', { image: 'busybox:1', dependsOn: [b] });
a.addDependency(d);
export default app;
