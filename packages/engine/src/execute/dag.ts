/**
 * The DAG runner: starts a step once every step it depends on has finished, at most `limit`
 * at a time, in the order given (the plan's order) among those ready. A failed step's
 * dependents are skipped, and theirs in turn; steps not yet started when the signal aborts
 * are left (a rerun does them). Dependencies outside the set (no-op changes) count as met.
 */

export interface DagNode {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

export interface DagOptions<T extends DagNode> {
  readonly nodes: readonly T[];
  /** At most this many `run`s at once (at least 1). */
  readonly limit: number;
  readonly signal: AbortSignal;
  /** Runs one step; a rejection marks it failed. */
  readonly run: (node: T) => Promise<void>;
  readonly onFailed: (node: T, error: unknown) => void;
  /** `because`: the failed (or skipped) dependencies. */
  readonly onSkipped: (node: T, because: readonly string[]) => void;
}

export interface DagOutcome {
  /** Skipped because a dependency failed, in the order they were skipped. */
  readonly skipped: readonly string[];
  /** Never started (the signal aborted first), in plan order. */
  readonly notStarted: readonly string[];
}

export async function runDag<T extends DagNode>(opts: DagOptions<T>): Promise<DagOutcome> {
  const limit = Math.max(1, opts.limit);
  const inSet = new Set(opts.nodes.map((n) => n.id));
  const pending = new Map(opts.nodes.map((n) => [n.id, n]));
  const done = new Set<string>();
  // Failed or skipped: either way its dependents cannot run.
  const blocked = new Set<string>();
  const skipped: string[] = [];
  const running = new Set<Promise<void>>();

  const readiness = (n: T): 'ready' | 'wait' | 'skip' => {
    for (const d of n.dependsOn) {
      if (blocked.has(d)) return 'skip';
      if (inSet.has(d) && !done.has(d)) return 'wait';
    }
    return 'ready';
  };

  while (pending.size > 0 || running.size > 0) {
    let progressed = false;
    for (const n of [...pending.values()]) {
      if (running.size >= limit || opts.signal.aborted) break;
      const st = readiness(n);
      if (st === 'wait') continue;
      pending.delete(n.id);
      progressed = true;
      if (st === 'skip') {
        blocked.add(n.id);
        skipped.push(n.id);
        opts.onSkipped(n, n.dependsOn.filter((d) => blocked.has(d)));
        continue;
      }
      const p: Promise<void> = opts
        .run(n)
        .then(
          () => {
            done.add(n.id);
          },
          (e: unknown) => {
            blocked.add(n.id);
            opts.onFailed(n, e);
          },
        )
        .finally(() => {
          running.delete(p);
        });
      running.add(p);
    }
    if (opts.signal.aborted && running.size === 0) break;
    if (running.size > 0) await Promise.race(running);
    else if (!progressed) break;
  }
  return { skipped, notStarted: [...pending.keys()] };
}
