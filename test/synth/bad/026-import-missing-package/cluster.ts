import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
import { thing } from 'not-installed-anywhere';
new Deployment(c, 'web', { image: thing });
export default app;
