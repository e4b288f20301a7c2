import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
const staging = new Cluster(app, 'staging');
const db = new Deployment(staging, 'db', { image: 'busybox:1' });
const dbs = new Service(staging, 'db-svc', { target: db, ports: [{ port: 5432 }] });
new Deployment(c, 'api', { image: 'busybox:1', env: { DB_HOST: dbs.host } });
export default app;
