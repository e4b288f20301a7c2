/**
 * An http probe's output is the image's own tool's error: busybox has wget and no curl, and a
 * failing wget used to be followed by `curl ... → sh: curl: not found`, which was all the
 * user saw as the reason a replica was unhealthy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { healthTest } from '../../packages/engine/src/targets/docker/driver.ts';
import { inspectContainer, runContainer } from '../../packages/engine/src/targets/docker/index.ts';
import { BUSYBOX, cleanup, client, ensureTestImages, skipReason, sleep, uniqueCluster, unreachable } from './engine.ts';

describe.skipIf(unreachable !== undefined)(`http probe output on a real engine${skipReason}`, () => {
  const cluster = uniqueCluster('probe');
  beforeAll(() => ensureTestImages(), 120_000);
  afterAll(() => cleanup(cluster), 60_000);

  it("a 404 shows wget's error, not curl: not found", { timeout: 60_000 }, async () => {
    const test = healthTest({ type: 'http', path: '/missing', port: 8080, interval: 500, timeout: 2000, retries: 1, startPeriod: 0 });
    const c = await runContainer(client, {
      cluster,
      resource: 'web',
      ordinal: 0,
      specHash: 's',
      release: 'r',
      image: BUSYBOX,
      command: ['sh', '-c', 'mkdir -p /www && exec httpd -f -p 8080 -h /www'],
      healthcheck: { test, intervalMs: 500, timeoutMs: 2000, retries: 1 },
      stopTimeoutSec: 1,
    });
    let output = '';
    for (let i = 0; i < 60 && output === ''; i++) {
      await sleep(250);
      const log = (await inspectContainer(client, c.id)).State.Health?.Log ?? [];
      output = log.map((l) => l.Output).join('\n');
    }
    expect(output).toMatch(/404/);
    expect(output).not.toMatch(/curl/);
  });
});
