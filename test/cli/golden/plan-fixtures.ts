/**
 * Programs for the rendered-diff goldens. Kept in their own file so the `file:line` in
 * reasons stays put when the test file is edited.
 */
import { Config, Construct, Deployment, ImageBuild, moved, Secret, Service, Volume, type Cluster } from '@berth/core';

export interface ShopKnobs {
  readonly apiReplicas?: number;
  readonly log?: string;
  readonly conf?: string;
  readonly withCache?: boolean;
  readonly withAdmin?: boolean;
  readonly frontendMoved?: boolean;
  readonly withVolume?: boolean;
}

export const NGINX_V1 = 'worker_processes 1;\nevents {\n  worker_connections 512;\n}\nhttp {\n  server { listen 80; }\n}\n';
export const NGINX_V2 = 'worker_processes 4;\nevents {\n  worker_connections 512;\n}\nhttp {\n  server { listen 8080; }\n}\n';

export function shop(k: ShopKnobs = {}) {
  return (c: Cluster): void => {
    const img = new ImageBuild(c, 'api-image', { context: './api' });
    const pw = new Secret(c, 'db-password', { fromEnv: 'DB_PASSWORD' });
    const conf = new Config(c, 'nginx', { data: k.conf ?? NGINX_V1 });
    const data = k.withVolume === false ? undefined : new Volume(c, 'pgdata');
    const db = new Deployment(c, 'db', { image: 'postgres:16', env: { PW: pw }, mounts: data ? [{ volume: data, path: '/var/lib/postgresql' }] : [] });
    const dbs = new Service(c, 'db-svc', { target: db, ports: [{ port: 5432 }] });
    new Deployment(c, 'api', { image: img, replicas: k.apiReplicas ?? 2, env: { LOG: k.log ?? 'info', DB_URL: `postgres://${dbs.host}:${dbs.port}/shop` } });
    new Deployment(c, 'worker', { image: img, mounts: [{ config: conf, path: '/etc/nginx/nginx.conf' }] });
    if (k.withCache) new Deployment(c, 'cache', { image: 'redis:7', ports: [6379] });
    if (k.withAdmin !== false) new Service(c, 'admin', { target: db, ports: [{ port: 8081 }] });
    if (k.frontendMoved) {
      // moved into a composite construct: its id becomes edge-web
      const edge = new Construct(c, 'edge');
      const web = new Deployment(edge, 'web', { image: 'nginx:1.27' });
      moved(c, { from: 'web', to: web });
    } else {
      new Deployment(c, 'web', { image: 'nginx:1.27' });
    }
  };
}
