import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
new Deployment(new Cluster(app, 'prod'), 'web', { image: 'busybox:1' });

const staging = new App();
new Deployment(new Cluster(staging, 'staging'), 'web', { image: 'busybox:1' });
export default app;
