import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const d = new Deployment(c, 'web', { image: 'busybox:1' });
new Service(c, 'Web_Svc', { target: d, ports: [{ port: 80 }] });
export default app;
