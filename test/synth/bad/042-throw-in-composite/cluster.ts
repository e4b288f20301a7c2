import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
import { Construct } from 'constructs';

interface WebAppProps {
  readonly port: number;
}

class WebApp extends Construct {
  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    if (props.port < 1024) throw new RangeError(`port ${props.port} needs root; use 1024 or above`);
    new Deployment(this, 'app', { image: 'busybox:1', ports: [props.port] });
  }
}

const app = new App();
const c = new Cluster(app, 'prod');
new WebApp(c, 'shop', { port: 8080 });
new WebApp(c, 'blog', { port: 80 });
export default app;
