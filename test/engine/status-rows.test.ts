/**
 * `status` rows of the Docker target, over the in-memory driver (a real Driver implementation):
 * a Service counts its backends in good English, and a Job says how it ended, with its exit code.
 */
import { describe, expect, it } from 'vitest';
import { Deployment, Image, Job, Service } from '@berth/core';
import { resolveRunSpec } from '../../packages/engine/src/execute/resolve.ts';
import { DockerTarget } from '../../packages/engine/src/targets/docker/target.ts';
import { MemoryDriver } from '../../packages/engine/src/targets/memory/index.ts';
import type { State } from '../../packages/engine/src/state/index.ts';
import { deployed, graphOf } from './plan-builders.ts';

const g = graphOf((c) => {
  const image = new Image(c, 'img', { name: 'busybox:1' });
  const web = new Deployment(c, 'web', { image, ports: [8080] });
  new Service(c, 'front', { target: web, ports: [{ port: 80, targetPort: 8080 }] });
  new Job(c, 'migrate', { image });
  new Job(c, 'seed', { image });
});

function withBackends(state: State, n: number): State {
  const front = state.resources['front'];
  if (!front) throw new Error('no front');
  return { ...state, resources: { ...state.resources, front: { ...front, outputs: { ...front.outputs, backends: Array.from({ length: n }, (_, i) => `10.0.0.${i}:8080`) } } } };
}

describe('status rows', () => {
  it('"1 backend", "2 backends"', async () => {
    const t = new DockerTarget(new MemoryDriver({ cluster: 'shop' }));
    const state = deployed(g);
    const ready = async (n: number) => (await t.status(g, withBackends(state, n))).find((r) => r.id === 'front')?.ready;
    expect(await ready(1)).toBe('1 backend');
    expect(await ready(2)).toBe('2 backends');
    expect(await ready(0)).toBe('0 backends');
  });

  it("a Job's state carries its exit code", async () => {
    const driver = new MemoryDriver({ cluster: 'shop', images: { 'busybox:1': 'sha256:b' }, jobMs: 1 });
    driver.faults.push({ on: 'job', resourceId: 'seed', exitCode: 3 });
    const outputs = new Map([['img', { image: 'sha256:b' }]]);
    for (const id of ['migrate', 'seed']) {
      const r = g.resources.find((x) => x.id === id);
      if (r?.kind !== 'Job') throw new Error(id);
      await driver.runJob(resolveRunSpec({ graph: g, outputs, secrets: new Map() }, r, 0, 'h', 'r1'), 5_000);
    }
    const rows = await new DockerTarget(driver).status(g, deployed(g));
    expect(rows.find((r) => r.id === 'migrate')?.ready).toBe('succeeded (exit 0)');
    expect(rows.find((r) => r.id === 'seed')?.ready).toBe('failed (exit 3)');
  });
});
