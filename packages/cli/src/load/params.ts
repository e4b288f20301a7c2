/**
 * Where a program's parameters come from: `--set name=value` (repeatable) over the chosen
 * environment's entry in `berth.params.json` beside cluster.ts (`--env prod`; without --env,
 * its "default" entry, if any). Core checks the values against the program's declarations;
 * this only reads them and remembers where each came from, so a bad one is pointed at.
 *
 *   { "default": { "region": "eu-west" }, "prod": { "region": "us-east", "replicas": 6 } }
 */
import { existsSync, readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BerthError, SynthFailure, type GivenParam, type ParamInput, type ParamValue, type ResolvedParam } from '@berth/core';

export const PARAMS_FILE = 'berth.params.json';

/** The flags every command that loads a program takes. */
export interface ParamFlags {
  readonly set?: readonly string[] | undefined;
  readonly env?: string | undefined;
}

/** What the program is given: the file's environment entry, then each --set over it. */
export function paramInput(appDir: string, flags: ParamFlags = {}): ParamInput {
  const params: Record<string, GivenParam> = {};
  const file = join(appDir, PARAMS_FILE);
  const envName = flags.env;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new SynthFailure([{ code: 'param.invalid', message: `${PARAMS_FILE} is not JSON: ${(e as Error).message}`, location: { file, line: 1, column: 1 }, hint: 'write { "<environment>": { "<param>": value } }' }]);
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data) || Object.values(data).some((v) => typeof v !== 'object' || v === null || Array.isArray(v))) {
      throw new SynthFailure([{ code: 'param.invalid', message: `${PARAMS_FILE} must map each environment to an object of parameter values`, location: { file, line: 1, column: 1 }, hint: 'write { "prod": { "region": "us-east" }, "dev": { … } }' }]);
    }
    const envs = data as Record<string, Record<string, unknown>>;
    const chosen = envName ?? ('default' in envs ? 'default' : undefined);
    if (chosen !== undefined) {
      const values = envs[chosen];
      if (!values) {
        throw new BerthError('cli.usage', `--env ${chosen}: ${PARAMS_FILE} has no environment "${chosen}"`, { location: { file, line: 1, column: 1 }, hint: `environments there: ${Object.keys(envs).join(', ') || '(none)'}` });
      }
      const envAt = keyOffset(text, chosen, 0);
      for (const [name, value] of Object.entries(values)) {
        const at = keyOffset(text, name, envAt ?? 0);
        params[name] = { value, origin: { kind: 'file', file: PARAMS_FILE, environment: chosen, ...(at !== undefined ? { location: { file, ...position(text, at) } } : {}) } };
      }
    }
  } else if (envName !== undefined) {
    throw new BerthError('cli.usage', `--env ${envName}: there is no ${PARAMS_FILE} beside the program`, { hint: `create ${file} with { "${envName}": { "<param>": value } }, or drop --env` });
  }
  for (const kv of flags.set ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new BerthError('cli.usage', `--set ${kv}: expected name=value`, { hint: 'such as --set region=us-east' });
    params[kv.slice(0, i)] = { value: kv.slice(i + 1), origin: { kind: 'set' } };
  }
  return { params, environment: envName };
}

/** Where `"key":` first appears in `text` from `from` (a JSON key, not a value). */
function keyOffset(text: string, key: string, from: number): number | undefined {
  const re = new RegExp(`${JSON.stringify(key).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:`, 'g');
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? m.index : undefined;
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

/** The parameter values a deploy recorded for a cluster (shown by diff when they change). */
export function recordedParams(appDir: string, cluster: string): Record<string, ParamValue> | undefined {
  try {
    const data = JSON.parse(readFileSync(paramsRecordFile(appDir, cluster), 'utf8')) as { params?: Record<string, ParamValue> };
    return data.params;
  } catch {
    return undefined;
  }
}

function paramsRecordFile(appDir: string, cluster: string): string {
  return join(appDir, '.berth', `${cluster}.params.json`);
}

/** Records the values a deploy ran with (temp file and rename: never half written). */
export function recordParams(appDir: string, cluster: string, params: Readonly<Record<string, ResolvedParam>>): void {
  const file = paramsRecordFile(appDir, cluster);
  mkdirSync(dirname(file), { recursive: true });
  const values = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.value]));
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ params: values }, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** `region: "eu-west" → "us-east"` for each parameter whose value differs from the recorded one. */
export function paramChanges(now: Readonly<Record<string, ResolvedParam>>, before: Readonly<Record<string, ParamValue>> | undefined): string[] {
  if (!before) return [];
  const out: string[] = [];
  for (const name of [...new Set([...Object.keys(now), ...Object.keys(before)])].sort()) {
    const a = before[name];
    const b = now[name];
    if (a === b?.value) continue;
    if (b === undefined) out.push(`${name}: ${JSON.stringify(a)} → (no longer declared)`);
    else if (a === undefined) out.push(`${name}: (new) ${JSON.stringify(b.value)}  [${b.source}]`);
    else out.push(`${name}: ${JSON.stringify(a)} → ${JSON.stringify(b.value)}  [${b.source}]`);
  }
  return out;
}
