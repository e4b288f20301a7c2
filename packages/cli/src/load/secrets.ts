import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BerthError, type GraphJson } from '@berth/core';
import { secretVersion } from '@berth/engine';

export interface SecretValues {
  /** Values by Secret id: only ever handed to containers, never printed or stored. */
  readonly values: Map<string, string>;
  /** HMAC versions by Secret id, for the planner and state. */
  readonly versions: Record<string, string>;
  /** Secrets whose value could not be read, with what to do. */
  readonly missing: ReadonlyArray<{ readonly id: string; readonly path: string; readonly hint: string }>;
}

/**
 * Reads every Secret's value where the program said it lives (an environment variable or a
 * file beside cluster.ts). Missing values are reported, not thrown: `diff` can still plan
 * without them, `deploy` refuses.
 */
export function readSecrets(graph: GraphJson, appDir: string, env: Readonly<Record<string, string | undefined>>, key: string): SecretValues {
  const values = new Map<string, string>();
  const versions: Record<string, string> = {};
  const missing: Array<{ id: string; path: string; hint: string }> = [];
  for (const r of graph.resources) {
    if (r.kind !== 'Secret') continue;
    let v: string | undefined;
    if (r.props.fromEnv !== undefined) {
      v = env[r.props.fromEnv];
      if (v === undefined) missing.push({ id: r.id, path: r.path, hint: `set the environment variable ${r.props.fromEnv}` });
    } else if (r.props.fromFile !== undefined) {
      try {
        v = readFileSync(resolve(appDir, r.props.fromFile), 'utf8');
      } catch {
        missing.push({ id: r.id, path: r.path, hint: `create the file ${r.props.fromFile} (relative to cluster.ts)` });
      }
    }
    if (v !== undefined) {
      values.set(r.id, v);
      versions[r.id] = secretVersion(v, key);
    }
  }
  return { values, versions, missing };
}

/** Throws one error naming every secret whose value is missing. */
export function requireSecrets(s: SecretValues): void {
  if (s.missing.length === 0) return;
  const lines = s.missing.map((m) => `  ${m.path}: ${m.hint}`).join('\n');
  throw new BerthError('plan.invalid', `${s.missing.length} secret value${s.missing.length === 1 ? ' is' : 's are'} missing:\n${lines}`, {
    hint: 'secrets are read at deploy time and never stored; provide them and run again',
  });
}
