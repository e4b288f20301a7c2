import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BerthError } from '@berth/core';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';

export const INIT_HELP = `berth init [--name NAME]

Writes a starter program into the current directory: cluster.ts (an image built from ./web,
a health-checked Deployment and a published Service) and web/Dockerfile. Refuses to overwrite.
`;

export async function initCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('init', ctx.args, { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    ctx.stdout.write(INIT_HELP);
    return 0;
  }
  const name = (values.name ?? basename(ctx.cwd)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'app';
  const files: Record<string, string> = {
    'cluster.ts': `import { App, Cluster, Deployment, ImageBuild, Service } from '@berth/core';

const app = new App();
const cluster = new Cluster(app, '${name}');

const image = new ImageBuild(cluster, 'web-image', { context: './web' });
const web = new Deployment(cluster, 'web', {
  image,
  replicas: 2,
  ports: [8080],
  health: { http: { path: '/', port: 8080 }, interval: '2s' },
  resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { memory: '128Mi' } },
});
new Service(cluster, 'www', { target: web, ports: [{ port: 80, targetPort: 8080, publish: 8080 }] });

export default app;
`,
    'web/Dockerfile': `# Replace with your application's image.
FROM berth-test/busybox:1
RUN mkdir -p /www && echo 'hello from ${name}' > /www/index.html
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
`,
  };
  const existing = Object.keys(files).filter((f) => existsSync(join(ctx.cwd, f)));
  if (existing.length > 0) {
    throw new BerthError('cli.usage', `not overwriting ${existing.join(', ')}`, { hint: 'run berth init in an empty directory' });
  }
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(ctx.cwd, f, '..'), { recursive: true });
    writeFileSync(join(ctx.cwd, f), text);
    ctx.stdout.write(`wrote ${f}\n`);
  }
  ctx.stdout.write(`\nnext: berth diff, then berth deploy\n`);
  return 0;
}
