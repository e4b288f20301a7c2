// A Cluster on a target this berth cannot deploy to yet: refused at the Cluster's line, exit 1.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain, type Captured } from './run.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-target-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const berth = (args: string[]): Promise<Captured> => runMain(dir, args);

describe('a target not available yet', () => {
  for (const [kind, target] of [
    ['swarm', "{ swarm: { manager: 'tcp://10.0.0.1:2375' } }"],
  ] as const) {
    it(`${kind}: synth writes the graph; diff, deploy and status refuse at the Cluster, exit 1`, async () => {
      await writeFile(
        join(dir, 'cluster.ts'),
        `import { App, Cluster, Deployment } from '@berth/core';
const app = new App();
const c = new Cluster(app, 'prod', { target: ${target} });
new Deployment(c, 'web', { image: 'busybox:1.36' });
export default app;
`,
      );
      expect((await berth(['synth'])).code).toBe(0);
      for (const args of [['diff'], ['diff', '--no-observe'], ['deploy', '--yes'], ['status']]) {
        const r = await berth(args);
        expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(1);
        expect(r.err).toContain(`error[target.unavailable] cluster.ts:3:`);
        expect(r.err).toContain(`target ${kind} is not available yet`);
        expect(r.err).toContain('prod (Cluster)');
      }
    });
  }
});
