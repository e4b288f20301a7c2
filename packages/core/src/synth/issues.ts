/**
 * zod issues → diagnostics: one per problem, naming the property path (`ports[0].port`), what
 * was given and what to do.
 */
import type { z } from 'zod';
import type { ErrorCode, SourceLocation } from '../errors.ts';
import { isResource } from '../kinds/resource-brand.ts';
import { isRef } from '../refs.ts';
import type { Diagnostics } from './diagnostics.ts';
import { closest } from './suggest.ts';
import type { QuantityIssueParams } from '../quantity.ts';

export interface IssueSubject {
  /** The construct path. */
  readonly path: string;
  readonly kind: string;
  readonly location: SourceLocation | undefined;
  /** The props as the program passed them. */
  readonly props: unknown;
  /** The kind's top-level keys, for "did you mean". */
  readonly known: readonly string[];
}

export function reportIssues(diags: Diagnostics, issues: readonly z.core.$ZodIssue[], s: IssueSubject): void {
  const { path, kind, location: loc, known } = s;
  for (const raw of issues) {
    const issue = unwrapIssue(raw);
    const prop = propertyPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const full = prop ? `${prop}.${key}` : key;
        const guess = prop === '' ? closest(key, known) : undefined;
        diags.report({ code: 'props.unknown', message: `unknown property "${full}"`, constructPath: path, kind, property: full, location: loc, hint: guess ? `did you mean "${guess}"?` : `remove it; see the ${kind} props in the README` });
      }
      continue;
    }
    const input = (issue as { input?: unknown }).input;
    let code: ErrorCode = 'props.invalid';
    let { message, hint } = explain(issue, prop, input);
    if ((kind === 'Deployment' || kind === 'Job') && prop === 'image' && input === undefined) {
      code = 'synth.missing-image';
      message = `a ${kind} needs an image`;
      hint = 'set image: to an ImageBuild, an Image or an image name such as "busybox:1.36"';
    } else if (kind === 'Deployment' && prop === 'replicas' && issue.code === 'too_small') {
      hint = 'use replicas: 0 to stop it, or remove the Deployment';
    }
    if (/(^|\.)mode$/.test(prop) && prop.startsWith('mounts[') && typeof input === 'number' && (issue.code === 'too_big' || issue.code === 'too_small')) {
      // File modes are read in octal: 1023 means nothing to whoever wrote 0o1777.
      message = `must be permission bits between 0o0 and 0o777, got 0o${input.toString(8)}`;
      hint = 'write it in octal, such as mode: 0o440 (owner and group may read)';
    } else if (issue.message === 'not a valid environment variable name' && typeof input === 'string') {
      const fixed = input.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=[0-9])/, '_');
      hint = `use letters, digits and "_" only, not starting with a digit, such as "${fixed}"`;
    }
    if (quantityIssue(issue) !== undefined) code = 'quantity.invalid';
    diags.report({ code, message: prop ? `${prop}: ${message}` : message, constructPath: path, kind, property: prop || undefined, location: loc, hint });
  }
}

/** Which quantity issue this is (quantity.ts marks its own), or undefined for any other issue. */
function quantityIssue(issue: z.core.$ZodIssue): QuantityIssueParams['quantity'] | undefined {
  return issue.code === 'custom' ? (issue.params as Partial<QuantityIssueParams> | undefined)?.quantity : undefined;
}

/** zod's default wording ("Too small: expected number to be >=1") is replaced; a schema's own message is kept. */
const ZOD_DEFAULT = /^(Too (small|big)|Invalid|Expected|Required|Unrecognized)/;

/** What is wrong with the given value, and what to do: one sentence each. */
function explain(issue: z.core.$ZodIssue, prop: string, input: unknown): { message: string; hint?: string | undefined } {
  const own = ZOD_DEFAULT.test(issue.message) ? undefined : issue.message;
  const got = `got ${describe(input)}`;
  const name = prop || 'it';
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return { message: `required: expected ${issue.expected}`, hint: `set ${name} to ${article(issue.expected)}` };
      return { message: `expected ${issue.expected}, got ${typed(input)}`, hint: `set ${name} to ${article(issue.expected)}` };
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const bound = Number(small ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum);
      const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      const origin = (issue as { origin?: string }).origin;
      if (origin === 'array' || origin === 'set') {
        const n = Array.isArray(input) ? input.length : undefined;
        return { message: `${own ?? `needs ${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}`}, got ${n === undefined ? describe(input) : `${n} item${n === 1 ? '' : 's'}`}`, hint: `list ${small ? 'at least' : 'at most'} ${bound} item${bound === 1 ? '' : 's'}` };
      }
      if (origin === 'string') {
        return { message: `${own ?? `must be ${small ? 'at least' : 'at most'} ${bound} character${bound === 1 ? '' : 's'} long`}, ${got}`, hint: small && bound === 1 ? `set ${name} to a non-empty string, or leave it out if it is optional` : undefined };
      }
      return { message: `${own ?? `must be ${op} ${bound}`}, ${got}`, hint: `use a number ${small ? 'of at least' : 'of at most'} ${bound}` };
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const guess = typeof input === 'string' ? closest(input, issue.values.filter((v): v is string => typeof v === 'string')) : undefined;
      return { message: `${own ?? `must be ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}`}, ${got}`, hint: guess ? `did you mean "${guess}"?` : `use ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}` };
    }
    case 'invalid_format': {
      const f = issue as { format: string; prefix?: string; suffix?: string; includes?: string; pattern?: string };
      if (f.format === 'starts_with') {
        const fix = typeof input === 'string' && f.prefix === '/' ? `, such as "/${input}"` : '';
        return { message: `${own ?? `must start with "${f.prefix}"`}, ${got}`, hint: `write it starting with "${f.prefix}"${fix}` };
      }
      if (f.format === 'ends_with') return { message: `${own ?? `must end with "${f.suffix}"`}, ${got}` };
      if (f.format === 'includes') return { message: `${own ?? `must include "${f.includes}"`}, ${got}` };
      return { message: `${own ?? `must match ${f.pattern ?? f.format}`}, ${got}` };
    }
    case 'not_multiple_of':
      return { message: `${own ?? `must be a multiple of ${String(issue.divisor)}`}, ${got}` };
    case 'custom': {
      // Quantity and probe messages already show the value and the fix.
      const quantity = quantityIssue(issue);
      if (quantity === 'too-large') return { message: issue.message, hint: 'write a value in the range a container can have (cores such as "2", memory such as "4Gi", durations such as "30s")' };
      if (quantity === 'invalid' || input === undefined || issue.message.includes('(got ')) return { message: issue.message };
      const kinds = (issue.params as { expectedKinds?: readonly string[] } | undefined)?.expectedKinds;
      if (!kinds) return { message: `${issue.message}, ${got}` };
      const fix = prop === 'image' ? 'set image: to an ImageBuild, an Image or an image name such as "busybox:1.36"' : kinds.length <= 2 ? `pass the ${kinds.join(' or ')} itself, as \`new ${kinds[0] ?? ''}(…)\` returned it` : 'pass the resource construct itself, as `new …(…)` returned it';
      return { message: `${issue.message}, ${got}`, hint: fix };
    }
    default:
      return { message: input === undefined ? issue.message : `${issue.message}, ${got}` };
  }
}

/** describe() with the type in front of a primitive: `string "3"`, `number 3`. */
function typed(v: unknown): string {
  return (typeof v === 'string' && v !== '') || typeof v === 'number' || typeof v === 'boolean' ? `${typeof v} ${describe(v)}` : describe(v);
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** A property path as diagnostics write it: `health.interval`, `ports[0].port`. */
export function propertyPath(at: ReadonlyArray<PropertyKey>): string {
  let s = '';
  for (const p of at) s = typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p);
  return s;
}

/**
 * zod reports a value that matched no branch of a union, or a bad record key, as one vague
 * issue wrapping the real ones; we surface the most specific inner issue instead.
 */
function unwrapIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const candidates = issue.errors.map((branch) => branch[0]).filter((x): x is z.core.$ZodIssue => x !== undefined);
    const best = candidates.find((c) => c.code !== 'invalid_type') ?? candidates[0];
    if (best) return unwrapIssue({ ...best, path: [...issue.path, ...best.path] } as z.core.$ZodIssue);
  }
  if (issue.code === 'invalid_key' && issue.issues.length > 0) {
    const inner = issue.issues[0] as z.core.$ZodIssue;
    return { ...inner, path: issue.path } as z.core.$ZodIssue;
  }
  return issue;
}

/** A given value, short, for "got …": its type and the value itself where it is small. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : `an array of ${v.length}`;
  if (typeof v === 'string') return v === '' ? 'an empty string' : JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (isResource(v)) {
    const r = v as { kind: string; node?: { path?: string } };
    return `the ${r.kind} ${r.node?.path ?? ''}`.trimEnd();
  }
  if (isRef(v)) return `a reference to ${v.targetPath}.${v.attr}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'object' && Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) {
    const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== '') return `a ${name}`;
  }
  return shortObject(v as Record<string, unknown>) ?? 'an object';
}

/** A small plain object as the program would write it (`{ maxSurge: 0, maxUnavailable: 0 }`), else undefined. */
function shortObject(o: Record<string, unknown>): string | undefined {
  const keys = Object.keys(o);
  if (keys.length === 0) return '{}';
  const parts: string[] = [];
  for (const k of keys) {
    const v = o[k];
    const shown = v === null || typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v === 'string' && v.length <= 30 ? JSON.stringify(v) : undefined;
    if (shown === undefined) return undefined;
    parts.push(`${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${shown}`);
  }
  const s = `{ ${parts.join(', ')} }`;
  return s.length <= 80 ? s : undefined;
}
