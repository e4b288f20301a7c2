import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
import { defaults } from './lib/defaults';
const app = new App();
const c = new Cluster(app, 'prod');
new Deployment(c, 'web', { image: defaults.image });
export default app;
