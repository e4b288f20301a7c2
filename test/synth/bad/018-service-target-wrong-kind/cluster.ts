import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const v = new Volume(c, 'data');
new Service(c, 'web', { target: v, ports: [{ port: 80 }] } as any);
export default app;
