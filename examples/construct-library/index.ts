/**
 * @berth-examples/web-app — a construct library: an HTTP app built from a directory,
 * run as a health-checked Deployment and exposed by a Service, in one line.
 * It depends on @berth/core as a peer dependency, so it uses the app's own berth.
 *
 * @example
 * new WebApp(cluster, 'frontend', { context: './frontend', port: 8080, publish: 8081 });
 */
import { Construct, Deployment, ImageBuild, Service, type DeploymentProps } from '@berth/core';

export interface WebAppProps {
  /** Directory with the Dockerfile, relative to cluster.ts. */
  readonly context: string;
  /** The port the app listens on. @default 8080 */
  readonly port?: number;
  /** Publish the app on this host port. */
  readonly publish?: number;
  /** @default 2 */
  readonly replicas?: number;
  /** Path the health check requests. @default "/" */
  readonly healthPath?: string;
  readonly env?: DeploymentProps['env'];
  readonly mounts?: DeploymentProps['mounts'];
  readonly dependsOn?: DeploymentProps['dependsOn'];
}

export class WebApp extends Construct {
  readonly image: ImageBuild;
  readonly deployment: Deployment;
  readonly service: Service;

  constructor(scope: Construct, id: string, props: WebAppProps) {
    super(scope, id);
    const port = props.port ?? 8080;
    this.image = new ImageBuild(this, 'image', { context: props.context });
    this.deployment = new Deployment(this, 'app', {
      image: this.image,
      replicas: props.replicas ?? 2,
      ports: [port],
      env: props.env ?? {},
      mounts: props.mounts ?? [],
      dependsOn: props.dependsOn ?? [],
      health: { http: { path: props.healthPath ?? '/', port }, interval: '1s', timeout: '1s', retries: 3 },
      resources: { requests: { cpu: '50m', memory: '8Mi' }, limits: { memory: '64Mi' } },
    });
    this.service = new Service(this, 'svc', {
      target: this.deployment,
      name: id,
      ports: [{ port: 80, targetPort: port, ...(props.publish !== undefined ? { publish: props.publish } : {}) }],
    });
  }
}
