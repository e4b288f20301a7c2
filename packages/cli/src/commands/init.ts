import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BerthError } from '@berth/core';
import { parse } from '../args.ts';
import type { CommandContext } from '../context.ts';
import { version } from '../version.ts';

export const INIT_HELP = `berth init [--name NAME]

Writes a starter project into the current directory, from files inside berth (no network):
  cluster.ts       an image built from ./web, a health-checked Deployment, a published Service
  web/             the image's context: a Dockerfile and a dependency-free Node server
  tsconfig.json    so \`tsc --noEmit\` and your editor check cluster.ts as berth synth does
  package.json     written when missing (@berth/cli, @berth/core, typescript as devDependencies);
                   when present, only the berth scripts it lacks are added
  .gitignore       node_modules/, berth.out/, .berth/
Refuses to overwrite cluster.ts, web/ or tsconfig.json. Then: npm install, npx berth deploy.
`;

/** TypeScript for the starter's type-check: the compiler berth's own types are made and checked with (the repo's). */
export const TYPESCRIPT_RANGE = '^5.9.3';

const SCRIPTS: Record<string, string> = {
  synth: 'berth synth',
  diff: 'berth diff',
  deploy: 'berth deploy',
  destroy: 'berth destroy',
  typecheck: 'tsc --noEmit',
};

/** The starter's files, by path: decided apart from writing them. */
function starterFiles(name: string): Record<string, string> {
  return {
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
    'web/Dockerfile': `# berth/node-base:1 is Node made from this machine's own node binary: berth builds it on the
# engine when it is missing, so the starter deploys with no image registry. Any base will do
# (node:20-slim, nginx, your own) where the engine can pull it.
FROM berth/node-base:1
COPY server.mjs /app/server.mjs
ENV PORT=8080
EXPOSE 8080
CMD ["/usr/bin/node", "/app/server.mjs"]
`,
    'web/server.mjs': `// The starter's web server: plain Node, no dependencies. Replace it with your application.
import http from 'node:http';
import os from 'node:os';

const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(\`hello from ${name} (\${os.hostname()})\\n\`);
});
server.listen(Number(process.env.PORT ?? 8080));
// berth stops a replica with SIGTERM: finish what is in flight, then exit.
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
`,
    'tsconfig.json': `${JSON.stringify(
      {
        // berth bundles cluster.ts with esbuild: "bundler" resolution is what it does.
        compilerOptions: { target: 'ES2022', module: 'preserve', moduleResolution: 'bundler', strict: true, noEmit: true, skipLibCheck: true, types: [] },
        include: ['cluster.ts'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\nberth.out/\n.berth/\n',
  };
}

/** A new project's package.json: berth's packages at this CLI's version, and the scripts. */
function starterPackageJson(name: string, berthVersion: string): string {
  const range = /^\d+\.\d+\.\d+/.test(berthVersion) ? `^${berthVersion}` : '*';
  return `${JSON.stringify(
    {
      name,
      version: '0.1.0',
      private: true,
      type: 'module',
      scripts: SCRIPTS,
      devDependencies: { '@berth/cli': range, '@berth/core': range, typescript: TYPESCRIPT_RANGE },
    },
    null,
    2,
  )}\n`;
}

export async function initCommand(ctx: CommandContext): Promise<number> {
  const { values } = parse('init', ctx.args, { name: { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    ctx.stdout.write(INIT_HELP);
    return 0;
  }
  const name = (values.name ?? basename(ctx.cwd)).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'app';
  const files = starterFiles(name);
  // An existing .gitignore is the user's: kept as it is.
  if (existsSync(join(ctx.cwd, '.gitignore'))) delete files['.gitignore'];
  const existing = Object.keys(files).filter((f) => existsSync(join(ctx.cwd, f)));
  if (existing.length > 0) {
    throw new BerthError('cli.usage', `not overwriting ${existing.join(', ')}`, { hint: 'run berth init in an empty directory, or one with only package.json' });
  }

  const pkgFile = join(ctx.cwd, 'package.json');
  let pkgNote: string;
  if (!existsSync(pkgFile)) {
    files['package.json'] = starterPackageJson(name, version());
    pkgNote = 'npm install';
  } else {
    files['package.json'] = withScripts(pkgFile, readFileSync(pkgFile, 'utf8'));
    const pkg = JSON.parse(files['package.json']) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const has = (n: string) => pkg.dependencies?.[n] !== undefined || pkg.devDependencies?.[n] !== undefined;
    const missing = ['@berth/cli', '@berth/core', 'typescript'].filter((n) => !has(n));
    pkgNote = missing.length > 0 ? `npm install -D ${missing.join(' ')}` : '';
  }
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(ctx.cwd, f, '..'), { recursive: true });
    writeFileSync(join(ctx.cwd, f), text);
    ctx.stdout.write(`wrote ${f}\n`);
  }
  ctx.stdout.write(`\nnext: ${pkgNote ? `${pkgNote}, then ` : ''}npx berth diff, then npx berth deploy\n`);
  return 0;
}

/** The user's package.json with the berth scripts it lacks (theirs are kept), same indentation. */
function withScripts(file: string, text: string): string {
  let pkg: { scripts?: Record<string, string> };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch (e) {
    throw new BerthError('cli.usage', `${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`, { hint: 'fix it, or run berth init where there is no package.json' });
  }
  pkg.scripts = { ...SCRIPTS, ...pkg.scripts };
  const indent = /^[{[]\r?\n([ \t]+)/.exec(text)?.[1] ?? 2;
  return `${JSON.stringify(pkg, null, indent)}\n`;
}
