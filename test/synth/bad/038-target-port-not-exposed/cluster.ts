import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const web = new Deployment(c, 'web', { image: 'busybox:1', ports: [8080, 8443] });
new Service(c, 'web-svc', {
  target: web,
  ports: [
    { port: 80, targetPort: 8080 },
    { port: 443, targetPort: 9443 },
  ],
});
new Service(c, 'admin', { target: web, ports: [{ port: 9000 }] });
export default app;
