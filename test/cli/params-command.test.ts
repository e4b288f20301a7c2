/**
 * Parameters through the built CLI: `--set` over `berth.params.json`'s environment (`--env`)
 * over the default, typed and checked, with errors located in cluster.ts or in the params file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'));
const dir = mkdtempSync(join(tmpdir(), 'berth-params-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = `import { App, Cluster, Deployment } from '@berth/core';

const app = new App();
const region = app.param('region', { default: 'eu-west', choices: ['eu-west', 'us-east'] });
const replicas = app.param('replicas', { default: 2 });
const c = new Cluster(app, \`shop-\${app.environment ?? 'dev'}\`);
new Deployment(c, 'web', { image: 'nginx:1.27', replicas, env: { REGION: region } });

export default app;
`;

const PARAMS = `{
  "default": { "replicas": 1 },
  "prod": {
    "region": "us-east",
    "replicas": "six"
  },
  "staging": { "region": "us-east" }
}
`;

writeFileSync(join(dir, 'cluster.ts'), PROGRAM);
writeFileSync(join(dir, 'berth.params.json'), PARAMS);

function synth(args: string[]) {
  const r = spawnSync('node', [BIN, 'synth', '--json', ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, data: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr };
}

interface Graph {
  cluster: string;
  resources: Array<{ props: { replicas: number; env: Record<string, string> } }>;
}

describe.skipIf(!built)('parameters (built CLI)', () => {
  it('takes the default environment, an --env, and --set over both; synth --json reports each source', () => {
    const plain = synth([]);
    expect(plain.status).toBe(0);
    const g0 = (plain.data['graphs'] as Graph[])[0];
    expect([g0?.cluster, g0?.resources[0]?.props.replicas, g0?.resources[0]?.props.env['REGION']]).toEqual(['shop-dev', 1, 'eu-west']);
    expect(plain.data['params']).toMatchObject({ region: { value: 'eu-west', source: 'default' }, replicas: { value: 1, source: 'berth.params.json (environment "default")' } });

    const staging = synth(['--env', 'staging', '--set', 'replicas=4']);
    expect(staging.status).toBe(0);
    const g1 = (staging.data['graphs'] as Graph[])[0];
    expect([g1?.cluster, g1?.resources[0]?.props.replicas, g1?.resources[0]?.props.env['REGION']]).toEqual(['shop-staging', 4, 'us-east']);
    expect(staging.data['params']).toMatchObject({ replicas: { value: 4, source: '--set replicas=…' } });
  });

  it('locates a wrong type in berth.params.json, a bad choice at the param() call, and an unknown --set', () => {
    const r = spawnSync('node', [BIN, 'synth', '--env', 'prod', '--set', 'region=us-eats', '--set', 'replica=3'], { encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[param.invalid] berth.params.json:5:5\n  parameter "replicas" is a number, but berth.params.json (environment "prod") gives "six"\n  hint: set it to a number, such as 3');
    expect(r.stderr).toContain('error[param.invalid] cluster.ts:4:20\n  parameter "region" must be one of "eu-west", "us-east"; --set region=… gives "us-eats"\n  hint: did you mean "us-east"?');
    expect(r.stderr).toContain('error[param.unknown]\n  unknown parameter "replica" (from --set replica=…): the program declares "region", "replicas"\n  hint: did you mean "replicas"?');
    expect(r.stderr).toContain('3 problems found');
  });

  it('refuses an environment the file does not have, and a --set without =', () => {
    const r = spawnSync('node', [BIN, 'synth', '--env', 'qa'], { encoding: 'utf8', cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('--env qa: berth.params.json has no environment "qa"');
    expect(r.stderr).toContain('hint: environments there: default, prod, staging');
    const s = spawnSync('node', [BIN, 'synth', '--set', 'region'], { encoding: 'utf8', cwd: dir });
    expect(s.status).toBe(1);
    expect(s.stderr).toContain('--set region: expected name=value');
  });
});
