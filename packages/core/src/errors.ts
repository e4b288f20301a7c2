/**
 * berth's one error family. Every error says what went wrong, where (source location,
 * construct path, property) and what to do next (`hint`). The CLI renders them; core and
 * engine only construct and throw them.
 */

/** Stable, namespaced error codes. Tests and `--json` consumers match on these. */
export const ERROR_CODES = [
  'props.invalid',
  'props.unknown',
  'quantity.invalid',
  'synth.cycle',
  'synth.dangling-ref',
  'synth.cross-cluster-ref',
  'synth.duplicate-id',
  'synth.invalid-id',
  'synth.port-conflict',
  'synth.port-not-exposed',
  'synth.limit-below-request',
  'synth.missing-image',
  'synth.build-context',
  'synth.no-app',
  'synth.many-apps',
  'synth.failed',
  'policy.violation',
  'policy.failed',
  'param.unknown',
  'param.invalid',
  'load.syntax',
  'load.exception',
  'load.not-found',
  'load.missing-package',
  'load.bad-export',
  'state.locked',
  'state.corrupt',
  'state.newer-schema',
  'state.stale-plan',
  'plan.invalid',
  'plan.unplaceable',
  'plan.protected',
  'target.unavailable',
  'target.invalid',
  'target.conflict',
  'target.forbidden',
  'target.image-unpullable',
  'driver.unreachable',
  'driver.failed',
  'driver.build-failed',
  'deploy.rollout-failed',
  'deploy.job-failed',
  'deploy.interrupted',
  'rollback.no-release',
  'rollback.refused',
  'export.unsupported',
  'cli.usage',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** A place in a user's source file, 1-based. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

const BRAND = Symbol.for('berth.error');

export interface BerthErrorOptions {
  readonly constructPath?: string | undefined;
  readonly kind?: string | undefined;
  readonly location?: SourceLocation | undefined;
  readonly property?: string | undefined;
  readonly hint?: string | undefined;
  readonly cause?: unknown;
}

/** The base of every error berth raises on purpose. */
export class BerthError extends Error {
  static is(x: unknown): x is BerthError {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[BRAND] === true;
  }
  readonly code: ErrorCode;
  readonly constructPath: string | undefined;
  readonly kind: string | undefined;
  readonly location: SourceLocation | undefined;
  readonly property: string | undefined;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: BerthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    Object.defineProperty(this, BRAND, { value: true });
    this.name = 'BerthError';
    this.code = code;
    this.constructPath = options.constructPath;
    this.kind = options.kind;
    this.location = options.location;
    this.property = options.property;
    this.hint = options.hint;
  }
}

/** How bad a diagnostic is: an error fails synth, a warning is shown and synth goes on. */
export type Severity = 'error' | 'warning';

/** One problem found while synthesizing; synth collects all of them before failing. */
export interface Diagnostic {
  readonly code: ErrorCode;
  /** @default "error" */
  readonly severity?: Severity | undefined;
  /** The policy rule that reported it (`policy.violation`), such as `require-limits`. */
  readonly rule?: string | undefined;
  readonly message: string;
  readonly constructPath?: string | undefined;
  readonly kind?: string | undefined;
  readonly property?: string | undefined;
  readonly location?: SourceLocation | undefined;
  readonly hint?: string | undefined;
}

/**
 * Synthesis found one or more problems; `diagnostics` lists every one, in source order
 * (warnings found in the same run among them, marked `severity: 'warning'`).
 */
export class SynthFailure extends BerthError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const n = diagnostics.filter((d) => d.severity !== 'warning').length;
    super('synth.failed', `synthesis failed with ${n} problem${n === 1 ? '' : 's'}`);
    this.name = 'SynthFailure';
    this.diagnostics = diagnostics;
  }
}

/** Props that do not match their schema. */
export class ValidationError extends BerthError {
  constructor(message: string, options: BerthErrorOptions) {
    super('props.invalid', message, options);
    this.name = 'ValidationError';
  }
}

/** State cannot be read, written or locked. */
export class StateError extends BerthError {
  constructor(code: ErrorCode, message: string, options: BerthErrorOptions = {}) {
    super(code, message, options);
    this.name = 'StateError';
  }
}

/** A runtime (Docker, Swarm, Kubernetes) refused or failed an operation. */
export class DriverError extends BerthError {
  readonly resourceId: string | undefined;
  readonly driver: string;
  constructor(code: ErrorCode, message: string, options: BerthErrorOptions & { driver: string; resourceId?: string | undefined }) {
    super(code, message, options);
    this.name = 'DriverError';
    this.driver = options.driver;
    this.resourceId = options.resourceId;
  }
}

/** A bug in berth. The CLI asks the user to report it. */
export class InternalError extends BerthError {
  constructor(message: string, cause?: unknown) {
    super('internal', message, { cause, hint: 'this is a bug in berth; please report it with the command you ran' });
    this.name = 'InternalError';
  }
}
