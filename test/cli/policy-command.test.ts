/**
 * Policies through the built CLI: violations at their cluster.ts line (the property's own line
 * where the program wrote one), listed with the program's other problems, exit 1 for errors;
 * warnings printed and synth going on; `--json` carrying both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'packages/cli/bin/berth.mjs');
const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs'));
const dir = mkdtempSync(join(tmpdir(), 'berth-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROGRAM = `import { App, Cluster, Deployment, Policy, Service, maxReplicas, noLatestTags, requireHealthChecks, requireLimits, rule } from '@berth/core';

const app = new App();
const prod = new Cluster(app, 'prod');
new Policy(app, 'prod-rules', {
  rules: [requireLimits({ severity: 'warning' }), noLatestTags(), maxReplicas(50), requireHealthChecks()],
});
new Policy(prod, 'team', { rules: [rule('owner-env', (r, report) => r.kind === 'Deployment' && !('OWNER' in r.props.env) && report.warning('no OWNER in env', { property: 'env' }))] });

const web = new Deployment(prod, 'web', {
  image: 'nginx:latest',
  replicas: 300,
  env: { OWNER: 'shop' },
});
new Service(prod, 'web-svc', { target: web, ports: [{ port: 80, publish: 18080 }] });
new Deployment(prod, 'worker', { image: 'busybox:1.36', replicas: -1 });

export default app;
`;

function synth(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('node', [BIN, 'synth', '--app', join(dir, 'cluster.ts'), ...args], { encoding: 'utf8', cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(!built)('policies (built CLI)', () => {
  it('lists every violation with the other problems, at the property line, and exits 1', () => {
    writeFileSync(join(dir, 'cluster.ts'), PROGRAM);
    const r = synth([]);
    expect(r.status).toBe(1);
    const heads = r.stderr.split('\n').filter((l) => /^(error|warning)\[/.test(l));
    expect(heads).toEqual([
      // No health: and no resources: in the props, so these point at the construct.
      'warning[policy.violation] cluster.ts:10:13  prod/web (Deployment)',
      'error[policy.violation] cluster.ts:10:13  prod/web (Deployment)',
      // image: and replicas: at their own lines.
      'error[policy.violation] cluster.ts:11:3  prod/web (Deployment)',
      'error[policy.violation] cluster.ts:12:3  prod/web (Deployment)',
      'error[props.invalid] cluster.ts:16:57  prod/worker (Deployment)',
    ]);
    expect(r.stderr).toContain('  image: "nginx:latest" uses the mutable tag latest: what runs can change without the program changing (policy prod-rules, rule no-latest-tags)');
    expect(r.stderr).toContain('  replicas: 300 replicas is more than the 50 this policy allows (policy prod-rules, rule max-replicas)');
    expect(r.stderr).toContain('  health: no health check, though it is published on host port 18080 by prod/web-svc (policy prod-rules, rule require-health-checks)');
    expect(r.stderr).toMatch(/4 problems and 1 warning found; nothing was written/);
    expect(existsSync(join(dir, 'berth.out/prod.graph.json'))).toBe(false);
  });

  it('carries errors and warnings in --json, each with its rule and severity', () => {
    const r = synth(['--json']);
    const data = JSON.parse(r.stdout) as { ok: boolean; errors: Array<{ code: string; rule?: string; location: { file: string; line: number } }>; warnings: Array<{ severity: string; rule: string }> };
    expect(data.ok).toBe(false);
    expect(data.errors.map((e) => e.rule ?? e.code).sort()).toEqual(['max-replicas', 'no-latest-tags', 'props.invalid', 'require-health-checks']);
    expect(data.errors.every((e) => e.location.file === 'cluster.ts')).toBe(true);
    expect(data.warnings).toEqual([expect.objectContaining({ severity: 'warning', rule: 'require-limits', constructPath: 'prod/web' })]);
  });

  it('writes the graph when only warnings are left, and prints them', () => {
    const fixed = PROGRAM.replace("'nginx:latest'", "'nginx:1.27'").replace('replicas: 300', 'replicas: 3').replace('replicas: -1', 'replicas: 1').replace("ports: [{ port: 80, publish: 18080 }]", 'ports: [{ port: 80 }]');
    writeFileSync(join(dir, 'cluster.ts'), fixed);
    const r = synth([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^prod: 3 resources → berth\.out\/prod\.graph\.json/);
    expect(r.stderr).toContain('warning[policy.violation] cluster.ts:10:13  prod/web (Deployment)');
    expect(r.stderr).toContain('warning[policy.violation] cluster.ts:16:1  prod/worker (Deployment)');
    expect(r.stderr).toContain('  env: no OWNER in env (policy prod/team, rule owner-env)');
    const json = JSON.parse(synth(['--json']).stdout) as { ok: boolean; warnings: Array<{ rule: string; constructPath: string }> };
    expect(json.ok).toBe(true);
    expect(json.warnings.map((w) => `${w.rule} ${w.constructPath}`)).toEqual(['require-limits prod/web', 'require-limits prod/worker', 'owner-env prod/worker']);
  });
});
