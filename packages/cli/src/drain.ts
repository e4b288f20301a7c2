/**
 * Drained nodes, per cluster, in `.berth/<cluster>.drain.json`: the scheduler places nothing
 * new on them and the next deploy moves their replicas away.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function file(appDir: string, cluster: string): string {
  return join(appDir, '.berth', `${cluster}.drain.json`);
}

export function drainedNodes(appDir: string, cluster: string): Set<string> {
  try {
    const v = JSON.parse(readFileSync(file(appDir, cluster), 'utf8')) as { drained?: unknown };
    return new Set(Array.isArray(v.drained) ? v.drained.filter((x): x is string => typeof x === 'string') : []);
  } catch {
    return new Set();
  }
}

export function setDrained(appDir: string, cluster: string, nodes: ReadonlySet<string>): void {
  mkdirSync(join(appDir, '.berth'), { recursive: true, mode: 0o700 });
  const f = file(appDir, cluster);
  writeFileSync(`${f}.tmp`, `${JSON.stringify({ drained: [...nodes].sort() }, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${f}.tmp`, f);
}
