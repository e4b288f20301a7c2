import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
import { Construct } from 'constructs';

class Worker extends Construct {
  constructor(scope: Construct, id: string, queue: string) {
    super(scope, id);
    if (!queue) throw 'a Worker needs a queue';
    new Deployment(this, 'run', { image: 'busybox:1', env: { QUEUE: queue } });
  }
}

const app = new App();
const c = new Cluster(app, 'prod');
new Worker(c, 'mail', 'mail');
new Worker(c, 'billing', '');
export default app;
