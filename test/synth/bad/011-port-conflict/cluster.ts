import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const a = new Deployment(c, 'a', { image: 'busybox:1' });
const b = new Deployment(c, 'b', { image: 'busybox:1' });
new Service(c, 'a-svc', { target: a, ports: [{ port: 80, publish: 8080 }] });
new Service(c, 'b-svc', { target: b, ports: [{ port: 80, publish: 8080 }] });
export default app;
