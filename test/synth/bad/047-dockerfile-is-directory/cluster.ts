import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const img = new ImageBuild(c, 'web-image', { context: '.', dockerfile: 'docker' });
new Deployment(c, 'web', { image: img });
export default app;
