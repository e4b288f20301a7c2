/**
 * Parameters: the values a program varies by without being edited (`--set region=us-east`, or
 * `berth.params.json` per environment with `--env prod`). A program declares each one with
 * `app.param(name, { default, choices })` and gets its value, typed by its default; core only
 * checks what it is given, the CLI reads the flags and the file and hands them over (core reads
 * neither process.env nor files).
 */
import type { ErrorCode, SourceLocation } from '../errors.ts';
import type { RawFrames } from '../private/location.ts';
import { closest } from '../synth/suggest.ts';

/** What a parameter can be. */
export type ParamValue = string | number | boolean;

/** A parameter's declaration. */
export interface ParamOptions<T extends ParamValue> {
  /** The value when nothing sets it; its type is the parameter's type. */
  readonly default: T;
  /** The only values allowed. @default any value of the type */
  readonly choices?: readonly T[];
  /** One line on what it is for (shown with errors and by `berth synth --json`). */
  readonly description?: string;
}

/** Where a given value came from, to say so when it is wrong. */
export type ParamOrigin =
  | { readonly kind: 'set' }
  | { readonly kind: 'file'; readonly file: string; readonly environment: string | undefined; readonly location?: SourceLocation | undefined };

/** A value handed to the program: from `--set` a string, from a file any JSON value. */
export interface GivenParam {
  readonly value: unknown;
  readonly origin: ParamOrigin;
}

/** What the program's parameters resolved to. */
export interface ResolvedParam {
  readonly value: ParamValue;
  /** `default`, `--set`, or the file and environment it came from. */
  readonly source: string;
  readonly default: ParamValue;
  readonly choices?: readonly ParamValue[];
  readonly description?: string;
}

/** What an App is given: parameter values and the environment (`--env`). */
export interface ParamInput {
  readonly params?: Readonly<Record<string, GivenParam | ParamValue>>;
  readonly environment?: string | undefined;
}

/** A problem with a parameter, reported at synth with every other problem. */
export interface ParamProblem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly frames?: RawFrames;
  readonly location?: SourceLocation | undefined;
  readonly hint?: string;
}

const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

export function describeOrigin(o: ParamOrigin, name: string): string {
  return o.kind === 'set' ? `--set ${name}=…` : `${o.file}${o.environment !== undefined ? ` (environment "${o.environment}")` : ''}`;
}

function typeOf(v: ParamValue): 'string' | 'number' | 'boolean' {
  return typeof v as 'string' | 'number' | 'boolean';
}

/**
 * The value of a parameter of `type` from what was given: `--set` strings are read as the
 * type (`3`, `true`); a file's JSON value must already be of it.
 */
export function coerce(given: GivenParam, type: 'string' | 'number' | 'boolean'): ParamValue | undefined {
  const v = given.value;
  if (typeof v === type) return v as ParamValue;
  if (given.origin.kind !== 'set' || typeof v !== 'string') return undefined;
  if (type === 'number') {
    const n = v.trim() === '' ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  if (type === 'boolean') return v === 'true' ? true : v === 'false' ? false : undefined;
  return v;
}

/** The parameters of one App: what it was given, what it declared. */
export class Params {
  readonly environment: string | undefined;
  private readonly given: ReadonlyMap<string, GivenParam>;
  private readonly declared = new Map<string, ResolvedParam & { type: string }>();
  /** Every name the program declared, also the ones whose declaration or value was bad. */
  private readonly names = new Set<string>();
  readonly problems: ParamProblem[] = [];

  constructor(input: ParamInput = {}) {
    this.environment = input.environment;
    const given = new Map<string, GivenParam>();
    for (const [k, v] of Object.entries(input.params ?? {})) {
      given.set(k, typeof v === 'object' && v !== null && 'origin' in v ? v : { value: v, origin: { kind: 'set' } });
    }
    this.given = given;
  }

  /** Declares a parameter and returns its value; a bad value is reported and the default used. */
  declare<T extends ParamValue>(name: string, options: ParamOptions<T>, frames: RawFrames): T {
    const fail = (message: string, hint: string, location?: SourceLocation): T => {
      this.problems.push({ code: 'param.invalid', message, frames, location, hint });
      return options?.default;
    };
    if (typeof name !== 'string' || !NAME.test(name)) return fail(`param(): ${JSON.stringify(name)} is not a parameter name`, 'use letters, digits, "_", "-" and "."; start with a letter');
    this.names.add(name);
    const def = (options as { default?: unknown } | undefined)?.default;
    if (typeof def !== 'string' && typeof def !== 'number' && typeof def !== 'boolean') {
      return fail(`param("${name}"): default must be a string, a number or a boolean`, 'the default also sets the parameter\'s type: app.param("replicas", { default: 3 })');
    }
    const type = typeOf(def);
    const choices = options.choices;
    if (choices !== undefined && (!Array.isArray(choices) || choices.length === 0 || choices.some((c) => typeof c !== type))) {
      return fail(`param("${name}"): choices must be a non-empty list of ${type}s, as its default is`, `e.g. choices: [${JSON.stringify(def)}]`);
    }
    if (choices && !choices.includes(def as T)) return fail(`param("${name}"): the default ${JSON.stringify(def)} is not one of its choices (${choices.map((c) => JSON.stringify(c)).join(', ')})`, 'add the default to choices, or pick one of them');
    const before = this.declared.get(name);
    if (before) {
      if (before.type !== type || before.default !== def) return fail(`param("${name}") is declared twice, with different defaults (${JSON.stringify(before.default)} and ${JSON.stringify(def)})`, 'declare each parameter once and pass its value where it is needed');
      return before.value as T;
    }
    const given = this.given.get(name);
    let value: ParamValue = def;
    let source = 'default';
    if (given) {
      const where = describeOrigin(given.origin, name);
      const loc = given.origin.kind === 'file' ? given.origin.location : undefined;
      const v = coerce(given, type);
      if (v === undefined) {
        return fail(`parameter "${name}" is a ${type}, but ${where} gives ${JSON.stringify(given.value)}`, type === 'boolean' ? `set it to true or false` : type === 'number' ? 'set it to a number, such as 3' : 'set it to a string', loc);
      }
      if (choices && !choices.includes(v as T)) {
        const guess = typeof v === 'string' ? closest(v, choices.filter((c): c is T & string => typeof c === 'string')) : undefined;
        return fail(`parameter "${name}" must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}; ${where} gives ${JSON.stringify(v)}`, guess ? `did you mean "${guess}"?` : `use one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, loc);
      }
      value = v;
      source = where;
    }
    this.declared.set(name, { value, source, default: def, type, ...(choices ? { choices } : {}), ...(options.description !== undefined ? { description: options.description } : {}) });
    return value as T;
  }

  /** Values given for parameters the program never declared (run after the program). */
  unknown(): ParamProblem[] {
    const known = [...this.names];
    const out: ParamProblem[] = [];
    for (const [name, g] of this.given) {
      if (this.names.has(name)) continue;
      const guess = closest(name, known);
      out.push({
        code: 'param.unknown',
        message: `unknown parameter "${name}" (from ${describeOrigin(g.origin, name)}): the program declares ${known.length === 0 ? 'no parameters' : known.map((k) => `"${k}"`).join(', ')}`,
        location: g.origin.kind === 'file' ? g.origin.location : undefined,
        hint: guess ? `did you mean "${guess}"?` : known.length === 0 ? "declare it in cluster.ts: app.param('" + name + "', { default: … })" : `set one of ${known.join(', ')}, or declare "${name}" with app.param()`,
      });
    }
    return out;
  }

  /** Every declared parameter with its value and where the value came from, by name. */
  resolved(): Record<string, ResolvedParam> {
    const out: Record<string, ResolvedParam> = {};
    for (const name of [...this.declared.keys()].sort()) {
      const { type: _type, ...p } = this.declared.get(name) as ResolvedParam & { type: string };
      out[name] = p;
    }
    return out;
  }
}

let pending: ParamInput | undefined;

/**
 * What the next Apps created are given (the loader sets it around running cluster.ts, as the
 * program's own `new App()` cannot be handed it), or `undefined` to stop. @internal
 */
export function setParamInput(input: ParamInput | undefined): void {
  pending = input;
}

/** @internal */
export function takeParamInput(): ParamInput | undefined {
  return pending;
}
