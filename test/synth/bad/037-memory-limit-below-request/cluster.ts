import { App, Cluster, Deployment, Service, ImageBuild, Image, Volume, Secret, Config, Job, Network, moved } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod');
new Deployment(c, 'web', {
  image: 'busybox:1',
  resources: {
    requests: { cpu: 0.5, memory: '512Mi' },
    limits: {
      cpu: '250m',
      memory: '256Mi',
    },
  },
});
export default app;
