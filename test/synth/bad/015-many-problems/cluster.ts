import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
new Deployment(c, 'a', { image: 'busybox:1', replicas: -2 });
new Deployment(c, 'b', { image: 'busybox:1', resources: { limits: { memory: 'big' } } });
new Service(c, 'c', { target: 'a', ports: [] } as any);
export default app;
