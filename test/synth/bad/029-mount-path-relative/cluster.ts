import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const v = new Volume(c, 'data');
new Deployment(c, 'web', { image: 'busybox:1', mounts: [{ volume: v, path: 'data' }] });
export default app;
