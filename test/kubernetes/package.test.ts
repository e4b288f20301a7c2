// @berth/target-kubernetes is its own package (ADR 8): the CLI bundle keeps it (and
// @kubernetes/client-node) out, loads it by name at run time, and says what to install when
// it is missing; a Docker program never loads it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from '../e2e/harness.ts';

const built = existsSync(join(ROOT, 'packages/cli/dist/berth.cjs')) && existsSync(join(ROOT, 'packages/target-kubernetes/dist/index.js'));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function program(target: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-k8s-pkg-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'cluster.ts'), `import { App, Cluster, Deployment } from '@berth/core';\nconst app = new App();\nconst c = new Cluster(app, 'p'${target});\nnew Deployment(c, 'web', { image: 'nginx:1' });\nexport default app;\n`);
  return dir;
}
const run = (dir: string, args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });

describe.skipIf(!built)('@berth/target-kubernetes as its own package', () => {
  it('is not in the CLI bundle, which names it only as a run-time import', () => {
    const bundle = readFileSync(join(ROOT, 'packages/cli/dist/berth.cjs'), 'utf8');
    expect(bundle).not.toContain('KubernetesObjectApi');
    expect(bundle).not.toContain('kubernetes-models');
    expect(bundle).toMatch(/= "@berth\/target-kubernetes";/);
    const cli = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { peerDependenciesMeta?: Record<string, { optional?: boolean }> };
    expect(cli.peerDependenciesMeta?.['@berth/target-kubernetes']?.optional).toBe(true);
  });

  it('declares every package its built code imports', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'packages/target-kubernetes/package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    const dist = join(ROOT, 'packages/target-kubernetes/dist');
    const used = new Set<string>();
    for (const f of readdirSync(dist, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.js'))) {
      for (const m of readFileSync(join(f.parentPath, f.name), 'utf8').matchAll(/\bfrom\s*(['"])([^'"./][^'"]*)\1/g)) {
        const s = m[2] as string;
        if (s.startsWith('node:') || builtinModules.includes(s)) continue;
        used.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string));
      }
    }
    expect([...used].filter((m) => !declared.has(m))).toEqual([]);
    expect(pkg.dependencies['@kubernetes/client-node']).toBe('1.4.0');
    expect(pkg.dependencies['kubernetes-models']).toMatch(/^5\./);
  });

  it('is loaded by the built CLI for a kubernetes cluster; missing, it is a clear error; a docker program never needs it', () => {
    const k = program(", { target: { kubernetes: { namespace: 'p' } } }");
    const ok = run(k, ['export', 'kubernetes']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/kind: Deployment/);
    expect(ok.stderr).not.toMatch(/ExperimentalWarning/);
    const missing = run(k, ['synth'], { BERTH_KUBERNETES_PACKAGE: '@berth/target-kubernetes-not-installed' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('error[load.missing-package]');
    expect(missing.stderr).toContain('npm install @berth/target-kubernetes');
    const d = program('');
    const docker = run(d, ['synth'], { BERTH_KUBERNETES_PACKAGE: '@berth/target-kubernetes-not-installed' });
    expect(docker.status, docker.stderr).toBe(0);
    expect(readdirSync(join(d, 'berth.out'))).toEqual(['p.graph.json']);
  });
});
