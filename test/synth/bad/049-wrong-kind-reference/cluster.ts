import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const cfg = new Config(c, 'cfg', { data: 'x' });
const web = new Deployment(c, 'web', { image: 'busybox:1' });
new Deployment(c, 'worker', {
  image: web as unknown as string,
  mounts: [{ volume: cfg as unknown as Volume, path: '/data' }],
});
export default app;
