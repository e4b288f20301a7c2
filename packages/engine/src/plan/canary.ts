/**
 * Canary decisions, pure: how many canary replicas a Deployment's `update.canary` asks for, and
 * — at each look during the pause — whether to keep watching, promote or abort. The rollout
 * (execute/rollout.ts) looks and acts.
 */

/** A Deployment's `update.canary` as the graph carries it (durations in ms). */
export interface CanarySpec {
  readonly replicas: number | string;
  readonly pause: number;
  readonly promote: 'auto' | 'manual';
  readonly maxErrors: number;
}

/**
 * Canary replicas for a Deployment of `replicas`: a count (at most `replicas`), or a share
 * rounded up, at least 1. 0 when there are no replicas.
 */
export function canaryCount(replicas: number, spec: Pick<CanarySpec, 'replicas'>): number {
  if (replicas <= 0) return 0;
  const want = typeof spec.replicas === 'number' ? spec.replicas : Math.ceil((replicas * Number.parseInt(spec.replicas, 10)) / 100);
  return Math.min(replicas, Math.max(1, want));
}

/** What one look at the canary found. */
export interface CanaryLook {
  readonly elapsedMs: number;
  /** Failed requests to the canary since it joined the Services. */
  readonly errors: number;
  /** A canary replica that is not running and healthy now, with why (`replica 0 exited with code 1`). */
  readonly notReady?: string;
}

export type CanaryDecision = { readonly decision: 'watch' } | { readonly decision: 'promote' } | { readonly decision: 'hold' } | { readonly decision: 'abort'; readonly reason: string };

/**
 * Abort as soon as a canary is not ready or the errors pass `maxErrors`; after the pause,
 * promote (`auto`) or hold for `berth promote` / `berth abort` (`manual`).
 */
export function decideCanary(spec: Pick<CanarySpec, 'pause' | 'promote' | 'maxErrors'>, look: CanaryLook): CanaryDecision {
  if (look.notReady !== undefined) return { decision: 'abort', reason: look.notReady };
  if (look.errors > spec.maxErrors) {
    return { decision: 'abort', reason: `${look.errors} failed request${look.errors === 1 ? '' : 's'} to the canary (5xx answers or failed connections; at most ${spec.maxErrors} allowed)` };
  }
  if (look.elapsedMs < spec.pause) return { decision: 'watch' };
  return spec.promote === 'auto' ? { decision: 'promote' } : { decision: 'hold' };
}
