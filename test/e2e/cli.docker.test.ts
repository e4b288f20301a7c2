/**
 * The CLI's own behaviour end to end, on the built binary and a real engine: `deploy --json`
 * as a machine reads it, plain lines when piped, the question on a terminal (a real pty from
 * util-linux `script`) and the refusal without one, a stale saved plan, `status --json`, and
 * `logs` with and without `-f`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyAndCheck } from './converge.ts';
import { BIN, berth, containers, deploy, engineAvailable, getOk, makeApp, replicas, shown, skipNote, start, type App, type RunResult } from './harness.ts';

const LONG = 180_000;

interface Event {
  readonly type: string;
  readonly [k: string]: unknown;
}

/** Every stdout line parsed as JSON; a line that is not JSON fails the test with the output. */
function events(r: RunResult): Event[] {
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line) as Event;
      } catch {
        throw new Error(`not a JSON line: ${JSON.stringify(line)}\n${shown(r)}`);
      }
    });
}

/** Runs berth under a pseudo-terminal (util-linux script) and types `typed` into it. */
function onTerminal(app: App, args: readonly string[], typed: string): Promise<RunResult> {
  const t0 = Date.now();
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: app.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    // Answer once the question is on the screen, as a person would.
    if (/\[y\/N\]/.test(out) && typed) {
      child.stdin.end(typed);
      typed = '';
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - t0 }));
  });
}

describe.skipIf(!engineAvailable)(`berth CLI end to end${skipNote}`, () => {
  let app: App;
  beforeAll(async () => {
    app = await makeApp('cli', 'cli');
  });
  afterAll(() => destroyAndCheck(app), LONG);

  it('deploy --json prints the plan, each step and the result as JSON lines, and nothing else', { timeout: LONG }, async () => {
    const r = await deploy(app, ['--json']);
    expect(r.code, shown(r)).toBe(0);
    const ev = events(r);
    expect(ev[0]).toMatchObject({ type: 'plan', cluster: app.cluster, summary: { create: 4, update: 0, replace: 0, delete: 0 } });
    expect(new Set((ev[0]?.['changes'] as { id: string }[]).map((c) => c.id))).toEqual(new Set(['busybox', 'ticker', 'site', 'web']));
    const done = ev.filter((e) => e.type === 'step-done').map((e) => e['id']);
    expect(new Set(done)).toEqual(new Set(['busybox', 'ticker', 'site', 'web']));
    for (const id of done) {
      const startAt = ev.findIndex((e) => e.type === 'step-start' && e['id'] === id);
      const doneAt = ev.findIndex((e) => e.type === 'step-done' && e['id'] === id);
      expect(startAt, `${id} starts before it is done`).toBeGreaterThan(0);
      expect(startAt).toBeLessThan(doneAt);
    }
    const url = `http://127.0.0.1:${app.port}/`;
    expect(ev.at(-1)).toMatchObject({ type: 'result', cluster: app.cluster, ok: true, changed: true, urls: [{ service: 'web', url }] });
    expect((await getOk(app.port)).status).toBe(200);
  });

  it('a no-op deploy --json says so in its result; piped output has no colour codes', { timeout: LONG }, async () => {
    const j = await deploy(app, ['--json']);
    expect(j.code, shown(j)).toBe(0);
    const ev = events(j);
    expect(ev.map((e) => e.type)).toEqual(['plan', 'result']);
    expect(ev[0]?.['changes']).toEqual([]);
    expect(ev[1]).toMatchObject({ ok: true, changed: false });
    const plain = await berth(['deploy', '--app', app.file, '--yes'], { cwd: app.dir, env: { NO_COLOR: '', FORCE_COLOR: '' } });
    expect(plain.code, shown(plain)).toBe(0);
    expect(plain.stdout).toContain(`${app.cluster}: no changes; the runtime matches the program.`);
    expect(plain.stdout + plain.stderr).not.toMatch(/\x1b\[/);
  });

  it('without --yes, deploy refuses when stdin is not a terminal and changes nothing', { timeout: LONG }, async () => {
    app.edit('cluster.ts', (t) => t.replace('const TICKERS = 2;', 'const TICKERS = 3;'));
    const r = await berth(['deploy', '--app', app.file], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(1);
    expect(r.stderr).toContain('refusing to deploy without confirmation: stdin is not a terminal');
    expect(r.stderr).toContain('--yes');
    expect(replicas(app.cluster, 'ticker')).toHaveLength(2);
  });

  it('on a terminal deploy asks; "n" changes nothing, "y" deploys (a scale that keeps the running replicas)', { timeout: LONG }, async () => {
    const before = replicas(app.cluster, 'ticker').map((c) => c.id);
    const no = await onTerminal(app, ['deploy', '--app', app.file], 'n\n');
    expect(no.code, shown(no)).toBe(1);
    expect(no.stdout).toContain(`Deploy these changes to ${app.cluster}? [y/N]`);
    expect(no.stdout).toContain('Nothing was changed.');
    expect(replicas(app.cluster, 'ticker')).toHaveLength(2);

    const yes = await onTerminal(app, ['deploy', '--app', app.file], 'y\n');
    expect(yes.code, shown(yes)).toBe(0);
    expect(yes.stdout).toContain(`${app.cluster}: deployed in`);
    // On a terminal the running steps are redrawn in place; what ended stays as plain lines.
    expect(yes.stdout).toMatch(/\x1b\[\d+F\x1b\[J/);
    expect(yes.stdout).toMatch(/✓ ticker update done in/);
    const after = replicas(app.cluster, 'ticker').map((c) => c.id);
    expect(after).toHaveLength(3);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it('a saved plan is refused once something was deployed after it, and nothing changes', { timeout: LONG }, async () => {
    app.edit('cluster.ts', (t) => t.replace('const TICKERS = 3;', 'const TICKERS = 2;'));
    const saved = await berth(['diff', '--app', app.file, '--out', 'plan.json'], { cwd: app.dir });
    expect(saved.code, shown(saved)).toBe(2);
    // The saved plan is the whole decision: it says where each replica goes.
    const file = JSON.parse(readFileSync(join(app.dir, 'plan.json'), 'utf8')) as { planVersion: number; placement?: { replicas: Record<string, unknown[]>; nodes: { name: string }[] } };
    expect(file.planVersion).toBe(2);
    expect(file.placement?.replicas['ticker']).toEqual([expect.any(String), expect.any(String)]);
    expect(file.placement?.nodes).toHaveLength(1);
    const three = replicas(app.cluster, 'ticker');
    const applied = await deploy(app, ['--plan', 'plan.json']);
    expect(applied.code, shown(applied)).toBe(0);
    // Scaling in stops the highest ordinal and keeps the others running.
    const kept = replicas(app.cluster, 'ticker');
    expect(kept.map((c) => c.id).sort()).toEqual(three.filter((c) => c.labels['berth.ordinal'] !== '2').map((c) => c.id).sort());

    // The same plan again: the state moved on since it was made.
    const stale = await deploy(app, ['--plan', 'plan.json']);
    expect(stale.code, shown(stale)).toBe(1);
    expect(stale.stderr).toMatch(/the plan plan\.json is stale: state is at serial \d+, the plan was made at serial \d+: something was deployed since/);
    expect(replicas(app.cluster, 'ticker')).toHaveLength(2);
  });

  it('status --json reports replicas, health, node, ports and release', { timeout: LONG }, async () => {
    const r = await berth(['status', '--app', app.file, '--json'], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(0);
    const s = JSON.parse(r.stdout) as { clusters: { cluster: string; resources: { id: string; ready: string; health: string; ports: string; release: string; containers: { name: string; state: string; node: string }[] }[] }[] };
    const byId = new Map(s.clusters[0]?.resources.map((x) => [x.id, x]));
    expect(s.clusters[0]?.cluster).toBe(app.cluster);
    expect(byId.get('site')).toMatchObject({ ready: '2/2', health: 'healthy', ports: '8080' });
    expect(byId.get('site')?.release).toMatch(/^r\d+$/);
    expect(byId.get('ticker')).toMatchObject({ ready: '2/2' });
    expect(byId.get('web')?.ports).toBe(`${app.port}→80`);
    const live = new Set(replicas(app.cluster, 'site').map((c) => c.name));
    expect(new Set(byId.get('site')?.containers.map((c) => c.name))).toEqual(live);
    for (const c of byId.get('site')?.containers ?? []) expect(c).toMatchObject({ state: 'running', node: 'local' });
    expect(byId.get('web')).toMatchObject({ ready: '2 backends', health: 'proxy running' });
  });

  it('status reports a Service whose proxy was stopped behind berth\'s back, and deploy repairs it', { timeout: LONG }, async () => {
    const [proxy] = containers(app.cluster, { 'berth.component': 'proxy' });
    expect(spawnSync('docker', ['stop', '-t', '1', proxy?.id ?? '']).status).toBe(0);
    const down = await berth(['status', '--app', app.file], { cwd: app.dir });
    expect(down.code, shown(down)).toBe(0);
    expect(down.stdout).toMatch(/^ {2}web +Service +2 backends +proxy stopped +\d+→80$/m);
    const fixed = await deploy(app);
    expect(fixed.code, shown(fixed)).toBe(0);
    expect((await getOk(app.port)).status).toBe(200);
    const up = await berth(['status', '--app', app.file], { cwd: app.dir });
    expect(up.stdout).toMatch(/^ {2}web +Service +2 backends +proxy running +\d+→80$/m);
  });

  it('logs prints each container\'s last lines, prefixed with the container', { timeout: LONG }, async () => {
    const names = replicas(app.cluster, 'ticker').map((c) => c.name);
    const r = await berth(['logs', 'ticker', '--app', app.file, '--tail', '3'], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    for (const l of lines) expect(l).toMatch(/^\S+ \| tick \d+$/);
    for (const n of names) expect(lines.filter((l) => l.startsWith(`${n} | `))).toHaveLength(3);
    expect(lines).toHaveLength(3 * names.length);
  });

  it("logs of a Service prints its proxy's lines: its start and each backend change", { timeout: LONG }, async () => {
    const proxies = containers(app.cluster, { 'berth.resource': 'web', 'berth.component': 'proxy' }).map((c) => c.name);
    expect(proxies).toHaveLength(1);
    const r = await berth(['logs', 'web', '--app', app.file], { cwd: app.dir });
    expect(r.code, shown(r)).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l.startsWith(`${proxies[0]} | `), l).toBe(true);
    expect(r.stdout).toMatch(/config \d+: \d+ -> \[/);
  });

  it('logs -f keeps printing new lines until interrupted', { timeout: LONG }, async () => {
    const [first] = replicas(app.cluster, 'ticker').map((c) => c.name);
    const f = start(['logs', 'ticker', '--app', app.file, '--tail', '1', '-f'], { cwd: app.dir });
    await f.waitFor(new RegExp(`${first} \\| tick \\d+\\n`), 30_000);
    const startTick = Number(/tick (\d+)/.exec(f.stdout())?.[1]);
    // The ticker writes every 200 ms: ten more lines of the same container arrive within seconds.
    await f.waitFor(new RegExp(`${first} \\| tick ${startTick + 10}\\n`), 30_000);
    f.child.kill('SIGINT');
    const r = await f.done;
    expect(r.code, shown(r)).toBe(0);
  });

  it('logs names a resource that does not exist and a bad --tail, and exits 1', { timeout: LONG }, async () => {
    const missing = await berth(['logs', 'nope', '--app', app.file], { cwd: app.dir });
    expect(missing.code, shown(missing)).toBe(1);
    expect(missing.stderr).toContain('no Deployment, Job or Service "nope" in the program');
    expect(missing.stderr).toMatch(/try one of: .*ticker/);
    const tail = await berth(['logs', 'ticker', '--app', app.file, '--tail', 'lots'], { cwd: app.dir });
    expect(tail.code, shown(tail)).toBe(1);
    expect(tail.stderr).toContain('--tail must be a whole number >= 0, got "lots"');
  });
});
