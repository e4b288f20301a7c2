import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
function load(): string { throw new Error('config server unreachable'); }
new Deployment(c, 'web', { image: load() });
export default app;
