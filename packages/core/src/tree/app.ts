import { Construct } from 'constructs';
import type { ErrorCode } from '../errors.ts';
import { captureFrames, type RawFrames } from '../private/location.ts';

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

  constructor() {
    super(undefined as unknown as Construct, '');
    this.frames = captureFrames(new.target);
    Object.defineProperty(this, APP, { value: true });
    created.push(this);
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
