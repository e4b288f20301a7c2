// shop: a storefront (from a shared construct library), an API with a volume, a config and a
// secret, a migration Job the API waits for, and a background worker.
//   SHOP_API_KEY=s3cret berth deploy --app examples/shop/cluster.ts
import { App, Cluster, Config, Deployment, Image, ImageBuild, Job, Secret, Service, Volume } from '@berth/core';
import { WebApp } from '@berth-examples/web-app';

const app = new App();
const shop = new Cluster(app, 'shop');

const orders = new Volume(shop, 'orders');
const settings = new Config(shop, 'settings', { file: './config/shop.conf' });
const apiKey = new Secret(shop, 'api-key', { fromEnv: 'SHOP_API_KEY' });

const apiImage = new ImageBuild(shop, 'api-image', { context: './api' });

// Prepares the data volume; the API starts only after it exited 0.
const migrate = new Job(shop, 'migrate', {
  image: apiImage,
  command: ['/app/migrate.sh'],
  mounts: [{ volume: orders, path: '/data' }],
  timeout: '1m',
});

const api = new Deployment(shop, 'api', {
  image: apiImage,
  replicas: 2,
  ports: [8080],
  env: { DATA_DIR: '/data', SHOP_NAME: 'berth shop' },
  mounts: [
    { volume: orders, path: '/data' },
    { config: settings, path: '/etc/shop/shop.conf' },
    { secret: apiKey, path: '/run/secrets/api-key' },
  ],
  health: { http: { path: '/cgi-bin/health', port: 8080 }, interval: '1s', timeout: '1s', retries: 3 },
  resources: { requests: { cpu: '100m', memory: '16Mi' }, limits: { memory: '64Mi' } },
  dependsOn: [migrate],
});
const apiSvc = new Service(shop, 'api-svc', { target: api, name: 'api', ports: [{ port: 80, targetPort: 8080 }] });

const storefront = new WebApp(shop, 'storefront', {
  context: './storefront',
  publish: 8081,
  env: { API_URL: `http://${apiSvc.host}:${apiSvc.port}` },
});

const busybox = new Image(shop, 'busybox', { name: 'berth-test/busybox:1' });
new Deployment(shop, 'worker', {
  image: busybox,
  command: ['sh', '-c', 'while true; do timeout 3 wget -q -O /dev/null "$API_URL/cgi-bin/orders" || echo "api not reachable"; sleep 5; done'],
  env: { API_URL: `http://${apiSvc.host}:${apiSvc.port}` },
  resources: { requests: { cpu: '10m', memory: '4Mi' } },
});

void storefront;
export default app;
