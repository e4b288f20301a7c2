/**
 * `berth dev` on a real engine with the built binary: it deploys, then a saved change in a
 * build context rebuilds that image and rolls only its Deployment (the other keeps its
 * containers); a file .dockerignore leaves out changes nothing; a broken program prints its
 * located error and the app keeps serving; Ctrl-C leaves the app running.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck } from './converge.ts';
import { containers, engineAvailable, get, makeApp, skipNote, sleep, start, type App, type Running } from './harness.ts';

const LONG = 300_000;

describe.skipIf(!engineAvailable)(`berth dev${skipNote}`, () => {
  let app: App;
  let dev: Running | undefined;
  beforeAll(async () => {
    app = await makeApp('web', 'dev');
    writeFileSync(join(app.dir, 'site/.dockerignore'), 'notes.txt\n');
  });
  afterAll(async () => {
    if (dev && dev.child.exitCode === null) dev.child.kill('SIGKILL');
    // The test leaves the program broken; destroy reads it.
    app?.edit('cluster.ts', (t) => t.replace('replicas: -3', 'replicas: 3'));
    await destroyAndCheck(app);
  }, LONG);

  const rounds = (): number => (dev?.stdout().match(/\[berth dev\] (up to date|not deployed|deploy failed)/g) ?? []).length;
  const nextRound = async (n: number): Promise<void> => {
    const end = Date.now() + 180_000;
    while (rounds() < n) {
      if (Date.now() > end) throw new Error(`no round ${n}:\n${dev?.stdout() ?? ''}`);
      await sleep(200);
    }
  };

  it('deploys, then rolls only what a saved change touches, keeps the app on a broken program, and leaves it running on Ctrl-C', { timeout: LONG }, async () => {
    dev = start(['dev', '--app', app.file, '--debounce', '200'], { cwd: app.dir });
    await nextRound(1);
    expect(dev.stdout()).toContain('[berth dev] up to date');
    expect((await get(app.port)).status).toBe(200);
    const other = containers(app.cluster, { 'berth.resource': 'other' }).map((c) => c.id);
    const site = containers(app.cluster, { 'berth.resource': 'site' }).map((c) => c.id);

    // A code change: the site's image is rebuilt and the site rolled; other is untouched.
    app.edit('site/index.html', () => '<p>changed by berth dev</p>\n');
    await nextRound(2);
    const page = await get(app.port);
    expect(page.body).toContain('changed by berth dev');
    expect(containers(app.cluster, { 'berth.resource': 'other' }).map((c) => c.id)).toEqual(other);
    const siteNow = containers(app.cluster, { 'berth.resource': 'site' }).filter((c) => c.state === 'running').map((c) => c.id);
    expect(siteNow.some((id) => site.includes(id))).toBe(false);

    // A file the context ignores: a round, and no change.
    writeFileSync(join(app.dir, 'site/notes.txt'), 'not in the image');
    await nextRound(3);
    expect(dev.stdout().split('[berth dev] site/notes.txt changed')[1]).toContain('no changes; the runtime matches the program');

    // A broken program: its located error, and the app still serves.
    app.edit('cluster.ts', (t) => t.replace('replicas: 3', 'replicas: -3'));
    await nextRound(4);
    expect(dev.stdout()).toContain('[berth dev] not deployed');
    expect((await get(app.port)).body).toContain('changed by berth dev');

    dev.child.kill('SIGINT');
    const done = await dev.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr).toMatch(/error\[props\.invalid\] cluster\.ts:\d+:\d+ {2}e2e-dev-\w+\/site \(Deployment\)/);
    expect(done.stdout).toContain('stopped; the app keeps running');
    expect((await get(app.port)).status).toBe(200);
  });
});
