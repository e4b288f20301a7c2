import { Construct } from 'constructs';
import type { ErrorCode } from '../errors.ts';
import { captureFrames, type RawFrames } from '../private/location.ts';
import { Params, takeParamInput, type ParamInput, type ParamOptions } from './params.ts';

const APP = Symbol.for('berth.app');

/** A problem noticed while the program ran; reported with all others at synth. @internal */
export interface PendingProblem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly constructPath: string;
  readonly kind?: string;
  readonly property?: string;
  readonly frames: RawFrames;
  readonly hint?: string;
}

const created: App[] = [];

/**
 * The root of a berth program. Holds one or more {@link Cluster}s.
 *
 * @example
 * const app = new App();
 * const prod = new Cluster(app, 'prod');
 */
export class App extends Construct {
  static isApp(x: unknown): x is App {
    return typeof x === 'object' && x !== null && (x as Record<symbol, unknown>)[APP] === true;
  }
  /** Finds the App at the root of `c`'s tree. */
  static of(c: Construct): App {
    const root = c.node.root;
    if (!App.isApp(root)) return fallbackApp(root);
    return root;
  }
  /** Every App created in this process, in creation order. The loader synthesizes these. @internal */
  static created(): readonly App[] {
    return created;
  }
  /** @internal */
  static resetCreated(): void {
    created.length = 0;
  }

  /** @internal */
  readonly problems: PendingProblem[] = [];
  /** How many ImageBuilds the program made in this app: synth hashes build contexts only then. @internal */
  imageBuilds = 0;
  /** Where the program created it, for errors about the App itself. @internal */
  readonly frames: RawFrames;
  /** Its parameters: what it was given and what the program declared. @internal */
  readonly params: Params;

  /**
   * @param props parameter values and the environment; `berth` passes what `--set`, `--env`
   * and berth.params.json say, so a program leaves this out. Tests pass values here.
   */
  constructor(props?: ParamInput) {
    super(undefined as unknown as Construct, '');
    this.frames = captureFrames(new.target);
    this.params = new Params(props ?? takeParamInput());
    Object.defineProperty(this, APP, { value: true });
    created.push(this);
  }

  /** The environment berth was run for (`--env prod`), or undefined. */
  get environment(): string | undefined {
    return this.params.environment;
  }

  /**
   * Declares a parameter and returns its value: `--set name=value`, else the environment's
   * entry in berth.params.json, else the default. Its type is the default's; a value of
   * another type, or not among `choices`, is a synth error located here.
   *
   * @example
   * const region = app.param('region', { default: 'eu-west', choices: ['eu-west', 'us-east'] });
   * const replicas = app.param('replicas', { default: 2 });
   * const debug = app.param('debug', { default: false });
   */
  param<const C extends readonly string[]>(name: string, options: ParamOptions<string> & { readonly default: C[number]; readonly choices: C }): C[number];
  param<const C extends readonly number[]>(name: string, options: ParamOptions<number> & { readonly default: C[number]; readonly choices: C }): C[number];
  param(name: string, options: ParamOptions<string>): string;
  param(name: string, options: ParamOptions<number>): number;
  param(name: string, options: ParamOptions<boolean>): boolean;
  param(name: string, options: ParamOptions<string | number | boolean>): string | number | boolean {
    return this.params.declare(name, options, captureFrames(App.prototype.param));
  }
}

const detached = new WeakMap<object, App>();
function fallbackApp(root: object): App {
  let a = detached.get(root);
  if (!a) {
    a = Object.create(App.prototype) as App;
    Object.defineProperty(a, 'problems', { value: [] });
    a.imageBuilds = 0;
    detached.set(root, a);
  }
  return a;
}
