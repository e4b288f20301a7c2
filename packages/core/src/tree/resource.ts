import { Construct } from 'constructs';
import { captureFrames, type RawFrames } from '../private/location.ts';
import { makeRef, type Ref } from '../refs.ts';
import { RESOURCE } from '../kinds/resource-brand.ts';
import { App } from './app.ts';

/** The resource kinds berth knows, in the order the graph documents them. */
export const RESOURCE_KINDS = [
  'Image',
  'ImageBuild',
  'Network',
  'Volume',
  'Secret',
  'Config',
  'Job',
  'Deployment',
  'Service',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/**
 * An id already taken among the siblings is a user error we report at synth together with
 * every other problem; to keep the program running we register the construct under a
 * private unique id instead of letting `constructs` throw at the first one.
 */
function claimId(scope: Construct, id: string, kind: string, frames: RawFrames): string {
  if (!scope?.node || scope.node.tryFindChild(id) === undefined) return id;
  const app = App.of(scope);
  const path = scope.node.path ? `${scope.node.path}/${id}` : id;
  app.problems.push({
    code: 'synth.duplicate-id',
    message: `duplicate construct id "${id}": ${scope.node.path || 'the app'} already has a child with this id`,
    constructPath: path,
    kind,
    frames,
    hint: 'give each construct in the same scope its own id',
  });
  let n = 2;
  while (scope.node.tryFindChild(`${id}~dup${n}`) !== undefined) n++;
  return `${id}~dup${n}`;
}

/** The base of every berth resource construct. */
export abstract class Resource<P = unknown> extends Construct {
  /** The resource kind, such as `Deployment`. */
  readonly kind: ResourceKind;
  /** The props exactly as the program passed them; validated at synth. */
  readonly props: P;
  /** @internal where the program created this construct (raw stack frames). */
  readonly frames: RawFrames;
  /** @internal explicit ordering edges added with {@link Resource.addDependency}. */
  readonly explicitDeps: Resource[] = [];

  protected constructor(scope: Construct, id: string, kind: ResourceKind, props: P) {
    const frames = captureFrames(new.target);
    super(scope, claimId(scope, id, kind, frames));
    this.kind = kind;
    this.props = props;
    this.frames = frames;
  }

  static {
    // The brand on the prototype, not on each instance: one less property to define for
    // every construct of a large program.
    Object.defineProperty(Resource.prototype, RESOURCE, { value: true });
  }

  /** Makes this resource wait for `others` (created first, deleted after). */
  addDependency(...others: Resource[]): void {
    this.explicitDeps.push(...others);
  }

  /** A placeholder for one of this resource's attributes, resolved at deploy time. */
  protected attr<T = string>(name: string): Ref<T> {
    return makeRef<T>(this.node.path, name);
  }
}
