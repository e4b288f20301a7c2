/**
 * zod issues → diagnostics: one per problem, naming the property path (`ports[0].port`), what
 * was given and what to do.
 */
import type { z } from 'zod';
import type { ErrorCode, SourceLocation } from '../errors.ts';
import { isResource } from '../kinds/resource-brand.ts';
import type { Diagnostics } from './diagnostics.ts';
import { closest } from './suggest.ts';

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
    let code: ErrorCode = 'props.invalid';
    let message = issue.message;
    let hint: string | undefined;
    if (kind === 'Deployment' || kind === 'Job') {
      if (prop === 'image' && (issue as { input?: unknown }).input === undefined) {
        code = 'synth.missing-image';
        message = `a ${kind} needs an image`;
        hint = 'set image: to an ImageBuild, an Image or an image name such as "busybox:1.36"';
      } else if (prop === 'replicas' && issue.code === 'too_small') {
        message = `must be >= 0, got ${String((issue as { input?: unknown }).input ?? 'a negative number')}`;
        hint = 'use replicas: 0 to stop it, or remove the Deployment';
      }
    }
    if (issue.message.startsWith('not a cpu') || issue.message.startsWith('not a memory') || issue.message.startsWith('not a duration')) code = 'quantity.invalid';
    if (issue.code === 'invalid_type' && code === 'props.invalid') {
      const input = (issue as { input?: unknown }).input;
      message = input === undefined ? `required: expected ${issue.expected}` : `expected ${issue.expected}, got ${describe(input)}`;
    }
    diags.report({ code, message: prop ? `${prop}: ${message}` : message, constructPath: path, kind, property: prop || undefined, location: loc, hint });
  }
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

/** A given value, short, for "got …". */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (isResource(v)) return `a ${(v as { kind: string }).kind} construct`;
  return typeof v;
}
