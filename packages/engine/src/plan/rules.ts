/**
 * Which property changes a runtime can apply in place and which need new objects. The table
 * is per kind and per top-level prop; anything not listed replaces, so a prop added to core
 * later errs on the safe side (a rolling replace) rather than silently doing nothing.
 */

export interface ChangeRule {
  /** Props that change in place, with what happens, as the diff shows it. */
  readonly inPlace: Readonly<Record<string, string>>;
  /** What a replace means for this kind, as the diff shows it. */
  readonly replaceMeans: string;
  /** What the kind's consumers see when it changes (for derived reasons). */
  readonly consumedAs?: string;
  /** Stateful: replace and delete destroy data, so they need an explicit flag. */
  readonly stateful?: true;
  /** Props that only restate another one (a Config's sha256 of its data): left out of diffs. */
  readonly hidden?: readonly string[];
}

// New replicas start and turn healthy before old ones stop (maxSurge/maxUnavailable).
const containerReplace = 'rolling replace';

export const CHANGE_RULES: Readonly<Record<string, ChangeRule>> = {
  Deployment: {
    inPlace: {
      replicas: 'scaled in place',
      update: 'rollout strategy, used by the next rollout',
      placement: 'replicas rescheduled where needed',
      dependsOn: 'ordering only',
    },
    replaceMeans: containerReplace,
  },
  Job: {
    inPlace: {
      backoffLimit: 'applies to the next run',
      timeout: 'applies to the next run',
      dependsOn: 'ordering only',
    },
    replaceMeans: 'the job runs again',
  },
  Service: {
    inPlace: {
      ports: 'proxy reconfigured in place',
      name: 'DNS alias changed in place',
      target: 'proxy re-pointed in place',
    },
    replaceMeans: 'recreated',
    consumedAs: 'service address',
  },
  Volume: {
    inPlace: {},
    replaceMeans: 'a volume cannot change in place: it would be recreated and its data lost',
    stateful: true,
  },
  Network: {
    inPlace: {},
    replaceMeans: 'a network cannot change in place: recreated, its containers reconnected',
  },
  Secret: {
    inPlace: { fromEnv: 'read from a new source', fromFile: 'read from a new source' },
    replaceMeans: 'recreated',
    consumedAs: 'secret',
  },
  Config: {
    inPlace: { data: 'rewritten', file: 'read from a new file' },
    replaceMeans: 'recreated',
    consumedAs: 'config',
    hidden: ['sha256'],
  },
  Image: {
    inPlace: { name: 'pinned to the new image' },
    replaceMeans: 'recreated',
    consumedAs: 'image',
  },
  ImageBuild: {
    inPlace: {
      context: 'rebuilt',
      dockerfile: 'rebuilt',
      buildArgs: 'rebuilt',
      target: 'rebuilt',
      contentHash: 'rebuilt',
      contextFiles: 'rebuilt',
    },
    replaceMeans: 'rebuilt',
    consumedAs: 'image',
  },
};

const FALLBACK: ChangeRule = { inPlace: {}, replaceMeans: 'recreated' };

export function ruleFor(kind: string): ChangeRule {
  return CHANGE_RULES[kind] ?? FALLBACK;
}

/** Kinds whose consumers run a container: a changed input rolls them. */
export const CONTAINER_KINDS: ReadonlySet<string> = new Set(['Deployment', 'Job']);

/** The top-level prop of a property path: `env` for `env.LOG`, `ports` for `ports[0].port`. */
export function topKey(path: string): string {
  const m = /^[^.[]*/.exec(path);
  return m ? m[0] : path;
}
