// hello: one image built from ./web, three replicas behind a published Service.
//   berth deploy --app examples/hello/cluster.ts     then   curl http://127.0.0.1:8080/
import { App, Cluster, Deployment, ImageBuild, Service } from '@berth/core';

const app = new App();
const hello = new Cluster(app, 'hello');

// FROM scratch + Debian's static busybox (scripts/build-test-images.sh), plus ./web.
const image = new ImageBuild(hello, 'web-image', { context: './web' });

const site = new Deployment(hello, 'site', {
  image,
  replicas: 3,
  ports: [8080],
  health: { http: { path: '/', port: 8080 }, interval: '1s', timeout: '1s', retries: 3 },
  resources: { requests: { cpu: '50m', memory: '8Mi' }, limits: { cpu: 0.5, memory: '32Mi' } },
});

new Service(hello, 'web', { target: site, ports: [{ port: 80, targetPort: 8080, publish: 8080 }] });

export default app;
