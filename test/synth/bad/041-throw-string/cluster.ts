import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
function imageTag(): string {
  throw 'IMAGE_TAG is not set';
}
new Deployment(c, 'web', { image: `busybox:${imageTag()}` });
export default app;
